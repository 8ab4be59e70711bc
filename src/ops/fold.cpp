// im2col / col2im as ops (torch::nn::functional::unfold / fold): sliding blocks of an
// image as columns, and the sum of columns back into an image. Each is the other's
// adjoint and so the other's backward.
#include "src/ops/conv_common.h"

namespace ember {
using namespace ops;
using backend::Backend;

namespace {

Tensor col2im_core(const Tensor& cols, const Backend::Window2d& w, int64_t h, int64_t wd, int64_t oh, int64_t ow);

// [N, C, H, W] -> [N, C * kh * kw, oh * ow].
Tensor im2col_core(const Tensor& x, const Backend::Window2d& w, int64_t oh, int64_t ow) {
  const Tensor xc = x.contiguous();
  const int64_t n = x.size(0), c = x.size(1);
  Tensor out = detail::make_tensor({n, c * w.kh * w.kw, oh * ow}, x.dtype(), x.device());
  if (out.numel() > 0) {
    RawArg cols(out.data_ptr(), x.dtype(), {n, c, w.kh, w.kw, oh, ow});
    detail::backend_of(x)->im2col(detail::arg(xc), cols.arg, w);
  }
  if (auto* node = autograd::record("Im2ColBackward0", {&x}, [w, h = x.size(2), wd = x.size(3), oh, ow](
                                                                Node&, variable_list& g) {
        return variable_list{col2im_core(g[0], w, h, wd, oh, ow)};
      }))
    autograd::set_history(out, node);
  return out;
}

// [N, C * kh * kw, oh * ow] -> [N, C, h, wd].
Tensor col2im_core(const Tensor& cols, const Backend::Window2d& w, int64_t h, int64_t wd, int64_t oh, int64_t ow) {
  const Tensor cc = cols.contiguous();
  const int64_t n = cols.size(0), c = cols.size(1) / (w.kh * w.kw);
  Tensor out = detail::make_tensor({n, c, h, wd}, cols.dtype(), cols.device());
  if (out.numel() > 0) {
    RawArg ca(cc.data_ptr(), cols.dtype(), {n, c, w.kh, w.kw, oh, ow});
    detail::backend_of(cols)->col2im(ca.arg, detail::arg(out), w);
  }
  if (auto* node = autograd::record("Col2ImBackward0", {&cols}, [w, oh, ow](Node&, variable_list& g) {
        return variable_list{im2col_core(g[0], w, oh, ow)};
      }))
    autograd::set_history(out, node);
  return out;
}

// The four window arguments of ATen's im2col/col2im: exactly two values each.
Backend::Window2d window_args(const char* op, IntArrayRef kernel_size, IntArrayRef dilation, IntArrayRef padding,
                              IntArrayRef stride) {
  auto two = [op](IntArrayRef a, const char* name) {
    EMBER_CHECK(a.size() == 2, ShapeError, op, "It is expected ", name, " equals to 2, but got size ", a.size());
  };
  two(kernel_size, "kernel_size");
  two(dilation, "dilation");
  two(padding, "padding");
  two(stride, "stride");
  EMBER_CHECK(kernel_size[0] > 0 && kernel_size[1] > 0, ShapeError, op,
              "kernel size should be greater than zero, but got kernel_size=", kernel_size);
  EMBER_CHECK(dilation[0] > 0 && dilation[1] > 0, ShapeError, op,
              "dilation should be greater than zero, but got dilation=", dilation);
  EMBER_CHECK(padding[0] >= 0 && padding[1] >= 0, ShapeError, op,
              "padding should be non-negative, but got padding=", padding);
  EMBER_CHECK(stride[0] > 0 && stride[1] > 0, ShapeError, op, "stride should be greater than zero, but got stride=",
              stride);
  return {kernel_size[0], kernel_size[1], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]};
}

// Number of sliding blocks along one axis (floor division, may be <= 0).
int64_t blocks(int64_t size, int64_t k, int64_t s, int64_t p, int64_t d) {
  const int64_t num = size + 2 * p - (d * (k - 1) + 1);
  return (num >= 0 ? num / s : -((-num + s - 1) / s)) + 1;
}

}  // namespace

