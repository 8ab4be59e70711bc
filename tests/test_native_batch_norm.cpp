// native_batch_norm and native_batch_norm_backward (libtorch's ATen spellings): the saved
// statistics, the gradient formula against autograd through the composed batch_norm (first
// and second order, training and evaluation), masks and errors; on a GPU, the cuDNN path
// against the CPU.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include "needs_gpu.h"

using namespace ember;
using ember::autograd::variable_list;

namespace {

const auto f64 = TensorOptions().dtype(kDouble);

double max_abs_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.sizes() == b.sizes());
  return (a.to(kDouble).cpu() - b.to(kDouble).cpu()).abs().max().item<double>();
}

struct Case {
  std::vector<int64_t> shape;
  bool affine;
};

}  // namespace

TEST_CASE("native_batch_norm: training returns the batch mean and 1/sqrt(var + eps), eval empty statistics",
          "[norm]") {
  manual_seed(41);
  Tensor x = randn({5, 3, 4}, f64) * 2 + 1, w = randn({3}, f64), b = randn({3}, f64);
  Tensor rm = zeros({3}, f64), rv = ones({3}, f64), rm2 = rm.clone(), rv2 = rv.clone();
  auto [out, mean, invstd] = native_batch_norm(x, w, b, rm, rv, true, 0.1, 1e-5);
  CHECK(max_abs_diff(out, batch_norm(x, w, b, rm2, rv2, true, 0.1, 1e-5, false)) < 1e-12);
  CHECK(max_abs_diff(rm, rm2) < 1e-15);  // running statistics updated as batch_norm does
  CHECK(max_abs_diff(rv, rv2) < 1e-15);
  // By hand: mean and biased variance over N and L of each channel.
  Tensor expect_mean = x.mean({0, 2}), expect_var = (x - expect_mean.reshape({1, 3, 1})).pow(2).mean({0, 2});
  CHECK(mean.sizes() == std::vector<int64_t>{3});
  CHECK(max_abs_diff(mean, expect_mean) < 1e-14);
  CHECK(max_abs_diff(invstd, (expect_var + 1e-5).rsqrt()) < 1e-12);
  CHECK_FALSE(mean.requires_grad());

  auto [eval_out, m0, s0] = native_batch_norm(x, w, b, rm, rv, false, 0.1, 1e-5);
  CHECK(max_abs_diff(eval_out, batch_norm(x, w, b, rm, rv, false, 0.1, 1e-5, false)) < 1e-12);
  CHECK(m0.numel() == 0);
  CHECK(s0.numel() == 0);
}

TEST_CASE("native_batch_norm_backward: gradients equal autograd through batch_norm, training and eval",
          "[norm][autograd]") {
  manual_seed(42);
  const std::vector<Case> cases = {{{6, 4}, true}, {{3, 2, 5}, true}, {{2, 3, 4, 5}, false}, {{2, 2, 3, 2, 2}, true}};
  for (const Case& c : cases) {
    for (bool train : {true, false}) {
      INFO("shape " << IntArrayRef(c.shape) << (train ? " training" : " eval") << (c.affine ? " affine" : ""));
      const int64_t ch = c.shape[1];
      Tensor x = (randn(c.shape, f64) * 1.5 + 0.5).requires_grad_();
      Tensor w = c.affine ? (randn({ch}, f64) + 1).requires_grad_() : Tensor();
      Tensor b = c.affine ? randn({ch}, f64).requires_grad_() : Tensor();
      Tensor rm = randn({ch}, f64), rv = rand({ch}, f64) + 0.5;
      const std::optional<Tensor> wo = c.affine ? std::optional<Tensor>(w) : std::nullopt;
      const std::optional<Tensor> bo = c.affine ? std::optional<Tensor>(b) : std::nullopt;
      Tensor g = randn(c.shape, f64);
      Tensor y = batch_norm(x, wo, bo, rm.clone(), rv.clone(), train, 0.1, 1e-5, false);
      y.backward(g);
      Tensor sm, si;
      {
        NoGradGuard ng;
        auto stats = native_batch_norm(x, wo, bo, rm.clone(), rv.clone(), train, 0.1, 1e-5);
        sm = std::get<1>(stats);
        si = std::get<2>(stats);
      }
      NoGradGuard ng;
      auto [gx, gw, gb] = native_batch_norm_backward(g, x, wo, rm, rv, sm, si, train, 1e-5, {true, c.affine, c.affine});
      CHECK(max_abs_diff(gx, x.grad()) < 1e-10);
      if (c.affine) {
        CHECK(max_abs_diff(gw, w.grad()) < 1e-10);
        CHECK(max_abs_diff(gb, b.grad()) < 1e-10);
      } else {
        CHECK_FALSE(gw.defined());
        CHECK_FALSE(gb.defined());
      }
    }
  }
}

