#pragma once
// Loss scaling for mixed-precision training (PyTorch's torch.amp.GradScaler): the loss is
// multiplied by a scale before backward, so that small float16 gradients do not flush to
// zero; before the optimizer steps, the gradients are divided by it again and checked
// for inf/NaN. A step whose gradients overflowed is skipped and the scale shrinks; after
// `growth_interval` clean steps it grows.
//
//   ember::amp::GradScaler scaler;
//   for (auto& batch : loader) {
//     optimizer.zero_grad();
//     Tensor loss = loss_fn(model->forward(batch.data), batch.target);
//     scaler.scale(loss).backward();
//     scaler.step(optimizer);
//     scaler.update();
//   }
#include <map>
#include <optional>

#include "ember/optim/optimizer.h"
#include "ember/tensor.h"

namespace ember::amp {

/// Options of a GradScaler (PyTorch's constructor arguments and defaults).
struct GradScalerOptions {
  GradScalerOptions& init_scale(double v) { init_scale_ = v; return *this; }
  GradScalerOptions& growth_factor(double v) { growth_factor_ = v; return *this; }
  GradScalerOptions& backoff_factor(double v) { backoff_factor_ = v; return *this; }
  GradScalerOptions& growth_interval(int64_t v) { growth_interval_ = v; return *this; }
  GradScalerOptions& enabled(bool v) { enabled_ = v; return *this; }
  double init_scale() const { return init_scale_; }
  double growth_factor() const { return growth_factor_; }
  double backoff_factor() const { return backoff_factor_; }
  int64_t growth_interval() const { return growth_interval_; }
  bool enabled() const { return enabled_; }

 private:
  double init_scale_ = 65536.0;
  double growth_factor_ = 2.0;
  double backoff_factor_ = 0.5;
  int64_t growth_interval_ = 2000;
  bool enabled_ = true;
};

/// Dynamic loss scaling for one or more optimizers (PyTorch's GradScaler).
class GradScaler {
 public:
  explicit GradScaler(GradScalerOptions options = {});

  /// outputs * scale (outputs itself when disabled); works on any device and dtype.
  Tensor scale(const Tensor& outputs) const;
  /// Divides the gradients of the optimizer's parameters by the scale in place and
  /// records whether any of them holds inf or NaN. At most once per optimizer between
  /// update()s; float16 gradients are refused, as PyTorch refuses to unscale them.
  void unscale_(optim::Optimizer& optimizer);
  /// Unscales (unless unscale_ already did) and runs optimizer.step() unless a gradient
  /// was not finite; returns whether it stepped.
  bool step(optim::Optimizer& optimizer);
  /// Backs the scale off when any optimizer saw inf/NaN since the last update, else
  /// counts a clean step and grows the scale after growth_interval of them; with
  /// new_scale, sets the scale to it instead. Clears the per-optimizer records.
  void update(std::optional<double> new_scale = std::nullopt);

  /// The current scale (1.0 when disabled).
  double get_scale() const;
  double get_growth_factor() const { return options_.growth_factor(); }
  double get_backoff_factor() const { return options_.backoff_factor(); }
  int64_t get_growth_interval() const { return options_.growth_interval(); }
  /// Clean steps counted towards the next growth.
  int64_t growth_tracker() const { return growth_tracker_; }
  bool is_enabled() const { return options_.enabled(); }

 private:
  enum class Stage { Ready, Unscaled, Stepped };
  struct Record {
    Stage stage = Stage::Ready;
    bool found_inf = false;
  };

  GradScalerOptions options_;
  double scale_;
  int64_t growth_tracker_ = 0;
  std::map<const optim::Optimizer*, Record> records_;
};

}  // namespace ember::amp
