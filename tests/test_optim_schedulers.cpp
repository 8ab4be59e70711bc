#include <catch2/catch.hpp>
#include <ember/ember.h>
#include <ember/optim.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace {
using ember::Tensor;
namespace optim = ember::optim;

double lr_of(const optim::Optimizer& opt, size_t group = 0) { return opt.param_groups()[group].options().get_lr(); }

}  // namespace

TEST_CASE("schedulers: StepLR follows libtorch 1.13", "[optim][scheduler]") {
  Tensor w = ember::zeros({2}, ember::requires_grad());
  optim::SGD opt({w}, optim::SGDOptions(1.0));
  optim::StepLR sched(opt, /*step_size=*/2, /*gamma=*/0.5);
  // libtorch 1.13 prints these learning rates after each of 7 calls to step().
  const double want[] = {1, 1, 0.5, 0.5, 0.25, 0.25, 0.125};
  for (double lr : want) {
    sched.step();
    CHECK(lr_of(opt) == Approx(lr));
  }
}

TEST_CASE("schedulers: StepLR scales every param group", "[optim][scheduler]") {
  Tensor a = ember::zeros({2}, ember::requires_grad()), b = ember::zeros({2}, ember::requires_grad());
  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{a});
  groups.emplace_back(std::vector<Tensor>{b}, std::make_unique<optim::AdamOptions>(0.01));
  optim::Adam opt(groups, optim::AdamOptions(0.1));
  optim::StepLR sched(opt, 1, 0.1);
  sched.step();  // step_count 0: unchanged
  sched.step();
  CHECK(lr_of(opt, 0) == Approx(0.01));
  CHECK(lr_of(opt, 1) == Approx(0.001));
  REQUIRE_THROWS_AS(optim::StepLR(opt, 0), ember::Error);
}

TEST_CASE("schedulers: ExponentialLR multiplies by gamma each step", "[optim][scheduler]") {
  Tensor w = ember::zeros({2}, ember::requires_grad());
  optim::SGD opt({w}, optim::SGDOptions(2.0));
  optim::ExponentialLR sched(opt, 0.5);
  for (int k = 1; k <= 5; ++k) {
    sched.step();
    CHECK(lr_of(opt) == Approx(2.0 * std::pow(0.5, k)));
  }
}

TEST_CASE("schedulers: CosineAnnealingLR follows the cosine, also past T_max", "[optim][scheduler]") {
  Tensor w = ember::zeros({2}, ember::requires_grad());
  optim::SGD opt({w}, optim::SGDOptions(1.0));
  const double eta_min = 0.1;
  optim::CosineAnnealingLR sched(opt, /*T_max=*/4, eta_min);
  for (int k = 1; k <= 10; ++k) {
    sched.step();
    const double closed = eta_min + (1.0 - eta_min) * (1 + std::cos(std::numbers::pi * k / 4)) / 2;
    INFO("after step " << k);
    CHECK(lr_of(opt) == Approx(closed).margin(1e-12));
  }
  REQUIRE_THROWS_AS(optim::CosineAnnealingLR(opt, 0), ember::Error);
}

TEST_CASE("schedulers: ReduceLROnPlateauScheduler waits `patience` bad epochs", "[optim][scheduler]") {
  Tensor w = ember::zeros({2}, ember::requires_grad());
  optim::SGD opt({w}, optim::SGDOptions(1.0));
  using S = optim::ReduceLROnPlateauScheduler;
  S sched(opt, S::min, /*factor=*/0.5, /*patience=*/2, 1e-4, S::rel, /*cooldown=*/0, {0.3f});
  sched.step(1.0f);
  sched.step(0.9f);   // improvement
  sched.step(0.95f);  // bad 1
  sched.step(0.95f);  // bad 2
  CHECK(lr_of(opt) == 1.0);
  sched.step(0.95f);  // bad 3 > patience: halve
  CHECK(lr_of(opt) == Approx(0.5));
  for (int i = 0; i < 3; ++i) sched.step(0.95f);
  CHECK(lr_of(opt) == Approx(0.3));  // clamped to min_lr
  for (int i = 0; i < 3; ++i) sched.step(0.95f);
  CHECK(lr_of(opt) == Approx(0.3));
  sched.step(0.5f);  // improvement resets the count
  sched.step(0.6f);
  sched.step(0.6f);
  CHECK(lr_of(opt) == Approx(0.3));
}

TEST_CASE("schedulers: ReduceLROnPlateauScheduler cooldown and max mode", "[optim][scheduler]") {
  Tensor w = ember::zeros({2}, ember::requires_grad());
  optim::SGD opt({w}, optim::SGDOptions(1.0));
  using S = optim::ReduceLROnPlateauScheduler;
  S sched(opt, S::max, 0.1f, /*patience=*/0, /*threshold=*/0.5, S::abs, /*cooldown=*/1);
  sched.step(1.0f);  // improvement over -inf
  CHECK(lr_of(opt) == 1.0);
  sched.step(1.4f);  // not better by the absolute threshold 0.5: reduce
  CHECK(lr_of(opt) == Approx(0.1));
  sched.step(1.0f);  // bad, but in cooldown
  CHECK(lr_of(opt) == Approx(0.1));
  sched.step(1.0f);  // bad, cooldown over
  CHECK(lr_of(opt) == Approx(0.01));
  sched.step(2.0f);  // better by more than 0.5
  CHECK(lr_of(opt) == Approx(0.01));
  REQUIRE_THROWS_AS(S(opt, S::min, 1.5f), ember::Error);
  REQUIRE_THROWS_AS(S(opt, S::min, 0.1f, 10, 1e-4, S::rel, 0, {0.1f, 0.2f}), ember::Error);
}
