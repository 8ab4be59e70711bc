// Convolution front-ends: conv1d, conv2d (with "same"/"valid" padding), conv_transpose1d/2d
// and at::convolution. They check arguments with libtorch's messages, view 1-D problems
// as 2-D ones with a unit height, and run the differentiable core of conv_core.cpp.
#include <sstream>

#include "src/core/autocast.h"
#include "src/ops/conv_common.h"

namespace ember {
namespace ops {

DimVector expand_param(IntArrayRef values, const char* param, int64_t n, const char* op) {
  const auto size = static_cast<int64_t>(values.size());
  EMBER_CHECK(size == 1 || size == n, ShapeError, op, "expected ", param,
              " to be a single integer value or a list of ", n, " values to match the ", n,
              "-D spatial dimensions, but got ", param, "=", values);
  DimVector r(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) r[static_cast<size_t>(i)] = values[size == 1 ? 0 : static_cast<size_t>(i)];
  return r;
}

void check_floating(const Tensor& t, const char* op, const char* what) {
  // 16-bit floats have arithmetic only on CUDA; on the CPU they are storage.
  const bool half = t.dtype() == kHalf || t.dtype() == kBFloat16;
  EMBER_CHECK(t.dtype() == kFloat || t.dtype() == kDouble || (half && t.is_cuda()), DTypeError, op, "expected ",
              what, " of dtype float32 or float64 (or float16/bfloat16 on CUDA), but got ", t.dtype(), " on ",
              t.device(), " (shape ", t.sizes(), ")");
}

std::string spatial_text(IntArrayRef sizes) {
  std::ostringstream os;
  os << "(";
  for (size_t i = 0; i < sizes.size(); ++i) os << (i ? " x " : "") << sizes[i];
  os << ")";
  return os.str();
}

}  // namespace ops

using namespace ops;

namespace {

Tensor bias_or_none(const std::optional<Tensor>& bias) { return bias.has_value() ? *bias : Tensor(); }

// A checked convolution problem as the 2-D core runs it.
struct ConvSetup {
  ConvGeom g;
  bool one_d;
  int64_t oh, ow;
  DimVector out_sizes;  // [N, C_out, spatial...] of the result
};

// Checks of at::convolution for batched 1-D and 2-D inputs (libtorch's messages); the
// bias is checked by its sizes (nullopt: no bias).
ConvSetup conv_setup(const char* op, const Tensor& input, const Tensor& weight, std::optional<IntArrayRef> bias_sizes,
                     IntArrayRef stride_in, IntArrayRef padding_in, IntArrayRef dilation_in, bool transposed,
                     IntArrayRef output_padding_in, int64_t groups) {
  detail::check_defined(input, op, "input");
  detail::check_defined(weight, op, "weight");
  detail::check_same_device(input, weight, op);
  EMBER_CHECK(weight.dim() >= 3, ShapeError, op, "weight should have at least three dimensions, but got weight of size ",
              weight.sizes());
  EMBER_CHECK(input.dim() == weight.dim(), ShapeError, op, "Expected ", weight.dim(), "-dimensional input for ",
              weight.dim(), "-dimensional weight ", weight.sizes(), ", but got ", input.dim(),
              "-dimensional input of size ", input.sizes(), " instead");
  const int64_t k = input.dim() - 2;
  EMBER_CHECK(k <= 2, NotImplementedError, op, k, "-D convolution is not supported (input of size ", input.sizes(),
              "); only 1-D and 2-D");
  check_floating(input, op);
  EMBER_CHECK(weight.dtype() == input.dtype(), DTypeError, op, "expected weight to have the input's dtype ",
              input.dtype(), ", but got ", weight.dtype());
  const DimVector stride = expand_param(stride_in, "stride", k, op);
  const DimVector padding = expand_param(padding_in, "padding", k, op);
  const DimVector dilation = expand_param(dilation_in, "dilation", k, op);
  const DimVector output_padding = expand_param(output_padding_in, "output_padding", k, op);
  for (int64_t i = 0; i < k; ++i) {
    EMBER_CHECK(stride[i] > 0, ShapeError, op, "non-positive stride is not supported, got stride=", stride_in);
    EMBER_CHECK(padding[i] >= 0, ShapeError, op, "negative padding is not supported, got padding=", padding_in);
    EMBER_CHECK(dilation[i] > 0, ShapeError, op, "dilation should be greater than zero, got dilation=", dilation_in);
    EMBER_CHECK(output_padding[i] >= 0, ShapeError, op, "negative output_padding is not supported, got output_padding=",
                output_padding_in);
  }
  EMBER_CHECK(groups > 0, ShapeError, op, "non-positive groups is not supported, got groups=", groups);
  EMBER_CHECK(weight.size(0) >= groups, ShapeError, op, "Given groups=", groups, ", expected weight to be at least ",
              groups, " at dimension 0, but got weight of size ", weight.sizes(), " instead");
  EMBER_CHECK(weight.size(0) % groups == 0, ShapeError, op, "Given groups=", groups,
              ", expected weight to be divisible by ", groups, " at dimension 0, but got weight of size ",
              weight.sizes(), " instead");
  const int64_t out_channels = transposed ? weight.size(1) * groups : weight.size(0);
  if (transposed) {
    EMBER_CHECK(input.size(1) == weight.size(0), ShapeError, op, "Given transposed=1, weight of size ",
                weight.sizes(), ", expected input", input.sizes(), " to have ", weight.size(0),
                " channels, but got ", input.size(1), " channels instead");
  } else {
    EMBER_CHECK(input.size(1) == weight.size(1) * groups, ShapeError, op, "Given groups=", groups, ", weight of size ",
                weight.sizes(), ", expected input", input.sizes(), " to have ", weight.size(1) * groups,
                " channels, but got ", input.size(1), " channels instead");
  }
  EMBER_CHECK(!bias_sizes || (bias_sizes->size() == 1 && (*bias_sizes)[0] == out_channels), ShapeError, op,
              "Given weight of size ", weight.sizes(), ", expected bias to be 1-dimensional with ", out_channels,
              " elements, but got bias of size ", bias_sizes.value_or(IntArrayRef()), " instead");

  DimVector out(static_cast<size_t>(k)), in_sizes(static_cast<size_t>(k)), kernel(static_cast<size_t>(k));
  for (int64_t i = 0; i < k; ++i) {
    in_sizes[i] = input.size(i + 2);
    kernel[i] = dilation[i] * (weight.size(i + 2) - 1) + 1;
  }
  if (transposed) {
    for (int64_t i = 0; i < k; ++i) {
      EMBER_CHECK(output_padding[i] < stride[i] || output_padding[i] < dilation[i], ShapeError, op,
                  "output padding must be smaller than either stride or dilation, but got output_padding=",
                  output_padding_in, ", stride=", stride_in, ", dilation=", dilation_in);
      out[i] = (in_sizes[i] - 1) * stride[i] - 2 * padding[i] + kernel[i] + output_padding[i];
    }
    bool positive = true;
    for (int64_t i = 0; i < k; ++i) positive = positive && out[i] > 0;
    EMBER_CHECK(positive, ShapeError, op, "Given input size per channel: ", spatial_text(in_sizes),
                ". Calculated output size per channel: ", spatial_text(out), ". Output size is too small");
  } else {
    DimVector padded(static_cast<size_t>(k));
    bool fits = true;
    for (int64_t i = 0; i < k; ++i) {
      padded[i] = in_sizes[i] + 2 * padding[i];
      fits = fits && padded[i] >= kernel[i];
      out[i] = (padded[i] - kernel[i]) / stride[i] + 1;
    }
    EMBER_CHECK(fits, ShapeError, op, "Calculated padded input size per channel: ", spatial_text(padded),
                ". Kernel size: ", spatial_text(kernel), ". Kernel size can't be greater than actual input size");
  }

  ConvSetup r;
  r.one_d = k == 1;
  r.g = r.one_d ? ConvGeom{1, weight.size(2), 1, stride[0], 0, padding[0], 1, dilation[0], groups}
                : ConvGeom{weight.size(2), weight.size(3), stride[0], stride[1], padding[0], padding[1],
                           dilation[0], dilation[1], groups};
  r.oh = r.one_d ? 1 : out[0];
  r.ow = out[r.one_d ? 0 : 1];
  r.out_sizes = DimVector(static_cast<size_t>(k + 2));
  r.out_sizes[0] = input.size(0);
  r.out_sizes[1] = out_channels;
  for (int64_t i = 0; i < k; ++i) r.out_sizes[static_cast<size_t>(i + 2)] = out[i];
  return r;
}

// 1-D operands viewed as 2-D ones with a unit height, for the core.
Tensor as_2d(const Tensor& t, bool one_d) { return one_d ? t.unsqueeze(2) : t; }
Tensor from_2d(const Tensor& t, bool one_d) { return one_d ? t.squeeze(2) : t; }

Tensor convolution_impl(const char* op, const Tensor& input, const Tensor& weight, const Tensor& bias,
                        IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, bool transposed,
                        IntArrayRef output_padding, int64_t groups) {
  if (autocast::applies(autocast::kLowerPrecision, input, weight, bias))
    return convolution_impl(op, autocast::cast(autocast::kLowerPrecision, input),
                            autocast::cast(autocast::kLowerPrecision, weight),
                            autocast::cast(autocast::kLowerPrecision, bias), stride, padding, dilation, transposed,
                            output_padding, groups);
  EMBER_PROFILE_OP(op, input, weight, bias);
  std::optional<IntArrayRef> bias_sizes;
  if (bias.defined()) {
    detail::check_defined(input, op, "input");
    detail::check_same_device(input, bias, op);
    EMBER_CHECK(bias.dtype() == input.dtype(), DTypeError, op, "expected bias to have the input's dtype ",
                input.dtype(), ", but got ", bias.dtype());
    bias_sizes = bias.sizes();
  }
  const ConvSetup c =
      conv_setup(op, input, weight, bias_sizes, stride, padding, dilation, transposed, output_padding, groups);
  Tensor y = conv2d_core(as_2d(input, c.one_d), as_2d(weight, c.one_d), bias, c.g, transposed, c.oh, c.ow);
  return from_2d(y, c.one_d);
}

// conv1d/conv2d: unbatched inputs get a batch dim of 1.
Tensor conv_nd(const char* op, int64_t k, const Tensor& input, const Tensor& weight, const Tensor& bias,
               IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, bool transposed,
               IntArrayRef output_padding, int64_t groups) {
  detail::check_defined(input, op, "input");
  EMBER_CHECK(input.dim() == k + 1 || input.dim() == k + 2, ShapeError, op, "Expected ", k + 1, "D (unbatched) or ",
              k + 2, "D (batched) input to ", op, ", but got input of size: ", input.sizes());
  Tensor x = batchify(input, k + 2);
  Tensor y = convolution_impl(op, x, weight, bias, stride, padding, dilation, transposed, output_padding, groups);
  return unbatchify(y, input, k + 2);
}

// padding="valid" or "same" (stride 1 only); an odd total padding puts the extra element
// at the end, as libtorch does.
Tensor conv_padding_mode(const char* op, int64_t k, const Tensor& input, const Tensor& weight, const Tensor& bias,
                         IntArrayRef stride, std::string_view padding, IntArrayRef dilation, int64_t groups) {
  if (padding == "valid") return conv_nd(op, k, input, weight, bias, stride, 0, dilation, false, 0, groups);
  EMBER_CHECK(padding == "same", ShapeError, op, "Invalid padding string: '", padding,
              "' (expected \"same\" or \"valid\")");
  detail::check_defined(input, op, "input");
  detail::check_defined(weight, op, "weight");
  const DimVector st = expand_param(stride, "stride", k, op);
  for (int64_t s : st)
    EMBER_CHECK(s == 1, ShapeError, op, "padding='same' is not supported for strided convolutions, got stride=", stride);
  const DimVector dil = expand_param(dilation, "dilation", k, op);
  EMBER_CHECK(weight.dim() == k + 2, ShapeError, op, "Expected ", k + 2, "-dimensional weight, but got weight of size ",
              weight.sizes());
  DimVector left(static_cast<size_t>(k)), extra(static_cast<size_t>(2 * k));
  bool symmetric = true;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t total = dil[i] * (weight.size(i + 2) - 1);
    left[i] = total / 2;
    const int64_t right = total - left[i];
    // constant_pad_nd lists pads from the last dim backwards: (begin, end) pairs.
    extra[static_cast<size_t>(2 * (k - 1 - i) + 1)] = right - left[i];
    symmetric = symmetric && right == left[i];
  }
  Tensor x = input;
  if (!symmetric) {
    EMBER_CHECK(input.dim() == k + 1 || input.dim() == k + 2, ShapeError, op, "Expected ", k + 1, "D (unbatched) or ",
                k + 2, "D (batched) input to ", op, ", but got input of size: ", input.sizes());
    x = constant_pad_nd(input, extra, 0);
  }
  return conv_nd(op, k, x, weight, bias, stride, left, dilation, false, 0, groups);
}

}  // namespace