TEST_CASE("native_batch_norm_backward: differentiable, so second derivatives equal batch_norm's",
          "[norm][autograd]") {
  manual_seed(43);
  Tensor x = (randn({4, 3, 5}, f64) * 2).requires_grad_(), w = (randn({3}, f64) + 1).requires_grad_();
  Tensor g = randn({4, 3, 5}, f64), h = randn({4, 3, 5}, f64);
  // d/dx and d/dw of sum(h * dL/dx), with dL/dx from autograd through batch_norm...
  Tensor y = batch_norm(x, w, std::nullopt, std::nullopt, std::nullopt, true, 0.1, 1e-5, false);
  variable_list gx = autograd::grad({y}, {x}, {g}, std::nullopt, /*create_graph=*/true);
  variable_list want = autograd::grad({(gx[0] * h).sum()}, {x, w});
  // ...and from the formula.
  auto [fx, fw, fb] = native_batch_norm_backward(g, x, w, std::nullopt, std::nullopt, std::nullopt, std::nullopt, true,
                                                 1e-5, {true, false, false});
  REQUIRE(fx.requires_grad());
  variable_list got = autograd::grad({(fx * h).sum()}, {x, w});
  CHECK(max_abs_diff(got[0], want[0]) < 1e-9);
  CHECK(max_abs_diff(got[1], want[1]) < 1e-9);
}

TEST_CASE("native_batch_norm_backward: errors name the op and the shapes", "[norm]") {
  Tensor x = ones({2, 3, 4}, f64);
  CHECK_THROWS_WITH(native_batch_norm_backward(ones({2, 3}, f64), x, std::nullopt, std::nullopt, std::nullopt,
                                               std::nullopt, std::nullopt, true, 1e-5, {true, true, true}),
                    Catch::Contains("native_batch_norm_backward") && Catch::Contains("[2, 3]"));
  CHECK_THROWS_AS(native_batch_norm_backward(ones({2, 3, 4}, f64), x, std::nullopt, std::nullopt, std::nullopt,
                                             std::nullopt, std::nullopt, false, 1e-5, {true, true, true}),
                  Error);  // evaluation needs the running statistics
  CHECK_THROWS_AS(native_batch_norm_backward(ones({2, 3, 4}, f64), x, ones({4}, f64), std::nullopt, std::nullopt,
                                             std::nullopt, std::nullopt, true, 1e-5, {true, true, true}),
                  ShapeError);
}

