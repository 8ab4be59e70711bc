// Embedding, EmbeddingBag and their functional forms.
#include <cmath>
#include <ostream>
#include <vector>

#include "ember/autograd.h"
#include "ember/nn/functional/embedding.h"
#include "ember/nn/init.h"
#include "ember/ops.h"

namespace ember::nn {

namespace {

// A negative padding_idx counts from the end; the result is -1 when there is none.
int64_t resolve_padding_idx(const std::optional<int64_t>& padding_idx, int64_t num_embeddings, const char* op) {
  if (!padding_idx) return -1;
  const int64_t p = *padding_idx;
  EMBER_CHECK(p < num_embeddings && p >= -num_embeddings, IndexError, op, "padding_idx ", p,
              " must be within num_embeddings (", num_embeddings, ")");
  return p < 0 ? p + num_embeddings : p;
}

// libtorch's embedding_renorm_: each row of weight referenced by indices whose norm_type
// norm exceeds max_norm is scaled to max_norm / (norm + 1e-7), in place and unrecorded.
void renorm_rows(const Tensor& weight, const Tensor& indices, double max_norm, double norm_type) {
  NoGradGuard guard;
  Tensor idx = indices.to(kLong).reshape({-1});
  if (idx.numel() == 0) return;
  Tensor rows = weight.index_select(0, idx);
  Tensor norms = std::isinf(norm_type) ? rows.abs().amax({1})
                                        : rows.abs().pow(norm_type).sum({1}).pow(1.0 / norm_type);
  Tensor scale = where(norms > max_norm, max_norm / (norms + 1e-7), ones_like(norms));
  // Duplicated indices write the same scaled row, so the order of the writes is irrelevant.
  Tensor w = weight;
  index_put_(w, std::vector<std::optional<Tensor>>{idx}, rows * scale.unsqueeze(1));
}

const char* mode_name(const EmbeddingBagMode& mode) {
  if (std::holds_alternative<enumtype::kSum>(mode)) return "kSum";
  if (std::holds_alternative<enumtype::kMean>(mode)) return "kMean";
  return "kMax";
}

void check_weight(const Tensor& weight, const char* op) {
  EMBER_CHECK(weight.defined() && weight.dim() == 2, ShapeError, op, "weight must be 2-D, got ",
              weight.defined() ? weight.sizes() : IntArrayRef{});
}

}  // namespace

// ---- Embedding --------------------------------------------------------------------------

EmbeddingImpl::EmbeddingImpl(EmbeddingOptions options_) : options(std::move(options_)) { reset(); }

void EmbeddingImpl::reset() {
  EMBER_CHECK(options.num_embeddings() >= 0 && options.embedding_dim() >= 0, ShapeError, "nn::Embedding",
              "num_embeddings and embedding_dim must be non-negative, got ", options.num_embeddings(), " and ",
              options.embedding_dim());
  if (options.padding_idx())
    options.padding_idx(resolve_padding_idx(options.padding_idx(), options.num_embeddings(), "nn::Embedding"));
  if (!options._weight().defined()) {
    weight = register_parameter("weight", empty({options.num_embeddings(), options.embedding_dim()}));
    reset_parameters();
  } else {
    EMBER_CHECK(options._weight().sizes() == IntArrayRef({options.num_embeddings(), options.embedding_dim()}),
                ShapeError, "nn::Embedding", "shape of _weight ", options._weight().sizes(),
                " does not match [num_embeddings, embedding_dim] = [", options.num_embeddings(), ", ",
                options.embedding_dim(), "]");
    weight = register_parameter("weight", options._weight());
  }
}

void EmbeddingImpl::reset_parameters() {
  init::normal_(weight);
  if (options.padding_idx()) {
    NoGradGuard guard;
    weight[*options.padding_idx()].fill_(0);
  }
}

void EmbeddingImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "ember::nn::Embedding(num_embeddings=" << options.num_embeddings()
    << ", embedding_dim=" << options.embedding_dim();
  if (options.padding_idx()) s << ", padding_idx=" << *options.padding_idx();
  if (options.max_norm()) s << ", max_norm=" << *options.max_norm();
  if (options.norm_type() != 2) s << ", norm_type=" << options.norm_type();
  if (options.scale_grad_by_freq()) s << ", scale_grad_by_freq=" << options.scale_grad_by_freq();
  if (options.sparse()) s << ", sparse=" << options.sparse();
  s << ")";
}

Tensor EmbeddingImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] {
    return functional::embedding(input, weight,
                                 functional::EmbeddingFuncOptions()
                                     .padding_idx(options.padding_idx())
                                     .max_norm(options.max_norm())
                                     .norm_type(options.norm_type())
                                     .scale_grad_by_freq(options.scale_grad_by_freq())
                                     .sparse(options.sparse()));
  });
}

