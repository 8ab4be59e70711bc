#pragma once
// Base of the learning-rate schedulers (torch::optim::LRScheduler): step() asks the
// subclass for new rates and writes them into the optimizer's param groups.
#include <vector>

#include "ember/optim/optimizer.h"

namespace ember::optim {

class LRScheduler {
 public:
  /// Keeps a reference: the optimizer must outlive the scheduler.
  LRScheduler(Optimizer& optimizer);
  virtual ~LRScheduler() = default;

  /// Sets every group's learning rate to get_lrs(), then counts the step.
  void step();
  /// The learning rates the last step() set (before any step: the optimizer's own), one
  /// per param group (PyTorch's get_last_lr()).
  std::vector<double> get_last_lr() const;

 protected:
  /// One learning rate per param group, computed with step_count_ = steps taken so far.
  virtual std::vector<double> get_lrs() = 0;
  /// The optimizer's current learning rates, one per param group.
  std::vector<double> get_current_lrs() const;

  /// Writes one learning rate per param group into the optimizer.
  void set_optimizer_lrs(const std::vector<double>& learning_rates);

  unsigned step_count_;
  Optimizer& optimizer_;

 private:
  std::vector<double> last_lrs_;
};

}  // namespace ember::optim
