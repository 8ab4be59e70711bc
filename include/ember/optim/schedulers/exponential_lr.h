#pragma once
// ExponentialLR: multiplies the learning rates by gamma on every step(), so after k calls
// they are base_lr * gamma^k (Python's torch.optim.lr_scheduler.ExponentialLR; libtorch
// has no C++ counterpart).
#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember::optim {

class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, const double gamma);

 private:
  std::vector<double> get_lrs() override;
  const double gamma_;
};

}  // namespace ember::optim
