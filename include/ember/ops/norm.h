#pragma once
// Normalization and dropout (src/ops/norm.cpp, src/ops/dropout.cpp).
#include <array>
#include <optional>
#include <tuple>

#include "ember/tensor.h"

namespace ember {

// ---- normalization (src/ops/norm.cpp) -----------------------------------------------
/// Normalizes (N, C, ...) per channel: with batch statistics when training (updating
/// running_mean/running_var in place with momentum, unbiased variance), else with the
/// running statistics; then scales by weight and shifts by bias.
Tensor batch_norm(const Tensor& input, const std::optional<Tensor>& weight, const std::optional<Tensor>& bias,
                  const std::optional<Tensor>& running_mean, const std::optional<Tensor>& running_var,
                  bool training, double momentum, double eps, bool cudnn_enabled);
/// batch_norm returning (output, save_mean, save_invstd) as libtorch's at::native_batch_norm:
/// the batch mean and 1 / sqrt(var + eps) per channel when training, empty tensors otherwise.
std::tuple<Tensor, Tensor, Tensor> native_batch_norm(const Tensor& input, const std::optional<Tensor>& weight,
                                                     const std::optional<Tensor>& bias,
                                                     const std::optional<Tensor>& running_mean,
                                                     const std::optional<Tensor>& running_var, bool training,
                                                     double momentum, double eps);
/// Gradients (input, weight, bias) of native_batch_norm for grad_out, those output_mask
/// asks for (libtorch's at::native_batch_norm_backward): with the batch statistics when
/// train (recomputed from input, so the result is differentiable; a fused kernel reads
/// save_mean and save_invstd instead), else with the running ones.
std::tuple<Tensor, Tensor, Tensor> native_batch_norm_backward(
    const Tensor& grad_out, const Tensor& input, const std::optional<Tensor>& weight,
    const std::optional<Tensor>& running_mean, const std::optional<Tensor>& running_var,
    const std::optional<Tensor>& save_mean, const std::optional<Tensor>& save_invstd, bool train, double eps,
    std::array<bool, 3> output_mask);
/// Normalizes over the trailing dims given by normalized_shape, then applies the
/// elementwise affine weight and bias (of that shape).
Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const std::optional<Tensor>& weight = {},
                  const std::optional<Tensor>& bias = {}, double eps = 1e-05, bool cudnn_enable = true);
/// Normalizes (N, C, ...) over groups of C / num_groups channels, then applies the
/// per-channel weight and bias.
Tensor group_norm(const Tensor& input, int64_t num_groups, const std::optional<Tensor>& weight = {},
                  const std::optional<Tensor>& bias = {}, double eps = 1e-05, bool cudnn_enabled = true);
/// Normalizes (N, C, ...) per sample and channel over the spatial dims (with the running
/// statistics when !use_input_stats; updates them with the batch mean when given).
Tensor instance_norm(const Tensor& input, const std::optional<Tensor>& weight, const std::optional<Tensor>& bias,
                     const std::optional<Tensor>& running_mean, const std::optional<Tensor>& running_var,
                     bool use_input_stats, double momentum, double eps, bool cudnn_enabled);
/// Divides each element of (N, C, ...) by (k + alpha / size * sum of squares over the
/// `size` neighbouring channels)^beta (torch::nn::functional::local_response_norm).
Tensor local_response_norm(const Tensor& input, int64_t size, double alpha = 1e-4, double beta = 0.75,
                           double k = 1.0);

// ---- dropout (src/ops/dropout.cpp) --------------------------------------------------
/// Zeroes elements with probability p and scales the rest by 1 / (1 - p) when train;
/// identity otherwise.
Tensor dropout(const Tensor& input, double p, bool train);
/// In-place dropout.
Tensor& dropout_(Tensor& self, double p, bool train);
/// Dropout of whole channels: one draw per (N, C) plane of an (N, C, ...) input.
Tensor feature_dropout(const Tensor& input, double p, bool train);
/// In-place feature_dropout.
Tensor& feature_dropout_(Tensor& self, double p, bool train);
/// Dropout for selu networks: dropped elements take selu's negative saturation value and
/// the result keeps zero mean and unit variance.
Tensor alpha_dropout(const Tensor& input, double p, bool train);
/// In-place alpha_dropout.
Tensor& alpha_dropout_(Tensor& self, double p, bool train);
/// alpha_dropout of whole channels.
Tensor feature_alpha_dropout(const Tensor& input, double p, bool train);
/// In-place feature_alpha_dropout.
Tensor& feature_alpha_dropout_(Tensor& self, double p, bool train);

}  // namespace ember
