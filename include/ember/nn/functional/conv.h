#pragma once
// ember::nn::functional convolution, pooling and dropout (torch::nn::functional::conv1d,
// conv2d, conv_transpose1d/2d, max_pool2d, avg_pool2d, dropout).
#include "ember/nn/modules/conv.h"
#include "ember/nn/modules/normalization.h"
#include "ember/ops.h"

namespace ember::nn::functional {

/// Options of F::conv2d: bias (undefined = none), stride (1), padding (0), dilation (1),
/// groups (1).
struct Conv2dFuncOptions {
  EMBER_ARG(Tensor, bias);
  EMBER_ARG(ExpandingArray2, stride) = 1;
  EMBER_ARG(ExpandingArray2, padding) = 0;
  EMBER_ARG(ExpandingArray2, dilation) = 1;
  EMBER_ARG(int64_t, groups) = 1;
};
using MaxPool2dFuncOptions = MaxPool2dOptions;
using AvgPool2dFuncOptions = AvgPool2dOptions;

/// Options of F::dropout: p (0.5), training (true), inplace (false).
struct DropoutFuncOptions {
  EMBER_ARG(double, p) = 0.5;
  EMBER_ARG(bool, training) = true;
  EMBER_ARG(bool, inplace) = false;
};

/// 2-D convolution of input with weight.
inline Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& options = {}) {
  std::optional<Tensor> bias;
  if (options.bias().defined()) bias = options.bias();
  return ember::conv2d(input, weight, bias, options.stride(), options.padding(), options.dilation(),
                       options.groups());
}
/// Max pooling over 2-D windows.
inline Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& options) {
  return ember::max_pool2d(input, options.kernel_size(), options.stride(), options.padding(), options.dilation(),
                           options.ceil_mode());
}
/// Average pooling over 2-D windows.
inline Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& options) {
  return ember::avg_pool2d(input, options.kernel_size(), options.stride(), options.padding(), options.ceil_mode(),
                           options.count_include_pad());
}
/// Zeroes elements with probability p when training, scaling the rest by 1 / (1 - p).
inline Tensor dropout(Tensor input, const DropoutFuncOptions& options = {}) {
  EMBER_CHECK(options.p() >= 0 && options.p() <= 1, Error, "nn::functional::dropout",
              "dropout probability has to be between 0 and 1, but got ", options.p());
  return options.inplace() ? ember::dropout_(input, options.p(), options.training())
                           : ember::dropout(input, options.p(), options.training());
}

/// Options of F::conv1d: bias (undefined = none), stride (1), padding (0), dilation (1),
/// groups (1).
struct Conv1dFuncOptions {
  EMBER_ARG(Tensor, bias);
  EMBER_ARG(ExpandingArray1, stride) = 1;
  EMBER_ARG(ExpandingArray1, padding) = 0;
  EMBER_ARG(ExpandingArray1, dilation) = 1;
  EMBER_ARG(int64_t, groups) = 1;
};
/// Options of F::conv_transpose1d/2d (libtorch's ConvTransposeFuncOptions<D>): bias,
/// stride (1), padding (0), output_padding (0), groups (1), dilation (1).
template <size_t D>
struct ConvTransposeFuncOptions {
  EMBER_ARG(Tensor, bias);
  EMBER_ARG(ExpandingArray<D>, stride) = 1;
  EMBER_ARG(ExpandingArray<D>, padding) = 0;
  EMBER_ARG(ExpandingArray<D>, output_padding) = 0;
  EMBER_ARG(int64_t, groups) = 1;
  EMBER_ARG(ExpandingArray<D>, dilation) = 1;
};
using ConvTranspose1dFuncOptions = ConvTransposeFuncOptions<1>;
using ConvTranspose2dFuncOptions = ConvTransposeFuncOptions<2>;

/// 1-D convolution of input with weight.
inline Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& options = {}) {
  std::optional<Tensor> bias;
  if (options.bias().defined()) bias = options.bias();
  return ember::conv1d(input, weight, bias, options.stride(), options.padding(), options.dilation(),
                       options.groups());
}
/// 1-D transposed convolution of input with weight [C_in, C_out / groups, k].
inline Tensor conv_transpose1d(const Tensor& input, const Tensor& weight,
                               const ConvTranspose1dFuncOptions& options = {}) {
  std::optional<Tensor> bias;
  if (options.bias().defined()) bias = options.bias();
  return ember::conv_transpose1d(input, weight, bias, options.stride(), options.padding(), options.output_padding(),
                                 options.groups(), options.dilation());
}
/// 2-D transposed convolution of input with weight [C_in, C_out / groups, kH, kW].
inline Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                               const ConvTranspose2dFuncOptions& options = {}) {
  std::optional<Tensor> bias;
  if (options.bias().defined()) bias = options.bias();
  return ember::conv_transpose2d(input, weight, bias, options.stride(), options.padding(), options.output_padding(),
                                 options.groups(), options.dilation());
}

}  // namespace ember::nn::functional
