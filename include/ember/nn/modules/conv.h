#pragma once
// Conv2d and MaxPool2d / AvgPool2d / AdaptiveAvgPool2d (torch::nn modules of the same names).
#include <cstdint>
#include <vector>

#include "ember/arg.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/pimpl.h"

namespace ember::nn {

/// A pair of sizes that also converts from one value (libtorch's ExpandingArray<2>).
struct ExpandingArray2 {
  ExpandingArray2(int64_t v) : v_{v, v} {}
  ExpandingArray2(std::initializer_list<int64_t> l) : v_(l) {
    EMBER_CHECK(v_.size() == 2, ShapeError, "nn::ExpandingArray", "expected 2 values, got ", v_.size());
  }
  ExpandingArray2(std::vector<int64_t> v) : v_(std::move(v)) {
    EMBER_CHECK(v_.size() == 2, ShapeError, "nn::ExpandingArray", "expected 2 values, got ", v_.size());
  }
  const std::vector<int64_t>& vec() const { return v_; }
  operator IntArrayRef() const { return v_; }
  int64_t operator[](size_t i) const { return v_[i]; }
  bool operator==(const ExpandingArray2& o) const { return v_ == o.v_; }

 private:
  std::vector<int64_t> v_;
};

/// Options of Conv2d: in/out channels, kernel_size; stride (1), padding (0), dilation (1),
/// groups (1), bias (true).
struct Conv2dOptions {
  Conv2dOptions(int64_t in_channels, int64_t out_channels, ExpandingArray2 kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(std::move(kernel_size)) {}
  EMBER_ARG(int64_t, in_channels);
  EMBER_ARG(int64_t, out_channels);
  EMBER_ARG(ExpandingArray2, kernel_size);
  EMBER_ARG(ExpandingArray2, stride) = 1;
  EMBER_ARG(ExpandingArray2, padding) = 0;
  EMBER_ARG(ExpandingArray2, dilation) = 1;
  EMBER_ARG(int64_t, groups) = 1;
  EMBER_ARG(bool, bias) = true;
};

/// 2-D convolution over [N, C, H, W] with libtorch's default init (torch::nn::Conv2d).
class Conv2dImpl : public Cloneable<Conv2dImpl> {
 public:
  Conv2dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray2 kernel_size)
      : Conv2dImpl(Conv2dOptions(in_channels, out_channels, std::move(kernel_size))) {}
  explicit Conv2dImpl(const Conv2dOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  Conv2dOptions options;
  Tensor weight;
  Tensor bias;
};
EMBER_MODULE(Conv2d);

/// Options of MaxPool2d: kernel_size; stride (= kernel_size), padding (0), dilation (1),
/// ceil_mode (false).
struct MaxPool2dOptions {
  MaxPool2dOptions(ExpandingArray2 kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  EMBER_ARG(ExpandingArray2, kernel_size);
  EMBER_ARG(ExpandingArray2, stride);
  EMBER_ARG(ExpandingArray2, padding) = 0;
  EMBER_ARG(ExpandingArray2, dilation) = 1;
  EMBER_ARG(bool, ceil_mode) = false;
};

/// Max over sliding windows (torch::nn::MaxPool2d).
class MaxPool2dImpl : public Cloneable<MaxPool2dImpl> {
 public:
  MaxPool2dImpl(ExpandingArray2 kernel_size) : MaxPool2dImpl(MaxPool2dOptions(std::move(kernel_size))) {}
  explicit MaxPool2dImpl(const MaxPool2dOptions& options_) : options(options_) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  MaxPool2dOptions options;
};
EMBER_MODULE(MaxPool2d);

/// Options of AvgPool2d: kernel_size; stride (= kernel_size), padding (0), ceil_mode
/// (false), count_include_pad (true).
struct AvgPool2dOptions {
  AvgPool2dOptions(ExpandingArray2 kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  EMBER_ARG(ExpandingArray2, kernel_size);
  EMBER_ARG(ExpandingArray2, stride);
  EMBER_ARG(ExpandingArray2, padding) = 0;
  EMBER_ARG(bool, ceil_mode) = false;
  EMBER_ARG(bool, count_include_pad) = true;
};

/// Mean over sliding windows (torch::nn::AvgPool2d).
class AvgPool2dImpl : public Cloneable<AvgPool2dImpl> {
 public:
  AvgPool2dImpl(ExpandingArray2 kernel_size) : AvgPool2dImpl(AvgPool2dOptions(std::move(kernel_size))) {}
  explicit AvgPool2dImpl(const AvgPool2dOptions& options_) : options(options_) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  AvgPool2dOptions options;
};
EMBER_MODULE(AvgPool2d);

/// Options of AdaptiveAvgPool2d: output_size.
struct AdaptiveAvgPool2dOptions {
  AdaptiveAvgPool2dOptions(ExpandingArray2 output_size) : output_size_(std::move(output_size)) {}
  EMBER_ARG(ExpandingArray2, output_size);
};

/// Average pooling to a fixed output size (torch::nn::AdaptiveAvgPool2d).
class AdaptiveAvgPool2dImpl : public Cloneable<AdaptiveAvgPool2dImpl> {
 public:
  AdaptiveAvgPool2dImpl(ExpandingArray2 output_size)
      : AdaptiveAvgPool2dImpl(AdaptiveAvgPool2dOptions(std::move(output_size))) {}
  explicit AdaptiveAvgPool2dImpl(const AdaptiveAvgPool2dOptions& options_) : options(options_) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  AdaptiveAvgPool2dOptions options;
};
EMBER_MODULE(AdaptiveAvgPool2d);

}  // namespace ember::nn
