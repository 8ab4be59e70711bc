#include "ember/optim/schedulers/cosine_annealing_lr.h"

#include <cmath>
#include <numbers>

namespace ember::optim {

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, const int64_t T_max, const double eta_min)
    : LRScheduler(optimizer), T_max_(T_max), eta_min_(eta_min), base_lrs_(get_current_lrs()) {
  EMBER_CHECK(T_max > 0, Error, "optim::CosineAnnealingLR", "T_max must be positive, got ", T_max);
}

std::vector<double> CosineAnnealingLR::get_lrs() {
  constexpr double pi = std::numbers::pi;
  // The epoch this step moves to (Python's last_epoch after its increment).
  const int64_t epoch = static_cast<int64_t>(step_count_) + 1;
  std::vector<double> lrs = get_current_lrs();
  const int64_t period = 2 * T_max_;
  const bool restart = (((epoch - 1 - T_max_) % period) + period) % period == 0;
  for (size_t i = 0; i < lrs.size(); ++i) {
    if (restart) {
      // At the bottom of the cosine the ratio below is 0/0; step up by the closed form.
      lrs[i] += (base_lrs_.at(i) - eta_min_) * (1 - std::cos(pi / static_cast<double>(T_max_))) / 2;
    } else {
      lrs[i] = (1 + std::cos(pi * static_cast<double>(epoch) / static_cast<double>(T_max_))) /
                   (1 + std::cos(pi * static_cast<double>(epoch - 1) / static_cast<double>(T_max_))) *
                   (lrs[i] - eta_min_) +
               eta_min_;
    }
  }
  return lrs;
}

}  // namespace ember::optim
