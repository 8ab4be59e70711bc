#pragma once
// Activations and the softmax family (src/ops/activation.cpp, src/ops/softmax.cpp).
#include <optional>
#include <string_view>

#include "ember/tensor.h"

namespace ember {

// ---- activations (src/ops/activation.cpp) -------------------------------------------
/// Gaussian error linear unit; approximate "none" (exact, erf) or "tanh".
Tensor gelu(const Tensor& self, std::string_view approximate = "none");
/// In-place gelu.
Tensor& gelu_(Tensor& self, std::string_view approximate = "none");
/// x * sigmoid(x) (swish).
Tensor silu(const Tensor& self);
/// In-place silu.
Tensor& silu_(Tensor& self);
/// x * tanh(softplus(x)).
Tensor mish(const Tensor& self);
/// In-place mish.
Tensor& mish_(Tensor& self);
/// x for x > 0, negative_slope * x otherwise.
Tensor leaky_relu(const Tensor& self, const Scalar& negative_slope = 0.01);
/// In-place leaky_relu.
Tensor& leaky_relu_(Tensor& self, const Scalar& negative_slope = 0.01);
/// scale * x for x > 0, scale * alpha * (exp(input_scale * x) - 1) otherwise.
Tensor elu(const Tensor& self, const Scalar& alpha = 1, const Scalar& scale = 1, const Scalar& input_scale = 1);
/// In-place elu.
Tensor& elu_(Tensor& self, const Scalar& alpha = 1, const Scalar& scale = 1, const Scalar& input_scale = 1);
/// Self-normalising elu with the fixed alpha and scale of Klambauer et al.
Tensor selu(const Tensor& self);
/// In-place selu.
Tensor& selu_(Tensor& self);
/// max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).
Tensor celu(const Tensor& self, const Scalar& alpha = 1.0);
/// In-place celu.
Tensor& celu_(Tensor& self, const Scalar& alpha = 1.0);
/// log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold.
Tensor softplus(const Tensor& self, const Scalar& beta = 1, const Scalar& threshold = 20);
/// x clamped into [min_val, max_val] (zero gradient outside the open interval).
Tensor hardtanh(const Tensor& self, const Scalar& min_val = -1, const Scalar& max_val = 1);
/// In-place hardtanh.
Tensor& hardtanh_(Tensor& self, const Scalar& min_val = -1, const Scalar& max_val = 1);
/// min(max(x, 0), 6).
Tensor relu6(const Tensor& self);
/// In-place relu6.
Tensor& relu6_(Tensor& self);
/// Piecewise-linear sigmoid: relu6(x + 3) / 6.
Tensor hardsigmoid(const Tensor& self);
/// In-place hardsigmoid.
Tensor& hardsigmoid_(Tensor& self);
/// x * relu6(x + 3) / 6.
Tensor hardswish(const Tensor& self);
/// In-place hardswish.
Tensor& hardswish_(Tensor& self);
/// log(sigmoid(x)), computed without overflow for large |x|.
Tensor log_sigmoid(const Tensor& self);
/// x / (1 + |x|) (torch::nn::functional::softsign in libtorch).
Tensor softsign(const Tensor& self);

// ---- softmax family (src/ops/softmax.cpp) -------------------------------------------
/// exp(x) / sum(exp(x)) along dim; `dtype` casts the input first.
Tensor softmax(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
/// log(softmax(x)) along dim, computed as x - max - log(sum(exp(x - max))).
Tensor log_softmax(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
/// log(sum(exp(x))) over dims (all dims when empty), stable for large inputs.
Tensor logsumexp(const Tensor& self, IntArrayRef dim, bool keepdim = false);

}  // namespace ember
