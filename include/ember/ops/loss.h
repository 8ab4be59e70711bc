#pragma once
// Losses and distances (src/ops/loss.cpp, src/ops/loss_class.cpp).
#include <optional>

#include "ember/tensor.h"

namespace ember {

/// How a loss reduces its per-element values (at::Reduction).
namespace Reduction {
enum Reduction : int64_t {
  None,  // no reduction: one loss per element
  Mean,  // the (weighted) mean
  Sum,   // the sum
  END
};
}  // namespace Reduction

/// (self - target)^2, reduced.
Tensor mse_loss(const Tensor& self, const Tensor& target, int64_t reduction = Reduction::Mean);
/// |self - target|, reduced.
Tensor l1_loss(const Tensor& self, const Tensor& target, int64_t reduction = Reduction::Mean);
/// 0.5 z^2 / beta where z = |self - target| < beta, else z - 0.5 beta; reduced.
Tensor smooth_l1_loss(const Tensor& self, const Tensor& target, int64_t reduction = Reduction::Mean,
                      double beta = 1.0);
/// 0.5 z^2 where z = |self - target| < delta, else delta (z - 0.5 delta); reduced.
Tensor huber_loss(const Tensor& self, const Tensor& target, int64_t reduction = Reduction::Mean,
                  double delta = 1.0);
/// Negative log likelihood of log-probabilities self (C), (N, C) or (N, C, d1, ...) at
/// class indices target; the weighted mean divides by the summed weights of the targets
/// that are not ignore_index.
Tensor nll_loss(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight = {},
                int64_t reduction = Reduction::Mean, int64_t ignore_index = -100);
/// nll_loss for inputs of any rank (N, C, d1, ...).
Tensor nll_loss_nd(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight = {},
                   int64_t reduction = Reduction::Mean, int64_t ignore_index = -100);
/// nll_loss for 4-D inputs (N, C, H, W).
Tensor nll_loss2d(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight = {},
                  int64_t reduction = Reduction::Mean, int64_t ignore_index = -100);
/// log_softmax over the class dim followed by nll_loss; target holds class indices, or
/// class probabilities when it has self's shape. label_smoothing mixes in the uniform
/// distribution.
Tensor cross_entropy_loss(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight = {},
                          int64_t reduction = Reduction::Mean, int64_t ignore_index = -100,
                          double label_smoothing = 0.0);
/// -w (t log(x) + (1 - t) log(1 - x)) for probabilities x, logs clamped at -100.
Tensor binary_cross_entropy(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight = {},
                            int64_t reduction = Reduction::Mean);
/// binary_cross_entropy of sigmoid(self), computed stably from the logits; pos_weight
/// scales the positive term per class.
Tensor binary_cross_entropy_with_logits(const Tensor& self, const Tensor& target,
                                        const std::optional<Tensor>& weight = {},
                                        const std::optional<Tensor>& pos_weight = {},
                                        int64_t reduction = Reduction::Mean);
/// Kullback-Leibler divergence of target from log-probabilities self (target given as
/// probabilities, or as log-probabilities when log_target).
Tensor kl_div(const Tensor& self, const Tensor& target, int64_t reduction = Reduction::Mean,
              bool log_target = false);
/// max(0, -target * (input1 - input2) + margin), reduced.
Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                           double margin = 0.0, int64_t reduction = Reduction::Mean);
/// 1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1.
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                             double margin = 0.0, int64_t reduction = Reduction::Mean);
/// max(0, margin + d(anchor, positive) - d(anchor, negative)) with pairwise p-distances;
/// swap uses d(positive, negative) when it is smaller.
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                           double margin = 1.0, double p = 2, double eps = 1e-06, bool swap = false,
                           int64_t reduction = Reduction::Mean);
/// Cosine of the angle between x1 and x2 along dim, norms clamped below by eps.
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim = 1, double eps = 1e-08);
/// p-norm of x1 - x2 + eps over the last dim.
Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p = 2, double eps = 1e-06,
                         bool keepdim = false);

}  // namespace ember
