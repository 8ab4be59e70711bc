#pragma once
// ember::nn::functional channel and alpha dropout (torch::nn::functional::dropout2d,
// dropout3d, alpha_dropout, feature_alpha_dropout); F::dropout is in functional/conv.h.
#include "ember/nn/functional/conv.h"
#include "ember/tensor.h"

namespace ember::nn::functional {

using Dropout2dFuncOptions = DropoutFuncOptions;
using Dropout3dFuncOptions = DropoutFuncOptions;

/// Options of F::alpha_dropout / F::feature_alpha_dropout: p (0.5), training (false),
/// inplace (false), as libtorch.
struct AlphaDropoutFuncOptions {
  EMBER_ARG(double, p) = 0.5;
  EMBER_ARG(bool, training) = false;
  EMBER_ARG(bool, inplace) = false;
};
using FeatureAlphaDropoutFuncOptions = AlphaDropoutFuncOptions;

/// Zeroes whole channels of [N, C, H, W] (or [C, H, W]) with probability p when training.
Tensor dropout2d(Tensor input, const Dropout2dFuncOptions& options = {});
/// Zeroes whole channels of [N, C, D, H, W] (or [C, D, H, W]) with probability p when training.
Tensor dropout3d(Tensor input, const Dropout3dFuncOptions& options = {});
/// Alpha dropout (keeps SELU's self-normalization) when training.
Tensor alpha_dropout(Tensor input, const AlphaDropoutFuncOptions& options = {});
/// Alpha dropout of whole channels when training.
Tensor feature_alpha_dropout(Tensor input, const FeatureAlphaDropoutFuncOptions& options = {});

}  // namespace ember::nn::functional
