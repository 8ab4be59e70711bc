// Activations: one fused kernel per forward; the backward runs a fused kernel for plain
// backward and the same derivative written in ember ops when the graph of the gradient is
// being built (create_graph), so higher-order gradients work.
#include <cmath>
#include <string>

#include "src/ops/elementwise_common.h"

namespace ember {
using namespace ops;

namespace {

using Act = backend::Backend::ActivationOp;
using Params = backend::Backend::ActivationParams;

constexpr double kSqrt1_2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kSqrt2OverPi = 0.79788456080286535588;
constexpr double kGeluTanhCoef = 0.044715;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

Tensor act_forward(Act op, const Tensor& x, const Params& p, const char* name, const char* node);

// The derivative of op at x times g, in ember ops (differentiable again).
Tensor act_deriv(Act op, const Tensor& g, const Tensor& x, const Params& p) {
  switch (op) {
    case Act::Gelu: {
      Tensor cdf = 0.5 * (1 + erf(x * kSqrt1_2));
      Tensor pdf = exp(-0.5 * x * x) * kInvSqrt2Pi;
      return g * (cdf + x * pdf);
    }
    case Act::GeluTanh: {
      Tensor x2 = x * x;
      Tensor t = tanh(kSqrt2OverPi * (x + kGeluTanhCoef * x2 * x));
      Tensor dinner = kSqrt2OverPi * (1 + 3 * kGeluTanhCoef * x2);
      return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dinner);
    }
    case Act::Silu: {
      Tensor s = sigmoid(x);
      return g * s * (1 + x * (1 - s));
    }
    case Act::Mish: {
      Tensor t = tanh(act_forward(Act::Softplus, x, Params{1, 20, 0}, "softplus", "SoftplusBackward0"));
      return g * (t + x * sigmoid(x) * (1 - t * t));
    }
    case Act::LeakyRelu:
      return where(x > 0, g, g * p.a);
    case Act::Elu:
      return where(x <= 0, g * (p.a * p.c) * exp(x * p.c), g * p.b);
    case Act::Softplus:
      return where(x * p.a > p.b, g, g * sigmoid(x * p.a));
    case Act::Hardtanh:
      return where((x <= p.a).logical_or(x >= p.b), zeros_like(g), g);
    case Act::Hardsigmoid:
      return where((x > -3.0).logical_and(x < 3.0), g / 6.0, zeros_like(g));
    case Act::Hardswish:
      return where(x < -3.0, zeros_like(g), where(x <= 3.0, g * (x / 3.0 + 0.5), g));
    case Act::LogSigmoid:
      return g * sigmoid(-x);
    case Act::Softsign: {
      Tensor d = 1 + abs(x);
      return g / (d * d);
    }
  }
  EMBER_ASSERT(false, "unknown activation");
  return Tensor();
}

void check_float(const Tensor& x, const char* name) {
  detail::check_defined(x, name);
  EMBER_CHECK(x.is_floating_point(), DTypeError, name, "expected a floating point tensor, got ", x.dtype(),
              " (shape ", x.sizes(), ")");
}

Tensor act_forward(Act op, const Tensor& x, const Params& p, const char* name, const char* node) {
  EMBER_PROFILE_OP(name, x);
  check_float(x, name);
  Tensor y = detail::make_tensor(x.sizes(), x.dtype(), x.device());
  detail::backend_of(x)->activation(op, detail::arg(x), detail::arg(y), p);
  if (auto* n = autograd::record(node, {&x}, [op, p](Node& n, variable_list& g) {
        Tensor xs = n.saved(0);
        if (autograd::GradMode::is_enabled()) return variable_list{act_deriv(op, g[0], xs, p)};
        Tensor gc = detail::cast(g[0], xs.dtype());
        Tensor gi = detail::make_tensor(xs.sizes(), xs.dtype(), xs.device());
        detail::backend_of(xs)->activation_backward(op, detail::arg(gc), detail::arg(xs), detail::arg(gi), p);
        return variable_list{gi};
      })) {
    autograd::set_history(y, n);
    n->save(x);
  }
  return y;
}

// In-place: the recorded path differentiates a copy of the old values (the formulas read
// the input, which the write overwrites); otherwise the kernel writes over self.
Tensor& act_inplace(Act op, Tensor& self, const Params& p, const char* name, const char* node) {
  check_float(self, name);
  return inplace(self, name, {}, [&] { return act_forward(op, self.clone(), p, name, node); },
                 [&] { detail::backend_of(self)->activation(op, detail::arg(self), detail::arg(self), p); });
}

Act gelu_op(std::string_view approximate, const char* name) {
  if (approximate == "none") return Act::Gelu;
  if (approximate == "tanh") return Act::GeluTanh;
  detail::throw_error<Error>(name, "approximate argument must be either none or tanh, got '",
                             std::string(approximate), "'");
}

Params elu_params(const Scalar& alpha, const Scalar& scale, const Scalar& input_scale) {
  return Params{alpha.toDouble() * scale.toDouble(), scale.toDouble(), input_scale.toDouble()};
}

Params celu_params(const Scalar& alpha, const char* name) {
  const double a = alpha.toDouble();
  EMBER_CHECK(a != 0, Error, name, "ZeroDivisionError: alpha must not be 0 for celu");
  return Params{a, 1.0, 1.0 / a};
}

Params hardtanh_params(const Scalar& lo, const Scalar& hi, const char* name) {
  EMBER_CHECK(lo.toDouble() <= hi.toDouble(), Error, name, "min_val (", lo, ") cannot be greater than max_val (",
              hi, ")");
  return Params{lo.toDouble(), hi.toDouble(), 0};
}

}  // namespace

