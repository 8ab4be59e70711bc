// The per-element window math the CUDA kernels run (backends/common/window_ops.h:
// im2col, col2im, max/average/adaptive pooling and the average-pool adjoint), evaluated
// on the CPU over every element and compared with the CPU backend's results through the
// public ops, so the device formulas are checked on every build.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <cmath>
#include <limits>

#include "backends/common/window_ops.h"

using namespace ember;
namespace math = ember::backend::math;
using Window2d = ember::backend::Backend::Window2d;
using PoolParams = ember::backend::Backend::PoolParams;

namespace {

struct Geometry {
  int64_t kh, kw, sh, sw, ph, pw, dh, dw;
  Window2d window() const { return {kh, kw, sh, sw, ph, pw, dh, dw}; }
};

const Geometry kGeometries[] = {
    {3, 3, 1, 1, 1, 1, 1, 1},  // the CNN's convolutions
    {2, 2, 2, 2, 0, 0, 1, 1},  // the CNN's pooling
    {3, 2, 2, 3, 1, 0, 2, 1},  // strides, padding and dilation that differ per axis
    {1, 4, 3, 1, 0, 2, 1, 1},
};

bool same(double a, double b, double tol) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::fabs(a - b) <= tol * (1 + std::fabs(b));
}

}  // namespace

TEST_CASE("cuda window math: im2col and col2im per element equal the CPU kernels", "[cuda][window]") {
  manual_seed(4);
  const int64_t n = 2, c = 3, h = 7, w = 6;
  for (const Geometry& g : kGeometries) {
    INFO("kernel " << g.kh << "x" << g.kw << " stride " << g.sh << "," << g.sw << " pad " << g.ph << "," << g.pw
                   << " dilation " << g.dh << "," << g.dw);
    Tensor img = randn({n, c, h, w});
    Tensor cols = im2col(img, {g.kh, g.kw}, {g.dh, g.dw}, {g.ph, g.pw}, {g.sh, g.sw});  // [N, C*kh*kw, L]
    const int64_t oh = (h + 2 * g.ph - g.dh * (g.kh - 1) - 1) / g.sh + 1;
    const int64_t ow = (w + 2 * g.pw - g.dw * (g.kw - 1) - 1) / g.sw + 1;
    REQUIRE(cols.size(2) == oh * ow);
    const math::PlaneSizes s{h, w, oh, ow};
    const float* ip = img.data_ptr<float>();
    const float* cp = cols.data_ptr<float>();
    int64_t mismatches = 0;
    for (int64_t p = 0; p < n * c; ++p)
      for (int64_t i = 0; i < g.kh; ++i)
        for (int64_t j = 0; j < g.kw; ++j)
          for (int64_t y = 0; y < oh; ++y)
            for (int64_t x = 0; x < ow; ++x) {
              const float expected = cp[(((p * g.kh + i) * g.kw + j) * oh + y) * ow + x];
              mismatches += math::im2col_at(ip + p * h * w, s, g.window(), i, j, y, x) != expected;
            }
    CHECK(mismatches == 0);

    Tensor back = col2im(cols, {h, w}, {g.kh, g.kw}, {g.dh, g.dw}, {g.ph, g.pw}, {g.sh, g.sw});
    const float* bp = back.data_ptr<float>();
    mismatches = 0;
    for (int64_t p = 0; p < n * c; ++p)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          mismatches += !same(math::col2im_at(cp + p * g.kh * g.kw * oh * ow, s, g.window(), y, x),
                              bp[(p * h + y) * w + x], 1e-6);
    CHECK(mismatches == 0);
  }
}

