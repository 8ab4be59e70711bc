// Upsampling (nearest, bilinear) and padding (constant, reflect, replicate, circular)
// front-ends. Each kernel is a fixed linear map; its backward is the adjoint kernel,
// recorded as an op whose own backward is the forward again (double backward).
#include <cmath>

#include "src/ops/conv_common.h"

namespace ember {
using namespace ops;
using backend::Backend;
using UpsampleMode = Backend::UpsampleMode;
using UpsampleParams = Backend::UpsampleParams;
using PadMode = Backend::PadMode;

namespace {

// ---- upsampling -----------------------------------------------------------------------

Tensor upsample_adjoint(const Tensor& g, UpsampleMode mode, const UpsampleParams& p, int64_t h, int64_t w);
Tensor upsample_core(const Tensor& x, UpsampleMode mode, const UpsampleParams& p, int64_t oh, int64_t ow) {
  const Tensor xc = x.contiguous();
  Tensor out = detail::make_tensor({x.size(0), x.size(1), oh, ow}, x.dtype(), x.device());
  if (out.numel() > 0) detail::backend_of(x)->upsample2d(mode, detail::arg(xc), detail::arg(out), p);
  const char* name = mode == UpsampleMode::Nearest ? "UpsampleNearest2DBackward0" : "UpsampleBilinear2DBackward0";
  if (auto* n = autograd::record(name, {&x}, [mode, p, h = x.size(2), w = x.size(3)](Node&, variable_list& g) {
        return variable_list{upsample_adjoint(g[0], mode, p, h, w)};
      }))
    autograd::set_history(out, n);
  return out;
}
Tensor upsample_adjoint(const Tensor& g, UpsampleMode mode, const UpsampleParams& p, int64_t h, int64_t w) {
  const Tensor gc = g.contiguous();
  Tensor out = detail::make_tensor({g.size(0), g.size(1), h, w}, g.dtype(), g.device());
  if (out.numel() > 0) detail::backend_of(g)->upsample2d_backward(mode, detail::arg(gc), detail::arg(out), p);
  const char* name = mode == UpsampleMode::Nearest ? "UpsampleNearest2DBackwardBackward0"
                                                   : "UpsampleBilinear2DBackwardBackward0";
  if (auto* n = autograd::record(name, {&g}, [mode, p, oh = g.size(2), ow = g.size(3)](Node&, variable_list& gg) {
        return variable_list{upsample_core(gg[0], mode, p, oh, ow)};
      }))
    autograd::set_history(out, n);
  return out;
}

// Checks of the ATen upsample ops (batched input of rank k + 2 only, like libtorch).
void check_upsample(const char* op, const Tensor& self, IntArrayRef output_size, int64_t k) {
  detail::check_defined(self, op);
  EMBER_CHECK(static_cast<int64_t>(output_size.size()) == k, ShapeError, op, "It is expected output_size equals to ",
              k, ", but got size ", output_size.size());
  EMBER_CHECK(self.dim() == k + 2, ShapeError, op, "It is expected input_size equals to ", k + 2, ", but got size ",
              self.dim(), " (input of size ", self.sizes(), ")");
  bool positive = self.size(1) > 0;
  for (int64_t i = 0; i < k; ++i)
    positive = positive && self.size(i + 2) > 0 && output_size[static_cast<size_t>(i)] > 0;
  EMBER_CHECK(positive, ShapeError, op, "Input and output sizes should be greater than 0, but got input of size ",
              self.sizes(), " and output_size ", output_size);
  check_floating(self, op);
}

Tensor upsample_nd(const char* op, UpsampleMode mode, const Tensor& self, IntArrayRef output_size, bool align_corners,
                   std::optional<double> scale_h, std::optional<double> scale_w, int64_t k) {
  check_upsample(op, self, output_size, k);
  UpsampleParams p;
  p.align_corners = align_corners;
  p.scale_h = scale_h.value_or(0);
  p.scale_w = scale_w.value_or(0);
  if (k == 1) return upsample_core(self.unsqueeze(2), mode, p, 1, output_size[0]).squeeze(2);
  return upsample_core(self, mode, p, output_size[0], output_size[1]);
}

// The vec overloads: output size from output_size, or floor(input size * scale) with the
// scales then also setting the source step (libtorch's compute_output_size).
Tensor upsample_vec(const char* op, UpsampleMode mode, const Tensor& input, std::optional<IntArrayRef> output_size,
                    bool align_corners, std::optional<ArrayRef<double>> scale_factors, int64_t k) {
  detail::check_defined(input, op, "input");
  EMBER_CHECK(output_size.has_value() != scale_factors.has_value(), ShapeError, op,
              "Must specify exactly one of output_size and scale_factors");
  EMBER_CHECK(input.dim() == k + 2, ShapeError, op, "It is expected input_size equals to ", k + 2, ", but got size ",
              input.dim(), " (input of size ", input.sizes(), ")");
  if (output_size) return upsample_nd(op, mode, input, *output_size, align_corners, std::nullopt, std::nullopt, k);
  EMBER_CHECK(static_cast<int64_t>(scale_factors->size()) == k, ShapeError, op, "expected scale_factors to have ", k,
              " elements, but got ", scale_factors->size());
  DimVector out(static_cast<size_t>(k));
  for (int64_t i = 0; i < k; ++i)
    out[static_cast<size_t>(i)] = static_cast<int64_t>(static_cast<double>(input.size(i + 2)) * (*scale_factors)[static_cast<size_t>(i)]);
  const auto& s = *scale_factors;
  return k == 1 ? upsample_nd(op, mode, input, out, align_corners, std::nullopt, s[0], k)
                : upsample_nd(op, mode, input, out, align_corners, s[0], s[1], k);
}

// ---- reflect / replicate / circular padding ------------------------------------------

Tensor pad_adjoint(const Tensor& g, PadMode mode, int64_t top, int64_t left, int64_t h, int64_t w);
Tensor pad_core(const Tensor& x, PadMode mode, int64_t top, int64_t bottom, int64_t left, int64_t right) {
  const Tensor xc = x.contiguous();
  Tensor out = detail::make_tensor({x.size(0), x.size(1), x.size(2) + top + bottom, x.size(3) + left + right},
                                   x.dtype(), x.device());
  if (out.numel() > 0) detail::backend_of(x)->pad2d(mode, detail::arg(xc), detail::arg(out), top, left);
  const char* name = mode == PadMode::Reflect ? "ReflectionPad2DBackward0"
                     : mode == PadMode::Replicate ? "ReplicationPad2DBackward0" : "CircularPad2DBackward0";
  if (auto* n = autograd::record(name, {&x}, [mode, top, left, h = x.size(2), w = x.size(3)](Node&, variable_list& g) {
        return variable_list{pad_adjoint(g[0], mode, top, left, h, w)};
      }))
    autograd::set_history(out, n);
  return out;
}
Tensor pad_adjoint(const Tensor& g, PadMode mode, int64_t top, int64_t left, int64_t h, int64_t w) {
  const Tensor gc = g.contiguous();
  Tensor out = detail::make_tensor({g.size(0), g.size(1), h, w}, g.dtype(), g.device());
  if (out.numel() > 0) {
    if (g.numel() == 0) out.zero_();
    else detail::backend_of(g)->pad2d_backward(mode, detail::arg(gc), detail::arg(out), top, left);
  }
  if (auto* n = autograd::record("PadBackwardBackward0", {&g},
                                 [mode, top, left, bottom = g.size(2) - h - top, right = g.size(3) - w - left](
                                     Node&, variable_list& gg) {
                                   return variable_list{pad_core(gg[0], mode, top, bottom, left, right)};
                                 }))
    autograd::set_history(out, n);
  return out;
}

const char* mode_name(PadMode m) {
  return m == PadMode::Reflect ? "reflect" : m == PadMode::Replicate ? "replicate" : "circular";
}

// Reflection/replication/circular padding of the last k (1 or 2) dims of a (k+1)-D or
// (k+2)-D input; padding = (left, right[, top, bottom]).
Tensor pad_nd(const char* op, PadMode mode, const Tensor& self, IntArrayRef padding, int64_t k) {
  detail::check_defined(self, op);
  EMBER_CHECK(static_cast<int64_t>(padding.size()) == 2 * k, ShapeError, op, "padding size is expected to be ", 2 * k,
              ", but got ", padding.size(), " (padding ", padding, ")");
  bool ok = self.dim() == k + 1 || self.dim() == k + 2;
  for (int64_t d = self.dim() == k + 2 ? 1 : 0; ok && d < self.dim(); ++d) ok = self.size(d) != 0;
  EMBER_CHECK(ok, ShapeError, op, "Expected ", k + 1, "D or ", k + 2, "D (batch mode) tensor with possibly 0 batch "
              "size and other non-zero dimensions for input, but got: ", self.sizes());
  check_floating(self, op);
  const int64_t dim_w = self.dim() - 1, dim_h = self.dim() - 2;
  const int64_t w = self.size(-1), h = k == 2 ? self.size(-2) : 1;
  const int64_t left = padding[0], right = padding[1], top = k == 2 ? padding[2] : 0, bottom = k == 2 ? padding[3] : 0;
  if (mode == PadMode::Reflect) {
    EMBER_CHECK(left < w && right < w, ShapeError, op, "Padding size should be less than the corresponding input "
                "dimension, but got: padding (", left, ", ", right, ") at dimension ", dim_w, " of input ", self.sizes());
    EMBER_CHECK(k == 1 || (top < h && bottom < h), ShapeError, op, "Padding size should be less than the "
                "corresponding input dimension, but got: padding (", top, ", ", bottom, ") at dimension ", dim_h,
                " of input ", self.sizes());
  }
  if (mode == PadMode::Circular) {
    EMBER_CHECK(left <= w && right <= w && top <= h && bottom <= h, ShapeError, op,
                "Padding value causes wrapping around more than once: padding ", padding, " for input ", self.sizes());
  }
  const int64_t oh = h + top + bottom, ow = w + left + right;
  EMBER_CHECK(oh >= 1 && ow >= 1, ShapeError, op, "input (H: ", h, ", W: ", w, ") is too small. Calculated output H: ",
              oh, " W: ", ow, " (", mode_name(mode), " padding ", padding, ")");
  Tensor x = batchify(self, k + 2);
  if (k == 1) x = x.unsqueeze(2);
  Tensor y = pad_core(x, mode, top, bottom, left, right);
  if (k == 1) y = y.squeeze(2);
  return unbatchify(y, self, k + 2);
}

}  // namespace

Tensor upsample_nearest1d(const Tensor& input, std::optional<IntArrayRef> output_size,
                          std::optional<ArrayRef<double>> scale_factors) {
  return upsample_vec("upsample_nearest1d", UpsampleMode::Nearest, input, output_size, false, scale_factors, 1);
}
Tensor upsample_nearest1d(const Tensor& self, IntArrayRef output_size, std::optional<double> scales) {
  return upsample_nd("upsample_nearest1d", UpsampleMode::Nearest, self, output_size, false, std::nullopt, scales, 1);
}
Tensor upsample_nearest2d(const Tensor& input, std::optional<IntArrayRef> output_size,
                          std::optional<ArrayRef<double>> scale_factors) {
  return upsample_vec("upsample_nearest2d", UpsampleMode::Nearest, input, output_size, false, scale_factors, 2);
}
Tensor upsample_nearest2d(const Tensor& self, IntArrayRef output_size, std::optional<double> scales_h,
                          std::optional<double> scales_w) {
  return upsample_nd("upsample_nearest2d", UpsampleMode::Nearest, self, output_size, false, scales_h, scales_w, 2);
}
Tensor upsample_bilinear2d(const Tensor& input, std::optional<IntArrayRef> output_size, bool align_corners,
                           std::optional<ArrayRef<double>> scale_factors) {
  return upsample_vec("upsample_bilinear2d", UpsampleMode::Bilinear, input, output_size, align_corners,
                      scale_factors, 2);
}
Tensor upsample_bilinear2d(const Tensor& self, IntArrayRef output_size, bool align_corners,
                           std::optional<double> scales_h, std::optional<double> scales_w) {
  return upsample_nd("upsample_bilinear2d", UpsampleMode::Bilinear, self, output_size, align_corners, scales_h,
                     scales_w, 2);
}

Tensor constant_pad_nd(const Tensor& self, IntArrayRef pad, const Scalar& value) {
  const char* op = "constant_pad_nd";
  detail::check_defined(self, op);
  const int64_t np = static_cast<int64_t>(pad.size()), nd = self.dim();
  EMBER_CHECK(np % 2 == 0, ShapeError, op, "Length of pad must be even but instead it equals ", np);
  EMBER_CHECK(np / 2 <= nd, ShapeError, op, "Length of pad should be no more than twice the number of dimensions of "
              "the input. Pad length is ", np, " while the input has ", nd, " dimensions.");
  DimVector sizes(self.sizes());
  for (int64_t i = 0; i < np / 2; ++i) {
    const int64_t d = nd - 1 - i;
    const int64_t lo = pad[static_cast<size_t>(2 * i)], hi = pad[static_cast<size_t>(2 * i + 1)];
    sizes[static_cast<size_t>(d)] += lo + hi;
    EMBER_CHECK(sizes[static_cast<size_t>(d)] >= 0, ShapeError, op, "The input size ", self.size(d),
                ", plus negative padding ", lo, " and ", hi, " resulted in a negative output size, which is invalid. "
                "Check dimension ", d, " of your input of size ", self.sizes(), ".");
  }
  Tensor out = full(sizes, value, self.options());
  {
    // Copy the kept part of self into its place: negative pads crop self, positive ones
    // offset it in out.
    NoGradGuard ng;
    Tensor src = self, dst = out;
    bool empty = false;
    for (int64_t i = 0; i < np / 2; ++i) {
      const int64_t d = nd - 1 - i;
      const int64_t lo = pad[static_cast<size_t>(2 * i)], hi = pad[static_cast<size_t>(2 * i + 1)];
      const int64_t len = self.size(d) - std::max<int64_t>(0, -lo) - std::max<int64_t>(0, -hi);
      if (len <= 0) { empty = true; break; }
      src = src.narrow(d, std::max<int64_t>(0, -lo), len);
      dst = dst.narrow(d, std::max<int64_t>(0, lo), len);
    }
    if (!empty && src.numel() > 0) dst.copy_(src);
  }
  if (auto* n = autograd::record("ConstantPadNdBackward0", {&self}, [neg = [&] {
        DimVector r(pad);
        for (auto& v : r) v = -v;
        return r;
      }()](Node&, variable_list& g) { return variable_list{constant_pad_nd(g[0], neg, 0)}; }))
    autograd::set_history(out, n);
  return out;
}

Tensor reflection_pad1d(const Tensor& self, IntArrayRef padding) {
  return pad_nd("reflection_pad1d", PadMode::Reflect, self, padding, 1);
}
Tensor reflection_pad2d(const Tensor& self, IntArrayRef padding) {
  return pad_nd("reflection_pad2d", PadMode::Reflect, self, padding, 2);
}
Tensor replication_pad1d(const Tensor& self, IntArrayRef padding) {
  return pad_nd("replication_pad1d", PadMode::Replicate, self, padding, 1);
}
Tensor replication_pad2d(const Tensor& self, IntArrayRef padding) {
  return pad_nd("replication_pad2d", PadMode::Replicate, self, padding, 2);
}

Tensor pad(const Tensor& self, IntArrayRef pad, std::string_view mode, std::optional<double> value) {
  detail::check_defined(self, "pad");
  if (mode == "constant") return constant_pad_nd(self, pad, value.value_or(0.0));
  PadMode m;
  if (mode == "reflect") m = PadMode::Reflect;
  else if (mode == "replicate") m = PadMode::Replicate;
  else if (mode == "circular") m = PadMode::Circular;
  else detail::throw_error<Error>("pad", "Unrecognised padding mode ", mode,
                                  " (expected constant, reflect, replicate or circular)");
  EMBER_CHECK(!value.has_value(), Error, "pad", "Padding mode \"", mode, "\" doesn't take in value argument");
  const int64_t np = static_cast<int64_t>(pad.size()), nd = self.dim();
  EMBER_CHECK(np % 2 == 0, ShapeError, "pad", "Padding length must be divisible by 2, got ", np);
  if (np == 2 && (nd == 2 || nd == 3)) return pad_nd("pad", m, self, pad, 1);
  if (np == 4 && (nd == 3 || nd == 4)) return pad_nd("pad", m, self, pad, 2);
  EMBER_CHECK(np != 6, NotImplementedError, "pad", "3-D ", mode, " padding is not supported (input of size ",
              self.sizes(), ")");
  detail::throw_error<ShapeError>("pad", "Only 2D and 3D (1-D padding) or 3D and 4D (2-D padding) inputs are "
                                  "supported with non-constant padding, got input of size ", self.sizes(),
                                  " and padding ", pad);
}

}  // namespace ember
