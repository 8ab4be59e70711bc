// Pointwise losses and distances, written as compositions of ember ops (so they get
// autograd and double backward for free) following libtorch's formulas: mse, l1,
// smooth_l1, huber, binary cross entropy (with and without logits), kl_div,
// margin ranking, cosine embedding, triplet margin, cosine similarity, pairwise distance.
#include <cmath>
#include <limits>

#include "ember/ops/activation.h"
#include "src/core/autocast.h"
#include "src/ops/loss_common.h"

namespace ember {
using namespace ops;

namespace {

// Checks shared by the losses that compare self with a target elementwise.
void check_pointwise(const Tensor& self, const Tensor& target, int64_t reduction, const char* name) {
  detail::check_defined(self, name);
  detail::check_defined(target, name, "target");
  detail::check_same_device(self, target, name);
  check_reduction(reduction, name);
  EMBER_CHECK(isFloatingType(result_type(self, target)), DTypeError, name,
              "expected floating point input and target, got ", self.dtype(), " and ", target.dtype());
  check_broadcastable(self, target, name, "input", "target");
}

// sqrt(sum(x^2)) over dim whose gradient is x / norm, and 0 where the norm is 0 (so a
// zero vector does not give NaN).
Tensor norm2(const Tensor& x, int64_t dim, bool keepdim) {
  Tensor n;
  {
    NoGradGuard ng;
    n = sqrt((x * x).sum({dim}, keepdim));
  }
  if (auto* node = autograd::record("NormBackward1", {&x}, [dim, keepdim](Node& nd, variable_list& g) {
        Tensor xs = nd.saved(0), ns = nd.saved(1), gg = g[0];
        if (!keepdim) {
          gg = gg.unsqueeze(dim);
          ns = ns.unsqueeze(dim);
        }
        Tensor safe = where(ns == 0.0, full_like(ns, std::numeric_limits<double>::infinity()), ns);
        return variable_list{xs * (gg / safe)};
      })) {
    autograd::set_history(n, node);
    node->save(x);
    node->save(n, /*is_output=*/true);
  }
  return n;
}

// The p-norm of x over dim (p = 0 counts non-zeros, p = inf is the max magnitude).
Tensor lp_norm(const Tensor& x, double p, int64_t dim, bool keepdim, const char* name) {
  EMBER_CHECK(p >= 0, Error, name, "p must be non-negative for the p-norm, got ", p);
  if (p == 2) return norm2(x, dim, keepdim);
  if (p == 1) return abs(x).sum({dim}, keepdim);
  if (std::isinf(p)) return abs(x).amax({dim}, keepdim);
  if (p == 0) {
    NoGradGuard ng;
    return (x != 0.0).to(x.dtype()).sum({dim}, keepdim);
  }
  return pow(pow(abs(x), p).sum({dim}, keepdim), 1.0 / p);
}

}  // namespace

Tensor mse_loss(const Tensor& self, const Tensor& target, int64_t reduction) {
  if (autocast::applies(autocast::kFloat32, self, target))
    return mse_loss(autocast::cast(autocast::kFloat32, self), autocast::cast(autocast::kFloat32, target), reduction);
  EMBER_PROFILE_OP("mse_loss", self, target);
  check_pointwise(self, target, reduction, "mse_loss");
  return apply_reduction(square(self - target), reduction);
}

Tensor l1_loss(const Tensor& self, const Tensor& target, int64_t reduction) {
  EMBER_PROFILE_OP("l1_loss", self, target);
  check_pointwise(self, target, reduction, "l1_loss");
  return apply_reduction(abs(self - target), reduction);
}

Tensor smooth_l1_loss(const Tensor& self, const Tensor& target, int64_t reduction, double beta) {
  check_pointwise(self, target, reduction, "smooth_l1_loss");
  EMBER_CHECK(beta >= 0, Error, "smooth_l1_loss", "smooth_l1_loss does not support negative values for beta, got ",
              beta);
  if (beta == 0) return l1_loss(self, target, reduction);
  Tensor d = self - target;
  Tensor z = abs(d);
  // The quadratic branch uses d * d (not z * z) so its derivative has no kink at 0.
  return apply_reduction(where(z < beta, (0.5 / beta) * d * d, z - 0.5 * beta), reduction);
}

Tensor huber_loss(const Tensor& self, const Tensor& target, int64_t reduction, double delta) {
  check_pointwise(self, target, reduction, "huber_loss");
  EMBER_CHECK(delta > 0, Error, "huber_loss", "huber_loss does not support non-positive values for delta, got ",
              delta);
  Tensor d = self - target;
  Tensor z = abs(d);
  return apply_reduction(where(z < delta, 0.5 * d * d, delta * (z - 0.5 * delta)), reduction);
}

Tensor binary_cross_entropy(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight,
                            int64_t reduction) {
  const char* name = "binary_cross_entropy";
  check_pointwise(self, target, reduction, name);
  check_floating(self, name, "input");
  EMBER_CHECK(self.sizes() == target.sizes(), ShapeError, name, "Using a target size (", target.sizes(),
              ") that is different to the input size (", self.sizes(), ") is not supported. Please ensure they have the same size.");
  const bool has_w = weight && weight->defined();
  if (has_w) check_broadcastable(*weight, self, name, "weight", "input");
  Tensor t = detail::cast(target, self.dtype());
  Tensor loss;
  {
    NoGradGuard ng;
    EMBER_CHECK(((self >= 0.0).logical_and(self <= 1.0)).all().item<bool>(), Error, name,
                "all elements of input should be between 0 and 1");
    // Logs are clamped at -100 so that inputs of exactly 0 or 1 give a finite loss.
    loss = -(t * clamp_min(log(self), -100) + (1 - t) * clamp_min(log(1 - self), -100));
  }
  if (auto* n = autograd::record("BinaryCrossEntropyBackward0", {&self, &t}, [](Node& n, variable_list& g) {
        variable_list r(2);
        Tensor x = n.saved(0), tt = n.saved(1);
        if (n.needs_input_grad(0)) r[0] = g[0] * (x - tt) / clamp_min((1 - x) * x, 1e-12);
        if (n.needs_input_grad(1)) r[1] = g[0] * (clamp_min(log(1 - x), -100) - clamp_min(log(x), -100));
        return r;
      })) {
    autograd::set_history(loss, n);
    n->save(self);
    n->save(t);
  }
  if (has_w) loss = loss * *weight;
  return apply_reduction(loss, reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight,
                                        const std::optional<Tensor>& pos_weight, int64_t reduction) {
  if (autocast::applies(autocast::kFloat32, self, target, weight, pos_weight))
    return binary_cross_entropy_with_logits(
        autocast::cast(autocast::kFloat32, self), autocast::cast(autocast::kFloat32, target),
        autocast::cast(autocast::kFloat32, weight), autocast::cast(autocast::kFloat32, pos_weight), reduction);
  const char* name = "binary_cross_entropy_with_logits";
  check_pointwise(self, target, reduction, name);
  check_floating(self, name, "input");
  // -log(sigmoid(x)) = softplus(-x), computed without overflow for large |x|.
  Tensor neg_log_sig = -log_sigmoid(self);
  Tensor loss;
  if (pos_weight && pos_weight->defined()) {
    check_broadcastable(*pos_weight, target, name, "pos_weight", "target");
    Tensor log_weight = (*pos_weight - 1) * target + 1;
    loss = (1 - target) * self + log_weight * neg_log_sig;
  } else {
    loss = (1 - target) * self + neg_log_sig;
  }
  if (weight && weight->defined()) {
    check_broadcastable(*weight, loss, name, "weight", "loss");
    loss = loss * *weight;
  }
  return apply_reduction(loss, reduction);
}

Tensor kl_div(const Tensor& self, const Tensor& target, int64_t reduction, bool log_target) {
  check_pointwise(self, target, reduction, "kl_div");
  Tensor out;
  if (log_target) {
    out = exp(target) * (target - self);
  } else {
    // xlogy(t, t): 0 where t == 0. log reads 1 there so neither value nor gradient is NaN.
    Tensor zero = target == 0.0;
    Tensor safe = where(zero, ones_like(target), target);
    out = target * log(safe) - target * self;
  }
  return apply_reduction(out, reduction);
}

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                           int64_t reduction) {
  const char* name = "margin_ranking_loss";
  check_pointwise(input1, input2, reduction, name);
  detail::check_defined(target, name, "target");
  check_broadcastable(input1 - input2, target, name, "inputs", "target");
  return apply_reduction(clamp_min(-target * (input1 - input2) + margin, 0), reduction);
}

Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                             int64_t reduction) {
  const char* name = "cosine_embedding_loss";
  check_pointwise(input1, input2, reduction, name);
  detail::check_defined(target, name, "target");
  const int64_t td = target.dim();
  EMBER_CHECK(td == 1 || td == 0, ShapeError, name, "0D or 1D target tensor expected, multi-target not supported (got target of shape ",
              target.sizes(), ")");
  if (td == 1)
    EMBER_CHECK(input1.dim() == 2 && input2.dim() == 2, ShapeError, name,
                "1D target tensor expects 2D input tensors, but found inputs with sizes ", input1.sizes(), " and ",
                input2.sizes(), ".");
  else
    EMBER_CHECK(input1.dim() == 1 && input2.dim() == 1, ShapeError, name,
                "0D target tensor expects 1D input tensors, but found inputs with sizes ", input1.sizes(), " and ",
                input2.sizes(), ".");
  if (td == 1)
    EMBER_CHECK(target.size(0) == std::max(input1.size(0), input2.size(0)), ShapeError, name, "target of shape ",
                target.sizes(), " does not match the batch size of the inputs ", input1.sizes(), " and ", input2.sizes());
  constexpr double kEps = 1e-12;
  Tensor prod_sum = (input1 * input2).sum({td});
  Tensor mag1 = (input1 * input1).sum({td}) + kEps;
  Tensor mag2 = (input2 * input2).sum({td}) + kEps;
  Tensor cos = prod_sum / sqrt(mag1 * mag2);
  Tensor zero = zeros_like(cos);
  Tensor pos = where(target == 1, 1 - cos, zero);
  Tensor neg = where(target == -1, clamp_min(cos - margin, 0), zero);
  return apply_reduction(pos + neg, reduction);
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p, double eps, bool keepdim) {
  const char* name = "pairwise_distance";
  detail::check_defined(x1, name, "x1");
  detail::check_defined(x2, name, "x2");
  check_broadcastable(x1, x2, name, "x1", "x2");
  const int64_t inner = std::max(x1.dim(), x2.dim()) - 1;
  return lp_norm(x1 - x2 + eps, p, std::max<int64_t>(inner, 0), keepdim, name);
}

Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative, double margin,
                           double p, double eps, bool swap, int64_t reduction) {
  const char* name = "triplet_margin_loss";
  detail::check_defined(anchor, name, "anchor");
  detail::check_defined(positive, name, "positive");
  detail::check_defined(negative, name, "negative");
  check_reduction(reduction, name);
  EMBER_CHECK(anchor.dim() == positive.dim() && positive.dim() == negative.dim(), ShapeError, name,
              "All inputs should have same dimension but got ", anchor.dim(), "D, ", positive.dim(), "D and ",
              negative.dim(), "D inputs (shapes ", anchor.sizes(), ", ", positive.sizes(), ", ", negative.sizes(), ")");
  Tensor d_pos = pairwise_distance(anchor, positive, p, eps, false);
  Tensor d_neg = pairwise_distance(anchor, negative, p, eps, false);
  if (swap) d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps, false));
  return apply_reduction(clamp_min(margin + d_pos - d_neg, 0), reduction);
}

Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim, double eps) {
  const char* name = "cosine_similarity";
  detail::check_defined(x1, name, "x1");
  detail::check_defined(x2, name, "x2");
  const ScalarType t = result_type(x1, x2);
  EMBER_CHECK(isFloatingType(t), DTypeError, name, "expected common dtype to be floating point, yet common dtype is ", t);
  check_broadcastable(x1, x2, name, "x1", "x2");
  std::vector<int64_t> shape = infer_size(x1.sizes(), x2.sizes());
  Tensor a = detail::cast(x1, t).expand(shape), b = detail::cast(x2, t).expand(shape);
  const int64_t d = detail::wrap_dim(dim, static_cast<int64_t>(shape.size()), name);
  // Each vector is divided by its (clamped) norm before the dot product, which keeps the
  // result in [-1, 1] and avoids overflow for large norms (as libtorch).
  Tensor n1 = clamp_min(norm2(a, d, true), eps), n2 = clamp_min(norm2(b, d, true), eps);
  return ((a / n1) * (b / n2)).sum({d});
}

}  // namespace ember
