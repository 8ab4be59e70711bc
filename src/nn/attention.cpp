// MultiheadAttention and F::multi_head_attention_forward.
#include <cmath>
#include <limits>
#include <ostream>

#include "ember/nn/functional/attention.h"
#include "ember/nn/init.h"
#include "ember/ops.h"

namespace ember::nn {

namespace {

using functional::MultiheadAttentionForwardFuncOptions;

IntArrayRef sizes_of(const Tensor& t) { return t.defined() ? t.sizes() : IntArrayRef{}; }

// Appends one zero column to the last dim of a mask (the extra key of bias_k or add_zero_attn).
Tensor pad_last(const Tensor& m) {
  if (!m.defined()) return m;
  DimVector s(m.sizes());
  s[s.size() - 1] = 1;
  return cat({m, zeros(s, m.options())}, -1);
}

// A mask as an additive float tensor of dtype dt: bool/uint8 masks become -inf where set
// (PyTorch's meaning of a boolean mask), floating masks are added as they are.
Tensor additive_mask(const Tensor& m, ScalarType dt, const char* op, const char* what) {
  if (m.dtype() == kBool || m.dtype() == kByte) {
    return zeros(m.sizes(), TensorOptions().dtype(dt)).masked_fill(m.to(kBool), -std::numeric_limits<double>::infinity());
  }
  EMBER_CHECK(m.is_floating_point(), DTypeError, op, what, " must be bool, uint8 or floating point, got ", m.dtype());
  return m.to(dt);
}

std::tuple<Tensor, Tensor> attention_forward(const char* op, const Tensor& query_in, const Tensor& key_in,
                                             const Tensor& value_in, const MultiheadAttentionForwardFuncOptions& o) {
  EMBER_CHECK(query_in.defined() && key_in.defined() && value_in.defined(), Error, op,
              "query, key and value must be defined");
  EMBER_CHECK(query_in.dim() == 3 || query_in.dim() == 2, ShapeError, op,
              "query must be 3-D (L, N, E) or unbatched 2-D (L, E), got shape ", query_in.sizes());
  EMBER_CHECK(key_in.dim() == query_in.dim() && value_in.dim() == query_in.dim(), ShapeError, op, "key ",
              key_in.sizes(), " and value ", value_in.sizes(), " must have as many dims as query ", query_in.sizes());
  const bool batched = query_in.dim() == 3;
  const Tensor query = batched ? query_in : query_in.unsqueeze(1);
  const Tensor key = batched ? key_in : (key_in.is_same(query_in) ? query : key_in.unsqueeze(1));
  const Tensor value = batched ? value_in : (value_in.is_same(key_in) ? key : value_in.unsqueeze(1));
  const int64_t tgt_len = query.size(0), bsz = query.size(1), embed_dim = query.size(2);
  const int64_t num_heads = o.num_heads();
  EMBER_CHECK(embed_dim == o.embed_dim_to_check(), ShapeError, op, "query of shape ", query_in.sizes(),
              " does not end in embed_dim=", o.embed_dim_to_check());
  EMBER_CHECK(key.size(0) == value.size(0) && key.size(1) == bsz && value.size(1) == bsz, ShapeError, op,
              "key ", key_in.sizes(), " and value ", value_in.sizes(),
              " must have the same sequence length and query's batch size (query ", query_in.sizes(), ")");
  EMBER_CHECK(num_heads > 0 && embed_dim % num_heads == 0, ShapeError, op, "embed_dim (", embed_dim,
              ") must be divisible by num_heads (", num_heads, ")");
  const int64_t head_dim = embed_dim / num_heads;
  const double scaling = 1.0 / std::sqrt(static_cast<double>(head_dim));
  const Tensor& b = o.in_proj_bias();
  auto bias_part = [&](int64_t start, int64_t end) -> std::optional<Tensor> {
    if (!b.defined()) return std::nullopt;
    return b.slice(0, start, end);
  };
  EMBER_CHECK(!b.defined() || b.sizes() == IntArrayRef({3 * embed_dim}), ShapeError, op, "in_proj_bias of shape ",
              b.sizes(), " must be [", 3 * embed_dim, "]");

  Tensor q, k, v;
  if (!o.use_separate_proj_weight()) {
    const Tensor& w = o.in_proj_weight();
    EMBER_CHECK(w.defined() && w.sizes() == IntArrayRef({3 * embed_dim, embed_dim}), ShapeError, op,
                "in_proj_weight of shape ", sizes_of(w), " must be [", 3 * embed_dim, ", ", embed_dim, "]");
    EMBER_CHECK(key.size(2) == embed_dim && value.size(2) == embed_dim, ShapeError, op, "key ", key_in.sizes(),
                " and value ", value_in.sizes(), " must end in embed_dim=", embed_dim,
                " (use separate projection weights for other sizes)");
    if (query_in.is_same(key_in) && key_in.is_same(value_in)) {
      // Self-attention: one projection, split in three.
      auto chunks = linear(query, w, b.defined() ? std::optional<Tensor>(b) : std::nullopt).chunk(3, -1);
      q = chunks[0];
      k = chunks[1];
      v = chunks[2];
    } else {
      q = linear(query, w.slice(0, 0, embed_dim), bias_part(0, embed_dim));
      k = linear(key, w.slice(0, embed_dim, 2 * embed_dim), bias_part(embed_dim, 2 * embed_dim));
      v = linear(value, w.slice(0, 2 * embed_dim, 3 * embed_dim), bias_part(2 * embed_dim, 3 * embed_dim));
    }
  } else {
    const Tensor &wq = o.q_proj_weight(), &wk = o.k_proj_weight(), &wv = o.v_proj_weight();
    EMBER_CHECK(wq.defined() && wq.sizes() == IntArrayRef({embed_dim, embed_dim}) && wk.defined() && wk.dim() == 2 &&
                    wk.size(0) == embed_dim && wk.size(1) == key.size(2) && wv.defined() && wv.dim() == 2 &&
                    wv.size(0) == embed_dim && wv.size(1) == value.size(2),
                ShapeError, op, "q/k/v_proj_weight of shapes ", sizes_of(wq), ", ", sizes_of(wk), ", ", sizes_of(wv),
                " do not project query ", query_in.sizes(), ", key ", key_in.sizes(), " and value ", value_in.sizes(),
                " to embed_dim=", embed_dim);
    q = linear(query, wq, bias_part(0, embed_dim));
    k = linear(key, wk, bias_part(embed_dim, 2 * embed_dim));
    v = linear(value, wv, bias_part(2 * embed_dim, 3 * embed_dim));
  }
  q = q * scaling;

  int64_t src_len = key.size(0);
  Tensor attn_mask, kpm;
  if (o.attn_mask().defined()) {
    const Tensor& m = o.attn_mask();
    const bool ok2 = m.dim() == 2 && m.size(0) == tgt_len && m.size(1) == src_len;
    const bool ok3 = m.dim() == 3 && m.size(0) == bsz * num_heads && m.size(1) == tgt_len && m.size(2) == src_len;
    EMBER_CHECK(ok2 || ok3, ShapeError, op, "attn_mask of shape ", m.sizes(), " must be [", tgt_len, ", ", src_len,
                "] or [", bsz * num_heads, ", ", tgt_len, ", ", src_len, "] for query ", query_in.sizes(), " and key ",
                key_in.sizes());
    attn_mask = additive_mask(m, q.dtype(), op, "attn_mask");
    if (m.dim() == 2) attn_mask = attn_mask.unsqueeze(0);
  }
  if (o.key_padding_mask().defined()) {
    Tensor m = batched ? o.key_padding_mask() : o.key_padding_mask().unsqueeze(0);
    EMBER_CHECK(m.dim() == 2 && m.size(0) == bsz && m.size(1) == src_len, ShapeError, op, "key_padding_mask of shape ",
                o.key_padding_mask().sizes(), " must be [", bsz, ", ", src_len, "] (batch, source length) for key ",
                key_in.sizes());
    kpm = additive_mask(m, q.dtype(), op, "key_padding_mask");
  }

  if (o.bias_k().defined() || o.bias_v().defined()) {
    EMBER_CHECK(o.bias_k().defined() && o.bias_v().defined(), Error, op, "bias_k and bias_v must be given together");
    EMBER_CHECK(!o.static_k().defined() && !o.static_v().defined(), Error, op,
                "bias_k/bias_v cannot be added to a static key or value");
    k = cat({k, o.bias_k().repeat({1, bsz, 1})});
    v = cat({v, o.bias_v().repeat({1, bsz, 1})});
    attn_mask = pad_last(attn_mask);
    kpm = pad_last(kpm);
  }
  q = q.contiguous().view({tgt_len, bsz * num_heads, head_dim}).transpose(0, 1);
  k = k.contiguous().view({-1, bsz * num_heads, head_dim}).transpose(0, 1);
  v = v.contiguous().view({-1, bsz * num_heads, head_dim}).transpose(0, 1);
  if (o.static_k().defined()) {
    EMBER_CHECK(o.static_k().dim() == 3 && o.static_k().size(0) == bsz * num_heads &&
                    o.static_k().size(2) == head_dim && o.static_k().size(1) == k.size(1),
                ShapeError, op, "static_k of shape ", o.static_k().sizes(), " must be [", bsz * num_heads, ", ",
                k.size(1), ", ", head_dim, "]");
    k = o.static_k();
  }
  if (o.static_v().defined()) {
    EMBER_CHECK(o.static_v().dim() == 3 && o.static_v().size(0) == bsz * num_heads &&
                    o.static_v().size(2) == head_dim && o.static_v().size(1) == k.size(1),
                ShapeError, op, "static_v of shape ", o.static_v().sizes(), " must be [", bsz * num_heads, ", ",
                k.size(1), ", ", head_dim, "]");
    v = o.static_v();
  }
  if (o.add_zero_attn()) {
    k = cat({k, zeros({k.size(0), 1, head_dim}, k.options())}, 1);
    v = cat({v, zeros({v.size(0), 1, head_dim}, v.options())}, 1);
    attn_mask = pad_last(attn_mask);
    kpm = pad_last(kpm);
  }
  src_len = k.size(1);

  Tensor scores = bmm(q, k.transpose(1, 2));  // (N * H, L, S)
  if (attn_mask.defined()) scores = scores + attn_mask;
  if (kpm.defined())
    scores = (scores.view({bsz, num_heads, tgt_len, src_len}) + kpm.view({bsz, 1, 1, src_len}))
                 .view({bsz * num_heads, tgt_len, src_len});
  Tensor weights = softmax(scores, -1);
  if (o.dropout_p() > 0) weights = dropout(weights, o.dropout_p(), o.training());
  Tensor out = bmm(weights, v).transpose(0, 1).contiguous().view({tgt_len, bsz, embed_dim});
  out = linear(out, o.out_proj_weight(),
               o.out_proj_bias().defined() ? std::optional<Tensor>(o.out_proj_bias()) : std::nullopt);
  if (!o.need_weights()) return {batched ? out : out.squeeze(1), Tensor()};
  weights = weights.view({bsz, num_heads, tgt_len, src_len});
  if (o.average_attn_weights()) weights = weights.sum({1}) / static_cast<double>(num_heads);
  if (!batched) return {out.squeeze(1), weights.squeeze(0)};
  return {out, weights};
}

}  // namespace

namespace functional {
std::tuple<Tensor, Tensor> multi_head_attention_forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                                        const MultiheadAttentionForwardFuncOptions& options) {
  return attention_forward("nn::functional::multi_head_attention_forward", query, key, value, options);
}
}  // namespace functional

