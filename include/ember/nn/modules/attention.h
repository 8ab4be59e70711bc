#pragma once
// MultiheadAttention (torch::nn::MultiheadAttention).
#include <cstdint>
#include <tuple>

#include "ember/arg.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/modules/linear.h"
#include "ember/nn/pimpl.h"

namespace ember::nn {

/// Options of MultiheadAttention: embed_dim, num_heads; dropout on the attention weights
/// (0), bias (true), add_bias_kv (false), add_zero_attn (false), kdim and vdim (embed_dim),
/// and PyTorch's batch_first (false: inputs are (L, N, E); true: (N, L, E)), which
/// libtorch 1.13's C++ options lack.
struct MultiheadAttentionOptions {
  MultiheadAttentionOptions(int64_t embed_dim, int64_t num_heads)
      : embed_dim_(embed_dim), num_heads_(num_heads), kdim_(embed_dim), vdim_(embed_dim) {}
  EMBER_ARG(int64_t, embed_dim);
  EMBER_ARG(int64_t, num_heads);
  EMBER_ARG(double, dropout) = 0.0;
  EMBER_ARG(bool, bias) = true;
  EMBER_ARG(bool, add_bias_kv) = false;
  EMBER_ARG(bool, add_zero_attn) = false;
  EMBER_ARG(int64_t, kdim);
  EMBER_ARG(int64_t, vdim);
  EMBER_ARG(bool, batch_first) = false;
};

/// Scaled dot-product attention over num_heads heads with input and output projections
/// (torch::nn::MultiheadAttention). Parameters are named as libtorch's: in_proj_weight
/// (3E, E) and in_proj_bias (3E), or q/k/v_proj_weight when kdim or vdim differ from
/// embed_dim, out_proj.weight/bias, and bias_k/bias_v with add_bias_kv.
class MultiheadAttentionImpl : public Cloneable<MultiheadAttentionImpl> {
 public:
  MultiheadAttentionImpl(int64_t embed_dim, int64_t num_heads)
      : MultiheadAttentionImpl(MultiheadAttentionOptions(embed_dim, num_heads)) {}
  explicit MultiheadAttentionImpl(const MultiheadAttentionOptions& options_);

  /// Attends query (L, N, E) to key (S, N, kdim) and value (S, N, vdim) ((N, L, E) etc. with
  /// batch_first; unbatched (L, E) inputs work too). key_padding_mask (N, S): true (or a
  /// nonzero byte) marks keys to ignore; a floating mask is added. attn_mask (L, S) or
  /// (N * num_heads, L, S): a bool mask marks pairs that may not attend (as PyTorch), a
  /// floating mask is added to the scores. Returns (output (L, N, E), weights): the weights
  /// are (N, L, S) averaged over heads when average_attn_weights, else (N, num_heads, L, S),
  /// and undefined when !need_weights.
  std::tuple<Tensor, Tensor> forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                     const Tensor& key_padding_mask = {}, bool need_weights = true,
                                     const Tensor& attn_mask = {}, bool average_attn_weights = true);
  void reset() override;
  /// xavier_uniform_ for the input projections, zero biases, xavier_normal_ for bias_k/v.
  void _reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  MultiheadAttentionOptions options;
  bool _qkv_same_embed_dim = true;
  Tensor in_proj_weight, in_proj_bias, bias_k, bias_v;
  Linear out_proj = nullptr;
  Tensor q_proj_weight, k_proj_weight, v_proj_weight;
  int64_t head_dim = 0;
};
EMBER_MODULE(MultiheadAttention);

}  // namespace ember::nn
