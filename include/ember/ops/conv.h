#pragma once
// Convolution, pooling, interpolation, padding and unfold/fold (src/ops/conv.cpp,
// src/ops/pool.cpp, src/ops/resample.cpp). NCHW layout; every op also takes an unbatched
// input (no N dim) where libtorch does. Signatures and defaults are ATen's.
#include <array>
#include <optional>
#include <string_view>
#include <tuple>

#include "ember/tensor.h"

namespace ember {

// ---- convolution (src/ops/conv.cpp) -----------------------------------------------
/// 1-D convolution of input [N, C_in, L] with weight [C_out, C_in / groups, k].
Tensor conv1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = {},
              IntArrayRef stride = 1, IntArrayRef padding = 0, IntArrayRef dilation = 1, int64_t groups = 1);
/// 1-D convolution with padding "valid" (none) or "same" (output length = input length).
Tensor conv1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias, IntArrayRef stride,
              std::string_view padding, IntArrayRef dilation = 1, int64_t groups = 1);
/// 2-D convolution of input [N, C_in, H, W] with weight [C_out, C_in / groups, kH, kW].
Tensor conv2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = {},
              IntArrayRef stride = 1, IntArrayRef padding = 0, IntArrayRef dilation = 1, int64_t groups = 1);
/// 2-D convolution with padding "valid" (none) or "same" (output size = input size).
Tensor conv2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias, IntArrayRef stride,
              std::string_view padding, IntArrayRef dilation = 1, int64_t groups = 1);
/// 1-D transposed convolution (the gradient of conv1d w.r.t. its input); weight
/// [C_in, C_out / groups, k].
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = {},
                        IntArrayRef stride = 1, IntArrayRef padding = 0, IntArrayRef output_padding = 0,
                        int64_t groups = 1, IntArrayRef dilation = 1);
/// 2-D transposed convolution; weight [C_in, C_out / groups, kH, kW].
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = {},
                        IntArrayRef stride = 1, IntArrayRef padding = 0, IntArrayRef output_padding = 0,
                        int64_t groups = 1, IntArrayRef dilation = 1);
/// Convolution of any supported kind (1-D or 2-D, direct or transposed), as at::convolution.
Tensor convolution(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
                   IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, bool transposed,
                   IntArrayRef output_padding, int64_t groups);
/// Gradients (input, weight, bias) of at::convolution for grad_output, each computed when
/// its output_mask entry is set; differentiable, so usable in custom autograd functions.
std::tuple<Tensor, Tensor, Tensor> convolution_backward(const Tensor& grad_output, const Tensor& input,
                                                        const Tensor& weight, std::optional<IntArrayRef> bias_sizes,
                                                        IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
                                                        bool transposed, IntArrayRef output_padding, int64_t groups,
                                                        std::array<bool, 3> output_mask);

// ---- pooling (src/ops/pool.cpp) -----------------------------------------------------
/// Max over sliding windows of [N, C, L] (stride defaults to kernel_size).
Tensor max_pool1d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  IntArrayRef dilation = 1, bool ceil_mode = false);
/// max_pool1d with the index of each maximum within its input row.
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& self, IntArrayRef kernel_size,
                                                   IntArrayRef stride = {}, IntArrayRef padding = 0,
                                                   IntArrayRef dilation = 1, bool ceil_mode = false);
/// Max over sliding windows of [N, C, H, W] (stride defaults to kernel_size).
Tensor max_pool2d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  IntArrayRef dilation = 1, bool ceil_mode = false);
/// max_pool2d with the flat index (y * W + x) of each maximum within its input plane.
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& self, IntArrayRef kernel_size,
                                                   IntArrayRef stride = {}, IntArrayRef padding = 0,
                                                   IntArrayRef dilation = 1, bool ceil_mode = false);
