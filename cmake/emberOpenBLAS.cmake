# Provides the imported target ember::openblas. The build links it privately; because
# libember is static, the exported link interface names it too, so the installed package
# config includes this file to find OpenBLAS again on the consumer's machine instead of
# carrying the build machine's absolute library path.
if(NOT TARGET ember::openblas)
  find_library(EMBER_OPENBLAS NAMES openblas)
  if(EMBER_OPENBLAS)
    add_library(ember::openblas UNKNOWN IMPORTED)
    set_target_properties(ember::openblas PROPERTIES IMPORTED_LOCATION "${EMBER_OPENBLAS}")
  endif()
endif()
