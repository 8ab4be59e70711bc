#pragma once
// Activation formulas (forward and first-order backward) for the host and the device,
// with libtorch's thresholds for stability. The CUDA kernels run these; the CPU tests
// (tests/test_cuda_math.cpp) compare them with the CPU backend's activations.
#include <cmath>

#include "backends/backend.h"

#include "backends/common/host_device.h"

namespace ember::backend::math {

template <class T>
struct Activation {
  using Op = Backend::ActivationOp;
  Op op;
  T a, b, c;  // Backend::ActivationParams, converted

  static constexpr double kSqrt1_2 = 0.70710678118654752440;      // 1 / sqrt(2)
  static constexpr double kInvSqrt2Pi = 0.39894228040143267794;   // 1 / sqrt(2 pi)
  static constexpr double kSqrt2OverPi = 0.79788456080286535588;  // sqrt(2 / pi)
  static constexpr double kGeluTanhCoef = 0.044715;

  static EMBER_HD T sigmoid(T x) { return T(1) / (T(1) + std::exp(-x)); }
  static EMBER_HD T clamp06(T x) { return x < T(0) ? T(0) : (x > T(6) ? T(6) : x); }
  // tanh(softplus(x)) = n / (n + 2) with n = u (u + 2), u = exp(x); 1 once x > 20.
  static EMBER_HD T tanh_softplus(T x) {
    const T u = std::exp(x < T(20) ? x : T(20));
    const T n = u * (u + T(2));
    return x > T(20) ? T(1) : n / (n + T(2));
  }
  // log(1 + exp(x)) without overflow.
  static EMBER_HD T softplus1(T x) { return (x > T(0) ? x : T(0)) + std::log1p(std::exp(-std::fabs(x))); }

  EMBER_HD T forward(T x) const {
    switch (op) {
      case Op::Gelu: return T(0.5) * x * (T(1) + std::erf(x * T(kSqrt1_2)));
      case Op::GeluTanh: {
        const T inner = T(kSqrt2OverPi) * (x + T(kGeluTanhCoef) * x * x * x);
        return T(0.5) * x * (T(1) + std::tanh(inner));
      }
      case Op::Silu: return x / (T(1) + std::exp(-x));
      case Op::Mish: return x * tanh_softplus(x);
      case Op::LeakyRelu: return x > T(0) ? x : x * a;
      case Op::Elu: return x <= T(0) ? a * std::expm1(x * c) : x * b;
      case Op::Softplus: return x * a > b ? x : std::log1p(std::exp(x * a)) / a;
      case Op::Hardtanh: {
        if (x != x) return x;
        const T r = x < a ? a : x;
        return b < r ? b : r;
      }
      case Op::Hardsigmoid: return clamp06(x + T(3)) / T(6);
      case Op::Hardswish: return x * clamp06(x + T(3)) / T(6);
      case Op::LogSigmoid: return -softplus1(-x);
      default: return x / (T(1) + std::fabs(x));  // Softsign
    }
  }

  EMBER_HD T backward(T g, T x) const {
    switch (op) {
      case Op::Gelu: {
        const T cdf = T(0.5) * (T(1) + std::erf(x * T(kSqrt1_2)));
        const T pdf = T(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
        return g * (cdf + x * pdf);
      }
      case Op::GeluTanh: {
        const T x2 = x * x;
        const T t = std::tanh(T(kSqrt2OverPi) * (x + T(kGeluTanhCoef) * x2 * x));
        const T dinner = T(kSqrt2OverPi) * (T(1) + T(3 * kGeluTanhCoef) * x2);
        return g * (T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * dinner);
      }
      case Op::Silu: {
        const T s = sigmoid(x);
        return g * s * (T(1) + x * (T(1) - s));
      }
      case Op::Mish: {
        const T t = tanh_softplus(x);
        return g * (t + x * sigmoid(x) * (T(1) - t * t));
      }
      case Op::LeakyRelu: return x > T(0) ? g : g * a;
      case Op::Elu: return x <= T(0) ? g * a * c * std::exp(x * c) : g * b;  // NaN takes the linear side
      case Op::Softplus: return x * a > b ? g : g * sigmoid(x * a);
      case Op::Hardtanh: return (x <= a || x >= b) ? T(0) : g;  // NaN passes g, as libtorch
      case Op::Hardsigmoid: return (x > T(-3) && x < T(3)) ? g / T(6) : T(0);
      case Op::Hardswish:
        if (x < T(-3)) return T(0);
        if (x <= T(3)) return g * (x / T(3) + T(0.5));
        return g;
      case Op::LogSigmoid: return g * sigmoid(-x);
      default: {  // Softsign
        const T d = T(1) + std::fabs(x);
        return g / (d * d);
      }
    }
  }
};

}  // namespace ember::backend::math
