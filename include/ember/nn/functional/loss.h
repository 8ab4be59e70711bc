#pragma once
// ember::nn::functional losses (torch::nn::functional::mse_loss, cross_entropy, nll_loss).
#include "ember/nn/modules/loss.h"
#include "ember/ops.h"

namespace ember::nn::functional {

using MSELossFuncOptions = MSELossOptions;
using L1LossFuncOptions = L1LossOptions;
using NLLLossFuncOptions = NLLLossOptions;
using CrossEntropyFuncOptions = CrossEntropyLossOptions;

/// Mean squared error.
inline Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& options = {}) {
  return ember::mse_loss(input, target, reduction_value(options.reduction()));
}
/// Mean absolute error.
inline Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options = {}) {
  return ember::l1_loss(input, target, reduction_value(options.reduction()));
}
/// Negative log likelihood of log-probabilities.
inline Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& options = {}) {
  std::optional<Tensor> w;
  if (options.weight().defined()) w = options.weight();
  return ember::nll_loss_nd(input, target, w, reduction_value(options.reduction()), options.ignore_index());
}
/// Cross entropy of logits against class indices or probabilities.
inline Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& options = {}) {
  std::optional<Tensor> w;
  if (options.weight().defined()) w = options.weight();
  return ember::cross_entropy_loss(input, target, w, reduction_value(options.reduction()), options.ignore_index(),
                                   options.label_smoothing());
}

}  // namespace ember::nn::functional
