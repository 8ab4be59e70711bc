#pragma once
// Dropout2d, Dropout3d, AlphaDropout and FeatureAlphaDropout (torch::nn modules of the same
// names). Dropout and DropoutOptions live in normalization.h.
#include "ember/nn/cloneable.h"
#include "ember/nn/modules/normalization.h"
#include "ember/nn/pimpl.h"

namespace ember::nn {

using Dropout2dOptions = DropoutOptions;
using Dropout3dOptions = DropoutOptions;
using AlphaDropoutOptions = DropoutOptions;
using FeatureAlphaDropoutOptions = DropoutOptions;

#define EMBER_DROPOUT_MODULE(Name)                                                     \
  class Name##Impl : public Cloneable<Name##Impl> {                                    \
   public:                                                                             \
    explicit Name##Impl(double p) : Name##Impl(DropoutOptions(p)) {}                   \
    explicit Name##Impl(const DropoutOptions& options_ = {}) : options(options_) {     \
      reset();                                                                         \
    }                                                                                  \
    void reset() override;                                                             \
    void pretty_print(std::ostream& stream) const override;                            \
    Tensor forward(Tensor input);                                                      \
    DropoutOptions options;                                                            \
  };                                                                                   \
  EMBER_MODULE(Name)

/// Zeroes whole channels of [N, C, H, W] (or [C, H, W]) with probability p while training,
/// scaling the rest by 1 / (1 - p) (torch::nn::Dropout2d).
EMBER_DROPOUT_MODULE(Dropout2d);
/// Dropout2d for [N, C, D, H, W] (or [C, D, H, W]) inputs (torch::nn::Dropout3d).
EMBER_DROPOUT_MODULE(Dropout3d);
/// Dropout that keeps the mean and variance of SELU activations (torch::nn::AlphaDropout).
EMBER_DROPOUT_MODULE(AlphaDropout);
/// AlphaDropout of whole channels (torch::nn::FeatureAlphaDropout).
EMBER_DROPOUT_MODULE(FeatureAlphaDropout);
#undef EMBER_DROPOUT_MODULE

}  // namespace ember::nn