Embedding Embedding::from_pretrained(const Tensor& embeddings, const EmbeddingFromPretrainedOptions& options) {
  EMBER_CHECK(embeddings.defined() && embeddings.dim() == 2, ShapeError, "nn::Embedding::from_pretrained",
              "embeddings are expected to be 2-D, got shape ", embeddings.defined() ? embeddings.sizes() : IntArrayRef{});
  Embedding e(EmbeddingOptions(embeddings.size(0), embeddings.size(1))
                  ._weight(embeddings)
                  .padding_idx(options.padding_idx())
                  .max_norm(options.max_norm())
                  .norm_type(options.norm_type())
                  .scale_grad_by_freq(options.scale_grad_by_freq())
                  .sparse(options.sparse()));
  e->weight.requires_grad_(!options.freeze());
  return e;
}

// ---- EmbeddingBag -----------------------------------------------------------------------

EmbeddingBagImpl::EmbeddingBagImpl(EmbeddingBagOptions options_) : options(std::move(options_)) { reset(); }

void EmbeddingBagImpl::reset() {
  EMBER_CHECK(options.num_embeddings() >= 0 && options.embedding_dim() >= 0, ShapeError, "nn::EmbeddingBag",
              "num_embeddings and embedding_dim must be non-negative, got ", options.num_embeddings(), " and ",
              options.embedding_dim());
  if (options.padding_idx())
    options.padding_idx(resolve_padding_idx(options.padding_idx(), options.num_embeddings(), "nn::EmbeddingBag"));
  if (!options._weight().defined()) {
    weight = register_parameter("weight", empty({options.num_embeddings(), options.embedding_dim()}));
    reset_parameters();
  } else {
    EMBER_CHECK(options._weight().sizes() == IntArrayRef({options.num_embeddings(), options.embedding_dim()}),
                ShapeError, "nn::EmbeddingBag", "shape of _weight ", options._weight().sizes(),
                " does not match [num_embeddings, embedding_dim] = [", options.num_embeddings(), ", ",
                options.embedding_dim(), "]");
    weight = register_parameter("weight", options._weight());
  }
}

void EmbeddingBagImpl::reset_parameters() {
  init::normal_(weight);
  if (options.padding_idx()) {
    NoGradGuard guard;
    weight[*options.padding_idx()].fill_(0);
  }
}

void EmbeddingBagImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "ember::nn::EmbeddingBag(num_embeddings=" << options.num_embeddings()
    << ", embedding_dim=" << options.embedding_dim();
  if (options.max_norm()) s << ", max_norm=" << *options.max_norm();
  if (options.norm_type() != 2) s << ", norm_type=" << options.norm_type();
  if (options.scale_grad_by_freq()) s << ", scale_grad_by_freq=" << options.scale_grad_by_freq();
  if (options.sparse()) s << ", sparse=" << options.sparse();
  if (!std::holds_alternative<enumtype::kMean>(options.mode())) s << ", mode=" << mode_name(options.mode());
  if (options.include_last_offset()) s << ", include_last_offset=" << options.include_last_offset();
  if (options.padding_idx()) s << ", padding_idx=" << *options.padding_idx();
  s << ")";
}

Tensor EmbeddingBagImpl::forward(const Tensor& input, const Tensor& offsets, const Tensor& per_sample_weights) {
  return call_with_hooks({input}, [&] {
    return functional::embedding_bag(input, weight,
                                     functional::EmbeddingBagFuncOptions()
                                         .offsets(offsets)
                                         .max_norm(options.max_norm())
                                         .norm_type(options.norm_type())
                                         .scale_grad_by_freq(options.scale_grad_by_freq())
                                         .mode(options.mode())
                                         .sparse(options.sparse())
                                         .per_sample_weights(per_sample_weights)
                                         .include_last_offset(options.include_last_offset())
                                         .padding_idx(options.padding_idx()));
  });
}

EmbeddingBag EmbeddingBag::from_pretrained(const Tensor& embeddings, const EmbeddingBagFromPretrainedOptions& options) {
  EMBER_CHECK(embeddings.defined() && embeddings.dim() == 2, ShapeError, "nn::EmbeddingBag::from_pretrained",
              "embeddings are expected to be 2-D, got shape ", embeddings.defined() ? embeddings.sizes() : IntArrayRef{});
  EmbeddingBag e(EmbeddingBagOptions(embeddings.size(0), embeddings.size(1))
                     ._weight(embeddings)
                     .max_norm(options.max_norm())
                     .norm_type(options.norm_type())
                     .scale_grad_by_freq(options.scale_grad_by_freq())
                     .mode(options.mode())
                     .sparse(options.sparse())
                     .include_last_offset(options.include_last_offset())
                     .padding_idx(options.padding_idx()));
  e->weight.requires_grad_(!options.freeze());
  return e;
}