MultiheadAttentionImpl::MultiheadAttentionImpl(const MultiheadAttentionOptions& options_) : options(options_) {
  reset();
}

void MultiheadAttentionImpl::reset() {
  const int64_t e = options.embed_dim(), h = options.num_heads();
  EMBER_CHECK(e > 0 && h > 0 && options.kdim() > 0 && options.vdim() > 0, ShapeError, "nn::MultiheadAttention",
              "embed_dim, num_heads, kdim and vdim must be positive, got ", e, ", ", h, ", ", options.kdim(), ", ",
              options.vdim());
  EMBER_CHECK(e % h == 0, ShapeError, "nn::MultiheadAttention", "embed_dim (", e, ") must be divisible by num_heads (",
              h, ")");
  EMBER_CHECK(options.dropout() >= 0 && options.dropout() <= 1, Error, "nn::MultiheadAttention",
              "dropout probability has to be between 0 and 1, but got ", options.dropout());
  _qkv_same_embed_dim = options.kdim() == e && options.vdim() == e;
  head_dim = e / h;
  if (!_qkv_same_embed_dim) {
    q_proj_weight = register_parameter("q_proj_weight", empty({e, e}));
    k_proj_weight = register_parameter("k_proj_weight", empty({e, options.kdim()}));
    v_proj_weight = register_parameter("v_proj_weight", empty({e, options.vdim()}));
    in_proj_weight = register_parameter("in_proj_weight", Tensor(), false);
  } else {
    in_proj_weight = register_parameter("in_proj_weight", empty({3 * e, e}));
    q_proj_weight = register_parameter("q_proj_weight", Tensor(), false);
    k_proj_weight = register_parameter("k_proj_weight", Tensor(), false);
    v_proj_weight = register_parameter("v_proj_weight", Tensor(), false);
  }
  if (options.bias()) in_proj_bias = register_parameter("in_proj_bias", empty({3 * e}));
  else in_proj_bias = register_parameter("in_proj_bias", Tensor(), false);
  out_proj = register_module("out_proj", Linear(LinearOptions(e, e).bias(options.bias())));
  if (options.add_bias_kv()) {
    bias_k = register_parameter("bias_k", empty({1, 1, e}));
    bias_v = register_parameter("bias_v", empty({1, 1, e}));
  } else {
    bias_k = Tensor();
    bias_v = Tensor();
  }
  _reset_parameters();
}

