// Pooling front-ends: max (with indices), average and adaptive pools in 1-D and 2-D.
// 1-D pools run the 2-D kernels on a unit height (as libtorch does). Backward formulas
// are kernels' adjoints recorded as ops, so double backward works: the max-pool gradient
// scatters by the saved indices and its own gradient gathers by them.
#include "src/ops/conv_common.h"

namespace ember {
using namespace ops;
using backend::Backend;
using PoolOp = Backend::PoolOp;
using PoolParams = Backend::PoolParams;

namespace {

// grad_in [N, C, h, w] with g [N, C, OH, OW] added at the flat plane positions idx.
Tensor plane_gather(const Tensor& src, const Tensor& idx);
Tensor plane_scatter(const Tensor& g, const Tensor& idx, int64_t h, int64_t w) {
  const Tensor gc = g.contiguous();
  Tensor out = detail::make_tensor({g.size(0), g.size(1), h, w}, g.dtype(), g.device());
  detail::backend_of(g)->plane_scatter_add(detail::arg(gc), detail::arg(idx), detail::arg(out));
  if (auto* n = autograd::record("MaxPool2DWithIndicesBackwardBackward0", {&g}, [](Node& n, variable_list& gg) {
        return variable_list{plane_gather(gg[0], n.saved(0))};
      })) {
    autograd::set_history(out, n);
    n->save(idx);
  }
  return out;
}

// out[n, c, k] = src[n, c, idx[n, c, k]] over flat planes of src.
Tensor plane_gather(const Tensor& src, const Tensor& idx) {
  const Tensor sc = src.contiguous();
  Tensor out = detail::make_tensor(idx.sizes(), src.dtype(), src.device());
  detail::backend_of(src)->plane_gather(detail::arg(sc), detail::arg(idx), detail::arg(out));
  if (auto* n = autograd::record("MaxPoolGatherBackward0", {&src},
                                 [h = src.size(2), w = src.size(3)](Node& n, variable_list& gg) {
                                   return variable_list{plane_scatter(gg[0], n.saved(0), h, w)};
                                 })) {
    autograd::set_history(out, n);
    n->save(idx);
  }
  return out;
}

// Max or adaptive max pool of a 4-D input: values (differentiable) and int64 indices.
std::tuple<Tensor, Tensor> max_pool_core(const Tensor& x, PoolOp op, const PoolParams& p, int64_t oh, int64_t ow) {
  const Tensor xc = x.contiguous();
  Tensor out = detail::make_tensor({x.size(0), x.size(1), oh, ow}, x.dtype(), x.device());
  Tensor idx = detail::make_tensor({x.size(0), x.size(1), oh, ow}, kLong, x.device());
  if (out.numel() > 0) {
    const backend::TensorArg ia = detail::arg(idx);
    detail::backend_of(x)->pool2d(op, detail::arg(xc), detail::arg(out), &ia, p);
  }
  const char* name = op == PoolOp::Max ? "MaxPool2DWithIndicesBackward0" : "AdaptiveMaxPool2DBackward0";
  if (auto* n = autograd::record(name, {&x}, [h = x.size(2), w = x.size(3)](Node& n, variable_list& g) {
        return variable_list{plane_scatter(g[0], n.saved(0), h, w)};
      })) {
    autograd::set_history(out, n);
    n->save(idx);
  }
  return {out, idx};
}

// Average or adaptive average pool of a 4-D input, and its adjoint; each records the
// other as its backward.
Tensor avg_adjoint(const Tensor& g, PoolOp op, const PoolParams& p, int64_t h, int64_t w);
Tensor avg_core(const Tensor& x, PoolOp op, const PoolParams& p, int64_t oh, int64_t ow) {
  const Tensor xc = x.contiguous();
  Tensor out = detail::make_tensor({x.size(0), x.size(1), oh, ow}, x.dtype(), x.device());
  if (out.numel() > 0) detail::backend_of(x)->pool2d(op, detail::arg(xc), detail::arg(out), nullptr, p);
  const char* name = op == PoolOp::Avg ? "AvgPool2DBackward0" : "AdaptiveAvgPool2DBackward0";
  if (auto* n = autograd::record(name, {&x}, [op, p, h = x.size(2), w = x.size(3)](Node&, variable_list& g) {
        return variable_list{avg_adjoint(g[0], op, p, h, w)};
      }))
    autograd::set_history(out, n);
  return out;
}
Tensor avg_adjoint(const Tensor& g, PoolOp op, const PoolParams& p, int64_t h, int64_t w) {
  const Tensor gc = g.contiguous();
  Tensor out = detail::make_tensor({g.size(0), g.size(1), h, w}, g.dtype(), g.device());
  if (out.numel() > 0) {
    if (g.numel() == 0) out.zero_();
    else detail::backend_of(g)->pool2d_backward(op, detail::arg(gc), detail::arg(out), p);
  }
  const char* name = op == PoolOp::Avg ? "AvgPool2DBackwardBackward0" : "AdaptiveAvgPool2DBackwardBackward0";
  if (auto* n = autograd::record(name, {&g}, [op, p, oh = g.size(2), ow = g.size(3)](Node&, variable_list& gg) {
        return variable_list{avg_core(gg[0], op, p, oh, ow)};
      }))
    autograd::set_history(out, n);
  return out;
}

// libtorch's pooling_output_shape (with its checks on the padding).
int64_t pool_out_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dil, bool ceil_mode,
                      const char* op) {
  EMBER_CHECK(pad >= 0, ShapeError, op, "pad must be non-negative, but got pad: ", pad);
  EMBER_CHECK(pad <= k / 2, ShapeError, op, "pad should be at most half of kernel size, but got pad=", pad,
              " and kernel_size=", k);
  const int64_t num = in + 2 * pad - dil * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  int64_t out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;  // floor division
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

struct Pool2dShape {
  PoolParams p;
  int64_t oh, ow;
};

// Checks and output size of a max/avg pool over the last two dims of a 3-D or 4-D input.
Pool2dShape pool2d_shape(const char* op, const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride,
                         IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  detail::check_defined(self, op);
  EMBER_CHECK(kernel_size.size() == 1 || kernel_size.size() == 2, ShapeError, op,
              "kernel_size must either be a single int, or a tuple of two ints, got ", kernel_size);
  EMBER_CHECK(stride.empty() || stride.size() == 1 || stride.size() == 2, ShapeError, op,
              "stride must either be omitted, a single int, or a tuple of two ints, got ", stride);
  EMBER_CHECK(padding.size() == 1 || padding.size() == 2, ShapeError, op,
              "padding must either be a single int, or a tuple of two ints, got ", padding);
  EMBER_CHECK(dilation.size() == 1 || dilation.size() == 2, ShapeError, op,
              "dilation must be either a single int, or a tuple of two ints, got ", dilation);
  const bool ok_dims = (self.dim() == 3 && self.size(0) != 0 && self.size(1) != 0 && self.size(2) != 0) ||
                       (self.dim() == 4 && self.size(1) != 0 && self.size(2) != 0 && self.size(3) != 0);
  EMBER_CHECK(ok_dims, ShapeError, op, "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for "
              "input, but got: ", self.sizes());
  check_floating(self, op);
  auto two = [](IntArrayRef a, size_t i) { return a[a.size() == 1 ? 0 : i]; };
  const int64_t kh = two(kernel_size, 0), kw = two(kernel_size, 1);
  const int64_t sh = stride.empty() ? kh : two(stride, 0), sw = stride.empty() ? kw : two(stride, 1);
  const int64_t ph = two(padding, 0), pw = two(padding, 1), dh = two(dilation, 0), dw = two(dilation, 1);
  EMBER_CHECK(kh > 0 && kw > 0, ShapeError, op, "kernel size should be greater than zero, but got kH: ", kh, " kW: ", kw);
  EMBER_CHECK(sh > 0 && sw > 0, ShapeError, op, "stride should be greater than zero, but got dH: ", sh, " dW: ", sw);
  EMBER_CHECK(dh > 0 && dw > 0, ShapeError, op, "dilation should be greater than zero, but got dilationH: ", dh,
              " dilationW: ", dw);
  const int64_t h = self.size(-2), w = self.size(-1), planes = self.size(-3);
  const int64_t oh = pool_out_size(h, kh, ph, sh, dh, ceil_mode, op);
  const int64_t ow = pool_out_size(w, kw, pw, sw, dw, ceil_mode, op);
  EMBER_CHECK(oh >= 1 && ow >= 1, ShapeError, op, "Given input size: (", planes, "x", h, "x", w,
              "). Calculated output size: (", planes, "x", oh, "x", ow, "). Output size is too small");
  Pool2dShape s;
  s.p.w = {kh, kw, sh, sw, ph, pw, dh, dw};
  s.oh = oh;
  s.ow = ow;
  return s;
}

// A 1-D pool's arguments as 2-D ones over [N, C, 1, L] (libtorch's max_pool1d/avg_pool1d).
struct As2d {
  DimVector k, s, p, d;
};
As2d pool1d_args(const char* op, const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                 IntArrayRef dilation) {
  detail::check_defined(self, op);
  EMBER_CHECK(self.dim() == 2 || self.dim() == 3, ShapeError, op, "Expected 2D or 3D input tensor, but got ",
              self.sizes());
  EMBER_CHECK(kernel_size.size() == 1, ShapeError, op, "kernel_size should contain one int, got ", kernel_size);
  EMBER_CHECK(stride.size() <= 1, ShapeError, op, "stride should contain one int or be omitted, got ", stride);
  EMBER_CHECK(padding.size() == 1, ShapeError, op, "padding should contain one int, got ", padding);
  EMBER_CHECK(dilation.size() == 1, ShapeError, op, "dilation should contain one int, got ", dilation);
  return {{1, kernel_size[0]}, {1, stride.empty() ? kernel_size[0] : stride[0]}, {0, padding[0]}, {1, dilation[0]}};
}

std::tuple<Tensor, Tensor> max_pool2d_impl(const char* op, const Tensor& self, IntArrayRef kernel_size,
                                           IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
                                           bool ceil_mode) {
  EMBER_PROFILE_OP(op, self);
  const Pool2dShape s = pool2d_shape(op, self, kernel_size, stride, padding, dilation, ceil_mode);
  auto [v, i] = max_pool_core(batchify(self, 4), PoolOp::Max, s.p, s.oh, s.ow);
  return {unbatchify(v, self, 4), unbatchify(i, self, 4)};
}

Tensor avg_pool2d_impl(const char* op, const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride,
                       IntArrayRef padding, bool ceil_mode, bool count_include_pad,
                       std::optional<int64_t> divisor_override) {
  EMBER_PROFILE_OP(op, self);
  Pool2dShape s = pool2d_shape(op, self, kernel_size, stride, padding, 1, ceil_mode);
  EMBER_CHECK(!divisor_override || *divisor_override != 0, ShapeError, op, "divisor must be not zero");
  s.p.count_include_pad = count_include_pad;
  s.p.divisor_override = divisor_override.value_or(0);
  return unbatchify(avg_core(batchify(self, 4), PoolOp::Avg, s.p, s.oh, s.ow), self, 4);
}

// Checks of the adaptive pools; returns the 4-D view of the input (1-D ops add H = 1).
Tensor adaptive_input(const char* op, const Tensor& self, IntArrayRef output_size, int64_t k) {
  detail::check_defined(self, op);
  EMBER_CHECK(static_cast<int64_t>(output_size.size()) == k, ShapeError, op, "output_size must have ", k,
              " elements, got ", output_size);
  EMBER_CHECK(self.dim() == k + 1 || self.dim() == k + 2, ShapeError, op, "Expected ", k + 1, "D or ", k + 2,
              "D tensor, but got ", self.sizes());
  for (int64_t d = 1; d < self.dim(); ++d)
    EMBER_CHECK(self.size(d) > 0, ShapeError, op, "Expected input to have non-zero size for non-batch dimensions, "
                "but input has sizes ", self.sizes(), " with dimension ", d, " being empty");
  for (int64_t o : output_size)
    EMBER_CHECK(o >= 0, ShapeError, op, "elements of output_size must be greater than or equal to 0, but got ",
                output_size);
  check_floating(self, op);
  Tensor x = batchify(self, k + 2);
  return k == 1 ? x.unsqueeze(2) : x;
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride,
                                                   IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  return max_pool2d_impl("max_pool2d_with_indices", self, kernel_size, stride, padding, dilation, ceil_mode);
}
Tensor max_pool2d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  IntArrayRef dilation, bool ceil_mode) {
  return std::get<0>(max_pool2d_impl("max_pool2d", self, kernel_size, stride, padding, dilation, ceil_mode));
}
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride,
                                                   IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  const char* op = "max_pool1d_with_indices";
  const As2d a = pool1d_args(op, self, kernel_size, stride, padding, dilation);
  auto [v, i] = max_pool2d_impl(op, self.unsqueeze(-2), a.k, a.s, a.p, a.d, ceil_mode);
  return {v.squeeze(-2), i.squeeze(-2)};
}
Tensor max_pool1d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  IntArrayRef dilation, bool ceil_mode) {
  const As2d a = pool1d_args("max_pool1d", self, kernel_size, stride, padding, dilation);
  return std::get<0>(max_pool2d_impl("max_pool1d", self.unsqueeze(-2), a.k, a.s, a.p, a.d, ceil_mode)).squeeze(-2);
}

