// Variance, standard deviation and norms. Forward values are computed without recording
// (two-pass variance: mean first, then squared deviations, for accuracy; norms by the
// one-pass norm_reduce kernel); each op then records one node with libtorch's backward
// formula, written in ember ops so it is differentiable again.
#include <cmath>

#include "src/ops/scan_common.h"

namespace ember {
using namespace ops;
using namespace ops::scan;

namespace {

// var or std over `dim` dividing by max(0, N - correction).
Tensor var_std(const Tensor& self, OptionalIntArrayRef dim, std::optional<int64_t> correction, bool keepdim,
               bool take_sqrt) {
  EMBER_PROFILE_OP(take_sqrt ? "std" : "var", self);
  const char* name = take_sqrt ? "std" : "var";
  detail::check_defined(self, name);
  EMBER_CHECK(self.is_floating_point(), DTypeError, name,
              "std and var only support floating point and complex dtypes, but got ", self.dtype());
  const std::vector<bool> mask = reduce_mask(self, dim.value_or_empty(), name);
  const std::vector<int64_t> dims = mask_dims(mask);
  const double denom = std::max<double>(0.0, static_cast<double>(reduced_count(self, mask) - correction.value_or(1)));
  Tensor out;
  {
    NoGradGuard ng;
    Tensor dev = self - mean(self, dims, /*keepdim=*/true);
    out = sum(dev * dev, dims, keepdim) / denom;  // N - correction <= 0 gives inf/nan, as libtorch
    if (take_sqrt) out = sqrt(out);
  }
  if (auto* n = autograd::record(take_sqrt ? "StdBackward0" : "VarBackward0", {&self},
                                 [mask, dims, keepdim, denom, take_sqrt](Node& n, variable_list& g) {
                                   Tensor x = n.saved(0);
                                   Tensor gv = g[0];
                                   if (take_sqrt) {
                                     // d std = d var / (2 std), defined as 0 where std is 0.
                                     Tensor r = n.saved(1);
                                     Tensor zero = r == 0;
                                     gv = where(zero, 0.0, gv / (2.0 * where(zero, 1.0, r)));
                                   }
                                   Tensor ge = unreduce(gv, mask, keepdim, x.sizes());
                                   return variable_list{(2.0 / denom) * ge * (x - mean(x, dims, true))};
                                 })) {
    autograd::set_history(out, n);
    n->save(self);
    if (take_sqrt) n->save(out, /*is_output=*/true);
  }
  return out;
}

std::optional<int64_t> correction_of(bool unbiased) { return unbiased ? 1 : 0; }

Tensor mean_over(const Tensor& self, OptionalIntArrayRef dim, bool keepdim) {
  return mean(self, mask_dims(reduce_mask(self, dim.value_or_empty(), "mean")), keepdim);
}

// Gradient of the p-norm (libtorch's norm_backward): result is the norm, both re-expanded.
Tensor norm_backward(const Tensor& g, const Tensor& x, const Tensor& result, double p, const std::vector<bool>& mask,
                     bool keepdim) {
  if (p == 0.0) return Tensor();  // piecewise constant: no gradient, as libtorch
  Tensor ge = unreduce(g, mask, keepdim, x.sizes());
  Tensor norm = unreduce(result, mask, keepdim, x.sizes());
  if (p == 1.0) return sign(x) * ge;
  Tensor norm_zero = norm == 0;
  Tensor safe_norm = where(norm_zero, 1.0, norm);
  if (p == 2.0) return ge * x / safe_norm;  // x is 0 wherever the norm is, so this is 0 there
  if (std::isinf(p)) {
    // Shared evenly among the elements that attain the max (min) |x|, NaNs included.
    Tensor a = abs(x);
    Tensor hit = (a == norm).logical_or(isnan(a)).to(x.dtype());
    Tensor count = sum(hit, mask_dims(mask), /*keepdim=*/true);
    return sign(x) * hit * ge / count;
  }
  Tensor a = abs(x);
  if (p < 1.0) {
    Tensor x_zero = x == 0;
    Tensor scaled = sign(x) * where(x_zero, 0.0, pow(where(x_zero, 1.0, a), p - 1));
    return scaled * ge * pow(norm, 1 - p);
  }
  Tensor scale = where(norm_zero, 0.0, ge / pow(safe_norm, p - 1));
  if (p < 2.0) return sign(x) * pow(a, p - 1) * scale;
  return x * pow(a, p - 2) * scale;
}

Tensor norm_impl(const Tensor& self, const std::optional<Scalar>& p_opt, IntArrayRef dim, bool keepdim,
                 std::optional<ScalarType> dtype, const char* name) {
  EMBER_PROFILE_OP(name, self);
  detail::check_defined(self, name);
  const ScalarType t = dtype.value_or(self.dtype());
  EMBER_CHECK(isFloatingType(t), DTypeError, name, "input dtype should be either floating point or complex. Got ",
              t, " instead.");
  const double p = p_opt ? p_opt->toDouble() : 2.0;
  EMBER_CHECK(!std::isnan(p), Error, name, "the order p must not be NaN");
  Tensor x = detail::cast(self, t);
  const std::vector<bool> mask = reduce_mask(x, dim, name);
  EMBER_CHECK(!std::isinf(p) || reduced_count(x, mask) > 0, IndexError, name, "the ", p > 0 ? "" : "-",
              "infinity norm of an empty slice is undefined (input shape ", self.sizes(), ", dims ", dim, ")");
  Tensor kept = detail::make_tensor(reduced_shape(x, mask, true), t, x.device());
  detail::backend_of(x)->norm_reduce(detail::arg(x), detail::arg(kept), p);
  const DimVector fs = reduced_shape(x, mask, keepdim);
  Tensor out = detail::make_view(kept, fs, detail::contiguous_strides(fs), 0);
  if (auto* n = autograd::record("NormBackward1", {&x}, [p, mask, keepdim](Node& n, variable_list& g) {
        return variable_list{norm_backward(g[0], n.saved(0), n.saved(1), p, mask, keepdim)};
      })) {
    autograd::set_history(out, n);
    n->save(x);
    n->save(out, /*is_output=*/true);
  }
  return out;
}

}  // namespace

Tensor var(const Tensor& self, bool unbiased) { return var_std(self, std::nullopt, correction_of(unbiased), false, false); }
Tensor var(const Tensor& self, OptionalIntArrayRef dim, bool unbiased, bool keepdim) {
  return var_std(self, dim, correction_of(unbiased), keepdim, false);
}
Tensor var(const Tensor& self, OptionalIntArrayRef dim, std::optional<int64_t> correction, bool keepdim) {
  return var_std(self, dim, correction, keepdim, false);
}
Tensor std(const Tensor& self, bool unbiased) { return var_std(self, std::nullopt, correction_of(unbiased), false, true); }
Tensor std(const Tensor& self, OptionalIntArrayRef dim, bool unbiased, bool keepdim) {
  return var_std(self, dim, correction_of(unbiased), keepdim, true);
}
Tensor std(const Tensor& self, OptionalIntArrayRef dim, std::optional<int64_t> correction, bool keepdim) {
  return var_std(self, dim, correction, keepdim, true);
}

std::tuple<Tensor, Tensor> var_mean(const Tensor& self, bool unbiased) {
  return var_mean(self, std::nullopt, correction_of(unbiased), false);
}
std::tuple<Tensor, Tensor> var_mean(const Tensor& self, OptionalIntArrayRef dim, bool unbiased, bool keepdim) {
  return var_mean(self, dim, correction_of(unbiased), keepdim);
}
std::tuple<Tensor, Tensor> var_mean(const Tensor& self, OptionalIntArrayRef dim, std::optional<int64_t> correction,
                                    bool keepdim) {
  Tensor v = var_std(self, dim, correction, keepdim, false);
  return {v, mean_over(self, dim, keepdim)};
}
std::tuple<Tensor, Tensor> std_mean(const Tensor& self, bool unbiased) {
  return std_mean(self, std::nullopt, correction_of(unbiased), false);
}
std::tuple<Tensor, Tensor> std_mean(const Tensor& self, OptionalIntArrayRef dim, bool unbiased, bool keepdim) {
  return std_mean(self, dim, correction_of(unbiased), keepdim);
}
std::tuple<Tensor, Tensor> std_mean(const Tensor& self, OptionalIntArrayRef dim, std::optional<int64_t> correction,
                                    bool keepdim) {
  Tensor s = var_std(self, dim, correction, keepdim, true);
  return {s, mean_over(self, dim, keepdim)};
}

Tensor norm(const Tensor& self, const std::optional<Scalar>& p, ScalarType dtype) {
  return norm_impl(self, p, {}, false, dtype, "norm");
}
Tensor norm(const Tensor& self, const Scalar& p) { return norm_impl(self, p, {}, false, std::nullopt, "norm"); }
Tensor norm(const Tensor& self, const std::optional<Scalar>& p, IntArrayRef dim, bool keepdim, ScalarType dtype) {
  return norm_impl(self, p, dim, keepdim, dtype, "norm");
}
Tensor norm(const Tensor& self, const std::optional<Scalar>& p, IntArrayRef dim, bool keepdim) {
  return norm_impl(self, p, dim, keepdim, std::nullopt, "norm");
}

Tensor frobenius_norm(const Tensor& self) { return norm_impl(self, 2, {}, false, std::nullopt, "frobenius_norm"); }
Tensor frobenius_norm(const Tensor& self, IntArrayRef dim, bool keepdim) {
  EMBER_CHECK(dim.size() <= 2, ShapeError, "frobenius_norm", "Expected at most 2 dimensions, but got ", dim.size(),
              " dimensions instead.");
  return norm_impl(self, 2, dim, keepdim, std::nullopt, "frobenius_norm");
}

Tensor Tensor::var(bool u) const { return ember::var(*this, u); }
Tensor Tensor::var(OptionalIntArrayRef d, bool u, bool k) const { return ember::var(*this, d, u, k); }
Tensor Tensor::var(OptionalIntArrayRef d, std::optional<int64_t> c, bool k) const { return ember::var(*this, d, c, k); }
Tensor Tensor::var(int d) const { return ember::var(*this, d); }
Tensor Tensor::std(bool u) const { return ember::std(*this, u); }
Tensor Tensor::std(OptionalIntArrayRef d, bool u, bool k) const { return ember::std(*this, d, u, k); }
Tensor Tensor::std(OptionalIntArrayRef d, std::optional<int64_t> c, bool k) const { return ember::std(*this, d, c, k); }
Tensor Tensor::std(int d) const { return ember::std(*this, d); }
Tensor Tensor::norm(const std::optional<Scalar>& p, ScalarType dt) const { return ember::norm(*this, p, dt); }
Tensor Tensor::norm(const Scalar& p) const { return ember::norm(*this, p); }
Tensor Tensor::norm(const std::optional<Scalar>& p, IntArrayRef d, bool k, ScalarType dt) const {
  return ember::norm(*this, p, d, k, dt);
}
Tensor Tensor::norm(const std::optional<Scalar>& p, IntArrayRef d, bool k) const { return ember::norm(*this, p, d, k); }

}  // namespace ember
