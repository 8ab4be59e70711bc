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
  CHECK(sched.get_last_lr().at(0) == Approx(0.5));
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

TEST_CASE("schedulers: MultiStepLR decays at each milestone, twice for a repeated one", "[optim][scheduler]") {
  Tensor w = ember::zeros({2}, ember::requires_grad());
  optim::SGD opt({w}, optim::SGDOptions(1.0));
  optim::MultiStepLR sched(opt, {2, 4, 4}, 0.5);
  CHECK(sched.get_last_lr() == std::vector<double>{1.0});
  // PyTorch's rule: lr * gamma^(times the new epoch appears among the milestones).
  const double want[] = {1, 0.5, 0.5, 0.125, 0.125, 0.125};
  for (double lr : want) {
    sched.step();
    CHECK(lr_of(opt) == Approx(lr));
    CHECK(sched.get_last_lr().at(0) == Approx(lr));
  }
  REQUIRE_THROWS_AS(optim::MultiStepLR(opt, {0}), ember::Error);
}

TEST_CASE("schedulers: LinearLR warms up linearly from start_factor to end_factor", "[optim][scheduler]") {
  Tensor w = ember::zeros({2}, ember::requires_grad());
  optim::SGD opt({w}, optim::SGDOptions(2.0));
  optim::LinearLR sched(opt, /*start_factor=*/0.5, /*end_factor=*/1.0, /*total_iters=*/4);
  CHECK(lr_of(opt) == Approx(1.0));  // the start factor applies on construction
  // Factors 0.625, 0.75, 0.875, 1, then constant: 2 * (0.5 + 0.125 k).
  const double want[] = {1.25, 1.5, 1.75, 2.0, 2.0, 2.0};
  for (double lr : want) {
    sched.step();
    CHECK(lr_of(opt) == Approx(lr));
  }
  REQUIRE_THROWS_AS(optim::LinearLR(opt, 0.0), ember::Error);
  REQUIRE_THROWS_AS(optim::LinearLR(opt, 0.5, 1.5), ember::Error);
}

TEST_CASE("schedulers: OneCycleLR follows the two cosine phases and cycles momentum", "[optim][scheduler]") {
  Tensor w = ember::zeros({2}, ember::requires_grad());
  optim::SGD opt({w}, optim::SGDOptions(0.1).momentum(0.9));
  // max_lr 1, 10 steps, warmup over 30%: lr from 1/25 up to 1 at step 2, then down to 4e-6 at step 9.
  optim::OneCycleLR sched(opt, /*max_lr=*/1.0, /*total_steps=*/10);
  auto momentum = [&] { return static_cast<const optim::SGDOptions&>(opt.param_groups()[0].options()).momentum(); };
  CHECK(lr_of(opt) == Approx(0.04));
  CHECK(momentum() == Approx(0.95));
  sched.step();  // halfway up the cosine
  CHECK(lr_of(opt) == Approx(0.52));
  CHECK(momentum() == Approx(0.90));
  sched.step();  // the peak
  CHECK(lr_of(opt) == Approx(1.0));
  CHECK(momentum() == Approx(0.85));
  sched.step();  // 1/7 of the way down: 4e-6 + (1 - 4e-6) * (1 + cos(pi / 7)) / 2
  CHECK(lr_of(opt) == Approx(4e-6 + (1 - 4e-6) * (1 + std::cos(std::numbers::pi / 7)) / 2));
  for (int i = 0; i < 6; ++i) sched.step();  // step 9: the end of the schedule
  CHECK(lr_of(opt) == Approx(4e-6));
  CHECK(momentum() == Approx(0.95));
  sched.step();  // step 10 is still allowed, step 11 is not
  REQUIRE_THROWS_WITH(sched.step(), Catch::Contains("OneCycleLR") && Catch::Contains("Tried to step 11 times"));
}

TEST_CASE("schedulers: OneCycleLR cycles Adam's beta1 and rejects optimizers without momentum",
          "[optim][scheduler]") {
  Tensor w = ember::zeros({2}, ember::requires_grad());
  optim::Adam adam({w}, optim::AdamOptions(0.1));
  optim::OneCycleLR sched(adam, 0.5, 4, 0.5, optim::OneCycleLR::AnnealStrategy::Linear);
  auto beta1 = [&] { return std::get<0>(static_cast<const optim::AdamOptions&>(adam.param_groups()[0].options()).betas()); };
  CHECK(lr_of(adam) == Approx(0.02));
  CHECK(beta1() == Approx(0.95));
  sched.step();  // linear phase 1 ends at step 1: the peak
  CHECK(lr_of(adam) == Approx(0.5));
  CHECK(beta1() == Approx(0.85));
  optim::Adagrad adagrad({w}, optim::AdagradOptions(0.1));
  REQUIRE_THROWS_WITH(optim::OneCycleLR(adagrad, 0.5, 4), Catch::Contains("momentum or beta1"));
  CHECK_NOTHROW(optim::OneCycleLR(adagrad, 0.5, 4, 0.3, optim::OneCycleLR::AnnealStrategy::Cos, false));
}
