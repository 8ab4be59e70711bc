#pragma once
// Elementwise math written once for the host and the device: the CUDA kernels call these
// functors per element, and tests/test_cuda_math.cpp checks them on the CPU against the
// CPU backend's results. Integer arithmetic wraps (two's complement) without C++'s
// undefined signed overflow, as libtorch's kernels behave.
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "backends/backend.h"
#include "backends/common/half.h"

#include "backends/common/host_device.h"

namespace ember::backend::math {

template <class T>
constexpr bool is_float_v = std::is_floating_point_v<T>;
template <class T>
constexpr bool is_bool_v = std::is_same_v<T, bool>;
template <class T>
constexpr bool wraps_v = std::is_integral_v<T> && std::is_signed_v<T>;

template <class T>
EMBER_HD T add(T a, T b) {
  if constexpr (wraps_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else if constexpr (is_bool_v<T>) {
    return a || b;
  } else {
    return static_cast<T>(a + b);
  }
}
template <class T>
EMBER_HD T sub(T a, T b) {
  if constexpr (wraps_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  } else {
    return static_cast<T>(a - b);
  }
}
template <class T>
EMBER_HD T mul(T a, T b) {
  if constexpr (wraps_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  } else if constexpr (is_bool_v<T>) {
    return a && b;
  } else {
    return static_cast<T>(a * b);
  }
}

/// Python's remainder (the result has the divisor's sign). Integer division by zero gives
/// 0 here; the CPU backend raises for it before reaching the math.
template <class T>
EMBER_HD T remainder(T a, T b) {
  if constexpr (is_float_v<T>) {
    T r = std::fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  } else if constexpr (is_bool_v<T>) {
    return false;
  } else {
    if (b == 0) return 0;
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return 0;
    }
    T r = static_cast<T>(a % b);
    if constexpr (std::is_signed_v<T>) {
      if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
    }
    return r;
  }
}

template <class T>
EMBER_HD T int_pow(T base, T exp) {
  if constexpr (std::is_signed_v<T>) {
    if (exp < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exp % 2 == 0) ? 1 : -1;
      return 0;
    }
  }
  T result = 1;
  while (exp) {
    if (exp & 1) result = mul(result, base);
    base = mul(base, base);
    exp = static_cast<T>(exp / 2);
  }
  return result;
}

/// maximum/minimum propagate NaN as libtorch does.
template <class T>
EMBER_HD T maximum(T a, T b) {
  if constexpr (is_float_v<T>) {
    if (a != a || b != b) return a + b;
  }
  return a > b ? a : b;
}
template <class T>
EMBER_HD T minimum(T a, T b) {
  if constexpr (is_float_v<T>) {
    if (a != a || b != b) return a + b;
  }
  return a < b ? a : b;
}

