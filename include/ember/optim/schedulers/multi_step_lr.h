#pragma once
// MultiStepLR (PyTorch's torch.optim.lr_scheduler.MultiStepLR; libtorch has no C++
// counterpart): multiplies the learning rates by gamma once the step count reaches each
// milestone (a milestone listed twice decays twice).
#include <vector>

#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember::optim {

class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, const double gamma = 0.1);

 private:
  std::vector<double> get_lrs() override;
  std::vector<int64_t> milestones_;
  const double gamma_;
};

}  // namespace ember::optim
