#pragma once
// TransformerEncoderLayer and TransformerEncoder (torch::nn modules of the same names).
#include <cstdint>
#include <functional>
#include <variant>

#include "ember/arg.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/init.h"
#include "ember/nn/modules/attention.h"
#include "ember/nn/modules/container/any.h"
#include "ember/nn/modules/container/lists.h"
#include "ember/nn/modules/linear.h"
#include "ember/nn/modules/normalization.h"
#include "ember/nn/pimpl.h"

namespace ember {
namespace enumtype {
struct kGELU {};
}  // namespace enumtype
/// The gelu activation of TransformerEncoderLayerOptions (torch::kGELU).
inline constexpr enumtype::kGELU kGELU{};
}  // namespace ember

namespace ember::nn {

/// The feed-forward activation: kReLU, kGELU or a unary callable (torch::nn::activation_t).
using activation_t = std::variant<Nonlinearity, enumtype::kGELU, std::function<Tensor(const Tensor&)>>;

/// Options of TransformerEncoderLayer: d_model, nhead, dim_feedforward (2048), dropout
/// (0.1), activation (kReLU), and PyTorch's layer_norm_eps (1e-5), batch_first (false) and
/// norm_first (false), which libtorch 1.13's C++ options lack.
struct TransformerEncoderLayerOptions {
  TransformerEncoderLayerOptions(int64_t d_model, int64_t nhead) : d_model_(d_model), nhead_(nhead) {}
  EMBER_ARG(int64_t, d_model);
  EMBER_ARG(int64_t, nhead);
  EMBER_ARG(int64_t, dim_feedforward) = 2048;
  EMBER_ARG(double, dropout) = 0.1;
  EMBER_ARG(activation_t, activation) = kReLU;
  EMBER_ARG(double, layer_norm_eps) = 1e-5;
  EMBER_ARG(bool, batch_first) = false;
  EMBER_ARG(bool, norm_first) = false;
};

/// Self-attention followed by a feed-forward network, each with dropout, a residual
/// connection and LayerNorm (after the block, or before it with norm_first)
/// (torch::nn::TransformerEncoderLayer).
class TransformerEncoderLayerImpl : public Cloneable<TransformerEncoderLayerImpl> {
 public:
  TransformerEncoderLayerImpl(int64_t d_model, int64_t nhead)
      : TransformerEncoderLayerImpl(TransformerEncoderLayerOptions(d_model, nhead)) {}
  explicit TransformerEncoderLayerImpl(const TransformerEncoderLayerOptions& options_);
  /// src (S, N, E) ((N, S, E) with batch_first); src_mask (S, S) and src_key_padding_mask
  /// (N, S) as MultiheadAttention's attn_mask and key_padding_mask.
  Tensor forward(const Tensor& src, const Tensor& src_mask = {}, const Tensor& src_key_padding_mask = {});
  void reset() override;
  void reset_parameters();

  TransformerEncoderLayerOptions options;
  MultiheadAttention self_attn = nullptr;
  Linear linear1 = nullptr;
  Dropout dropout = nullptr;
  Linear linear2 = nullptr;
  LayerNorm norm1 = nullptr;
  LayerNorm norm2 = nullptr;
  Dropout dropout1 = nullptr;
  Dropout dropout2 = nullptr;
};
EMBER_MODULE(TransformerEncoderLayer);

/// Options of TransformerEncoder: the layer (cloned num_layers times) and an optional
/// final norm module.
struct TransformerEncoderOptions {
  TransformerEncoderOptions(TransformerEncoderLayer encoder_layer, int64_t num_layers)
      : encoder_layer_(std::move(encoder_layer)), num_layers_(num_layers) {}
  TransformerEncoderOptions(const TransformerEncoderLayerOptions& encoder_layer_options, int64_t num_layers)
      : encoder_layer_(TransformerEncoderLayer(encoder_layer_options)), num_layers_(num_layers) {}
  EMBER_ARG(TransformerEncoderLayer, encoder_layer) = nullptr;
  EMBER_ARG(int64_t, num_layers);
  EMBER_ARG(AnyModule, norm);
};

/// A stack of num_layers deep copies of a TransformerEncoderLayer, then the optional norm
/// (torch::nn::TransformerEncoder); parameters are named layers.<i>.* and norm.*.
class TransformerEncoderImpl : public Cloneable<TransformerEncoderImpl> {
 public:
  TransformerEncoderImpl(TransformerEncoderLayer encoder_layer, int64_t num_layers)
      : TransformerEncoderImpl(TransformerEncoderOptions(std::move(encoder_layer), num_layers)) {}
  explicit TransformerEncoderImpl(TransformerEncoderOptions options_);
  /// Runs src through every layer with the same masks, then through norm.
  Tensor forward(const Tensor& src, const Tensor& src_mask = {}, const Tensor& src_key_padding_mask = {});
  void reset() override;
  void reset_parameters();

  TransformerEncoderOptions options;
  ModuleList layers = nullptr;
  AnyModule norm;
};
EMBER_MODULE(TransformerEncoder);

}  // namespace ember::nn
