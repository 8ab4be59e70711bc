// The 2-D convolution core: each of its three products (forward, transposed, weight
// gradient) runs by the backend's convolution library when it has one (cuDNN), else as
// im2col + GEMM forward, GEMM + col2im for the transposed direction, and the weight
// gradient as a sum of per-sample GEMMs over the columns.
// The columns of a chunk of samples are built just before their GEMM and stay in cache;
// a 1x1 stride-1 convolution multiplies the input directly. Nothing is saved beyond the
// inputs: backward rebuilds the columns, which keeps training memory at the activations.
#include <algorithm>

#include "src/ops/conv_common.h"

namespace ember::ops {
namespace {

using backend::Backend;

// Bytes of column buffer per chunk: small enough to stay in L2 between im2col and GEMM.
constexpr int64_t kColumnBudget = int64_t(1) << 20;

int64_t chunk_samples(int64_t n, int64_t bytes_per_sample) {
  return std::clamp<int64_t>(kColumnBudget / std::max<int64_t>(bytes_per_sample, 1), 1, std::max<int64_t>(n, 1));
}

Backend::Window2d window(const ConvGeom& g) { return {g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw}; }

// A 1x1 window with unit stride and no padding: the columns are the image itself.
bool pointwise(const ConvGeom& g, int64_t h, int64_t w, int64_t oh, int64_t ow) {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0 && oh == h && ow == w;
}

char* at(const Tensor& t, int64_t elems) { return static_cast<char*>(t.data_ptr()) + elems * t.element_size(); }

// One direction of the convolution by the backend's own library (cuDNN on CUDA);
// false when it has none and the im2col/GEMM path below runs.
bool by_library(Backend::ConvDirection dir, const Tensor& a, const Tensor& b, const Tensor& out, const ConvGeom& g) {
  const auto be = detail::backend_of(out);
  RawArg ra(a.data_ptr(), a.dtype(), a.sizes()), rb(b.data_ptr(), b.dtype(), b.sizes()),
      ro(out.data_ptr(), out.dtype(), out.sizes());
  return be->convolution(dir, ra.arg, rb.arg, ro.arg, window(g), g.groups);
}

struct Gemm {
  Backend& be;
  ScalarType dt;
  // c[i] = op(a[i]) @ op(b[i]) (+ beta * c[i]) for i < batch.
  void operator()(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const void* a, int64_t lda, int64_t sa,
                  const void* b, int64_t ldb, int64_t sb, void* c, int64_t ldc, int64_t sc, int64_t batch,
                  double beta) const {
    be.gemm(backend::GemmArgs{dt, ta, tb, m, n, k, a, lda, sa, b, ldb, sb, c, ldc, sc, batch, 1.0, beta});
  }
};

Tensor conv_forward(const Tensor& x_in, const Tensor& w_in, const Tensor& bias, const ConvGeom& g, int64_t oh,
                    int64_t ow) {
  const Tensor x = x_in.contiguous(), w = w_in.contiguous();
  const ScalarType dt = x.dtype();
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), o = w.size(0), groups = g.groups;
  const int64_t cg = c / groups, og = o / groups, k = cg * g.kh * g.kw, l = oh * ow;
  Tensor y = detail::make_tensor({n, o, oh, ow}, dt, x.device());
  if (y.numel() == 0) return y;
  if (k != 0 && by_library(Backend::ConvDirection::Forward, x, w, y, g)) {
    if (bias.defined()) {
      NoGradGuard ng;
      y.add_(bias.view({1, o, 1, 1}));
    }
    return y;
  }
  double beta = 0;
  if (bias.defined()) {
    NoGradGuard ng;
    y.copy_(bias.view({1, o, 1, 1}).expand(y.sizes()));
    beta = 1;
  }
  if (k == 0) {
    if (!bias.defined()) y.zero_();
    return y;
  }
  const auto be = detail::backend_of(x);
  const Gemm gemm{*be, dt};
  const bool direct = pointwise(g, h, wd, oh, ow);
  const int64_t chunk = direct ? n : chunk_samples(n, c * g.kh * g.kw * l * x.element_size());
  Tensor cols = direct ? Tensor() : detail::make_tensor({chunk, c, g.kh, g.kw, oh, ow}, dt, x.device());
  for (int64_t n0 = 0; n0 < n; n0 += chunk) {
    const int64_t b = std::min(chunk, n - n0);
    char* src = at(x, n0 * c * h * wd);
    if (!direct) {
      RawArg in(src, dt, {b, c, h, wd}), co(cols.data_ptr(), dt, {b, c, g.kh, g.kw, oh, ow});
      be->im2col(in.arg, co.arg, window(g));
      src = static_cast<char*>(cols.data_ptr());
    }
    const int64_t sample = c * g.kh * g.kw * l;  // column elements per sample
    if (groups == 1) {
      gemm(false, false, o, l, k, w.data_ptr(), k, 0, src, l, sample, at(y, n0 * o * l), l, o * l, b, beta);
    } else {
      for (int64_t i = 0; i < b; ++i)
        gemm(false, false, og, l, k, w.data_ptr(), k, og * k, src + i * sample * x.element_size(), l, k * l,
             at(y, (n0 + i) * o * l), l, og * l, groups, beta);
    }
  }
  return y;
}

Tensor conv_transpose_forward(const Tensor& x_in, const Tensor& w_in, const Tensor& bias, const ConvGeom& g,
                              int64_t oh, int64_t ow) {
  const Tensor x = x_in.contiguous(), w = w_in.contiguous();
  const ScalarType dt = x.dtype();
  const int64_t n = x.size(0), cx = x.size(1), hi = x.size(2), wi = x.size(3), groups = g.groups;
  const int64_t og = w.size(1), o = og * groups, cxg = cx / groups, kc = og * g.kh * g.kw, li = hi * wi;
  Tensor y = detail::make_tensor({n, o, oh, ow}, dt, x.device());
  if (y.numel() == 0) return y;
  if (cx == 0 || li == 0) {
    y.zero_();
  } else if (by_library(Backend::ConvDirection::BackwardData, x, w, y, g)) {
    // The transposed convolution is the data gradient of the convolution w maps y to x by.
  } else {
    const auto be = detail::backend_of(x);
    const Gemm gemm{*be, dt};
    const bool direct = pointwise(g, oh, ow, hi, wi);
    const int64_t sample = o * g.kh * g.kw * li;  // column elements per sample
    const int64_t chunk = direct ? n : chunk_samples(n, sample * x.element_size());
    Tensor cols = direct ? Tensor() : detail::make_tensor({chunk, o, g.kh, g.kw, hi, wi}, dt, x.device());
    for (int64_t n0 = 0; n0 < n; n0 += chunk) {
      const int64_t b = std::min(chunk, n - n0);
      char* dst = direct ? at(y, n0 * o * oh * ow) : static_cast<char*>(cols.data_ptr());
      const char* src = at(x, n0 * cx * li);
      if (groups == 1) {
        gemm(true, false, kc, li, cx, w.data_ptr(), kc, 0, src, li, cx * li, dst, li, sample, b, 0.0);
      } else {
        for (int64_t i = 0; i < b; ++i)
          gemm(true, false, kc, li, cxg, w.data_ptr(), kc, cxg * kc, src + i * cx * li * x.element_size(), li,
               cxg * li, dst + i * sample * x.element_size(), li, kc * li, groups, 0.0);
      }
      if (!direct) {
        RawArg co(cols.data_ptr(), dt, {b, o, g.kh, g.kw, hi, wi}), out(at(y, n0 * o * oh * ow), dt, {b, o, oh, ow});
        be->col2im(co.arg, out.arg, window(g));
      }
    }
  }
  if (bias.defined()) {
    NoGradGuard ng;
    y.add_(bias.view({1, o, 1, 1}));
  }
  return y;
}

Tensor weight_grad_forward(const Tensor& x_in, const Tensor& gy_in, const ConvGeom& g) {
  const Tensor x = x_in.contiguous(), gy = gy_in.contiguous();
  const ScalarType dt = x.dtype();
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), groups = g.groups;
  const int64_t o = gy.size(1), oh = gy.size(2), ow = gy.size(3);
  const int64_t cg = c / groups, og = o / groups, k = cg * g.kh * g.kw, l = oh * ow;
  Tensor gw = detail::make_tensor({o, cg, g.kh, g.kw}, dt, x.device());
  if (gw.numel() == 0) return gw;
  if (n == 0 || l == 0) return gw.zero_();
  if (by_library(Backend::ConvDirection::BackwardWeight, x, gy, gw, g)) return gw;
  const auto be = detail::backend_of(x);
  const Gemm gemm{*be, dt};
  const bool direct = pointwise(g, h, wd, oh, ow);
  const int64_t sample = c * g.kh * g.kw * l;
  // A chunk's columns and its per-sample weight gradients stay within the budget.
  const int64_t chunk = chunk_samples(n, ((direct ? 0 : sample) + (groups == 1 ? o * k : 0)) * x.element_size());
  Tensor cols = direct ? Tensor() : detail::make_tensor({chunk, c, g.kh, g.kw, oh, ow}, dt, x.device());
  const Tensor per_sample = groups == 1 ? detail::make_tensor({chunk, o, k}, dt, x.device()) : Tensor();
  for (int64_t n0 = 0; n0 < n; n0 += chunk) {
    const int64_t b = std::min(chunk, n - n0);
    char* src = at(x, n0 * c * h * wd);
    if (!direct) {
      RawArg in(src, dt, {b, c, h, wd}), co(cols.data_ptr(), dt, {b, c, g.kh, g.kw, oh, ow});
      be->im2col(in.arg, co.arg, window(g));
      src = static_cast<char*>(cols.data_ptr());
    }
    if (groups == 1) {
      // One batched product for the chunk's samples (split over threads by sample), then
      // their sum: the samples' products are independent, where accumulating into gw one
      // sample at a time would serialise them.
      gemm(false, true, o, k, l, at(gy, n0 * o * l), l, o * l, src, l, sample, per_sample.data_ptr(), k, o * k, b,
           0.0);
      NoGradGuard ng;
      const Tensor chunk_sum = per_sample.narrow(0, 0, b).sum(0);
      if (n0 == 0) gw.view({o, k}).copy_(chunk_sum);
      else gw.view({o, k}).add_(chunk_sum);
    } else {
      for (int64_t i = 0; i < b; ++i)
        gemm(false, true, og, k, l, at(gy, (n0 + i) * o * l), l, og * l, src + i * sample * x.element_size(), l,
             k * l, gw.data_ptr(), k, og * k, groups, n0 + i == 0 ? 0.0 : 1.0);
    }
  }
  return gw;
}

}  // namespace

