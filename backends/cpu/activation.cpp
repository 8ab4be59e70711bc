// CPU activation kernels: one pass per forward and per first-order backward, each op a
// scalar functor applied by for_each_row (contiguous rows vectorise where the math allows).
// Formulas match libtorch's CPU kernels, including their thresholds for stability.
#include <cmath>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/elementwise_split.h"
#include "backends/cpu/loops.h"
#include "backends/cpu/vec_math.h"

namespace ember::backend::cpu {
namespace {

using Op = Backend::ActivationOp;
using Params = Backend::ActivationParams;

constexpr double kSqrt1_2 = 0.70710678118654752440;      // 1 / sqrt(2)
constexpr double kInvSqrt2Pi = 0.39894228040143267794;   // 1 / sqrt(2 pi)
constexpr double kSqrt2OverPi = 0.79788456080286535588;  // sqrt(2 / pi)
constexpr double kGeluTanhCoef = 0.044715;

using vec::exp_of;
using vec::tanh_of;

template <class T>
T sigmoid(T x) {
  return T(1) / (T(1) + exp_of(-x));
}

// tanh(softplus(x)) without log1p: with u = exp(x), tanh(log(1 + u)) = n / (n + 2) where
// n = u (u + 2); it is 1 to working precision once x > 20 (where u * u would overflow).
template <class T>
T tanh_softplus(T x) {
  const T u = exp_of(std::min(x, T(20)));
  const T n = u * (u + T(2));
  return x > T(20) ? T(1) : n / (n + T(2));
}

// log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|)).
template <class T>
T softplus1(T x) {
  return std::max(x, T(0)) + std::log1p(std::exp(-std::abs(x)));
}

// The two-input form of map_contiguous (elementwise_split.h): a function of its own, so
// the lambda inlines into a loop that vectorises.
template <class T, class F>
[[gnu::noinline]] void map2_contiguous(T* o, const T* g, const T* x, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) o[i] = f(g[i], x[i]);
}

// The functor is copied into each row's scope: a local the stores cannot alias, so its
// parameters stay in registers and contiguous rows vectorise.
template <class T, class F>
void map1(const TensorArg& in, const TensorArg& out, F fn) {
  for_each_row<2>({&out, &in}, [fn](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t n) {
    const F f = fn;
    if (s[0] == sizeof(T) && s[1] == sizeof(T)) {
      T* o = reinterpret_cast<T*>(p[0]);
      const T* a = reinterpret_cast<const T*>(p[1]);
      map_contiguous(o, a, n, f);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(p[0] + i * s[0]) = f(*reinterpret_cast<const T*>(p[1] + i * s[1]));
    }
  });
}

// grad_in = f(grad, x)
template <class T, class F>
void map2(const TensorArg& grad, const TensorArg& in, const TensorArg& out, F fn) {
  for_each_row<3>({&out, &grad, &in}, [fn](std::array<char*, 3> p, std::array<int64_t, 3> s, int64_t n) {
    const F f = fn;
    if (s[0] == sizeof(T) && s[1] == sizeof(T) && s[2] == sizeof(T)) {
      T* o = reinterpret_cast<T*>(p[0]);
      const T* g = reinterpret_cast<const T*>(p[1]);
      const T* x = reinterpret_cast<const T*>(p[2]);
      map2_contiguous(o, g, x, n, f);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(p[0] + i * s[0]) =
            f(*reinterpret_cast<const T*>(p[1] + i * s[1]), *reinterpret_cast<const T*>(p[2] + i * s[2]));
    }
  });
}

template <class F>
void dispatch_float(ScalarType t, const char* name, F&& f) {
  if (t == kFloat) return f(float{});
  if (t == kDouble) return f(double{});
  detail::throw_error<DTypeError>(name, "expected a floating point tensor, got ", t);
}

}  // namespace

