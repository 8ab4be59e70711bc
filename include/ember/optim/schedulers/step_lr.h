#pragma once
// StepLR (torch::optim::StepLR): multiplies the learning rates by gamma every step_size
// steps. As in libtorch 1.13, the first decay happens on the call to step() that finds
// step_size steps already taken (the (step_size + 1)-th call), then every step_size calls.
#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember::optim {

class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, const unsigned step_size, const double gamma = 0.1);

 private:
  std::vector<double> get_lrs() override;
  const unsigned step_size_;
  const double gamma_;
};

}  // namespace ember::optim
