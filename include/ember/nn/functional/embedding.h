#pragma once
// ember::nn::functional embedding lookups (torch::nn::functional::embedding, embedding_bag,
// one_hot).
#include "ember/nn/modules/embedding.h"
#include "ember/ops/index.h"

namespace ember::nn::functional {

/// Options of F::embedding: padding_idx (none; negative counts from the end), max_norm
/// (none), norm_type (2), scale_grad_by_freq (false), sparse (false).
struct EmbeddingFuncOptions {
  EMBER_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
  EMBER_ARG(std::optional<double>, max_norm) = std::nullopt;
  EMBER_ARG(double, norm_type) = 2.;
  EMBER_ARG(bool, scale_grad_by_freq) = false;
  EMBER_ARG(bool, sparse) = false;
};

/// Options of F::embedding_bag: offsets, max_norm, norm_type, scale_grad_by_freq, mode
/// (kMean), sparse, per_sample_weights, include_last_offset, padding_idx.
struct EmbeddingBagFuncOptions {
  EMBER_ARG(Tensor, offsets) = Tensor();
  EMBER_ARG(std::optional<double>, max_norm) = std::nullopt;
  EMBER_ARG(double, norm_type) = 2.;
  EMBER_ARG(bool, scale_grad_by_freq) = false;
  EMBER_ARG(EmbeddingBagMode, mode) = kMean;
  EMBER_ARG(bool, sparse) = false;
  EMBER_ARG(Tensor, per_sample_weights) = Tensor();
  EMBER_ARG(bool, include_last_offset) = false;
  EMBER_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
};

/// Rows of weight at the indices in input; with max_norm, the looked-up rows of weight
/// whose norm exceeds it are first rescaled in place (as libtorch's embedding_renorm_).
Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& options = {});
/// Sum, mean or max of bags of rows of weight (see EmbeddingBagImpl::forward).
Tensor embedding_bag(const Tensor& input, const Tensor& weight, const EmbeddingBagFuncOptions& options = {});
/// int64 one-hot encoding with a new last dim of num_classes (max + 1 when -1).
inline Tensor one_hot(const Tensor& tensor, int64_t num_classes = -1) { return ember::one_hot(tensor, num_classes); }

}  // namespace ember::nn::functional