Tensor conv1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias, IntArrayRef stride,
              IntArrayRef padding, IntArrayRef dilation, int64_t groups) {
  return conv_nd("conv1d", 1, input, weight, bias_or_none(bias), stride, padding, dilation, false, 0, groups);
}
Tensor conv1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias, IntArrayRef stride,
              std::string_view padding, IntArrayRef dilation, int64_t groups) {
  return conv_padding_mode("conv1d", 1, input, weight, bias_or_none(bias), stride, padding, dilation, groups);
}
Tensor conv2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias, IntArrayRef stride,
              IntArrayRef padding, IntArrayRef dilation, int64_t groups) {
  return conv_nd("conv2d", 2, input, weight, bias_or_none(bias), stride, padding, dilation, false, 0, groups);
}
Tensor conv2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias, IntArrayRef stride,
              std::string_view padding, IntArrayRef dilation, int64_t groups) {
  return conv_padding_mode("conv2d", 2, input, weight, bias_or_none(bias), stride, padding, dilation, groups);
}
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
                        IntArrayRef stride, IntArrayRef padding, IntArrayRef output_padding, int64_t groups,
                        IntArrayRef dilation) {
  return conv_nd("conv_transpose1d", 1, input, weight, bias_or_none(bias), stride, padding, dilation, true,
                 output_padding, groups);
}
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
                        IntArrayRef stride, IntArrayRef padding, IntArrayRef output_padding, int64_t groups,
                        IntArrayRef dilation) {
  return conv_nd("conv_transpose2d", 2, input, weight, bias_or_none(bias), stride, padding, dilation, true,
                 output_padding, groups);
}
Tensor convolution(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias, IntArrayRef stride,
                   IntArrayRef padding, IntArrayRef dilation, bool transposed, IntArrayRef output_padding,
                   int64_t groups) {
  return convolution_impl("convolution", input, weight, bias_or_none(bias), stride, padding, dilation, transposed,
                          output_padding, groups);
}

