#pragma once
// CosineAnnealingLR: after k calls to step() the learning rates follow
//   eta_min + (base_lr - eta_min) * (1 + cos(pi * k / T_max)) / 2,
// computed incrementally from the current rates as Python's
// torch.optim.lr_scheduler.CosineAnnealingLR does (libtorch has no C++ counterpart), so
// rates changed by hand between steps are respected.
#include <vector>

#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember::optim {

class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, const int64_t T_max, const double eta_min = 0);

 private:
  std::vector<double> get_lrs() override;
  const int64_t T_max_;
  const double eta_min_;
  std::vector<double> base_lrs_;
};

}  // namespace ember::optim
