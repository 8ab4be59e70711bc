#pragma once
// OneCycleLR (PyTorch's torch.optim.lr_scheduler.OneCycleLR; libtorch has no C++
// counterpart), stepped once per batch: the learning rate rises from max_lr / div_factor
// to max_lr over the first pct_start of total_steps, then anneals to
// max_lr / (div_factor * final_div_factor); momentum (SGD, RMSprop) or beta1 (Adam, AdamW)
// moves the opposite way between max_momentum and base_momentum.
#include <cstdint>
#include <utility>
#include <vector>

#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember::optim {

class OneCycleLR : public LRScheduler {
 public:
  enum class AnnealStrategy { Cos, Linear };
  OneCycleLR(Optimizer& optimizer, const double max_lr, const int64_t total_steps, const double pct_start = 0.3,
             const AnnealStrategy anneal_strategy = AnnealStrategy::Cos, const bool cycle_momentum = true,
             const double base_momentum = 0.85, const double max_momentum = 0.95, const double div_factor = 25.0,
             const double final_div_factor = 1e4, const bool three_phase = false);

 private:
  struct Phase {
    double end_step;
    double start_lr, end_lr;
    double start_momentum, end_momentum;
  };
  std::vector<double> get_lrs() override;
  /// Learning rate and momentum at step `step_num` of the schedule.
  std::pair<double, double> at(int64_t step_num) const;
  void set_momentum(double momentum);

  const int64_t total_steps_;
  const AnnealStrategy anneal_strategy_;
  const bool cycle_momentum_;
  std::vector<Phase> phases_;
};

}  // namespace ember::optim
