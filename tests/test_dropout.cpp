// dropout, feature_dropout, alpha_dropout (and in-place forms): identity when not
// training, the kept/dropped values and their scaling, masks per channel for the
// feature variants, seeding, gradients through the mask, and argument errors.
#include "nn_test_util.h"

using namespace nn_test;
using ember::Tensor;

namespace {
constexpr double kAlpha = 1.7580993408473766;  // -selu's negative saturation
}

TEST_CASE("dropout: identity when not training or p == 0, zeros when p == 1", "[dropout]") {
  Tensor x = seq({4, 5}, 0.2);
  CHECK(ember::dropout(x, 0.5, false).is_same(x));
  CHECK(ember::dropout(x, 0.0, true).is_same(x));
  CHECK(ember::feature_dropout(x, 0.3, false).is_same(x));
  CHECK(ember::alpha_dropout(x, 0.3, false).is_same(x));
  Tensor z = ember::dropout(x, 1.0, true);
  CHECK(z.sizes() == x.sizes());
  CHECK(ember::equal(z, ember::zeros_like(x)));
  CHECK(ember::equal(ember::alpha_dropout(x, 1.0, true), ember::zeros_like(x)));
  // p == 1 keeps the graph: the gradient is zero, not missing.
  Tensor xg = x.clone().requires_grad_(true);
  ember::dropout(xg, 1.0, true).sum().backward();
  CHECK(ember::equal(xg.grad(), ember::zeros_like(x)));
}

TEST_CASE("dropout: kept elements scaled by 1 / (1 - p), drop rate close to p", "[dropout]") {
  ember::manual_seed(123);
  const double p = 0.3;
  Tensor x = ember::ones({200, 100});
  Tensor y = ember::dropout(x, p, true);
  Tensor dropped = (y == 0.0);
  Tensor kept = (y != 0.0);
  const double rate = dropped.to(ember::kDouble).mean().item<double>();
  CHECK(std::fabs(rate - p) < 0.02);
  // Every kept value equals 1 / (1 - p).
  CHECK(ember::allclose(ember::where(kept, y, ember::full_like(y, 1.0 / (1 - p))), ember::full_like(y, 1.0 / (1 - p))));
  // The expectation is preserved.
  CHECK(std::fabs(y.mean().item<double>() - 1.0) < 0.03);
  // Same seed, same mask; another draw differs.
  ember::manual_seed(123);
  CHECK(ember::equal(ember::dropout(x, p, true), y));
  CHECK_FALSE(ember::equal(ember::dropout(x, p, true), y));
  // float64 input keeps its dtype.
  Tensor yd = ember::dropout(ember::ones({10}, ember::TensorOptions().dtype(ember::kDouble)), 0.5, true);
  CHECK(yd.dtype() == ember::kDouble);
}

TEST_CASE("dropout: the gradient is the mask times 1 / (1 - p)", "[dropout]") {
  ember::manual_seed(5);
  Tensor x = seq({8, 16}, 0.1).requires_grad_(true);
  Tensor y = ember::dropout(x, 0.4, true);
  y.sum().backward();
  Tensor expected = ember::where(y != 0.0, ember::full_like(y, 1.0 / 0.6), ember::zeros_like(y)).detach();
  CHECK(ember::allclose(x.grad(), expected));
}

TEST_CASE("feature_dropout: whole (N, C) planes are dropped or kept", "[dropout]") {
  ember::manual_seed(7);
  const double p = 0.5;
  Tensor x = ember::ones({16, 8, 3, 4});
  Tensor y = ember::feature_dropout(x, p, true);
  Tensor plane_min = y.amin({2, 3}), plane_max = y.amax({2, 3});
  CHECK(ember::equal(plane_min, plane_max));  // constant within each plane
  Tensor vals = plane_min.reshape({-1});
  CHECK(((vals == 0.0).logical_or(vals == 2.0)).all().item<bool>());
  const double rate = (vals == 0.0).to(ember::kDouble).mean().item<double>();
  CHECK(rate > 0.3);
  CHECK(rate < 0.7);
  // 2-d inputs drop per (N, C) element.
  Tensor y2 = ember::feature_dropout(ember::ones({50, 4}), 0.5, true);
  CHECK(((y2 == 0.0).logical_or(y2 == 2.0)).all().item<bool>());
}