void MultiheadAttentionImpl::_reset_parameters() {
  if (_qkv_same_embed_dim) {
    init::xavier_uniform_(in_proj_weight);
  } else {
    init::xavier_uniform_(q_proj_weight);
    init::xavier_uniform_(k_proj_weight);
    init::xavier_uniform_(v_proj_weight);
  }
  if (in_proj_bias.defined()) {
    init::constant_(in_proj_bias, 0.);
    init::constant_(out_proj->bias, 0.);
  }
  if (bias_k.defined()) init::xavier_normal_(bias_k);
  if (bias_v.defined()) init::xavier_normal_(bias_v);
}

void MultiheadAttentionImpl::pretty_print(std::ostream& s) const { s << "ember::nn::MultiheadAttention"; }

namespace {
std::tuple<Tensor, Tensor> attend(const MultiheadAttentionImpl& m, const Tensor& query, const Tensor& key,
                                  const Tensor& value, const Tensor& key_padding_mask, bool need_weights,
                                  const Tensor& attn_mask, bool average_attn_weights) {
  const auto& options = m.options;
  Tensor q = query, k = key, v = value;
  if (options.batch_first() && query.dim() == 3) {
    // Keep self-attention recognisable: the same tensor stays the same after the transpose.
    q = query.transpose(0, 1);
    k = key.is_same(query) ? q : key.transpose(0, 1);
    v = value.is_same(key) ? k : value.transpose(0, 1);
  }
  auto o = MultiheadAttentionForwardFuncOptions(options.embed_dim(), options.num_heads(), m.in_proj_weight,
                                                m.in_proj_bias, m.bias_k, m.bias_v, options.add_zero_attn(),
                                                options.dropout(), m.out_proj->weight, m.out_proj->bias)
               .training(m.is_training())
               .key_padding_mask(key_padding_mask)
               .need_weights(need_weights)
               .attn_mask(attn_mask)
               .average_attn_weights(average_attn_weights);
  if (!m._qkv_same_embed_dim)
    o.use_separate_proj_weight(true).q_proj_weight(m.q_proj_weight).k_proj_weight(m.k_proj_weight).v_proj_weight(
        m.v_proj_weight);
  auto [out, weights] = attention_forward("nn::MultiheadAttention", q, k, v, o);
  if (options.batch_first() && query.dim() == 3) out = out.transpose(0, 1);
  return {out, weights};
}
}  // namespace

std::tuple<Tensor, Tensor> MultiheadAttentionImpl::forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                                           const Tensor& key_padding_mask, bool need_weights,
                                                           const Tensor& attn_mask, bool average_attn_weights) {
  // Hooks see query, key and value as given and the attention output as the output.
  std::tuple<Tensor, Tensor> result;
  call_with_hooks({query, key, value}, [&] {
    result = attend(*this, query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights);
    return std::get<0>(result);
  });
  return result;
}

}  // namespace ember::nn
