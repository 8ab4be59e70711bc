// GradScaler (PyTorch's torch.amp.GradScaler): scaling, unscaling, skipped steps on inf/NaN,
// backoff and growth of the scale, and the order rules between unscale_, step and update.
// Expected values are worked out by hand in the comments.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <limits>
#include <vector>

using namespace ember;

namespace {

std::vector<float> values(const Tensor& t) {
  Tensor c = t.detach().contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// loss = 3 * sum(p^2) at p = [1, 2]: dloss/dp = 6p = [6, 12].
Tensor quadratic_loss(const Tensor& p) { return (p * p).sum() * 3; }

}  // namespace

TEST_CASE("amp: scale multiplies by the scale and keeps the graph", "[amp]") {
  amp::GradScaler scaler(amp::GradScalerOptions().init_scale(1024));
  Tensor p = tensor({1.0f, 2.0f}).requires_grad_();
  Tensor scaled = scaler.scale(quadratic_loss(p));
  CHECK(scaled.item<float>() == 15.0f * 1024);  // 3 * (1 + 4) = 15
  scaled.backward();
  CHECK(values(p.grad()) == std::vector<float>{6.0f * 1024, 12.0f * 1024});
  CHECK(scaler.get_scale() == 1024.0);
}

TEST_CASE("amp: step unscales once, steps on finite gradients and counts towards growth", "[amp]") {
  amp::GradScaler scaler(amp::GradScalerOptions().init_scale(1024).growth_interval(3));
  Tensor p = tensor({1.0f, 2.0f}).requires_grad_();
  optim::SGD opt({p}, optim::SGDOptions(0.1));
  SECTION("step alone") {
    scaler.scale(quadratic_loss(p)).backward();
    CHECK(scaler.step(opt));
  }
  SECTION("unscale_ first, then step does not unscale again") {
    scaler.scale(quadratic_loss(p)).backward();
    scaler.unscale_(opt);
    CHECK(values(p.grad()) == std::vector<float>{6.0f, 12.0f});
    CHECK(scaler.step(opt));
  }
  // p - 0.1 * [6, 12] = [0.4, 0.8]
  auto v = values(p);
  CHECK(v[0] == Approx(0.4f));
  CHECK(v[1] == Approx(0.8f));
  scaler.update();
  CHECK(scaler.growth_tracker() == 1);
  CHECK(scaler.get_scale() == 1024.0);
}

TEST_CASE("amp: a step with inf or NaN gradients is skipped and the scale backs off", "[amp]") {
  const float bad = GENERATE(std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN());
  amp::GradScaler scaler(amp::GradScalerOptions().init_scale(1024));
  Tensor p = tensor({1.0f, 2.0f}).requires_grad_();
  Tensor q = tensor({5.0f}).requires_grad_();
  optim::SGD opt({p, q}, optim::SGDOptions(0.1));
  p.mutable_grad() = tensor({1.0f, 1.0f});
  q.mutable_grad() = tensor({bad});
  CHECK_FALSE(scaler.step(opt));
  CHECK(values(p) == std::vector<float>{1.0f, 2.0f});  // untouched
  CHECK(values(q) == std::vector<float>{5.0f});
  scaler.update();
  CHECK(scaler.get_scale() == 512.0);
  CHECK(scaler.growth_tracker() == 0);
}

TEST_CASE("amp: the scale grows after growth_interval clean steps, and a bad step resets the count", "[amp]") {
  amp::GradScaler scaler(amp::GradScalerOptions().init_scale(8).growth_factor(4).backoff_factor(0.25).growth_interval(2));
  Tensor p = tensor({1.0f}).requires_grad_();
  optim::SGD opt({p}, optim::SGDOptions(0.0));
  auto round = [&](float grad) {
    p.mutable_grad() = tensor({grad});
    scaler.step(opt);
    scaler.update();
  };
  round(1);
  CHECK(scaler.get_scale() == 8.0);
  round(1);
  CHECK(scaler.get_scale() == 32.0);  // 2 clean steps: 8 * 4
  round(1);
  round(std::numeric_limits<float>::infinity());
  CHECK(scaler.get_scale() == 8.0);  // 32 * 0.25, count reset
  round(1);
  CHECK(scaler.get_scale() == 8.0);
  round(1);
  CHECK(scaler.get_scale() == 32.0);
  scaler.update(3.0);  // an explicit scale wins and needs no recorded step
  CHECK(scaler.get_scale() == 3.0);
}

TEST_CASE("amp: growth stops where the scale would overflow float", "[amp]") {
  amp::GradScaler scaler(amp::GradScalerOptions().init_scale(3e38).growth_interval(1));
  Tensor p = tensor({1.0f}).requires_grad_();
  optim::SGD opt({p}, optim::SGDOptions(0.0));
  p.mutable_grad() = tensor({0.0f});
  scaler.step(opt);
  scaler.update();
  CHECK(scaler.get_scale() == 3e38);
  CHECK(scaler.growth_tracker() == 0);
}

TEST_CASE("amp: unscale_, step and update out of order raise", "[amp]") {
  amp::GradScaler scaler;
  Tensor p = tensor({1.0f}).requires_grad_();
  optim::SGD opt({p}, optim::SGDOptions(0.1));
  p.mutable_grad() = tensor({1.0f});
  CHECK_THROWS_WITH(scaler.update(), Catch::Contains("No inf checks were recorded prior to update"));
  scaler.unscale_(opt);
  CHECK_THROWS_WITH(scaler.unscale_(opt), Catch::Contains("has already been called on this optimizer"));
  scaler.step(opt);
  CHECK_THROWS_WITH(scaler.step(opt), Catch::Contains("step() has already been called"));
  CHECK_THROWS_WITH(scaler.unscale_(opt), Catch::Contains("after step()"));
  scaler.update();
  CHECK(scaler.step(opt));  // a new round after update
}

TEST_CASE("amp: bad options and float16 gradients are refused", "[amp]") {
  CHECK_THROWS_AS(amp::GradScaler(amp::GradScalerOptions().growth_factor(1.0)), Error);
  CHECK_THROWS_AS(amp::GradScaler(amp::GradScalerOptions().backoff_factor(1.5)), Error);
  CHECK_THROWS_AS(amp::GradScaler(amp::GradScalerOptions().init_scale(0)), Error);
  CHECK_THROWS_AS(amp::GradScaler(amp::GradScalerOptions().growth_interval(0)), Error);
  amp::GradScaler scaler;
  Tensor p = zeros({2}, TensorOptions().dtype(kHalf)).requires_grad_();
  optim::SGD opt({p}, optim::SGDOptions(0.1));
  p.mutable_grad() = zeros({2}, TensorOptions().dtype(kHalf));
  CHECK_THROWS_WITH(scaler.unscale_(opt), Catch::Contains("Attempting to unscale FP16 gradients"));
}

TEST_CASE("amp: a disabled scaler passes everything through", "[amp]") {
  amp::GradScaler scaler(amp::GradScalerOptions().enabled(false));
  Tensor p = tensor({1.0f, 2.0f}).requires_grad_();
  optim::SGD opt({p}, optim::SGDOptions(0.1));
  Tensor loss = quadratic_loss(p);
  CHECK(scaler.scale(loss).item<float>() == 15.0f);
  CHECK(scaler.get_scale() == 1.0);
  scaler.scale(loss).backward();
  CHECK(scaler.step(opt));
  scaler.update();
  auto v = values(p);
  CHECK(v[0] == Approx(0.4f));
  CHECK(v[1] == Approx(0.8f));
}
