#include "ember/optim/schedulers/reduce_on_plateau_scheduler.h"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <limits>

namespace ember::optim {

ReduceLROnPlateauScheduler::ReduceLROnPlateauScheduler(Optimizer& optimizer, SchedulerMode mode, float factor,
                                                       int patience, double threshold,
                                                       ThresholdMode threshold_mode, int cooldown,
                                                       const std::vector<float> min_lr, double eps, bool verbose)
    : optimizer_(optimizer),
      mode_(mode),
      factor_(factor),
      patience_(patience),
      threshold_(threshold),
      threshold_mode_(threshold_mode),
      cooldown_(cooldown),
      eps_(eps),
      verbose_(verbose) {
  const size_t groups = optimizer.param_groups().size();
  EMBER_CHECK(min_lr.empty() || min_lr.size() == groups, Error, "optim::ReduceLROnPlateauScheduler",
              "expected ", groups, " min_lr values (one per param group), got ", min_lr.size());
  min_lrs_ = min_lr.empty() ? std::vector<float>(groups, 0.0f) : min_lr;
  EMBER_CHECK(factor < 1.0, Error, "optim::ReduceLROnPlateauScheduler", "Factor should be < 1.0, got ", factor);
  EMBER_CHECK(patience >= 0, Error, "optim::ReduceLROnPlateauScheduler", "patience must be >= 0, got ", patience);
  mode_worse_ = mode == min ? std::numeric_limits<float>::max() : std::numeric_limits<float>::lowest();
  reset();
}

void ReduceLROnPlateauScheduler::step(float metric) {
  last_epoch_++;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    num_bad_epochs_++;
  }
  if (in_cooldown()) {
    cooldown_counter_--;
    num_bad_epochs_ = 0;  // ignore bad epochs during cooldown
  }
  if (num_bad_epochs_ > patience_) {
    reduce_lr(last_epoch_);
    cooldown_counter_ = cooldown_;
    num_bad_epochs_ = 0;
  }
}

void ReduceLROnPlateauScheduler::reduce_lr(int epoch) {
  auto& groups = optimizer_.param_groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    const double old_lr = groups[i].options().get_lr();
    const double new_lr = std::fmax(old_lr * factor_, min_lrs_[i]);
    if (old_lr - new_lr > eps_) {
      groups[i].options().set_lr(new_lr);
      if (verbose_)
        std::cout << std::setprecision(4) << "Epoch " << epoch << ": reducing learning rate of group " << i
                  << " to " << new_lr << std::endl;
    }
  }
}

void ReduceLROnPlateauScheduler::reset() {
  best_ = mode_worse_;
  cooldown_counter_ = 0;
  num_bad_epochs_ = 0;
}

bool ReduceLROnPlateauScheduler::in_cooldown() const { return cooldown_counter_ > 0; }

bool ReduceLROnPlateauScheduler::is_better(float a) const {
  if (mode_ == min && threshold_mode_ == rel) return a < best_ * (1.0 - threshold_);
  if (mode_ == min && threshold_mode_ == abs) return a < best_ - threshold_;
  if (mode_ == max && threshold_mode_ == rel) return a > best_ * (threshold_ + 1.0);
  return a > best_ + threshold_;
}

std::vector<double> ReduceLROnPlateauScheduler::get_last_lr() const {
  std::vector<double> lrs;
  for (const auto& group : optimizer_.param_groups()) lrs.push_back(group.options().get_lr());
  return lrs;
}

}  // namespace ember::optim
