// CPU elementwise kernels: copy with dtype conversion, fill, unary, binary and where.
// Each is a functor applied by for_each_row; contiguous rows get a plain indexed loop
// the compiler vectorises, broadcast (stride 0) operands are read once per row.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/elementwise_split.h"
#include "backends/cpu/loops.h"
#include "backends/cpu/parallel.h"
#include "backends/common/scalar_ops.h"
#include "backends/cpu/vec_math.h"
#include "ember/errors.h"

namespace ember::backend::cpu {
namespace {

template <class Out, class In, class F>
void unary_loop(const TensorArg& in, const TensorArg& out, F f) {
  for_each_row<2>({&out, &in}, [&](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t n) {
    Out* o = reinterpret_cast<Out*>(p[0]);
    const In* a = reinterpret_cast<const In*>(p[1]);
    if (s[0] == sizeof(Out) && s[1] == sizeof(In)) {
      map_contiguous(o, a, n, f);
    } else if (s[1] == 0) {
      const Out v = f(a[0]);
      for (int64_t i = 0; i < n; ++i) *reinterpret_cast<Out*>(p[0] + i * s[0]) = v;
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<Out*>(p[0] + i * s[0]) = f(*reinterpret_cast<const In*>(p[1] + i * s[1]));
    }
  });
}

template <class Out, class In, class F>
void binary_loop(const TensorArg& a, const TensorArg& b, const TensorArg& out, F f) {
  for_each_row<3>({&out, &a, &b}, [&](std::array<char*, 3> p, std::array<int64_t, 3> s, int64_t n) {
    Out* o = reinterpret_cast<Out*>(p[0]);
    const In* x = reinterpret_cast<const In*>(p[1]);
    const In* y = reinterpret_cast<const In*>(p[2]);
    if (s[0] == sizeof(Out) && s[1] == sizeof(In) && s[2] == sizeof(In)) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
    } else if (s[0] == sizeof(Out) && s[1] == sizeof(In) && s[2] == 0) {
      const In yv = y[0];
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
    } else if (s[0] == sizeof(Out) && s[1] == 0 && s[2] == sizeof(In)) {
      const In xv = x[0];
      for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<Out*>(p[0] + i * s[0]) =
            f(*reinterpret_cast<const In*>(p[1] + i * s[1]), *reinterpret_cast<const In*>(p[2] + i * s[2]));
    }
  });
}

template <class T>
constexpr bool is_float_v = std::is_floating_point_v<T>;

template <class T>
T py_remainder(T a, T b) {
  if constexpr (is_float_v<T>) {
    T r = std::fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  } else if constexpr (std::is_same_v<T, bool>) {
    return false;
  } else {
    // Integer division by zero is undefined behaviour (SIGFPE on x86): raise as libtorch.
    if (b == 0) detail::throw_error<Error>("remainder", "ZeroDivisionError");
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return 0;  // INT_MIN % -1 overflows
    }
    T r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  }
}

template <class T>
T int_pow(T base, T exp) {
  if constexpr (std::is_signed_v<T>) {
    if (exp < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exp % 2 == 0) ? 1 : -1;
      return 0;
    }
  }
  T result = 1;
  while (exp) {
    if (exp & 1) result = wrap_mul(result, base);
    base = wrap_mul(base, base);
    exp /= 2;
  }
  return result;
}



}  // namespace

void CpuBackend::copy(const TensorArg& src, const TensorArg& dst) {
  if (split_flat<2>({&dst, &src}, [&](const std::array<TensorArg, 2>& p) { copy(p[1], p[0]); })) return;
  dispatch_storage_dtype(dst.dtype, "copy_", [&](auto d) {
    using D = decltype(d);
    dispatch_storage_dtype(src.dtype, "copy_", [&](auto s) {
      using S = decltype(s);
      unary_loop<D, S>(src, dst, [](S v) { return math::convert<D>(v); });
    });
  });
}

