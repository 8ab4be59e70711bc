#pragma once
// ember::nn::functional losses (torch::nn::functional::mse_loss, cross_entropy, nll_loss,
// smooth_l1_loss, huber_loss, binary_cross_entropy_with_logits, kl_div).
#include "ember/nn/modules/loss.h"
#include "ember/ops.h"

namespace ember::nn::functional {

using MSELossFuncOptions = MSELossOptions;
using L1LossFuncOptions = L1LossOptions;
using NLLLossFuncOptions = NLLLossOptions;
using CrossEntropyFuncOptions = CrossEntropyLossOptions;
using SmoothL1LossFuncOptions = SmoothL1LossOptions;
using HuberLossFuncOptions = HuberLossOptions;
using BinaryCrossEntropyWithLogitsFuncOptions = BCEWithLogitsLossOptions;
using KLDivFuncOptions = KLDivLossOptions;

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

/// Smooth L1 loss with threshold options.beta().
inline Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options = {}) {
  return ember::smooth_l1_loss(input, target, reduction_value(options.reduction()), options.beta());
}
/// Huber loss with threshold options.delta().
inline Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossFuncOptions& options = {}) {
  return ember::huber_loss(input, target, reduction_value(options.reduction()), options.delta());
}
/// Binary cross entropy of sigmoid(input), from the logits, with optional weight and pos_weight.
inline Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                               const BinaryCrossEntropyWithLogitsFuncOptions& options = {}) {
  std::optional<Tensor> w, pw;
  if (options.weight().defined()) w = options.weight();
  if (options.pos_weight().defined()) pw = options.pos_weight();
  return ember::binary_cross_entropy_with_logits(input, target, w, pw, reduction_value(options.reduction()));
}
/// Kullback-Leibler divergence of target from log-probabilities input (kBatchMean: the sum
/// over the batch size).
Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& options = {});

}  // namespace ember::nn::functional
