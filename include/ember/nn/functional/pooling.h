#pragma once
// ember::nn::functional 1-D and adaptive pooling (torch::nn::functional::max_pool1d,
// avg_pool1d, adaptive_avg_pool1d/2d, adaptive_max_pool1d/2d and their _with_indices forms).
#include <tuple>

#include "ember/nn/modules/pooling.h"
#include "ember/ops.h"

namespace ember::nn::functional {

using MaxPool1dFuncOptions = MaxPool1dOptions;
using AvgPool1dFuncOptions = AvgPool1dOptions;
using AdaptiveAvgPool1dFuncOptions = AdaptiveAvgPool1dOptions;
using AdaptiveAvgPool2dFuncOptions = AdaptiveAvgPool2dOptions;
using AdaptiveMaxPool1dFuncOptions = AdaptiveMaxPool1dOptions;
using AdaptiveMaxPool2dFuncOptions = AdaptiveMaxPool2dOptions;

/// Max pooling over 1-D windows.
inline Tensor max_pool1d(const Tensor& input, const MaxPool1dFuncOptions& options) {
  return ember::max_pool1d(input, options.kernel_size(), options.stride(), options.padding(), options.dilation(),
                           options.ceil_mode());
}
/// Max pooling over 1-D windows with the index of each maximum.
inline std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, const MaxPool1dFuncOptions& options) {
  return ember::max_pool1d_with_indices(input, options.kernel_size(), options.stride(), options.padding(),
                                        options.dilation(), options.ceil_mode());
}
/// Max pooling over 2-D windows with the flat index of each maximum.
inline std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const MaxPool2dOptions& options) {
  return ember::max_pool2d_with_indices(input, options.kernel_size(), options.stride(), options.padding(),
                                        options.dilation(), options.ceil_mode());
}
/// Average pooling over 1-D windows.
inline Tensor avg_pool1d(const Tensor& input, const AvgPool1dFuncOptions& options) {
  return ember::avg_pool1d(input, options.kernel_size(), options.stride(), options.padding(), options.ceil_mode(),
                           options.count_include_pad());
}
/// Average pooling to output_size (1-D).
inline Tensor adaptive_avg_pool1d(const Tensor& input, const AdaptiveAvgPool1dFuncOptions& options) {
  return ember::adaptive_avg_pool1d(input, options.output_size());
}
/// Average pooling to output_size (2-D).
inline Tensor adaptive_avg_pool2d(const Tensor& input, const AdaptiveAvgPool2dFuncOptions& options) {
  return ember::adaptive_avg_pool2d(input, options.output_size());
}
/// Max pooling to output_size (1-D) with the index of each maximum.
inline std::tuple<Tensor, Tensor> adaptive_max_pool1d_with_indices(const Tensor& input,
                                                                   const AdaptiveMaxPool1dFuncOptions& options) {
  return ember::adaptive_max_pool1d(input, options.output_size());
}
/// Max pooling to output_size (1-D).
inline Tensor adaptive_max_pool1d(const Tensor& input, const AdaptiveMaxPool1dFuncOptions& options) {
  return std::get<0>(ember::adaptive_max_pool1d(input, options.output_size()));
}
/// Max pooling to output_size (2-D) with the flat index of each maximum.
inline std::tuple<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& input,
                                                                   const AdaptiveMaxPool2dFuncOptions& options) {
  return ember::adaptive_max_pool2d(input, options.output_size());
}
/// Max pooling to output_size (2-D).
inline Tensor adaptive_max_pool2d(const Tensor& input, const AdaptiveMaxPool2dFuncOptions& options) {
  return std::get<0>(ember::adaptive_max_pool2d(input, options.output_size()));
}

}  // namespace ember::nn::functional
