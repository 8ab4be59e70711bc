#pragma once
// ember::nn::functional distances and normalize (torch::nn::functional::cosine_similarity,
// pairwise_distance, normalize).
#include <optional>

#include "ember/arg.h"
#include "ember/tensor.h"

namespace ember::nn::functional {

/// Options of F::cosine_similarity: dim (1), eps (1e-8).
struct CosineSimilarityFuncOptions {
  EMBER_ARG(int64_t, dim) = 1;
  EMBER_ARG(double, eps) = 1e-8;
};
/// Options of F::pairwise_distance: p (2), eps (1e-6), keepdim (false).
struct PairwiseDistanceFuncOptions {
  EMBER_ARG(double, p) = 2.0;
  EMBER_ARG(double, eps) = 1e-6;
  EMBER_ARG(bool, keepdim) = false;
};
/// Options of F::normalize: p (2), dim (1), eps (1e-12), out (unset).
struct NormalizeFuncOptions {
  EMBER_ARG(double, p) = 2.0;
  EMBER_ARG(int64_t, dim) = 1;
  EMBER_ARG(double, eps) = 1e-12;
  EMBER_ARG(std::optional<Tensor>, out) = std::nullopt;
};

/// Cosine of the angle between x1 and x2 along options.dim().
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, const CosineSimilarityFuncOptions& options = {});
/// p-norm of x1 - x2 + eps over the last dim.
Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, const PairwiseDistanceFuncOptions& options = {});
/// input / max(||input||_p, eps) along options.dim() (written into options.out() when set).
Tensor normalize(const Tensor& input, NormalizeFuncOptions options = {});

}  // namespace ember::nn::functional
