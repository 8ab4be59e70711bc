# ctest driver (cmake -P): installs ember's build tree into a scratch prefix, then
# configures, builds and runs tests/consumer against that prefix with find_package(ember).
# Inputs: EMBER_BUILD_DIR SOURCE_DIR WORK_DIR GENERATOR MAKE_PROGRAM CXX_COMPILER
#         BUILD_TYPE, and optionally LAUNCHER (a compiler launcher such as ccache).
cmake_minimum_required(VERSION 3.25)

foreach(var EMBER_BUILD_DIR SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER BUILD_TYPE)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer.cmake: ${var} is not set")
  endif()
endforeach()

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer test: ${step} failed (${rc}):\n${ARGN}\n${out}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

set(prefix "${WORK_DIR}/prefix")
set(build "${WORK_DIR}/build")
file(REMOVE_RECURSE "${WORK_DIR}")

run("install" ${CMAKE_COMMAND} --install "${EMBER_BUILD_DIR}" --prefix "${prefix}" --config "${BUILD_TYPE}")

set(configure_args -S "${SOURCE_DIR}" -B "${build}" -G "${GENERATOR}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
  "-DCMAKE_PREFIX_PATH=${prefix}" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
if(MAKE_PROGRAM)
  list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(LAUNCHER)
  list(APPEND configure_args "-DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}")
endif()
run("configure" ${CMAKE_COMMAND} ${configure_args})

# The package must come from the scratch prefix, not from an ember installed elsewhere.
file(STRINGS "${build}/CMakeCache.txt" ember_dir REGEX "^ember_DIR:")
string(REGEX REPLACE "^ember_DIR:[A-Z]+=" "" ember_dir "${ember_dir}")
file(REAL_PATH "${ember_dir}" ember_dir)
file(REAL_PATH "${prefix}" real_prefix)
string(FIND "${ember_dir}" "${real_prefix}/" at)
if(NOT at EQUAL 0)
  message(FATAL_ERROR "consumer test: find_package(ember) used '${ember_dir}', not the scratch prefix '${real_prefix}'")
endif()

run("build" ${CMAKE_COMMAND} --build "${build}")
run("run" "${build}/app")
message("${last_output}")
if(NOT last_output MATCHES "ember consumer: OK")
  message(FATAL_ERROR "consumer test: the app did not report success")
endif()