// ---- functional -------------------------------------------------------------------------

namespace functional {

Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& options) {
  const char* op = "nn::functional::embedding";
  check_weight(weight, op);
  const int64_t padding_idx = resolve_padding_idx(options.padding_idx(), weight.size(0), op);
  if (options.max_norm()) renorm_rows(weight, input, *options.max_norm(), options.norm_type());
  return ember::embedding(weight, input, padding_idx, options.scale_grad_by_freq(), options.sparse());
}

Tensor embedding_bag(const Tensor& input, const Tensor& weight, const EmbeddingBagFuncOptions& options) {
  const char* op = "nn::functional::embedding_bag";
  check_weight(weight, op);
  EMBER_CHECK(input.defined() && (input.dim() == 1 || input.dim() == 2), ShapeError, op,
              "input has to be a 1-D or 2-D tensor, got shape ", input.defined() ? input.sizes() : IntArrayRef{});
  const Tensor& psw = options.per_sample_weights();
  EMBER_CHECK(!psw.defined() || psw.sizes() == input.sizes(), ShapeError, op, "per_sample_weights of shape ",
              psw.defined() ? psw.sizes() : IntArrayRef{}, " must have the shape of input ", input.sizes());
  EMBER_CHECK(!psw.defined() || std::holds_alternative<enumtype::kSum>(options.mode()), Error, op,
              "per_sample_weights is only supported for mode kSum, got mode ", mode_name(options.mode()));
  const int64_t padding_idx = resolve_padding_idx(options.padding_idx(), weight.size(0), op);

  // Bag boundaries: [starts[b], starts[b + 1]) over the flattened input.
  Tensor flat = input.reshape({-1});
  std::vector<int64_t> starts;
  if (input.dim() == 2) {
    EMBER_CHECK(!options.offsets().defined(), ShapeError, op,
                "offsets must be undefined for a 2-D input (each row is a bag), got offsets of shape ",
                options.offsets().sizes());
    for (int64_t b = 0; b <= input.size(0); ++b) starts.push_back(b * input.size(1));
  } else {
    const Tensor& off = options.offsets();
    EMBER_CHECK(off.defined() && off.dim() == 1, ShapeError, op, "offsets has to be a 1-D tensor for a 1-D input, got ",
                off.defined() ? off.sizes() : IntArrayRef{});
    Tensor o = off.to(kLong).contiguous();
    const int64_t* p = o.data_ptr<int64_t>();
    starts.assign(p, p + o.numel());
    EMBER_CHECK(options.include_last_offset() ? !starts.empty() : true, ShapeError, op,
                "include_last_offset needs at least one offset");
    if (!options.include_last_offset()) starts.push_back(flat.numel());
    for (size_t i = 0; i < starts.size(); ++i)
      EMBER_CHECK(starts[i] >= 0 && starts[i] <= flat.numel() && (i == 0 || starts[i] >= starts[i - 1]), IndexError,
                  op, "offsets must be non-decreasing and within [0, ", flat.numel(), "], got ", off.sizes(),
                  " offsets with ", starts[i], " at position ", i);
    EMBER_CHECK(starts.front() == 0, IndexError, op, "the first offset must be 0, got ", starts.front());
  }
  if (options.max_norm()) renorm_rows(weight, flat, *options.max_norm(), options.norm_type());
  Tensor rows = ember::embedding(weight, flat, -1, options.scale_grad_by_freq(), options.sparse());
  if (psw.defined()) rows = rows * psw.reshape({-1}).unsqueeze(1).to(rows.dtype());

  Tensor idx = flat.to(kLong).contiguous();
  const int64_t* ip = idx.data_ptr<int64_t>();
  std::vector<Tensor> bags;
  const int64_t dim = weight.size(1);
  for (size_t b = 0; b + 1 < starts.size(); ++b) {
    std::vector<int64_t> keep;
    for (int64_t i = starts[b]; i < starts[b + 1]; ++i)
      if (ip[i] != padding_idx) keep.push_back(i);
    if (keep.empty()) {
      bags.push_back(zeros({dim}, rows.options()));
      continue;
    }
    Tensor sel = rows.index_select(0, tensor(keep, TensorOptions().dtype(kLong)));
    if (std::holds_alternative<enumtype::kMax>(options.mode())) bags.push_back(sel.amax({0}));
    else if (std::holds_alternative<enumtype::kMean>(options.mode()))
      bags.push_back(sel.sum({0}) / static_cast<double>(keep.size()));
    else bags.push_back(sel.sum({0}));
  }
  if (bags.empty()) return zeros({0, dim}, rows.options());
  return stack(bags, 0);
}

}  // namespace functional

}  // namespace ember::nn