Tensor gelu(const Tensor& self, std::string_view approximate) {
  return act_forward(gelu_op(approximate, "gelu"), self, {}, "gelu", "GeluBackward0");
}
Tensor& gelu_(Tensor& self, std::string_view approximate) {
  return act_inplace(gelu_op(approximate, "gelu_"), self, {}, "gelu_", "GeluBackward0");
}
Tensor silu(const Tensor& self) { return act_forward(Act::Silu, self, {}, "silu", "SiluBackward0"); }
Tensor& silu_(Tensor& self) { return act_inplace(Act::Silu, self, {}, "silu_", "SiluBackward0"); }
Tensor mish(const Tensor& self) { return act_forward(Act::Mish, self, {}, "mish", "MishBackward0"); }
Tensor& mish_(Tensor& self) { return act_inplace(Act::Mish, self, {}, "mish_", "MishBackward0"); }

Tensor leaky_relu(const Tensor& self, const Scalar& slope) {
  return act_forward(Act::LeakyRelu, self, {slope.toDouble()}, "leaky_relu", "LeakyReluBackward0");
}
Tensor& leaky_relu_(Tensor& self, const Scalar& slope) {
  return act_inplace(Act::LeakyRelu, self, {slope.toDouble()}, "leaky_relu_", "LeakyReluBackward0");
}

Tensor elu(const Tensor& self, const Scalar& alpha, const Scalar& scale, const Scalar& input_scale) {
  return act_forward(Act::Elu, self, elu_params(alpha, scale, input_scale), "elu", "EluBackward0");
}
Tensor& elu_(Tensor& self, const Scalar& alpha, const Scalar& scale, const Scalar& input_scale) {
  return act_inplace(Act::Elu, self, elu_params(alpha, scale, input_scale), "elu_", "EluBackward0");
}
Tensor selu(const Tensor& self) {
  return act_forward(Act::Elu, self, elu_params(kSeluAlpha, kSeluScale, 1.0), "selu", "EluBackward0");
}
Tensor& selu_(Tensor& self) {
  return act_inplace(Act::Elu, self, elu_params(kSeluAlpha, kSeluScale, 1.0), "selu_", "EluBackward0");
}
Tensor celu(const Tensor& self, const Scalar& alpha) {
  return act_forward(Act::Elu, self, celu_params(alpha, "celu"), "celu", "EluBackward0");
}
Tensor& celu_(Tensor& self, const Scalar& alpha) {
  return act_inplace(Act::Elu, self, celu_params(alpha, "celu_"), "celu_", "EluBackward0");
}

Tensor softplus(const Tensor& self, const Scalar& beta, const Scalar& threshold) {
  return act_forward(Act::Softplus, self, {beta.toDouble(), threshold.toDouble()}, "softplus", "SoftplusBackward0");
}

// hardtanh and relu6 also take integer tensors (a clamp, as libtorch); no gradient there.
Tensor hardtanh(const Tensor& self, const Scalar& lo, const Scalar& hi) {
  const Params p = hardtanh_params(lo, hi, "hardtanh");
  if (self.defined() && isIntegralType(self.dtype(), false)) return clamp(self, lo, hi);
  return act_forward(Act::Hardtanh, self, p, "hardtanh", "HardtanhBackward0");
}
Tensor& hardtanh_(Tensor& self, const Scalar& lo, const Scalar& hi) {
  const Params p = hardtanh_params(lo, hi, "hardtanh_");
  if (self.defined() && isIntegralType(self.dtype(), false)) return clamp_(self, lo, hi);
  return act_inplace(Act::Hardtanh, self, p, "hardtanh_", "HardtanhBackward0");
}
Tensor relu6(const Tensor& self) {
  if (self.defined() && isIntegralType(self.dtype(), false)) return clamp(self, 0, 6);
  return act_forward(Act::Hardtanh, self, {0, 6}, "relu6", "HardtanhBackward0");
}
Tensor& relu6_(Tensor& self) {
  if (self.defined() && isIntegralType(self.dtype(), false)) return clamp_(self, 0, 6);
  return act_inplace(Act::Hardtanh, self, {0, 6}, "relu6_", "HardtanhBackward0");
}

Tensor hardsigmoid(const Tensor& self) {
  return act_forward(Act::Hardsigmoid, self, {}, "hardsigmoid", "HardsigmoidBackward0");
}
Tensor& hardsigmoid_(Tensor& self) {
  return act_inplace(Act::Hardsigmoid, self, {}, "hardsigmoid_", "HardsigmoidBackward0");
}
Tensor hardswish(const Tensor& self) {
  return act_forward(Act::Hardswish, self, {}, "hardswish", "HardswishBackward0");
}
Tensor& hardswish_(Tensor& self) {
  return act_inplace(Act::Hardswish, self, {}, "hardswish_", "HardswishBackward0");
}
Tensor log_sigmoid(const Tensor& self) {
  return act_forward(Act::LogSigmoid, self, {}, "log_sigmoid", "LogSigmoidBackward0");
}
Tensor softsign(const Tensor& self) {
  return act_forward(Act::Softsign, self, {}, "softsign", "SoftsignBackward0");
}

}  // namespace ember
