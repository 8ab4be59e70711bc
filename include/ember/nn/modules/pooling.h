#pragma once
// 1-D pooling and adaptive max pooling modules (torch::nn::MaxPool1d, AvgPool1d,
// AdaptiveAvgPool1d, AdaptiveMaxPool1d, AdaptiveMaxPool2d); the 2-D sliding-window pools
// live in conv.h.
#include <cstdint>
#include <tuple>

#include "ember/arg.h"
#include "ember/nn/modules/conv.h"

namespace ember::nn {

/// Options of MaxPool1d: kernel_size; stride (= kernel_size), padding (0), dilation (1),
/// ceil_mode (false).
struct MaxPool1dOptions {
  MaxPool1dOptions(ExpandingArray1 kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  EMBER_ARG(ExpandingArray1, kernel_size);
  EMBER_ARG(ExpandingArray1, stride);
  EMBER_ARG(ExpandingArray1, padding) = 0;
  EMBER_ARG(ExpandingArray1, dilation) = 1;
  EMBER_ARG(bool, ceil_mode) = false;
};

/// Max over sliding windows of [N, C, L] or [C, L] (torch::nn::MaxPool1d).
class MaxPool1dImpl : public Cloneable<MaxPool1dImpl> {
 public:
  MaxPool1dImpl(ExpandingArray1 kernel_size) : MaxPool1dImpl(MaxPool1dOptions(std::move(kernel_size))) {}
  explicit MaxPool1dImpl(const MaxPool1dOptions& options_) : options(options_) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  /// The maxima and the index of each within its input row.
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
  MaxPool1dOptions options;
};
EMBER_MODULE(MaxPool1d);

/// Options of AvgPool1d: kernel_size; stride (= kernel_size), padding (0), ceil_mode
/// (false), count_include_pad (true).
struct AvgPool1dOptions {
  AvgPool1dOptions(ExpandingArray1 kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  EMBER_ARG(ExpandingArray1, kernel_size);
  EMBER_ARG(ExpandingArray1, stride);
  EMBER_ARG(ExpandingArray1, padding) = 0;
  EMBER_ARG(bool, ceil_mode) = false;
  EMBER_ARG(bool, count_include_pad) = true;
};

/// Mean over sliding windows of [N, C, L] or [C, L] (torch::nn::AvgPool1d).
class AvgPool1dImpl : public Cloneable<AvgPool1dImpl> {
 public:
  AvgPool1dImpl(ExpandingArray1 kernel_size) : AvgPool1dImpl(AvgPool1dOptions(std::move(kernel_size))) {}
  explicit AvgPool1dImpl(const AvgPool1dOptions& options_) : options(options_) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  AvgPool1dOptions options;
};
EMBER_MODULE(AvgPool1d);

/// Options of the adaptive pools: output_size (libtorch's AdaptiveAvgPoolOptions<D> /
/// AdaptiveMaxPoolOptions<D>).
template <size_t D>
struct AdaptivePoolOptions {
  AdaptivePoolOptions(ExpandingArray<D> output_size) : output_size_(std::move(output_size)) {}
  EMBER_ARG(ExpandingArray<D>, output_size);
};
using AdaptiveAvgPool1dOptions = AdaptivePoolOptions<1>;
using AdaptiveMaxPool1dOptions = AdaptivePoolOptions<1>;
using AdaptiveMaxPool2dOptions = AdaptivePoolOptions<2>;

/// Average pooling of [N, C, L] to a fixed length (torch::nn::AdaptiveAvgPool1d).
class AdaptiveAvgPool1dImpl : public Cloneable<AdaptiveAvgPool1dImpl> {
 public:
  AdaptiveAvgPool1dImpl(ExpandingArray1 output_size)
      : AdaptiveAvgPool1dImpl(AdaptiveAvgPool1dOptions(std::move(output_size))) {}
  explicit AdaptiveAvgPool1dImpl(const AdaptiveAvgPool1dOptions& options_) : options(options_) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  AdaptiveAvgPool1dOptions options;
};
EMBER_MODULE(AdaptiveAvgPool1d);

/// Max pooling of [N, C, L] to a fixed length (torch::nn::AdaptiveMaxPool1d).
class AdaptiveMaxPool1dImpl : public Cloneable<AdaptiveMaxPool1dImpl> {
 public:
  AdaptiveMaxPool1dImpl(ExpandingArray1 output_size)
      : AdaptiveMaxPool1dImpl(AdaptiveMaxPool1dOptions(std::move(output_size))) {}
  explicit AdaptiveMaxPool1dImpl(const AdaptiveMaxPool1dOptions& options_) : options(options_) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  /// The maxima and the index of each within its input row.
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
  AdaptiveMaxPool1dOptions options;
};
EMBER_MODULE(AdaptiveMaxPool1d);

/// Max pooling of [N, C, H, W] to a fixed size (torch::nn::AdaptiveMaxPool2d).
class AdaptiveMaxPool2dImpl : public Cloneable<AdaptiveMaxPool2dImpl> {
 public:
  AdaptiveMaxPool2dImpl(ExpandingArray2 output_size)
      : AdaptiveMaxPool2dImpl(AdaptiveMaxPool2dOptions(std::move(output_size))) {}
  explicit AdaptiveMaxPool2dImpl(const AdaptiveMaxPool2dOptions& options_) : options(options_) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  /// The maxima and the flat index (y * W + x) of each within its input plane.
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
  AdaptiveMaxPool2dOptions options;
};
EMBER_MODULE(AdaptiveMaxPool2d);

}  // namespace ember::nn
