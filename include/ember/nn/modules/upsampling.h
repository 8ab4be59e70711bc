#pragma once
// Upsample (torch::nn::Upsample) and the interpolation mode shared with F::interpolate.
#include <optional>
#include <vector>

#include "ember/arg.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/init.h"
#include "ember/nn/modes.h"
#include "ember/nn/pimpl.h"

namespace ember::nn {

/// Interpolation mode: kNearest, kLinear (3-D input) or kBilinear (4-D input). Built from
/// the tags, as libtorch's mode_t variant; kLinear is ember::kLinear.
class InterpolateMode {
 public:
  enum Kind { Nearest, Linear, Bilinear };
  InterpolateMode(enumtype::kNearest) : kind_(Nearest) {}
  InterpolateMode(enumtype::kBilinear) : kind_(Bilinear) {}
  /// Accepts kLinear only (other Nonlinearity values raise ember::Error).
  InterpolateMode(Nonlinearity linear);
  Kind kind() const noexcept { return kind_; }
  /// "kNearest", "kLinear" or "kBilinear".
  const char* name() const noexcept;
  bool operator==(const InterpolateMode& o) const noexcept { return kind_ == o.kind_; }

 private:
  Kind kind_;
};

/// Options of Upsample: size or scale_factor (exactly one), mode (kNearest), align_corners
/// (unset: false for the linear modes; setting it with kNearest is an error).
struct UpsampleOptions {
  EMBER_ARG(std::optional<std::vector<int64_t>>, size) = std::nullopt;
  EMBER_ARG(std::optional<std::vector<double>>, scale_factor) = std::nullopt;
  EMBER_ARG(InterpolateMode, mode) = kNearest;
  EMBER_ARG(std::optional<bool>, align_corners) = std::nullopt;
};

/// Upsamples [N, C, L] or [N, C, H, W] to a size or by a scale factor (torch::nn::Upsample).
class UpsampleImpl : public Cloneable<UpsampleImpl> {
 public:
  explicit UpsampleImpl(const UpsampleOptions& options_ = {}) : options(options_) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  UpsampleOptions options;
};
EMBER_MODULE(Upsample);

}  // namespace ember::nn
