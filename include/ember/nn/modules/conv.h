#pragma once
// Conv1d, Conv2d, ConvTranspose1d/2d and MaxPool2d / AvgPool2d / AdaptiveAvgPool2d (torch::nn
// modules of the same names).
#include <cstdint>
#include <optional>
#include <tuple>
#include <ostream>
#include <variant>
#include <vector>

#include "ember/arg.h"
#include "ember/nn/modes.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/pimpl.h"

namespace ember::nn {

/// D sizes that also convert from one value (libtorch's ExpandingArray<D>).
template <size_t D>
struct ExpandingArray {
  ExpandingArray(int64_t v) : v_(D, v) {}
  ExpandingArray(std::initializer_list<int64_t> l) : v_(l) { check(); }
  ExpandingArray(std::vector<int64_t> v) : v_(std::move(v)) { check(); }
  const std::vector<int64_t>& vec() const { return v_; }
  operator IntArrayRef() const { return v_; }
  int64_t operator[](size_t i) const { return v_[i]; }
  size_t size() const noexcept { return D; }
  bool operator==(const ExpandingArray& o) const { return v_ == o.v_; }

 private:
  void check() const {
    EMBER_CHECK(v_.size() == D, ShapeError, "nn::ExpandingArray", "expected ", D, " values, got ", v_.size());
  }
  std::vector<int64_t> v_;
};
using ExpandingArray1 = ExpandingArray<1>;
using ExpandingArray2 = ExpandingArray<2>;

/// Prints one value for D = 1 and "[a, b]" otherwise, as libtorch's module printing.
template <size_t D>
std::ostream& operator<<(std::ostream& s, const ExpandingArray<D>& a) {
  if constexpr (D == 1) {
    return s << a[0];
  } else {
    s << "[";
    for (size_t i = 0; i < D; ++i) s << (i ? ", " : "") << a[i];
    return s << "]";
  }
}

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
  /// The maxima and the flat index (y * W + x) of each within its input plane.
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
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

/// Options of Conv1d (libtorch's ConvOptions<1>): in/out channels, kernel_size; stride (1),
/// padding (0), dilation (1), groups (1), bias (true), padding_mode (kZeros).
template <size_t D>
struct ConvOptions {
  ConvOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(std::move(kernel_size)) {}
  EMBER_ARG(int64_t, in_channels);
  EMBER_ARG(int64_t, out_channels);
  EMBER_ARG(ExpandingArray<D>, kernel_size);
  EMBER_ARG(ExpandingArray<D>, stride) = 1;
  EMBER_ARG(ExpandingArray<D>, padding) = 0;
  EMBER_ARG(ExpandingArray<D>, dilation) = 1;
  EMBER_ARG(int64_t, groups) = 1;
  EMBER_ARG(bool, bias) = true;
  EMBER_ARG(ConvPaddingMode, padding_mode) = kZeros;
};
using Conv1dOptions = ConvOptions<1>;

/// 1-D convolution over [N, C, L] (or [C, L]) with libtorch's default init
/// (torch::nn::Conv1d); non-zero padding modes pad the input first.
class Conv1dImpl : public Cloneable<Conv1dImpl> {
 public:
  Conv1dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray1 kernel_size)
      : Conv1dImpl(Conv1dOptions(in_channels, out_channels, std::move(kernel_size))) {}
  explicit Conv1dImpl(const Conv1dOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  Conv1dOptions options;
  Tensor weight;
  Tensor bias;
};
EMBER_MODULE(Conv1d);

/// Options of ConvTranspose1d/2d (libtorch's ConvTransposeOptions<D>): in/out channels,
/// kernel_size; stride (1), padding (0), output_padding (0), groups (1), bias (true),
/// dilation (1), padding_mode (kZeros, the only one supported).
template <size_t D>
struct ConvTransposeOptions {
  ConvTransposeOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(std::move(kernel_size)) {}
  EMBER_ARG(int64_t, in_channels);
  EMBER_ARG(int64_t, out_channels);
  EMBER_ARG(ExpandingArray<D>, kernel_size);
  EMBER_ARG(ExpandingArray<D>, stride) = 1;
  EMBER_ARG(ExpandingArray<D>, padding) = 0;
  EMBER_ARG(ExpandingArray<D>, output_padding) = 0;
  EMBER_ARG(int64_t, groups) = 1;
  EMBER_ARG(bool, bias) = true;
  EMBER_ARG(ExpandingArray<D>, dilation) = 1;
  EMBER_ARG(ConvPaddingMode, padding_mode) = kZeros;
};
using ConvTranspose1dOptions = ConvTransposeOptions<1>;
using ConvTranspose2dOptions = ConvTransposeOptions<2>;

/// Shared state of ConvTranspose1d/2d: weight [C_in, C_out / groups, k...], optional bias.
template <size_t D, class Derived>
class ConvTransposeNdImpl : public Cloneable<Derived> {
 public:
  explicit ConvTransposeNdImpl(const ConvTransposeOptions<D>& options_) : options(options_) {}
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  ConvTransposeOptions<D> options;
  Tensor weight;
  Tensor bias;

 protected:
  /// output_padding giving output_size (its last D entries), checked against the sizes the
  /// convolution can produce; options.output_padding() when output_size is not given.
  std::vector<int64_t> output_padding_for(const Tensor& input, const std::optional<IntArrayRef>& output_size) const;
  Tensor forward_impl(const Tensor& input, const std::optional<IntArrayRef>& output_size);
};

/// 1-D transposed convolution (torch::nn::ConvTranspose1d).
class ConvTranspose1dImpl : public ConvTransposeNdImpl<1, ConvTranspose1dImpl> {
 public:
  ConvTranspose1dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray1 kernel_size)
      : ConvTranspose1dImpl(ConvTranspose1dOptions(in_channels, out_channels, std::move(kernel_size))) {}
  explicit ConvTranspose1dImpl(const ConvTranspose1dOptions& options_) : ConvTransposeNdImpl(options_) { reset(); }
  /// The transposed convolution; output_size (L or N, C, L) picks the output_padding.
  Tensor forward(const Tensor& input, const std::optional<IntArrayRef>& output_size = std::nullopt);
};
EMBER_MODULE(ConvTranspose1d);

/// 2-D transposed convolution (torch::nn::ConvTranspose2d).
class ConvTranspose2dImpl : public ConvTransposeNdImpl<2, ConvTranspose2dImpl> {
 public:
  ConvTranspose2dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray2 kernel_size)
      : ConvTranspose2dImpl(ConvTranspose2dOptions(in_channels, out_channels, std::move(kernel_size))) {}
  explicit ConvTranspose2dImpl(const ConvTranspose2dOptions& options_) : ConvTransposeNdImpl(options_) { reset(); }
  /// The transposed convolution; output_size (H, W or N, C, H, W) picks the output_padding.
  Tensor forward(const Tensor& input, const std::optional<IntArrayRef>& output_size = std::nullopt);
};
EMBER_MODULE(ConvTranspose2d);

extern template class ConvTransposeNdImpl<1, ConvTranspose1dImpl>;
extern template class ConvTransposeNdImpl<2, ConvTranspose2dImpl>;

}  // namespace ember::nn