TEST_CASE("batch_norm on cuDNN: outputs, running statistics and gradients match the CPU (needs GPU)",
          "[norm][cuda][gpu]") {
  EMBER_NEEDS_GPU();
  REQUIRE(cuda::cudnn_is_available());
  manual_seed(44);
  const std::vector<Case> cases = {{{16, 8}, true}, {{8, 6, 9}, true}, {{4, 5, 7, 6}, true}, {{4, 5, 7, 6}, false},
                                   {{2, 3, 4, 5, 3}, true}};
  for (ScalarType dt : {kFloat, kDouble, kHalf}) {
    for (const Case& c : cases) {
      INFO(dt << " shape " << IntArrayRef(c.shape));
      const ScalarType stats = dt == kDouble ? kDouble : kFloat;
      const int64_t ch = c.shape[1];
      Tensor x = randn(c.shape).to(dt).to(stats).requires_grad_();
      Tensor w = c.affine ? (randn({ch}, TensorOptions().dtype(stats)) + 1).requires_grad_() : Tensor();
      Tensor b = c.affine ? randn({ch}, TensorOptions().dtype(stats)).requires_grad_() : Tensor();
      Tensor rm = zeros({ch}, TensorOptions().dtype(stats)), rv = ones({ch}, TensorOptions().dtype(stats));
      Tensor g = randn(c.shape).to(dt).to(stats);
      auto opt = [](const Tensor& t) { return t.defined() ? std::optional<Tensor>(t) : std::nullopt; };
      Tensor y = batch_norm(x, opt(w), opt(b), rm, rv, true, 0.1, 1e-5, false);
      y.backward(g);

      Tensor xg = x.detach().cuda().to(dt).requires_grad_();
      Tensor wg = c.affine ? w.detach().cuda().requires_grad_() : Tensor();
      Tensor bg = c.affine ? b.detach().cuda().requires_grad_() : Tensor();
      Tensor rmg = zeros({ch}, TensorOptions().dtype(stats).device(kCUDA)), rvg = ones_like(rmg);
      Tensor yg = batch_norm(xg, opt(wg), opt(bg), rmg, rvg, true, 0.1, 1e-5, true);
      REQUIRE(yg.dtype() == dt);
      yg.backward(g.cuda().to(dt));
      const double tol = dt == kHalf ? 5e-3 : dt == kFloat ? 1e-4 : 1e-10;
      CHECK(max_abs_diff(yg, y) <= tol * 10);
      CHECK(max_abs_diff(rmg, rm) <= tol);
      CHECK(max_abs_diff(rvg, rv) <= tol);
      CHECK(max_abs_diff(xg.grad(), x.grad()) <= tol * 10);
      if (c.affine) {
        CHECK(max_abs_diff(wg.grad(), w.grad()) <= tol * 100);
        CHECK(max_abs_diff(bg.grad(), b.grad()) <= tol * 100);
      }
    }
  }
  // Double backward on CUDA goes through the formula in ops.
  Tensor x = randn({4, 3, 5}, f64).requires_grad_(), w = (randn({3}, f64) + 1).requires_grad_();
  Tensor g = randn({4, 3, 5}, f64), h = randn({4, 3, 5}, f64);
  Tensor xg = x.detach().cuda().requires_grad_(), wg = w.detach().cuda().requires_grad_();
  variable_list c1 = autograd::grad({batch_norm(x, w, std::nullopt, std::nullopt, std::nullopt, true, 0.1, 1e-5, false)},
                                    {x}, {g}, std::nullopt, true);
  variable_list g1 = autograd::grad({batch_norm(xg, wg, std::nullopt, std::nullopt, std::nullopt, true, 0.1, 1e-5, true)},
                                    {xg}, {g.cuda()}, std::nullopt, true);
  variable_list c2 = autograd::grad({(c1[0] * h).sum()}, {x, w});
  variable_list g2 = autograd::grad({(g1[0] * h.cuda()).sum()}, {xg, wg});
  CHECK(max_abs_diff(g2[0], c2[0]) < 1e-9);
  CHECK(max_abs_diff(g2[1], c2[1]) < 1e-9);
}

TEST_CASE("batch_norm: float16 and bfloat16 inputs normalize in float and keep their dtype", "[norm]") {
  manual_seed(45);
  // A deviation of 300 squares past float16's range (65504); a mean of 1000 leaves bfloat16
  // little room for the deviation.
  Tensor x = randn({8, 3, 5}) * 300 + 1000;
  Tensor w = randn({3}) + 1, b = randn({3});
  for (ScalarType dt : {kHalf, kBFloat16}) {
    INFO(dt);
    Tensor xr = x.to(dt).to(kFloat);  // the values the 16-bit tensor holds
    const double tol = dt == kHalf ? 2e-3 : 2e-2;
    Tensor rm = zeros({3}), rv = ones({3}), rm16 = zeros({3}), rv16 = ones({3});
    Tensor y = batch_norm(xr, w, b, rm, rv, true, 0.1, 1e-5, false);
    Tensor y16 = batch_norm(x.to(dt), w, b, rm16, rv16, true, 0.1, 1e-5, false);
    REQUIRE(y16.dtype() == dt);
    CHECK(max_abs_diff(y16, y) < tol * 8);  // |y| up to about 4 standard deviations
    CHECK(max_abs_diff(rm16, rm) < 1e-3);
    CHECK(max_abs_diff(rv16, rv) / rv.abs().max().item<double>() < 1e-5);
    Tensor e = batch_norm(xr, w, b, rm, rv, false, 0.1, 1e-5, false);
    Tensor e16 = batch_norm(x.to(dt), w, b, rm, rv, false, 0.1, 1e-5, false);
    REQUIRE(e16.dtype() == dt);
    CHECK(max_abs_diff(e16, e) < tol * 8);
  }
}