void CpuBackend::fill(const TensorArg& dst, const Scalar& value) {
  dispatch_storage_dtype(dst.dtype, "fill_", [&](auto d) {
    using D = decltype(d);
    const D v = [&] {
      if constexpr (math::is_16bit_float_v<D>) return D(value.to<float>());
      else return value.to<D>();
    }();
    for_each_row<1>({&dst}, [&](std::array<char*, 1> p, std::array<int64_t, 1> s, int64_t n) {
      if (s[0] == sizeof(D)) {
        D* o = reinterpret_cast<D*>(p[0]);
        for (int64_t i = 0; i < n; ++i) o[i] = v;
      } else {
        for (int64_t i = 0; i < n; ++i) *reinterpret_cast<D*>(p[0] + i * s[0]) = v;
      }
    });
  });
}

void CpuBackend::fill_range(const TensorArg& dst, double start, double step) {
  dispatch_dtype(dst.dtype, "arange", [&](auto d) {
    using D = decltype(d);
    D* o = static_cast<D*>(dst.data);
    for (int64_t i = 0; i < dst.numel; ++i) o[i] = static_cast<D>(start + static_cast<double>(i) * step);
  });
}

void CpuBackend::unary(UnaryOp op, const TensorArg& in, const TensorArg& out, UnaryParams prm) {
  if (split_flat<2>({&out, &in}, [&](const std::array<TensorArg, 2>& p) { unary(op, p[1], p[0], prm); })) return;
  switch (op) {
    case UnaryOp::LogicalNot:
    case UnaryOp::IsNan:
    case UnaryOp::IsInf:
    case UnaryOp::IsFinite:
      dispatch_dtype(in.dtype, "unary", [&](auto t) {
        using T = decltype(t);
        unary_loop<bool, T>(in, out, [op](T v) -> bool {
          if (op == UnaryOp::LogicalNot) return !v;
          if constexpr (is_float_v<T>) {
            if (op == UnaryOp::IsNan) return std::isnan(v);
            if (op == UnaryOp::IsInf) return std::isinf(v);
            return std::isfinite(v);
          } else {
            return op == UnaryOp::IsFinite;
          }
        });
      });
      return;
    default:
      break;
  }
  dispatch_dtype(in.dtype, "unary", [&](auto t) {
    using T = decltype(t);
    auto run = [&](auto f) { unary_loop<T, T>(in, out, f); };
    switch (op) {
      case UnaryOp::Neg:
        if constexpr (!std::is_same_v<T, bool>) return run([](T v) { return wrap_neg(v); });
        break;
      case UnaryOp::Abs:
        if constexpr (std::is_unsigned_v<T> || std::is_same_v<T, bool>) return run([](T v) { return v; });
        else if constexpr (is_float_v<T>) return run([](T v) { return std::fabs(v); });  // abs(-0.0) is 0.0
        else return run([](T v) { return v < 0 ? wrap_neg(v) : v; });
      case UnaryOp::Sign:
        return run([](T v) { return static_cast<T>((T(0) < v) - (v < T(0))); });
      case UnaryOp::Square:
        if constexpr (std::is_same_v<T, bool>) return run([](T v) { return v; });
        else return run([](T v) { return wrap_mul(v, v); });
      case UnaryOp::Relu:
        return run([](T v) { return v < T(0) ? T(0) : v; });  // keeps NaN and -0.0, as libtorch's clamp_min
      case UnaryOp::Clamp: {
        if constexpr (is_float_v<T>) {
          const T lo = static_cast<T>(prm.p0), hi = static_cast<T>(prm.p1);
          return run([lo, hi](T v) { return std::isnan(v) ? v : std::min(std::max(v, lo), hi); });
        } else {
          auto bound = [](double x) {
            if (x <= static_cast<double>(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
            if (x >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
            return static_cast<T>(x);
          };
          const T lo = bound(prm.p0), hi = bound(prm.p1);
          return run([lo, hi](T v) { return std::min(std::max(v, lo), hi); });
        }
      }
      case UnaryOp::Floor: case UnaryOp::Ceil: case UnaryOp::Round: case UnaryOp::Trunc:
        if constexpr (!is_float_v<T>) return run([](T v) { return v; });
        break;
      default:
        break;
    }
    if constexpr (is_float_v<T>) {
      switch (op) {
        // exp, tanh and sigmoid of float go through vec_math's vectorisable forms.
        case UnaryOp::Exp: return run([](T v) { return vec::exp_of(v); });
        case UnaryOp::Log: return run([](T v) { return std::log(v); });
        case UnaryOp::Log1p: return run([](T v) { return std::log1p(v); });
        case UnaryOp::Expm1: return run([](T v) { return std::expm1(v); });
        case UnaryOp::Sqrt: return run([](T v) { return std::sqrt(v); });
        case UnaryOp::Rsqrt: return run([](T v) { return T(1) / std::sqrt(v); });
        case UnaryOp::Sin: return run([](T v) { return std::sin(v); });
        case UnaryOp::Cos: return run([](T v) { return std::cos(v); });
        case UnaryOp::Tan: return run([](T v) { return std::tan(v); });
        case UnaryOp::Tanh: return run([](T v) { return vec::tanh_of(v); });
        case UnaryOp::Sigmoid: return run([](T v) { return T(1) / (T(1) + vec::exp_of(-v)); });
        case UnaryOp::Reciprocal: return run([](T v) { return T(1) / v; });
        case UnaryOp::Floor: return run([](T v) { return std::floor(v); });
        case UnaryOp::Ceil: return run([](T v) { return std::ceil(v); });
        case UnaryOp::Round: return run([](T v) { return std::nearbyint(v); });  // half to even
        case UnaryOp::Trunc: return run([](T v) { return std::trunc(v); });
        case UnaryOp::Log2: return run([](T v) { return std::log2(v); });
        case UnaryOp::Log10: return run([](T v) { return std::log10(v); });
        case UnaryOp::Erf: return run([](T v) { return std::erf(v); });
        default: break;
      }
    }
    detail::throw_error<NotImplementedError>("unary", "op ", static_cast<int>(op),
                                             " has no CPU kernel for dtype ", in.dtype);
  });
}

void CpuBackend::binary(BinaryOp op, const TensorArg& a, const TensorArg& b, const TensorArg& out,
                        const Scalar& alpha) {
  if (split_flat<3>({&out, &a, &b},
                    [&](const std::array<TensorArg, 3>& p) { binary(op, p[1], p[2], p[0], alpha); }))
    return;
  const bool to_bool = op >= BinaryOp::Eq && op <= BinaryOp::LogicalXor;
  dispatch_dtype(a.dtype, "binary", [&](auto t) {
    using T = decltype(t);
    if (to_bool) {
      auto run = [&](auto f) { binary_loop<bool, T>(a, b, out, f); };
      switch (op) {
        case BinaryOp::Eq: return run([](T x, T y) { return x == y; });
        case BinaryOp::Ne: return run([](T x, T y) { return x != y; });
        case BinaryOp::Lt: return run([](T x, T y) { return x < y; });
        case BinaryOp::Le: return run([](T x, T y) { return x <= y; });
        case BinaryOp::Gt: return run([](T x, T y) { return x > y; });
        case BinaryOp::Ge: return run([](T x, T y) { return x >= y; });
        case BinaryOp::LogicalAnd: return run([](T x, T y) { return x != T(0) && y != T(0); });
        case BinaryOp::LogicalOr: return run([](T x, T y) { return x != T(0) || y != T(0); });
        case BinaryOp::LogicalXor: return run([](T x, T y) { return (x != T(0)) != (y != T(0)); });
        default: break;
      }
    }
    auto run = [&](auto f) { binary_loop<T, T>(a, b, out, f); };
    if constexpr (std::is_same_v<T, bool>) {
      switch (op) {
        case BinaryOp::Add: case BinaryOp::BitOr: case BinaryOp::Maximum:
          return run([](T x, T y) { return x || y; });
        case BinaryOp::Mul: case BinaryOp::BitAnd: case BinaryOp::Minimum:
          return run([](T x, T y) { return x && y; });
        case BinaryOp::BitXor: return run([](T x, T y) { return x != y; });
        default: break;
      }
    } else {
      const T al = alpha.to<T>();
      switch (op) {
        case BinaryOp::Add:
          if (al == T(1)) return run([](T x, T y) { return wrap_add(x, y); });
          return run([al](T x, T y) { return wrap_add(x, wrap_mul(al, y)); });
        case BinaryOp::Sub:
          if (al == T(1)) return run([](T x, T y) { return wrap_sub(x, y); });
          return run([al](T x, T y) { return wrap_sub(x, wrap_mul(al, y)); });
        case BinaryOp::Mul: return run([](T x, T y) { return wrap_mul(x, y); });
        case BinaryOp::Div:
          if constexpr (is_float_v<T>) return run([](T x, T y) { return x / y; });
          break;  // integer true division is promoted to float by the front-end
        case BinaryOp::Pow:
          if constexpr (is_float_v<T>) return run([](T x, T y) { return std::pow(x, y); });
          else return run([](T x, T y) { return int_pow(x, y); });
        case BinaryOp::Maximum:
          if constexpr (is_float_v<T>)
            return run([](T x, T y) { return (std::isnan(x) || std::isnan(y)) ? x + y : std::max(x, y); });
          else return run([](T x, T y) { return std::max(x, y); });
        case BinaryOp::Minimum:
          if constexpr (is_float_v<T>)
            return run([](T x, T y) { return (std::isnan(x) || std::isnan(y)) ? x + y : std::min(x, y); });
          else return run([](T x, T y) { return std::min(x, y); });
        case BinaryOp::Remainder: return run([](T x, T y) { return py_remainder(x, y); });
        case BinaryOp::BitAnd:
          if constexpr (!is_float_v<T>) return run([](T x, T y) { return static_cast<T>(x & y); });
          break;
        case BinaryOp::BitOr:
          if constexpr (!is_float_v<T>) return run([](T x, T y) { return static_cast<T>(x | y); });
          break;
        case BinaryOp::BitXor:
          if constexpr (!is_float_v<T>) return run([](T x, T y) { return static_cast<T>(x ^ y); });
          break;
        default: break;
      }
    }
    detail::throw_error<NotImplementedError>("binary", "op ", static_cast<int>(op),
                                             " has no CPU kernel for dtype ", a.dtype);
  });
}

namespace {

// where over contiguous rows, b contiguous (b_step 1) or one value (b_step 0): plain
// indexed loops of their own, which the compiler vectorises (the strided loop it does not).
template <class T>
[[gnu::noinline]] void where_contiguous(T* o, const bool* c, const T* a, const T* b, int64_t b_step, int64_t n) {
  // Both sides are loaded unconditionally, so the select is a blend rather than a branch.
  const uint8_t* m = reinterpret_cast<const uint8_t*>(c);
  if (b_step == 0) {
    const T bv = b[0];
    for (int64_t i = 0; i < n; ++i) {
      const T av = a[i];
      o[i] = m[i] != 0 ? av : bv;
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      const T av = a[i], bv = b[i];
      o[i] = m[i] != 0 ? av : bv;
    }
  }
}

}  // namespace

void CpuBackend::where(const TensorArg& cond, const TensorArg& a, const TensorArg& b,
                       const TensorArg& out) {
  dispatch_dtype(out.dtype, "where", [&](auto t) {
    using T = decltype(t);
    for_each_row<4>({&out, &cond, &a, &b}, [&](std::array<char*, 4> p, std::array<int64_t, 4> s, int64_t n) {
      if (s[0] == sizeof(T) && s[1] == sizeof(bool) && s[2] == sizeof(T) && (s[3] == sizeof(T) || s[3] == 0)) {
        where_contiguous(reinterpret_cast<T*>(p[0]), reinterpret_cast<const bool*>(p[1]),
                         reinterpret_cast<const T*>(p[2]), reinterpret_cast<const T*>(p[3]), s[3] == 0 ? 0 : 1, n);
        return;
      }
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(p[0] + i * s[0]) =
            *reinterpret_cast<const bool*>(p[1] + i * s[1]) ? *reinterpret_cast<const T*>(p[2] + i * s[2])
                                                            : *reinterpret_cast<const T*>(p[3] + i * s[3]);
    });
  });
}

}  // namespace ember::backend::cpu
