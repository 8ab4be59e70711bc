#include "ember/optim/schedulers/linear_lr.h"

namespace ember::optim {

LinearLR::LinearLR(Optimizer& optimizer, const double start_factor, const double end_factor,
                   const int64_t total_iters)
    : LRScheduler(optimizer), start_factor_(start_factor), end_factor_(end_factor), total_iters_(total_iters) {
  EMBER_CHECK(start_factor > 0 && start_factor <= 1, Error, "optim::LinearLR",
              "Starting multiplicative factor expected to be greater than 0 and less or equal to 1, got ",
              start_factor);
  EMBER_CHECK(end_factor >= 0 && end_factor <= 1, Error, "optim::LinearLR",
              "Ending multiplicative factor expected to be between 0 and 1, got ", end_factor);
  EMBER_CHECK(total_iters > 0, Error, "optim::LinearLR", "total_iters must be positive, got ", total_iters);
  // PyTorch applies the start factor when the scheduler is made.
  std::vector<double> lrs = get_current_lrs();
  for (double& lr : lrs) lr *= start_factor_;
  set_optimizer_lrs(lrs);
}

std::vector<double> LinearLR::get_lrs() {
  const int64_t epoch = static_cast<int64_t>(step_count_) + 1;
  std::vector<double> lrs = get_current_lrs();
  if (epoch > total_iters_) return lrs;
  // Ratio of the factor at `epoch` to the factor at `epoch - 1`, as PyTorch computes it.
  const double delta = end_factor_ - start_factor_;
  const double ratio =
      1 + delta / (static_cast<double>(total_iters_) * start_factor_ + static_cast<double>(epoch - 1) * delta);
  for (double& lr : lrs) lr *= ratio;
  return lrs;
}

}  // namespace ember::optim