Tensor conv2d_core(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvGeom& g, bool transposed,
                   int64_t oh, int64_t ow) {
  Tensor y = transposed ? conv_transpose_forward(x, w, bias, g, oh, ow) : conv_forward(x, w, bias, g, oh, ow);
  if (auto* n = autograd::record("ConvolutionBackward0", {&x, &w, &bias},
                                 [g, transposed, h = x.size(2), wd = x.size(3)](Node& n, variable_list& gr) {
                                   variable_list r(3);
                                   const Tensor& gy = gr[0];
                                   Tensor x = n.saved(0), w = n.saved(1);
                                   // The two directions are each other's input gradient; the
                                   // weight gradient swaps the roles of image and output.
                                   if (n.needs_input_grad(0)) r[0] = conv2d_core(gy, w, Tensor(), g, !transposed, h, wd);
                                   if (n.needs_input_grad(1))
                                     r[1] = transposed ? conv2d_weight_grad(gy, x, g) : conv2d_weight_grad(x, gy, g);
                                   if (n.needs_input_grad(2)) r[2] = gy.sum({0, 2, 3});
                                   return r;
                                 })) {
    autograd::set_history(y, n);
    n->save(x);
    n->save(w);
  }
  return y;
}

Tensor conv2d_weight_grad(const Tensor& x, const Tensor& gy, const ConvGeom& g) {
  Tensor gw = weight_grad_forward(x, gy, g);
  if (auto* n = autograd::record(
          "ConvolutionBackwardBackward0", {&x, &gy},
          [g, h = x.size(2), wd = x.size(3), oh = gy.size(2), ow = gy.size(3)](Node& n, variable_list& gr) {
            // gw is bilinear in (x, gy): <ggw, gw> = <gy, conv(x, ggw)> = <x, conv_transpose(gy, ggw)>.
            variable_list r(2);
            const Tensor& ggw = gr[0];
            Tensor x = n.saved(0), gy = n.saved(1);
            if (n.needs_input_grad(0)) r[0] = conv2d_core(gy, ggw, Tensor(), g, true, h, wd);
            if (n.needs_input_grad(1)) r[1] = conv2d_core(x, ggw, Tensor(), g, false, oh, ow);
            return r;
          })) {
    autograd::set_history(gw, n);
    n->save(x);
    n->save(gy);
  }
  return gw;
}

}  // namespace ember::ops
