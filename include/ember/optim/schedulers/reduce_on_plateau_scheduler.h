#pragma once
// ReduceLROnPlateauScheduler (torch::optim::ReduceLROnPlateauScheduler of later libtorch
// versions): multiplies the learning rates by `factor` when a metric has stopped improving
// for `patience` calls to step(metric).
#include <vector>

#include "ember/optim/optimizer.h"

namespace ember::optim {

class ReduceLROnPlateauScheduler {
 public:
  /// Whether a lower (min) or higher (max) metric is better.
  enum SchedulerMode { min, max };
  /// Whether `threshold` is relative to the best value so far (rel) or absolute (abs).
  enum ThresholdMode { rel, abs };
  /// Keeps a reference: the optimizer must outlive the scheduler. min_lr is empty (all
  /// zero) or holds one floor per param group.
  ReduceLROnPlateauScheduler(Optimizer& optimizer, SchedulerMode mode = min, float factor = 0.1,
                             int patience = 10, double threshold = 1e-4, ThresholdMode threshold_mode = rel,
                             int cooldown = 0, const std::vector<float> min_lr = std::vector<float>(),
                             double eps = 1e-8, bool verbose = false);
  virtual ~ReduceLROnPlateauScheduler() = default;

  /// Records one epoch's metric and reduces the learning rates when it has plateaued.
  void step(float metric);
  /// The optimizer's learning rates after the last step, one per param group (PyTorch's
  /// get_last_lr()).
  std::vector<double> get_last_lr() const;

 private:
  void reset();
  void reduce_lr(int epoch);
  bool in_cooldown() const;
  bool is_better(float a) const;

  Optimizer& optimizer_;
  SchedulerMode mode_;
  float mode_worse_;
  float factor_;
  int patience_;
  double threshold_;
  ThresholdMode threshold_mode_;
  int cooldown_;
  int cooldown_counter_ = 0;
  std::vector<float> min_lrs_;
  double eps_;
  float best_;
  bool verbose_;
  int last_epoch_ = 0;
  int num_bad_epochs_ = 0;
};

}  // namespace ember::optim
