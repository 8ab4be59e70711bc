#pragma once
// ember::nn::functional::pad (torch::nn::functional::pad).
#include <vector>

#include "ember/arg.h"
#include "ember/nn/modes.h"
#include "ember/tensor.h"

namespace ember::nn::functional {

/// Options of F::pad: pad (left, right[, top, bottom]), mode (kConstant, kReflect,
/// kReplicate or kCircular), value (0; constant mode only).
struct PadFuncOptions {
  PadFuncOptions(std::vector<int64_t> pad) : pad_(std::move(pad)) {}
  EMBER_ARG(std::vector<int64_t>, pad);
  EMBER_ARG(PadMode, mode) = kConstant;
  EMBER_ARG(double, value) = 0;
};

/// Pads the last dims of input; negative constant pads crop.
Tensor pad(const Tensor& input, const PadFuncOptions& options);

}  // namespace ember::nn::functional
