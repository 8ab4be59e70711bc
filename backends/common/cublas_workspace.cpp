#include "backends/common/cublas_workspace.h"

#include <cstdint>
#include <string_view>

#include "ember/errors.h"

namespace ember::backend::cuda {
namespace {
// Parses the decimal number at the front of `s` and drops it; false when there is none or
// it does not fit in 32 bits.
bool take_number(std::string_view& s, uint64_t& value) {
  size_t n = 0;
  value = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') {
    value = value * 10 + static_cast<uint64_t>(s[n] - '0');
    if (value > UINT32_MAX) return false;
    ++n;
  }
  s.remove_prefix(n);
  return n > 0;
}
}  // namespace

size_t cublas_workspace_bytes(const char* config, int compute_capability_major) {
  if (config == nullptr || *config == '\0') {
    return compute_capability_major >= 9 ? size_t(32) << 20 : (size_t(4096) * 2 + size_t(16) * 8) << 10;
  }
  std::string_view s(config);
  uint64_t total_kib = 0;
  bool ok = !s.empty();
  while (ok && !s.empty()) {
    uint64_t size_kib = 0, count = 0;
    ok = s[0] == ':';
    if (ok) s.remove_prefix(1);
    ok = ok && take_number(s, size_kib) && !s.empty() && s[0] == ':';
    if (ok) s.remove_prefix(1);
    ok = ok && take_number(s, count);
    total_kib += size_kib * count;
  }
  EMBER_CHECK(ok, Error, "cuda", "CUBLAS_WORKSPACE_CONFIG=\"", config,
              "\" is not cuBLAS's \":SIZE:COUNT[:SIZE:COUNT...]\" (SIZE in KiB), e.g. \":4096:8\"");
  return static_cast<size_t>(total_kib) << 10;
}

}  // namespace ember::backend::cuda
