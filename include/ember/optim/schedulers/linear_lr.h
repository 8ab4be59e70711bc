#pragma once
// LinearLR (PyTorch's torch.optim.lr_scheduler.LinearLR; libtorch has no C++ counterpart):
// scales the learning rates by a factor that moves linearly from start_factor (set on
// construction) to end_factor over total_iters steps, then stays: the usual warmup.
#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember::optim {

class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, const double start_factor = 1.0 / 3, const double end_factor = 1.0,
           const int64_t total_iters = 5);

 private:
  std::vector<double> get_lrs() override;
  const double start_factor_;
  const double end_factor_;
  const int64_t total_iters_;
};

}  // namespace ember::optim