Tensor avg_pool2d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor_override) {
  return avg_pool2d_impl("avg_pool2d", self, kernel_size, stride, padding, ceil_mode, count_include_pad,
                         divisor_override);
}
Tensor avg_pool1d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  bool ceil_mode, bool count_include_pad) {
  const As2d a = pool1d_args("avg_pool1d", self, kernel_size, stride, padding, 1);
  return avg_pool2d_impl("avg_pool1d", self.unsqueeze(-2), a.k, a.s, a.p, ceil_mode, count_include_pad, std::nullopt)
      .squeeze(-2);
}

Tensor adaptive_avg_pool2d(const Tensor& self, IntArrayRef output_size) {
  Tensor x = adaptive_input("adaptive_avg_pool2d", self, output_size, 2);
  return unbatchify(avg_core(x, PoolOp::AdaptiveAvg, {}, output_size[0], output_size[1]), self, 4);
}
Tensor adaptive_avg_pool1d(const Tensor& self, IntArrayRef output_size) {
  Tensor x = adaptive_input("adaptive_avg_pool1d", self, output_size, 1);
  return unbatchify(avg_core(x, PoolOp::AdaptiveAvg, {}, 1, output_size[0]).squeeze(2), self, 3);
}
std::tuple<Tensor, Tensor> adaptive_max_pool2d(const Tensor& self, IntArrayRef output_size) {
  Tensor x = adaptive_input("adaptive_max_pool2d", self, output_size, 2);
  auto [v, i] = max_pool_core(x, PoolOp::AdaptiveMax, {}, output_size[0], output_size[1]);
  return {unbatchify(v, self, 4), unbatchify(i, self, 4)};
}
std::tuple<Tensor, Tensor> adaptive_max_pool1d(const Tensor& self, IntArrayRef output_size) {
  Tensor x = adaptive_input("adaptive_max_pool1d", self, output_size, 1);
  auto [v, i] = max_pool_core(x, PoolOp::AdaptiveMax, {}, 1, output_size[0]);
  return {unbatchify(v.squeeze(2), self, 3), unbatchify(i.squeeze(2), self, 3)};
}

}  // namespace ember