Tensor im2col(const Tensor& self, IntArrayRef kernel_size, IntArrayRef dilation, IntArrayRef padding,
              IntArrayRef stride) {
  const char* op = "im2col";
  detail::check_defined(self, op);
  const Backend::Window2d w = window_args(op, kernel_size, dilation, padding, stride);
  const bool ok = (self.dim() == 3 && self.size(0) != 0 && self.size(1) != 0 && self.size(2) != 0) ||
                  (self.dim() == 4 && self.size(1) != 0 && self.size(2) != 0 && self.size(3) != 0);
  EMBER_CHECK(ok, ShapeError, op, "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
              "non-zero dimensions for input, but got: ", self.sizes());
  check_floating(self, op);
  const int64_t h = self.size(-2), wd = self.size(-1);
  const int64_t oh = blocks(h, w.kh, w.sh, w.ph, w.dh), ow = blocks(wd, w.kw, w.sw, w.pw, w.dw);
  EMBER_CHECK(oh >= 1 && ow >= 1, ShapeError, op, "Given input with spatial size (", h, ", ", wd, "), kernel_size=",
              kernel_size, ", dilation=", dilation, ", padding=", padding, ", calculated shape of the array of "
              "sliding blocks as (", oh, ", ", ow, "), but its components must be at least one.");
  return unbatchify(im2col_core(batchify(self, 4), w, oh, ow), self, 4);
}

Tensor col2im(const Tensor& self, IntArrayRef output_size, IntArrayRef kernel_size, IntArrayRef dilation,
              IntArrayRef padding, IntArrayRef stride) {
  const char* op = "col2im";
  detail::check_defined(self, op);
  EMBER_CHECK(output_size.size() == 2, ShapeError, op, "It is expected output_size equals to 2, but got size ",
              output_size.size());
  const Backend::Window2d w = window_args(op, kernel_size, dilation, padding, stride);
  const bool ok = (self.dim() == 2 && self.size(0) != 0 && self.size(1) != 0) ||
                  (self.dim() == 3 && self.size(1) != 0 && self.size(2) != 0);
  EMBER_CHECK(ok, ShapeError, op, "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
              "non-zero dimensions for input, but got: ", self.sizes());
  check_floating(self, op);
  const int64_t rows = self.size(-2), length = self.size(-1), k = w.kh * w.kw;
  EMBER_CHECK(rows % k == 0, ShapeError, op, "Expected size of input's dimension ", self.dim() - 2,
              " to be divisible by the product of kernel_size, but got input.size(", self.dim() - 2, ")=", rows,
              " and kernel_size=", kernel_size);
  const int64_t h = output_size[0], wd = output_size[1];
  EMBER_CHECK(h >= 1 && wd >= 1, ShapeError, op, "Expected output spatial size to be positive, but got: output_size=",
              output_size);
  const int64_t oh = blocks(h, w.kh, w.sh, w.ph, w.dh), ow = blocks(wd, w.kw, w.sw, w.pw, w.dw);
  EMBER_CHECK(oh >= 1 && ow >= 1 && oh * ow == length, ShapeError, op, "Given output_size=", output_size,
              ", kernel_size=", kernel_size, ", dilation=", dilation, ", padding=", padding, ", stride=", stride,
              ", expected size of input's dimension ", self.dim() - 1, " to match the calculated number of sliding "
              "blocks ", oh, " * ", ow, " = ", oh * ow, ", but got input.size(", self.dim() - 1, ")=", length, ".");
  return unbatchify(col2im_core(batchify(self, 3), w, h, wd, oh, ow), self, 3);
}

}  // namespace ember