std::tuple<Tensor, Tensor, Tensor> convolution_backward(const Tensor& grad_output, const Tensor& input,
                                                        const Tensor& weight, std::optional<IntArrayRef> bias_sizes,
                                                        IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
                                                        bool transposed, IntArrayRef output_padding, int64_t groups,
                                                        std::array<bool, 3> output_mask) {
  const char* op = "convolution_backward";
  detail::check_defined(grad_output, op, "grad_output");
  const ConvSetup c =
      conv_setup(op, input, weight, bias_sizes, stride, padding, dilation, transposed, output_padding, groups);
  EMBER_CHECK(grad_output.sizes() == IntArrayRef(c.out_sizes), ShapeError, op, "expected grad_output of size ",
              IntArrayRef(c.out_sizes), " (the convolution's output), but got ", grad_output.sizes());
  EMBER_CHECK(grad_output.dtype() == input.dtype(), DTypeError, op, "expected grad_output to have the input's dtype ",
              input.dtype(), ", but got ", grad_output.dtype());
  const Tensor x = as_2d(input, c.one_d), w = as_2d(weight, c.one_d), gy = as_2d(grad_output, c.one_d);
  Tensor gx, gw, gb;
  if (output_mask[0]) gx = from_2d(conv2d_core(gy, w, Tensor(), c.g, !transposed, x.size(2), x.size(3)), c.one_d);
  if (output_mask[1])
    gw = from_2d(transposed ? conv2d_weight_grad(gy, x, c.g) : conv2d_weight_grad(x, gy, c.g), c.one_d);
  if (output_mask[2]) gb = gy.sum({0, 2, 3});
  return {gx, gw, gb};
}

}  // namespace ember