TEST_CASE("cuda window math: pooling per element equals the CPU kernels, NaN and ties included", "[cuda][window]") {
  manual_seed(5);
  const int64_t n = 2, c = 2, h = 9, w = 8;
  Tensor img = randn({n, c, h, w});
  img.index_put_({0, 0, 3, 4}, std::numeric_limits<double>::quiet_NaN());
  img.index_put_({1, 1, 0, 0}, 5.0);
  img.index_put_({1, 1, 0, 1}, 5.0);  // a tie: the first maximum wins
  const float* ip = img.data_ptr<float>();

  for (const Geometry& g : kGeometries) {
    if (g.ph * 2 > g.kh || g.pw * 2 > g.kw) continue;  // pooling padding is at most half the window
    INFO("kernel " << g.kh << "x" << g.kw << " stride " << g.sh << "," << g.sw << " pad " << g.ph << "," << g.pw);
    auto [mx, idx] = max_pool2d_with_indices(img, {g.kh, g.kw}, {g.sh, g.sw}, {g.ph, g.pw}, {g.dh, g.dw});
    const math::PlaneSizes s{h, w, mx.size(2), mx.size(3)};
    int64_t mismatches = 0;
    for (int64_t p = 0; p < n * c; ++p)
      for (int64_t y = 0; y < s.oh; ++y)
        for (int64_t x = 0; x < s.ow; ++x) {
          float v;
          int64_t k;
          math::max_pool_at(ip + p * h * w, s, g.window(), false, y, x, v, k);
          const int64_t o = (p * s.oh + y) * s.ow + x;
          mismatches += !same(v, mx.data_ptr<float>()[o], 0) || k != idx.data_ptr<int64_t>()[o];
        }
    CHECK(mismatches == 0);

    for (bool include_pad : {true, false}) {
      Tensor x = where(img.isnan(), zeros_like(img), img).requires_grad_();
      Tensor avg = avg_pool2d(x, {g.kh, g.kw}, {g.sh, g.sw}, {g.ph, g.pw}, false, include_pad);
      Tensor grad_out = randn(avg.sizes());
      avg.backward(grad_out);
      PoolParams prm{g.window(), include_pad, 0};
      const math::PlaneSizes a{h, w, avg.size(2), avg.size(3)};
      const float* xp = x.data_ptr<float>();
      mismatches = 0;
      for (int64_t p = 0; p < n * c; ++p) {
        for (int64_t y = 0; y < a.oh; ++y)
          for (int64_t q = 0; q < a.ow; ++q)
            mismatches += !same(math::avg_pool_at(xp + p * h * w, a, prm, false, y, q),
                                avg.data_ptr<float>()[(p * a.oh + y) * a.ow + q], 1e-6);
        for (int64_t y = 0; y < h; ++y)
          for (int64_t q = 0; q < w; ++q)
            mismatches += !same(math::avg_pool_grad_at(grad_out.data_ptr<float>() + p * a.oh * a.ow, a, prm, false, y, q),
                                x.grad().data_ptr<float>()[(p * h + y) * w + q], 1e-5);
      }
      CHECK(mismatches == 0);
    }
  }
}

TEST_CASE("cuda window math: adaptive pooling per element equals the CPU kernels", "[cuda][window]") {
  manual_seed(6);
  const int64_t h = 10, w = 7;
  for (auto [oh, ow] : {std::pair<int64_t, int64_t>{3, 3}, {4, 5}, {10, 7}, {1, 1}, {6, 2}}) {
    INFO("output " << oh << "x" << ow);
    Tensor x = randn({1, 2, h, w}).requires_grad_();
    auto [mx, idx] = adaptive_max_pool2d(x.detach(), {oh, ow});
    Tensor avg = adaptive_avg_pool2d(x, {oh, ow});
    Tensor grad_out = randn(avg.sizes());
    avg.backward(grad_out);
    const math::PlaneSizes s{h, w, oh, ow};
    const PoolParams prm{};
    const float* xp = x.data_ptr<float>();
    int64_t mismatches = 0;
    for (int64_t p = 0; p < 2; ++p) {
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t q = 0; q < ow; ++q) {
          const int64_t o = (p * oh + y) * ow + q;
          float v;
          int64_t k;
          math::max_pool_at(xp + p * h * w, s, Window2d{}, true, y, q, v, k);
          mismatches += v != mx.data_ptr<float>()[o] || k != idx.data_ptr<int64_t>()[o];
          mismatches += !same(math::avg_pool_at(xp + p * h * w, s, prm, true, y, q), avg.data_ptr<float>()[o], 1e-6);
        }
      for (int64_t y = 0; y < h; ++y)
        for (int64_t q = 0; q < w; ++q)
          mismatches += !same(math::avg_pool_grad_at(grad_out.data_ptr<float>() + p * oh * ow, s, prm, true, y, q),
                              x.grad().data_ptr<float>()[(p * h + y) * w + q], 1e-5);
    }
    CHECK(mismatches == 0);
  }
}
