// Losses over class indices: nll_loss (1-D, 2-D and (N, C, d1, ...) inputs) and
// cross_entropy_loss (class indices or class probabilities, weights, ignore_index,
// label smoothing), with libtorch's reductions: the weighted mean divides by the summed
// weights of the targets that are not ignored.
//
// The log-probability of each target class is picked with gather, whose backward
// scatters into the picked classes.
#include <limits>

#include "ember/ops/activation.h"
#include "src/core/autocast.h"
#include "src/ops/loss_common.h"

namespace ember {
using namespace ops;

namespace {

// One loss per target element (0 where ignored) and the weight each one carries (0 where
// ignored), both shaped like the target.
struct NllParts {
  Tensor loss;
  Tensor weight;
};

// Moves the class dim (1) of an (N, C, d1, ...) tensor last: (N, d1, ..., C).
Tensor classes_last(const Tensor& t) {
  if (t.dim() <= 2) return t;
  std::vector<int64_t> perm{0};
  for (int64_t d = 2; d < t.dim(); ++d) perm.push_back(d);
  perm.push_back(1);
  return t.permute(perm);
}

// Raises IndexError naming `name` and the first target outside [0, C) that is not
// ignore_index.
void check_targets(const Tensor& target, int64_t n_classes, int64_t ignore_index, const char* name) {
  NoGradGuard ng;
  Tensor bad = (target != ignore_index).logical_and((target < 0).logical_or(target >= n_classes));
  if (target.numel() == 0 || !bad.any().item<bool>()) return;
  Tensor flat_bad = bad.reshape({-1});
  const int64_t at = argmax(flat_bad.to(kByte)).item<int64_t>();
  const int64_t value = target.reshape({-1}).select(0, at).item<int64_t>();
  detail::throw_error<IndexError>(name, "Target ", value, " is out of bounds (expected class indices in [0, ",
                                  n_classes, ") or ignore_index ", ignore_index, ").");
}

NllParts nll_parts(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight, int64_t ignore_index,
                   const char* name) {
  detail::check_defined(self, name);
  detail::check_defined(target, name, "target");
  detail::check_same_device(self, target, name);
  check_floating(self, name, "input");
  EMBER_CHECK(target.dtype() == kLong || target.dtype() == kByte, DTypeError, name,
              "expected scalar type Long for the class index target but found ", target.dtype());
  EMBER_CHECK(self.dim() >= 1, ShapeError, name, "Expected 1 or more dimensions (got ", self.dim(), ")");
  if (self.dim() == 1) {
    EMBER_CHECK(target.dim() == 0, ShapeError, name, "a 1-D input (one sample of ", self.size(0),
                " classes) expects a 0-D target, got target of shape ", target.sizes());
  } else {
    EMBER_CHECK(target.dim() >= 1 && self.size(0) == target.size(0), ShapeError, name, "Expected input batch_size (",
                self.size(0), ") to match target batch_size (", target.dim() ? target.size(0) : 0,
                ") (input shape ", self.sizes(), ", target shape ", target.sizes(), ").");
    std::vector<int64_t> expect{self.size(0)};
    for (int64_t d = 2; d < self.dim(); ++d) expect.push_back(self.size(d));
    EMBER_CHECK(target.sizes() == IntArrayRef(expect), ShapeError, name, "Expected target size ",
                IntArrayRef(expect), ", got ", target.sizes(), " (input shape ", self.sizes(), ")");
  }
  const int64_t n_classes = self.dim() == 1 ? self.size(0) : self.size(1);
  const bool has_w = weight && weight->defined();
  if (has_w) {
    detail::check_same_device(self, *weight, name);
    EMBER_CHECK(weight->dim() == 1 && weight->numel() == n_classes, ShapeError, name,
                "weight tensor should be defined either for all ", n_classes, " classes or no classes but got weight tensor of shape: ",
                weight->sizes());
  }
  Tensor t = target.to(kLong);
  check_targets(t, n_classes, ignore_index, name);

  Tensor logp = classes_last(self);
  Tensor valid = t != ignore_index;
  // Ignored targets pick class 0 (any valid class) and are zeroed afterwards; gather's
  // backward scatters the gradient into the picked classes only.
  Tensor safe = where(valid, t, zeros({}, t.options()));
  Tensor picked = logp.gather(-1, safe.unsqueeze(-1)).squeeze(-1);
  NllParts parts;
  if (has_w) {
    Tensor w = detail::cast(*weight, self.dtype());
    Tensor wt = w.index_select(0, safe.reshape({-1})).reshape(t.sizes()) * valid.to(self.dtype());
    // where, not a product: an ignored position may pick a -inf log-probability.
    parts.loss = -where(valid, picked * wt, zeros({}, self.options()));
    parts.weight = wt;
  } else {
    parts.loss = -where(valid, picked, zeros({}, self.options()));
    parts.weight = valid.to(self.dtype());
  }
  return parts;
}

Tensor reduce_nll(const NllParts& p, int64_t reduction) {
  if (reduction == Reduction::None) return p.loss;
  if (reduction == Reduction::Sum) return p.loss.sum();
  return p.loss.sum() / p.weight.sum();
}

Tensor nll_impl(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight, int64_t reduction,
                int64_t ignore_index, const char* name) {
  EMBER_PROFILE_OP("nll_loss", self, target);
  check_reduction(reduction, name);
  return reduce_nll(nll_parts(self, target, weight, ignore_index, name), reduction);
}

// Class probabilities: -sum_c w_c t_c log p_c per sample; the mean divides by the number
// of samples (not by the weights).
Tensor cross_entropy_probs(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight,
                           int64_t reduction, double label_smoothing) {
  const char* name = "cross_entropy_loss";
  const int64_t class_dim = self.dim() == 1 ? 0 : 1;
  const int64_t n_classes = self.size(class_dim);
  const bool has_w = weight && weight->defined();
  if (has_w)
    EMBER_CHECK(weight->dim() == 1 && weight->numel() == n_classes, ShapeError, name,
                "weight tensor should be defined either for all ", n_classes,
                " classes or no classes but got weight tensor of shape: ", weight->sizes());
  Tensor logp = log_softmax(self, class_dim);
  Tensor t = label_smoothing > 0 ? target * (1 - label_smoothing) + label_smoothing / static_cast<double>(n_classes)
                                 : target;
  Tensor prod = logp * t;
  if (has_w) {
    std::vector<int64_t> shape(static_cast<size_t>(self.dim()), 1);
    shape[static_cast<size_t>(class_dim)] = n_classes;
    prod = prod * detail::cast(*weight, self.dtype()).reshape(shape);
  }
  switch (reduction) {
    case Reduction::Mean:
      if (self.numel() == 0) return -prod.sum() * std::numeric_limits<double>::quiet_NaN();
      return -prod.sum() / static_cast<double>(self.numel() / n_classes);
    case Reduction::Sum:
      return -prod.sum();
    default:
      return -prod.sum({class_dim});
  }
}

}  // namespace

Tensor nll_loss(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight, int64_t reduction,
                int64_t ignore_index) {
  if (autocast::applies(autocast::kFloat32, self, weight))
    return nll_loss(autocast::cast(autocast::kFloat32, self), target, autocast::cast(autocast::kFloat32, weight),
                    reduction, ignore_index);
  return nll_impl(self, target, weight, reduction, ignore_index, "nll_loss");
}
Tensor nll_loss_nd(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight, int64_t reduction,
                   int64_t ignore_index) {
  return nll_impl(self, target, weight, reduction, ignore_index, "nll_loss_nd");
}
Tensor nll_loss2d(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight, int64_t reduction,
                  int64_t ignore_index) {
  detail::check_defined(self, "nll_loss2d");
  EMBER_CHECK(self.dim() == 4, ShapeError, "nll_loss2d", "only batches of spatial inputs supported (4D tensors), but got input of size: ",
              self.sizes());
  return nll_impl(self, target, weight, reduction, ignore_index, "nll_loss2d");
}

Tensor cross_entropy_loss(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight,
                          int64_t reduction, int64_t ignore_index, double label_smoothing) {
  EMBER_PROFILE_OP("cross_entropy_loss", self, target);
  const char* name = "cross_entropy_loss";
  detail::check_defined(self, name);
  detail::check_defined(target, name, "target");
  check_reduction(reduction, name);
  check_floating(self, name, "input");
  EMBER_CHECK(label_smoothing >= 0.0 && label_smoothing <= 1.0, Error, name,
              "label_smoothing must be between 0.0 and 1.0. Got: ", label_smoothing);
  EMBER_CHECK(self.dim() >= 1, ShapeError, name, "Expected 1 or more dimensions (got ", self.dim(), ")");
  if (self.sizes() == target.sizes()) {
    // Same shape as the input: the target holds class probabilities.
    EMBER_CHECK(target.is_floating_point(), DTypeError, name,
                "Expected floating point type for target with class probabilities, got ", target.dtype());
    EMBER_CHECK(ignore_index < 0, Error, name, "ignore_index is not supported for floating point target");
    return cross_entropy_probs(self, target, weight, reduction, label_smoothing);
  }
  const int64_t class_dim = self.dim() == 1 ? 0 : 1;
  Tensor logp = log_softmax(self, class_dim);
  if (label_smoothing <= 0) return nll_impl(logp, target, weight, reduction, ignore_index, name);

  // Mix the nll of the target class with the mean nll over all classes:
  // (1 - s) * nll + s / C * smooth, the smooth part weighted and reduced like the nll.
  const int64_t n_classes = self.size(class_dim);
  NllParts parts = nll_parts(logp, target, weight, ignore_index, name);
  Tensor nll = reduce_nll(parts, reduction);
  Tensor lp = logp;
  if (weight && weight->defined()) {
    std::vector<int64_t> shape(static_cast<size_t>(self.dim()), 1);
    shape[static_cast<size_t>(class_dim)] = n_classes;
    lp = lp * detail::cast(*weight, self.dtype()).reshape(shape);
  }
  Tensor ignored = target == ignore_index;
  Tensor smooth = where(ignored, zeros({}, self.options()), -lp.sum({class_dim}));
  Tensor ret;
  if (reduction == Reduction::Mean) ret = smooth.sum() / parts.weight.sum();
  else if (reduction == Reduction::Sum) ret = smooth.sum();
  else ret = smooth;
  return (1 - label_smoothing) * nll + ret * (label_smoothing / static_cast<double>(n_classes));
}

}  // namespace ember
