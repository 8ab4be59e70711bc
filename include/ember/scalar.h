#pragma once
// A number passed to an op: bool, integer or floating (libtorch's c10::Scalar).
#include <cstdint>
#include <ostream>
#include <type_traits>

#include "ember/dtype.h"

namespace ember {

/// A bool, int64 or double value with its category (c10::Scalar).
class Scalar {
 public:
  Scalar() : Scalar(int64_t(0)) {}
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Scalar(T v) : kind_(Kind::Int) { v_.i = static_cast<int64_t>(v); }
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  Scalar(T v) : kind_(Kind::Double) { v_.d = static_cast<double>(v); }
  Scalar(bool v) : kind_(Kind::Bool) { v_.i = v; }

  bool isFloatingPoint() const { return kind_ == Kind::Double; }
  bool isIntegral(bool include_bool) const {
    return kind_ == Kind::Int || (include_bool && kind_ == Kind::Bool);
  }
  bool isBoolean() const { return kind_ == Kind::Bool; }
  double toDouble() const { return kind_ == Kind::Double ? v_.d : static_cast<double>(v_.i); }
  int64_t toLong() const { return kind_ == Kind::Double ? static_cast<int64_t>(v_.d) : v_.i; }
  float toFloat() const { return static_cast<float>(toDouble()); }
  int toInt() const { return static_cast<int>(toLong()); }
  bool toBool() const { return kind_ == Kind::Double ? v_.d != 0 : v_.i != 0; }
  template <class T> T to() const {
    if constexpr (std::is_same_v<T, bool>) return toBool();
    else if constexpr (std::is_floating_point_v<T>) return static_cast<T>(toDouble());
    else return static_cast<T>(toLong());
  }
  /// kDouble, kLong or kBool: the type libtorch gives this scalar as a 0-dim tensor.
  ScalarType type() const {
    return kind_ == Kind::Double ? kDouble : kind_ == Kind::Int ? kLong : kBool;
  }
  Scalar operator-() const {
    return kind_ == Kind::Double ? Scalar(-v_.d) : Scalar(-v_.i);
  }

 private:
  enum class Kind : uint8_t { Bool, Int, Double } kind_;
  union { int64_t i; double d; } v_;
};

std::ostream& operator<<(std::ostream& os, const Scalar& s);

}  // namespace ember
