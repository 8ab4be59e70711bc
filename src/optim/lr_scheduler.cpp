#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember::optim {

LRScheduler::LRScheduler(Optimizer& optimizer)
    : step_count_(0), optimizer_(optimizer), last_lrs_(get_current_lrs()) {}

void LRScheduler::step() {
  const std::vector<double> learning_rates = get_lrs();
  set_optimizer_lrs(learning_rates);
  step_count_++;
}

void LRScheduler::set_optimizer_lrs(const std::vector<double>& learning_rates) {
  auto& groups = optimizer_.param_groups();
  EMBER_CHECK(learning_rates.size() == groups.size(), Error, "optim::LRScheduler", "got ",
              learning_rates.size(), " learning rates for ", groups.size(), " param groups");
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(learning_rates[i]);
  last_lrs_ = learning_rates;
}

std::vector<double> LRScheduler::get_last_lr() const { return last_lrs_; }

std::vector<double> LRScheduler::get_current_lrs() const {
  std::vector<double> lrs;
  for (const auto& g : optimizer_.param_groups()) lrs.push_back(g.options().get_lr());
  return lrs;
}

}  // namespace ember::optim