void CpuBackend::activation(ActivationOp op, const TensorArg& in, const TensorArg& out, const ActivationParams& prm) {
  if (split_flat<2>({&out, &in}, [&](const std::array<TensorArg, 2>& p) { activation(op, p[1], p[0], prm); }))
    return;
  dispatch_float(in.dtype, "activation", [&](auto tag) {
    using T = decltype(tag);
    auto run = [&](auto f) { map1<T>(in, out, f); };
    const T a = static_cast<T>(prm.a), b = static_cast<T>(prm.b), c = static_cast<T>(prm.c);
    switch (op) {
      case Op::Gelu:
        return run([](T x) { return T(0.5) * x * vec::one_plus_erf_of(x * T(kSqrt1_2)); });
      case Op::GeluTanh:
        return run([](T x) {
          const T inner = T(kSqrt2OverPi) * (x + T(kGeluTanhCoef) * x * x * x);
          return T(0.5) * x * (T(1) + tanh_of(inner));
        });
      case Op::Silu:
        return run([](T x) { return x / (T(1) + exp_of(-x)); });
      case Op::Mish:
        return run([](T x) { return x * tanh_softplus(x); });
      case Op::LeakyRelu:
        return run([a](T x) { return x > T(0) ? x : x * a; });
      case Op::Elu:  // a = alpha * scale, b = scale, c = input_scale
        return run([a, b, c](T x) { return x <= T(0) ? a * std::expm1(x * c) : x * b; });
      case Op::Softplus:  // a = beta, b = threshold
        return run([a, b](T x) { return x * a > b ? x : std::log1p(std::exp(x * a)) / a; });
      case Op::Hardtanh:
        return run([a, b](T x) { return std::isnan(x) ? x : std::min(std::max(x, a), b); });
      case Op::Hardsigmoid:
        return run([](T x) { return std::min(std::max(x + T(3), T(0)), T(6)) / T(6); });
      case Op::Hardswish:
        return run([](T x) { return x * std::min(std::max(x + T(3), T(0)), T(6)) / T(6); });
      case Op::LogSigmoid:
        return run([](T x) { return -softplus1(-x); });
      case Op::Softsign:
        return run([](T x) { return x / (T(1) + std::abs(x)); });
    }
  });
}

void CpuBackend::activation_backward(ActivationOp op, const TensorArg& grad, const TensorArg& in,
                                     const TensorArg& grad_in, const ActivationParams& prm) {
  if (split_flat<3>({&grad_in, &grad, &in},
                    [&](const std::array<TensorArg, 3>& p) { activation_backward(op, p[1], p[2], p[0], prm); }))
    return;
  dispatch_float(in.dtype, "activation_backward", [&](auto tag) {
    using T = decltype(tag);
    auto run = [&](auto f) { map2<T>(grad, in, grad_in, f); };
    const T a = static_cast<T>(prm.a), b = static_cast<T>(prm.b), c = static_cast<T>(prm.c);
    switch (op) {
      case Op::Gelu:
        return run([](T g, T x) {
          const T cdf = T(0.5) * vec::one_plus_erf_of(x * T(kSqrt1_2));
          const T pdf = T(kInvSqrt2Pi) * exp_of(T(-0.5) * x * x);
          return g * (cdf + x * pdf);
        });
      case Op::GeluTanh:
        return run([](T g, T x) {
          const T x2 = x * x;
          const T t = tanh_of(T(kSqrt2OverPi) * (x + T(kGeluTanhCoef) * x2 * x));
          const T dinner = T(kSqrt2OverPi) * (T(1) + T(3 * kGeluTanhCoef) * x2);
          return g * (T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * dinner);
        });
      case Op::Silu:
        return run([](T g, T x) {
          const T s = sigmoid(x);
          return g * s * (T(1) + x * (T(1) - s));
        });
      case Op::Mish:
        return run([](T g, T x) {
          const T t = tanh_softplus(x);
          return g * (t + x * sigmoid(x) * (T(1) - t * t));
        });
      case Op::LeakyRelu:
        return run([a](T g, T x) { return x > T(0) ? g : g * a; });
      case Op::Elu:
        return run([a, b, c](T g, T x) { return x <= T(0) ? g * a * c * exp_of(x * c) : g * b; });  // NaN: linear side
      case Op::Softplus:
        return run([a, b](T g, T x) { return x * a > b ? g : g * sigmoid(x * a); });
      case Op::Hardtanh:
        return run([a, b](T g, T x) { return (x <= a || x >= b) ? T(0) : g; });  // NaN passes g, as libtorch
      case Op::Hardsigmoid:
        return run([](T g, T x) { return (x > T(-3) && x < T(3)) ? g / T(6) : T(0); });
      case Op::Hardswish:
        return run([](T g, T x) {
          if (x < T(-3)) return T(0);
          if (x <= T(3)) return g * (x / T(3) + T(0.5));
          return g;
        });
      case Op::LogSigmoid:
        return run([](T g, T x) { return g * sigmoid(-x); });
      case Op::Softsign:
        return run([](T g, T x) {
          const T d = T(1) + std::abs(x);
          return g / (d * d);
        });
    }
  });
}

}  // namespace ember::backend::cpu
