// Small value types of the public API: dtypes, promotion, devices, scalars, sizes.
#include <atomic>
#include <cstdio>
#include <string>

#include "ember/array_ref.h"
#include "ember/device.h"
#include "ember/dtype.h"
#include "ember/errors.h"
#include "ember/scalar.h"

namespace ember {

namespace detail {
void internal_assert_fail(const char* cond, const char* file, int line, const std::string& msg) {
  throw Error(concat("[ember::internal] assertion `", cond, "` failed at ", file, ":", line,
                     msg.empty() ? "" : ": ", msg, " (this is a bug in ember)"));
}
}  // namespace detail

const char* toString(ScalarType t) {
  switch (t) {
    case kByte: return "Byte";
    case kInt: return "Int";
    case kLong: return "Long";
    case kFloat: return "Float";
    case kDouble: return "Double";
    case kBool: return "Bool";
    case kHalf: return "Half";
    case kBFloat16: return "BFloat16";
    default: return "Undefined";
  }
}
std::ostream& operator<<(std::ostream& os, ScalarType t) { return os << toString(t); }

namespace {
// Promotion rank for the types ember has: every pair promotes to the higher rank,
// except Half with BFloat16 (-> Float), as in libtorch's table.
int rank(ScalarType t) {
  switch (t) {
    case kBool: return 0;
    case kByte: return 1;
    case kInt: return 2;
    case kLong: return 3;
    case kHalf: return 4;
    case kBFloat16: return 4;
    case kFloat: return 5;
    case kDouble: return 6;
    default: return -1;
  }
}
std::atomic<ScalarType> g_default_dtype{kFloat};
}  // namespace

ScalarType promote_types(ScalarType a, ScalarType b) {
  if (a == b) return a;
  if ((a == kHalf && b == kBFloat16) || (a == kBFloat16 && b == kHalf)) return kFloat;
  return rank(a) >= rank(b) ? a : b;
}

ScalarType get_default_dtype() { return g_default_dtype.load(std::memory_order_relaxed); }
void set_default_dtype(ScalarType t) {
  EMBER_CHECK(t == kFloat || t == kDouble, DTypeError, "set_default_dtype",
              "only Float or Double can be the default dtype, got ", t);
  g_default_dtype.store(t);
}

Device::Device(const std::string& spec) : type_(kCPU), index_(-1) {
  std::string s = spec;
  auto colon = s.find(':');
  std::string kind = s.substr(0, colon);
  if (kind == "cpu") type_ = kCPU;
  else if (kind == "cuda") type_ = kCUDA;
  else detail::throw_error<DeviceError>("Device", "expected a device string like 'cpu', 'cuda' or 'cuda:1', got '", spec, "'");
  if (colon != std::string::npos) {
    std::string idx = s.substr(colon + 1);
    bool ok = !idx.empty() && idx.size() < 4 && idx.find_first_not_of("0123456789") == std::string::npos;
    EMBER_CHECK(ok, DeviceError, "Device", "invalid device index in '", spec, "'");
    index_ = static_cast<int8_t>(std::stoi(idx));
    EMBER_CHECK(type_ != kCPU || index_ == 0, DeviceError, "Device", "CPU device index must be 0, got '", spec, "'");
  }
}

std::string Device::str() const {
  std::string s = type_ == kCPU ? "cpu" : "cuda";
  if (index_ >= 0) s += ":" + std::to_string(index_);
  return s;
}
std::ostream& operator<<(std::ostream& os, const Device& d) { return os << d.str(); }
std::ostream& operator<<(std::ostream& os, DeviceType t) { return os << (t == kCPU ? "cpu" : "cuda"); }

std::ostream& operator<<(std::ostream& os, const Scalar& s) {
  if (s.isFloatingPoint()) return os << s.toDouble();
  if (s.isBoolean()) return os << (s.toBool() ? "true" : "false");
  return os << s.toLong();
}

std::ostream& operator<<(std::ostream& os, IntArrayRef a) {
  os << '[';
  for (size_t i = 0; i < a.size(); ++i) os << (i ? ", " : "") << a[i];
  return os << ']';
}

}  // namespace ember
