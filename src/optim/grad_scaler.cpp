// Dynamic loss scaling (PyTorch's torch.amp.GradScaler). The scale lives on the host:
// deciding whether to step reads the inf/NaN flags back anyway, once per optimizer step
// (one flag per device, combined there before the read).
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "ember/amp.h"
#include "ember/autograd.h"
#include "ember/errors.h"
#include "ember/ops.h"
#include "src/core/internal.h"

namespace ember::amp {

GradScaler::GradScaler(GradScalerOptions options) : options_(options), scale_(options.init_scale()) {
  EMBER_CHECK(options.init_scale() > 0 && std::isfinite(options.init_scale()), Error, "amp::GradScaler",
              "init_scale must be a positive finite number, got ", options.init_scale());
  EMBER_CHECK(options.growth_factor() > 1.0, Error, "amp::GradScaler", "The growth factor must be > 1.0, got ",
              options.growth_factor());
  EMBER_CHECK(options.backoff_factor() > 0 && options.backoff_factor() < 1.0, Error, "amp::GradScaler",
              "The backoff factor must be < 1.0 (and > 0), got ", options.backoff_factor());
  EMBER_CHECK(options.growth_interval() > 0, Error, "amp::GradScaler", "growth_interval must be positive, got ",
              options.growth_interval());
}

Tensor GradScaler::scale(const Tensor& outputs) const {
  if (!options_.enabled()) return outputs;
  detail::check_defined(outputs, "amp::GradScaler::scale", "outputs");
  return outputs * scale_;
}

void GradScaler::unscale_(optim::Optimizer& optimizer) {
  if (!options_.enabled()) return;
  Record& r = records_[&optimizer];
  EMBER_CHECK(r.stage != Stage::Unscaled, Error, "amp::GradScaler::unscale_",
              "unscale_() has already been called on this optimizer since the last update().");
  EMBER_CHECK(r.stage != Stage::Stepped, Error, "amp::GradScaler::unscale_",
              "unscale_() is being called after step().");
  NoGradGuard ng;
  // Divides in double precision on the host, as PyTorch computes 1 / scale in float64.
  const double inv_scale = 1.0 / scale_;
  std::vector<std::pair<Device, Tensor>> found;  // per device: any gradient element not finite
  for (auto& group : optimizer.param_groups()) {
    for (Tensor& p : group.params()) {
      Tensor g = p.grad();
      if (!g.defined()) continue;
      EMBER_CHECK(g.dtype() != kHalf, DTypeError, "amp::GradScaler::unscale_",
                  "Attempting to unscale FP16 gradients (parameter of shape ", p.sizes(),
                  "): keep the parameters in float32 and run the forward pass in float16");
      Tensor bad = logical_not(isfinite(g)).any();
      auto it = std::find_if(found.begin(), found.end(), [&](const auto& f) { return f.first == g.device(); });
      if (it == found.end()) found.emplace_back(g.device(), bad);
      else it->second = logical_or(it->second, bad);
      g.mul_(inv_scale);
    }
  }
  r.found_inf = false;
  for (auto& [device, bad] : found) r.found_inf = r.found_inf || bad.item<bool>();
  r.stage = Stage::Unscaled;
}

bool GradScaler::step(optim::Optimizer& optimizer) {
  if (!options_.enabled()) {
    optimizer.step();
    return true;
  }
  Record& r = records_[&optimizer];
  EMBER_CHECK(r.stage != Stage::Stepped, Error, "amp::GradScaler::step",
              "step() has already been called since the last update().");
  if (r.stage == Stage::Ready) unscale_(optimizer);  // fills r (map references stay valid)
  r.stage = Stage::Stepped;
  if (r.found_inf) return false;
  optimizer.step();
  return true;
}

void GradScaler::update(std::optional<double> new_scale) {
  if (!options_.enabled()) return;
  if (new_scale) {
    EMBER_CHECK(*new_scale > 0 && std::isfinite(*new_scale), Error, "amp::GradScaler::update",
                "new_scale must be a positive finite number, got ", *new_scale);
    scale_ = *new_scale;
  } else {
    bool any_checked = false, found_inf = false;
    for (const auto& [opt, r] : records_) {
      if (r.stage == Stage::Ready) continue;
      any_checked = true;
      found_inf = found_inf || r.found_inf;
    }
    EMBER_CHECK(any_checked, Error, "amp::GradScaler::update", "No inf checks were recorded prior to update.");
    if (found_inf) {
      scale_ *= options_.backoff_factor();
      growth_tracker_ = 0;
    } else if (++growth_tracker_ == options_.growth_interval()) {
      // A scale that would overflow stays where it is, as in PyTorch's update kernel.
      const double grown = scale_ * options_.growth_factor();
      if (std::isfinite(static_cast<float>(grown))) scale_ = grown;
      growth_tracker_ = 0;
    }
  }
  records_.clear();
}

double GradScaler::get_scale() const { return options_.enabled() ? scale_ : 1.0; }

}  // namespace ember::amp
