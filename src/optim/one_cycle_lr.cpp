#include "ember/optim/schedulers/one_cycle_lr.h"

#include <cmath>
#include <numbers>

#include "ember/optim/adam.h"
#include "ember/optim/adamw.h"
#include "ember/optim/rmsprop.h"
#include "ember/optim/sgd.h"

namespace ember::optim {
namespace {

/// Applies `fn` to the option that plays momentum's part in `options`; false when none does.
template <class Fn>
bool with_momentum(OptimizerOptions& options, Fn&& fn) {
  if (auto* o = dynamic_cast<SGDOptions*>(&options)) {
    o->momentum(fn(o->momentum()));
  } else if (auto* o = dynamic_cast<RMSpropOptions*>(&options)) {
    o->momentum(fn(o->momentum()));
  } else if (auto* o = dynamic_cast<AdamOptions*>(&options)) {
    o->betas({fn(std::get<0>(o->betas())), std::get<1>(o->betas())});
  } else if (auto* o = dynamic_cast<AdamWOptions*>(&options)) {
    o->betas({fn(std::get<0>(o->betas())), std::get<1>(o->betas())});
  } else {
    return false;
  }
  return true;
}

}  // namespace

OneCycleLR::OneCycleLR(Optimizer& optimizer, const double max_lr, const int64_t total_steps, const double pct_start,
                       const AnnealStrategy anneal_strategy, const bool cycle_momentum, const double base_momentum,
                       const double max_momentum, const double div_factor, const double final_div_factor,
                       const bool three_phase)
    : LRScheduler(optimizer),
      total_steps_(total_steps),
      anneal_strategy_(anneal_strategy),
      cycle_momentum_(cycle_momentum) {
  EMBER_CHECK(total_steps > 0, Error, "optim::OneCycleLR", "Expected positive integer total_steps, but got ",
              total_steps);
  EMBER_CHECK(pct_start >= 0 && pct_start <= 1, Error, "optim::OneCycleLR",
              "Expected float between 0 and 1 pct_start, but got ", pct_start);
  const double initial_lr = max_lr / div_factor;
  const double min_lr = initial_lr / final_div_factor;
  const double total = static_cast<double>(total_steps);
  if (three_phase) {
    phases_ = {{pct_start * total - 1, initial_lr, max_lr, max_momentum, base_momentum},
               {2 * pct_start * total - 2, max_lr, initial_lr, base_momentum, max_momentum},
               {total - 1, initial_lr, min_lr, max_momentum, max_momentum}};
  } else {
    phases_ = {{pct_start * total - 1, initial_lr, max_lr, max_momentum, base_momentum},
               {total - 1, max_lr, min_lr, base_momentum, max_momentum}};
  }
  if (cycle_momentum_) {
    for (auto& group : optimizer_.param_groups()) {
      EMBER_CHECK(with_momentum(group.options(), [](double m) { return m; }), Error, "optim::OneCycleLR",
                  "optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
    }
  }
  // PyTorch takes the schedule's first step when the scheduler is made.
  const auto [lr, momentum] = at(0);
  set_optimizer_lrs(std::vector<double>(optimizer_.param_groups().size(), lr));
  if (cycle_momentum_) set_momentum(momentum);
}

std::pair<double, double> OneCycleLR::at(int64_t step_num) const {
  const auto anneal = [this](double start, double end, double pct) {
    if (anneal_strategy_ == AnnealStrategy::Linear) return (end - start) * pct + start;
    return end + (start - end) / 2.0 * (std::cos(std::numbers::pi * pct) + 1);
  };
  double start_step = 0;
  for (size_t i = 0; i < phases_.size(); ++i) {
    const Phase& phase = phases_[i];
    if (static_cast<double>(step_num) <= phase.end_step || i + 1 == phases_.size()) {
      const double pct = (static_cast<double>(step_num) - start_step) / (phase.end_step - start_step);
      return {anneal(phase.start_lr, phase.end_lr, pct), anneal(phase.start_momentum, phase.end_momentum, pct)};
    }
    start_step = phase.end_step;
  }
  return {0, 0};  // unreachable: the last phase always matches
}

void OneCycleLR::set_momentum(double momentum) {
  for (auto& group : optimizer_.param_groups()) with_momentum(group.options(), [&](double) { return momentum; });
}

std::vector<double> OneCycleLR::get_lrs() {
  const int64_t step_num = static_cast<int64_t>(step_count_) + 1;
  EMBER_CHECK(step_num <= total_steps_, Error, "optim::OneCycleLR", "Tried to step ", step_num,
              " times. The specified number of total steps is ", total_steps_);
  const auto [lr, momentum] = at(step_num);
  if (cycle_momentum_) set_momentum(momentum);
  return std::vector<double>(optimizer_.param_groups().size(), lr);
}

}  // namespace ember::optim
