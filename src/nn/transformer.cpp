// TransformerEncoderLayer and TransformerEncoder.
#include "ember/nn/modules/transformer.h"

#include "ember/ops.h"

namespace ember::nn {

// ---- TransformerEncoderLayer ----------------------------------------------------------

TransformerEncoderLayerImpl::TransformerEncoderLayerImpl(const TransformerEncoderLayerOptions& options_)
    : options(options_) {
  reset();
}

void TransformerEncoderLayerImpl::reset() {
  const auto& o = options;
  EMBER_CHECK(o.d_model() > 0 && o.nhead() > 0 && o.dim_feedforward() > 0, ShapeError, "nn::TransformerEncoderLayer",
              "d_model, nhead and dim_feedforward must be positive, got ", o.d_model(), ", ", o.nhead(), ", ",
              o.dim_feedforward());
  EMBER_CHECK(!std::holds_alternative<Nonlinearity>(o.activation()) ||
                  std::get<Nonlinearity>(o.activation()) == kReLU,
              Error, "nn::TransformerEncoderLayer", "activation must be kReLU, kGELU or a callable");
  EMBER_CHECK(!std::holds_alternative<std::function<Tensor(const Tensor&)>>(o.activation()) ||
                  static_cast<bool>(std::get<std::function<Tensor(const Tensor&)>>(o.activation())),
              Error, "nn::TransformerEncoderLayer", "the activation callable is empty");
  self_attn = register_module("self_attn", MultiheadAttention(MultiheadAttentionOptions(o.d_model(), o.nhead())
                                                                  .dropout(o.dropout())
                                                                  .batch_first(o.batch_first())));
  linear1 = register_module("linear1", Linear(o.d_model(), o.dim_feedforward()));
  dropout = register_module("dropout", Dropout(o.dropout()));
  linear2 = register_module("linear2", Linear(o.dim_feedforward(), o.d_model()));
  norm1 = register_module("norm1", LayerNorm(LayerNormOptions({o.d_model()}).eps(o.layer_norm_eps())));
  norm2 = register_module("norm2", LayerNorm(LayerNormOptions({o.d_model()}).eps(o.layer_norm_eps())));
  dropout1 = register_module("dropout1", Dropout(o.dropout()));
  dropout2 = register_module("dropout2", Dropout(o.dropout()));
}

void TransformerEncoderLayerImpl::reset_parameters() {
  self_attn->_reset_parameters();
  linear1->reset_parameters();
  linear2->reset_parameters();
  norm1->reset_parameters();
  norm2->reset_parameters();
}

Tensor TransformerEncoderLayerImpl::forward(const Tensor& src, const Tensor& src_mask,
                                            const Tensor& src_key_padding_mask) {
  return call_with_hooks({src}, [&] {
    EMBER_CHECK(src.defined() && (src.dim() == 3 || src.dim() == 2) && src.size(-1) == options.d_model(), ShapeError,
                "nn::TransformerEncoderLayer", "src of shape ", src.defined() ? src.sizes() : IntArrayRef{},
                " must be (S, N, ", options.d_model(), ")", options.batch_first() ? " (batch_first: (N, S, E))" : "",
                " or unbatched (S, ", options.d_model(), ")");
    auto self_attention = [&](const Tensor& x) {
      return dropout1(std::get<0>(self_attn->forward(x, x, x, src_key_padding_mask, /*need_weights=*/false, src_mask)));
    };
    auto feed_forward = [&](const Tensor& x) {
      Tensor h = linear1(x);
      const auto& act = options.activation();
      if (std::holds_alternative<enumtype::kGELU>(act)) h = gelu(h);
      else if (std::holds_alternative<Nonlinearity>(act)) h = relu(h);
      else h = std::get<std::function<Tensor(const Tensor&)>>(act)(h);
      return dropout2(linear2(dropout(h)));
    };
    if (options.norm_first()) {
      Tensor x = src + self_attention(norm1(src));
      return x + feed_forward(norm2(x));
    }
    Tensor x = norm1(src + self_attention(src));
    return norm2(x + feed_forward(x));
  });
}

// ---- TransformerEncoder ---------------------------------------------------------------

TransformerEncoderImpl::TransformerEncoderImpl(TransformerEncoderOptions options_) : options(std::move(options_)) {
  reset();
}

void TransformerEncoderImpl::reset() {
  EMBER_CHECK(!options.encoder_layer().is_empty(), Error, "nn::TransformerEncoder", "encoder_layer is empty");
  EMBER_CHECK(options.num_layers() >= 0, ShapeError, "nn::TransformerEncoder",
              "num_layers must be non-negative, got ", options.num_layers());
  layers = register_module("layers", ModuleList());
  for (int64_t i = 0; i < options.num_layers(); ++i) layers->push_back(options.encoder_layer()->clone());
  if (!options.norm().is_empty()) {
    norm = options.norm().clone_with(options.norm().ptr()->clone());
    register_module("norm", norm.ptr());
  } else {
    norm = AnyModule();
  }
}

void TransformerEncoderImpl::reset_parameters() {
  for (size_t i = 0; i < layers->size(); ++i) layers->at<TransformerEncoderLayerImpl>(i).reset_parameters();
  // The norm module's own reset re-creates its parameters with their default values.
  if (!norm.is_empty()) {
    if (auto* ln = dynamic_cast<LayerNormImpl*>(norm.ptr().get())) ln->reset_parameters();
  }
}

Tensor TransformerEncoderImpl::forward(const Tensor& src, const Tensor& src_mask, const Tensor& src_key_padding_mask) {
  return call_with_hooks({src}, [&] {
    Tensor out = src;
    for (size_t i = 0; i < layers->size(); ++i)
      out = layers->at<TransformerEncoderLayerImpl>(i).forward(out, src_mask, src_key_padding_mask);
    if (!norm.is_empty()) out = norm.forward(out);
    return out;
  });
}

}  // namespace ember::nn