/// Integer clamp bounds from doubles, saturating at the type's range.
template <class T>
EMBER_HD T saturate(double x) {
  if constexpr (is_float_v<T>) {
    return static_cast<T>(x);
  } else {
    if (x <= static_cast<double>(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
    if (x >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return static_cast<T>(x);
  }
}

/// One unary op on one value (ops with a bool result use unary_predicate). `ok` is
/// cleared when the op has no meaning for T (the caller reports it).
template <class T>
struct UnaryFn {
  UnaryOp op;
  T lo, hi;  // Clamp bounds
  EMBER_HD T operator()(T v) const {
    switch (op) {
      case UnaryOp::Neg:  // -v for floats: neg(0.0) is -0.0, as libtorch
        if constexpr (is_bool_v<T>) return v;
        else if constexpr (is_float_v<T>) return -v;
        else return sub(T(0), v);
      case UnaryOp::Abs:  // fabs for floats: abs(-0.0) is 0.0
        if constexpr (std::is_unsigned_v<T> || is_bool_v<T>) return v;
        else if constexpr (is_float_v<T>) return std::fabs(v);
        else return v < 0 ? sub(T(0), v) : v;
      case UnaryOp::Sign:
        if constexpr (std::is_signed_v<T> || is_float_v<T>) return static_cast<T>((T(0) < v) - (v < T(0)));
        else return static_cast<T>(T(0) < v);
      case UnaryOp::Square: return mul(v, v);
      case UnaryOp::Relu:  // keeps NaN and -0.0, as libtorch's clamp_min
        if constexpr (std::is_unsigned_v<T> || is_bool_v<T>) return v;
        else return v < T(0) ? T(0) : v;
      case UnaryOp::Clamp:
        if constexpr (is_float_v<T>) {
          if (v != v) return v;
        }
        {
          const T r = v < lo ? lo : v;  // min(max(v, lo), hi), as the CPU
          return hi < r ? hi : r;
        }
      default: break;
    }
    if constexpr (is_float_v<T>) {
      switch (op) {
        case UnaryOp::Exp: return std::exp(v);
        case UnaryOp::Log: return std::log(v);
        case UnaryOp::Log1p: return std::log1p(v);
        case UnaryOp::Expm1: return std::expm1(v);
        case UnaryOp::Sqrt: return std::sqrt(v);
        case UnaryOp::Rsqrt: return T(1) / std::sqrt(v);
        case UnaryOp::Sin: return std::sin(v);
        case UnaryOp::Cos: return std::cos(v);
        case UnaryOp::Tan: return std::tan(v);
        case UnaryOp::Tanh: return std::tanh(v);
        case UnaryOp::Sigmoid: return T(1) / (T(1) + std::exp(-v));
        case UnaryOp::Reciprocal: return T(1) / v;
        case UnaryOp::Floor: return std::floor(v);
        case UnaryOp::Ceil: return std::ceil(v);
        case UnaryOp::Round: return std::nearbyint(v);  // half to even
        case UnaryOp::Trunc: return std::trunc(v);
        case UnaryOp::Log2: return std::log2(v);
        case UnaryOp::Log10: return std::log10(v);
        case UnaryOp::Erf: return std::erf(v);
        default: return v;
      }
    } else {
      return v;  // Floor/Ceil/Round/Trunc of integers; other float math is rejected on the host
    }
  }
};

/// Whether UnaryFn<T> implements op (the host checks before launching).
template <class T>
constexpr bool unary_supported(UnaryOp op) {
  switch (op) {
    case UnaryOp::Neg: return !is_bool_v<T>;
    case UnaryOp::Abs: case UnaryOp::Sign: case UnaryOp::Square: case UnaryOp::Relu: case UnaryOp::Clamp:
    case UnaryOp::Floor: case UnaryOp::Ceil: case UnaryOp::Round: case UnaryOp::Trunc:
      return true;
    case UnaryOp::LogicalNot: case UnaryOp::IsNan: case UnaryOp::IsInf: case UnaryOp::IsFinite:
      return false;
    default: return is_float_v<T>;
  }
}

/// LogicalNot, IsNan, IsInf, IsFinite.
template <class T>
EMBER_HD bool unary_predicate(UnaryOp op, T v) {
  if (op == UnaryOp::LogicalNot) return !v;
  if constexpr (is_float_v<T>) {
    if (op == UnaryOp::IsNan) return v != v;
    if (op == UnaryOp::IsInf) return std::isinf(v);
    return std::isfinite(v);
  } else {
    return op == UnaryOp::IsFinite;
  }
}

/// Ops with a bool result (comparisons and logic).
EMBER_HD constexpr bool binary_to_bool(BinaryOp op) { return op >= BinaryOp::Eq && op <= BinaryOp::LogicalXor; }

template <class T>
EMBER_HD bool binary_predicate(BinaryOp op, T x, T y) {
  switch (op) {
    case BinaryOp::Eq: return x == y;
    case BinaryOp::Ne: return x != y;
    case BinaryOp::Lt: return x < y;
    case BinaryOp::Le: return x <= y;
    case BinaryOp::Gt: return x > y;
    case BinaryOp::Ge: return x >= y;
    case BinaryOp::LogicalAnd: return x != T(0) && y != T(0);
    case BinaryOp::LogicalOr: return x != T(0) || y != T(0);
    default: return (x != T(0)) != (y != T(0));  // LogicalXor
  }
}

/// One arithmetic/bitwise binary op; alpha scales b for Add/Sub.
template <class T>
struct BinaryFn {
  BinaryOp op;
  T alpha;
  EMBER_HD T operator()(T x, T y) const {
    if constexpr (is_bool_v<T>) {
      switch (op) {
        case BinaryOp::Add: case BinaryOp::BitOr: case BinaryOp::Maximum: return x || y;
        case BinaryOp::BitXor: return x != y;
        default: return x && y;  // Mul, BitAnd, Minimum
      }
    } else {
      switch (op) {
        case BinaryOp::Add: return add(x, mul(alpha, y));
        case BinaryOp::Sub: return sub(x, mul(alpha, y));
        case BinaryOp::Mul: return mul(x, y);
        case BinaryOp::Div:
          if constexpr (is_float_v<T>) return x / y;
          else return x;
        case BinaryOp::Pow:
          if constexpr (is_float_v<T>) return std::pow(x, y);
          else return int_pow(x, y);
        case BinaryOp::Maximum: return maximum(x, y);
        case BinaryOp::Minimum: return minimum(x, y);
        case BinaryOp::Remainder: return remainder(x, y);
        case BinaryOp::BitAnd:
          if constexpr (!is_float_v<T>) return static_cast<T>(x & y);
          else return x;
        case BinaryOp::BitOr:
          if constexpr (!is_float_v<T>) return static_cast<T>(x | y);
          else return x;
        case BinaryOp::BitXor:
          if constexpr (!is_float_v<T>) return static_cast<T>(x ^ y);
          else return x;
        default: return x;
      }
    }
  }
};

/// Whether BinaryFn<T> implements op (comparisons are always supported).
template <class T>
constexpr bool binary_supported(BinaryOp op) {
  if (binary_to_bool(op)) return true;
  if constexpr (is_bool_v<T>) {
    return op == BinaryOp::Add || op == BinaryOp::BitOr || op == BinaryOp::Maximum || op == BinaryOp::Mul ||
           op == BinaryOp::BitAnd || op == BinaryOp::Minimum || op == BinaryOp::BitXor;
  } else if constexpr (is_float_v<T>) {
    return !(op == BinaryOp::BitAnd || op == BinaryOp::BitOr || op == BinaryOp::BitXor);
  } else {
    return op != BinaryOp::Div;
  }
}

/// UnaryFn and BinaryFn on storage type T, as the CUDA kernels apply them: the operands
/// widen to opmath_t<T>, the opmath functor runs, and the result rounds once to T. For
/// Half and BFloat16 that is float math with one rounding (65504 + 16 overflows to inf,
/// 2^-25 rounds to zero, NaN stays NaN); for the other dtypes the casts vanish.
template <class T>
struct StorageUnaryFn {
  UnaryFn<opmath_t<T>> f;
  EMBER_HD T operator()(T v) const { return T(f(static_cast<opmath_t<T>>(v))); }
};
template <class T>
struct StorageBinaryFn {
  BinaryFn<opmath_t<T>> f;
  EMBER_HD T operator()(T x, T y) const { return T(f(static_cast<opmath_t<T>>(x), static_cast<opmath_t<T>>(y))); }
};

/// log(exp(a) + exp(b)) without overflow, the step of logcumsumexp (NaN propagates).
EMBER_HD double log_add_exp(double a, double b) {
  if (a != a || b != b) return a + b;
  const double m = a > b ? a : b;
  if (std::isinf(m)) return m;  // both -inf, or one +inf
  return m + std::log1p(std::exp((a > b ? b : a) - m));
}

/// dtype conversion of copy_ (to bool: != 0); 16-bit floats convert through float, as
/// c10::Half and c10::BFloat16 do.
template <class D, class S>
EMBER_HD D convert(S v) {
  if constexpr (is_16bit_float_v<S>) return convert<D>(static_cast<float>(v));
  else if constexpr (is_16bit_float_v<D>) return D(static_cast<float>(v));
  else if constexpr (is_bool_v<D>) return v != S(0);
  else return static_cast<D>(v);
}

}  // namespace ember::backend::math
