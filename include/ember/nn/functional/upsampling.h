#pragma once
// ember::nn::functional::interpolate (torch::nn::functional::interpolate).
#include "ember/nn/modules/upsampling.h"

namespace ember::nn::functional {

/// Options of F::interpolate: size or scale_factor (exactly one), mode (kNearest),
/// align_corners (as UpsampleOptions), recompute_scale_factor (unset: the given
/// scale_factor also sets the source step; true: only the output size comes from it).
struct InterpolateFuncOptions {
  EMBER_ARG(std::optional<std::vector<int64_t>>, size) = std::nullopt;
  EMBER_ARG(std::optional<std::vector<double>>, scale_factor) = std::nullopt;
  EMBER_ARG(InterpolateMode, mode) = kNearest;
  EMBER_ARG(std::optional<bool>, align_corners) = std::nullopt;
  EMBER_ARG(std::optional<bool>, recompute_scale_factor) = std::nullopt;
};

/// Resamples [N, C, L] (kNearest, kLinear) or [N, C, H, W] (kNearest, kBilinear).
Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options = {});

}  // namespace ember::nn::functional