/// Mean over sliding windows of [N, C, L].
Tensor avg_pool1d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  bool ceil_mode = false, bool count_include_pad = true);
/// Mean over sliding windows of [N, C, H, W]; divisor_override replaces the window size.
Tensor avg_pool2d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);
/// Mean over output_size adaptive windows of [N, C, L].
Tensor adaptive_avg_pool1d(const Tensor& self, IntArrayRef output_size);
/// Mean over output_size adaptive windows of [N, C, H, W].
Tensor adaptive_avg_pool2d(const Tensor& self, IntArrayRef output_size);
/// Max (and its index within the row) over adaptive windows of [N, C, L].
std::tuple<Tensor, Tensor> adaptive_max_pool1d(const Tensor& self, IntArrayRef output_size);
/// Max (and its flat index within the plane) over adaptive windows of [N, C, H, W].
std::tuple<Tensor, Tensor> adaptive_max_pool2d(const Tensor& self, IntArrayRef output_size);

// ---- upsampling, padding, unfold/fold (src/ops/resample.cpp, src/ops/fold.cpp) -------
/// Nearest-neighbour upsampling of [N, C, L] to output_size or by scale_factors (exactly
/// one of them given).
Tensor upsample_nearest1d(const Tensor& input, std::optional<IntArrayRef> output_size,
                          std::optional<ArrayRef<double>> scale_factors);
/// Nearest-neighbour upsampling of [N, C, L] to output_size; `scales` sets the source step.
Tensor upsample_nearest1d(const Tensor& self, IntArrayRef output_size, std::optional<double> scales = std::nullopt);
/// Nearest-neighbour upsampling of [N, C, H, W] to output_size or by scale_factors.
Tensor upsample_nearest2d(const Tensor& input, std::optional<IntArrayRef> output_size,
                          std::optional<ArrayRef<double>> scale_factors);
/// Nearest-neighbour upsampling of [N, C, H, W] to output_size.
Tensor upsample_nearest2d(const Tensor& self, IntArrayRef output_size, std::optional<double> scales_h = std::nullopt,
                          std::optional<double> scales_w = std::nullopt);
/// Bilinear upsampling of [N, C, H, W] to output_size or by scale_factors.
Tensor upsample_bilinear2d(const Tensor& input, std::optional<IntArrayRef> output_size, bool align_corners,
                           std::optional<ArrayRef<double>> scale_factors);
/// Bilinear upsampling of [N, C, H, W] to output_size.
Tensor upsample_bilinear2d(const Tensor& self, IntArrayRef output_size, bool align_corners,
                           std::optional<double> scales_h = std::nullopt, std::optional<double> scales_w = std::nullopt);
/// Pads the last dims by (left, right[, top, bottom, ...]) with value; negative pads crop.
Tensor constant_pad_nd(const Tensor& self, IntArrayRef pad, const Scalar& value = 0);
/// Mirror padding of [N, C, L] by (left, right), edge not repeated.
Tensor reflection_pad1d(const Tensor& self, IntArrayRef padding);
/// Mirror padding of [N, C, H, W] by (left, right, top, bottom).
Tensor reflection_pad2d(const Tensor& self, IntArrayRef padding);
/// Edge-repeating padding of [N, C, L] by (left, right).
Tensor replication_pad1d(const Tensor& self, IntArrayRef padding);
/// Edge-repeating padding of [N, C, H, W] by (left, right, top, bottom).
Tensor replication_pad2d(const Tensor& self, IntArrayRef padding);
/// Pads with mode "constant" (value, default 0), "reflect", "replicate" or "circular"
/// (torch::nn::functional::pad semantics).
Tensor pad(const Tensor& self, IntArrayRef pad, std::string_view mode = "constant",
           std::optional<double> value = std::nullopt);
/// Sliding blocks of [N, C, H, W] as columns [N, C * kH * kW, L] (nn::functional::unfold).
Tensor im2col(const Tensor& self, IntArrayRef kernel_size, IntArrayRef dilation, IntArrayRef padding,
              IntArrayRef stride);
/// Sums columns [N, C * kH * kW, L] back into [N, C, output_size] (nn::functional::fold).
Tensor col2im(const Tensor& self, IntArrayRef output_size, IntArrayRef kernel_size, IntArrayRef dilation,
              IntArrayRef padding, IntArrayRef stride);

}  // namespace ember