TEST_CASE("alpha_dropout: dropped value and affine correction keep mean and variance", "[dropout]") {
  ember::manual_seed(11);
  const double p = 0.2;
  const double a = 1.0 / std::sqrt((kAlpha * kAlpha * p + 1) * (1 - p));
  const double b = kAlpha * a * p;
  Tensor x = ember::randn({400, 250}, ember::TensorOptions().dtype(ember::kDouble));
  Tensor y = ember::alpha_dropout(x, p, true);
  // Each element is either a * x + b (kept) or -alpha * a + b (dropped).
  Tensor kept_val = x * a + b;
  const double dropped_val = -kAlpha * a + b;
  Tensor is_kept = ember::isclose(y, kept_val, 1e-12, 1e-12);
  Tensor is_dropped = ember::isclose(y, ember::full_like(y, dropped_val), 1e-12, 1e-12);
  CHECK(is_kept.logical_or(is_dropped).all().item<bool>());
  const double rate = is_dropped.logical_and(is_kept.logical_not()).to(ember::kDouble).mean().item<double>();
  CHECK(std::fabs(rate - p) < 0.01);
  CHECK(std::fabs(y.mean().item<double>()) < 0.02);
  CHECK(std::fabs(((y - y.mean()) * (y - y.mean())).mean().item<double>() - 1.0) < 0.03);
  // Feature variant on ones: each (N, C) plane is all a + b (kept) or all the dropped value.
  Tensor yf = ember::feature_alpha_dropout(ember::ones({30, 5, 7}, ember::TensorOptions().dtype(ember::kDouble)), p, true);
  CHECK(ember::equal(yf.amin({2}), yf.amax({2})));
  Tensor planes = yf.amin({2});
  Tensor hit_kept = ember::isclose(planes, ember::full_like(planes, a + b), 1e-12, 1e-12);
  Tensor hit_dropped = ember::isclose(planes, ember::full_like(planes, dropped_val), 1e-12, 1e-12);
  CHECK(hit_kept.logical_or(hit_dropped).all().item<bool>());
  CHECK(hit_dropped.any().item<bool>());
  CHECK(hit_kept.any().item<bool>());
}

TEST_CASE("dropout: in-place variants write into self", "[dropout]") {
  ember::manual_seed(3);
  Tensor x = ember::ones({40, 30});
  const auto v0 = x._version();
  Tensor& r = ember::dropout_(x, 0.5, true);
  CHECK(r.is_same(x));
  CHECK(x._version() > v0);
  CHECK(((x == 0.0).logical_or(x == 2.0)).all().item<bool>());
  CHECK((x == 0.0).any().item<bool>());
  Tensor f = ember::ones({4, 6, 5});
  ember::feature_dropout_(f, 0.5, true);
  CHECK(ember::equal(f.amin({2}), f.amax({2})));
  Tensor same = seq({3, 3}, 0.0);
  Tensor keep = same.clone();
  ember::dropout_(same, 0.5, false);
  ember::alpha_dropout_(same, 0.0, true);
  CHECK(ember::equal(same, keep));
  Tensor ad = ember::randn({10, 10});
  ember::alpha_dropout_(ad, 0.5, true);
  ember::feature_alpha_dropout_(ad, 0.5, true);
  CHECK(ember::isfinite(ad).all().item<bool>());
  // On a non-leaf with grad: recorded like mul_.
  Tensor leaf = seq({5, 5}, 0.3).requires_grad_(true);
  Tensor h = leaf * 2.0;
  ember::dropout_(h, 0.5, true);
  h.sum().backward();
  CHECK(((leaf.grad() == 0.0).logical_or(leaf.grad() == 4.0)).all().item<bool>());
}

TEST_CASE("dropout: bad p and bad inputs raise errors naming the op", "[dropout]") {
  Tensor x = seq({4, 5}, 0.0);
  CHECK_OP_ERROR(ember::dropout(x, 1.5, true), ember::Error, "dropout", "between 0 and 1, but got 1.5");
  CHECK_OP_ERROR(ember::dropout(x, -0.1, false), ember::Error, "dropout", "between 0 and 1");
  CHECK_OP_ERROR(ember::feature_dropout(x, 2.0, true), ember::Error, "feature_dropout", "probability");
  CHECK_OP_ERROR(ember::alpha_dropout(x, -1.0, true), ember::Error, "alpha_dropout", "probability");
  CHECK_OP_ERROR(ember::feature_alpha_dropout(x, 1.01, true), ember::Error, "feature_alpha_dropout", "probability");
  CHECK_OP_ERROR(ember::dropout_(x, 3.0, true), ember::Error, "dropout_", "probability");
  CHECK_OP_ERROR(ember::feature_dropout(seq({5}, 0.0), 0.5, true), ember::ShapeError, "feature_dropout",
                 "at least 2 dimensions");
  CHECK_OP_ERROR(ember::dropout(ember::arange(4), 0.5, true), ember::DTypeError, "dropout", "floating point");
}
