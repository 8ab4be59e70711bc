#include "ember/optim/schedulers/multi_step_lr.h"

#include <algorithm>
#include <cmath>

namespace ember::optim {

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, const double gamma)
    : LRScheduler(optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  for (int64_t m : milestones_) {
    EMBER_CHECK(m > 0, Error, "optim::MultiStepLR", "milestones must be positive, got ", m);
  }
}

std::vector<double> MultiStepLR::get_lrs() {
  // The epoch this step moves to, as PyTorch's last_epoch after its increment.
  const int64_t epoch = static_cast<int64_t>(step_count_) + 1;
  std::vector<double> lrs = get_current_lrs();
  const auto hits = std::count(milestones_.begin(), milestones_.end(), epoch);
  if (hits == 0) return lrs;
  const double factor = std::pow(gamma_, static_cast<double>(hits));
  for (double& lr : lrs) lr *= factor;
  return lrs;
}

}  // namespace ember::optim
