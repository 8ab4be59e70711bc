// Products and running scans: prod (all and per dim), cumsum, cumprod, logcumsumexp.
// The gradients of prod and cumprod handle zeros in the input as libtorch does: exact
// products of the other elements instead of result / x.
#include <cmath>
#include <limits>

#include "src/ops/scan_common.h"

namespace ember {
using namespace ops;
using namespace ops::scan;
using backend::ReduceOp;
using ScanOp = backend::Backend::ScanOp;

namespace {

// dtype of sums and products: integers and bool widen to int64 unless dtype is given.
ScalarType accumulate_dtype(const Tensor& self, std::optional<ScalarType> dtype) {
  if (dtype) return *dtype;
  return isIntegralType(self.dtype(), /*include_bool=*/true) ? kLong : self.dtype();
}

bool has_zero(const Tensor& x) {
  NoGradGuard ng;
  return (x == 0).any().item<bool>();
}

// Runs a scan kernel into a new tensor of in's dtype.
Tensor scan_kernel(ScanOp op, const Tensor& in, int64_t dim) {
  Tensor out = detail::make_tensor(in.sizes(), in.dtype(), in.device());
  if (in.numel() > 0)
    detail::backend_of(in)->scan(op, detail::arg(as_1d(in)), detail::arg(as_1d(out)), static_cast<int>(dim));
  return out;
}

// prod_{k != j} x_k along dim for every j, as (exclusive prefix products) * (exclusive
// suffix products): exact when x has zeros, and differentiable again through cumprod.
Tensor product_of_others(const Tensor& x, int64_t dim) {
  Tensor before = shift_dim(cumprod(x, dim), dim, 1, 1.0);
  Tensor after = flip_dim(shift_dim(cumprod(flip_dim(x, dim), dim), dim, 1, 1.0), dim);
  return before * after;
}

// Gradient of prod over the dims in `mask`; `dim` is set for the one-dim overload.
Tensor prod_backward(const Tensor& g, const Tensor& x, const Tensor& result, const std::vector<bool>& mask,
                     bool keepdim, std::optional<int64_t> dim) {
  if (x.dim() == 0) return g;
  Tensor ge = unreduce(g, mask, keepdim, x.sizes());
  if (!has_zero(x)) return ge * unreduce(result, mask, keepdim, x.sizes()) / x;
  if (dim) return ge * product_of_others(x, *dim);
  return ge * product_of_others(x.reshape({-1}), 0).reshape(x.sizes());
}

Tensor prod_impl(const Tensor& self, std::optional<int64_t> dim, bool keepdim, std::optional<ScalarType> dtype) {
  EMBER_PROFILE_OP("prod", self);
  detail::check_defined(self, "prod");
  std::vector<bool> mask;
  if (dim) {
    const int64_t d = detail::wrap_dim(*dim, self.dim(), "prod");
    mask.assign(static_cast<size_t>(self.dim()), false);
    if (self.dim() > 0) mask[static_cast<size_t>(d)] = true;
    dim = d;
  } else {
    mask.assign(static_cast<size_t>(self.dim()), true);
    keepdim = false;
  }
  Tensor in = detail::cast(self, accumulate_dtype(self, dtype));
  Tensor kept = detail::make_tensor(reduced_shape(in, mask, true), in.dtype(), in.device());
  detail::backend_of(in)->reduce(ReduceOp::Prod, detail::arg(in), detail::arg(kept));
  DimVector fs = reduced_shape(in, mask, keepdim);
  Tensor out = detail::make_view(kept, fs, detail::contiguous_strides(fs), 0);
  if (auto* n = autograd::record(dim ? "ProdBackward1" : "ProdBackward0", {&in},
                                 [mask, keepdim, dim](Node& n, variable_list& g) {
                                   return variable_list{prod_backward(g[0], n.saved(0), n.saved(1), mask, keepdim, dim)};
                                 })) {
    autograd::set_history(out, n);
    n->save(in);
    n->save(out, /*is_output=*/true);
  }
  return out;
}

// Gradient of cumprod along dim: reversed_cumsum(g * out) / x without zeros; with zeros,
// the exact sums of products, O(n) for a first derivative and an O(n^2) differentiable
// form when the backward itself is being recorded (as libtorch).
Tensor cumprod_backward(const Tensor& g, const Tensor& x, const Tensor& out, int64_t d) {
  if (x.dim() == 0 || x.size(d) <= 1) return g;
  if (!has_zero(x)) return reversed_cumsum(g * out, d) / x;
  if (!autograd::GradMode::is_enabled()) {
    // zeros_upto counts the zeros at or before each position. Before the first zero z1
    // the formula without zeros holds (out vanishes from z1 on); at z1 the gradient is
    // prod_{k<z1} x_k * sum_{z1<=i<z2} g_i prod_{z1<k<=i} x_k; after z1 it is zero.
    NoGradGuard ng;
    Tensor is_zero = x == 0;
    Tensor zeros_upto = cumsum(is_zero, d);
    Tensor before_first = zeros_upto == 0;
    Tensor first_run = zeros_upto == 1;
    Tensor first_zero = is_zero.logical_and(first_run);
    Tensor after_first = first_run.logical_and(first_zero.logical_not());
    Tensor part1 = where(before_first, reversed_cumsum(g * out, d) / where(before_first, x, 1.0), 0.0);
    Tensor prefix = prod(where(before_first, x, 1.0), d, /*keepdim=*/true);
    Tensor run = cumprod(where(after_first, x, 1.0), d);
    Tensor s = sum(where(first_run, g * run, 0.0), {d}, /*keepdim=*/true);
    return part1 + where(first_zero, prefix * s, 0.0);
  }
  // dL/dx_j = prod_{k<j} x_k * sum_{i>=j} g_i prod_{j<k<=i} x_k, with j and i as the last
  // two dims of n x n temporaries.
  const int64_t n = x.size(d);
  Tensor xt = x.transpose(d, -1), gt = g.transpose(d, -1);
  Tensor pos = arange(n, TensorOptions().dtype(kLong).device(x.device()));
  Tensor row = pos.unsqueeze(-1);  // j
  Tensor xi = xt.unsqueeze(-2);
  Tensor partial = cumprod(where(pos > row, xi, 1.0), -1);  // [.., j, i] = prod_{j<k<=i} x_k
  Tensor s = sum(where(pos >= row, gt.unsqueeze(-2) * partial, 0.0), {-1});
  Tensor before = prod(where(pos < row, xi, 1.0), -1);
  return (before * s).transpose(d, -1);
}

// Gradient of logcumsumexp: grad_j = sum_{i>=j} g_i exp(x_j - out_i), summed in log space
// separately for positive and negative g so nothing overflows.
Tensor logcumsumexp_backward(const Tensor& g, const Tensor& x, const Tensor& out, int64_t d) {
  if (x.dim() == 0) return g;
  const double lowest = g.dtype() == kFloat ? static_cast<double>(std::numeric_limits<float>::lowest())
                                            : std::numeric_limits<double>::lowest();
  auto reversed_lcse = [d](const Tensor& t) { return flip_dim(logcumsumexp(flip_dim(t, d), d), d); };
  Tensor log_pos = where(g > 0, log(where(g > 0, g, 1.0)), lowest);
  Tensor log_neg = where(g < 0, log(where(g < 0, -g, 1.0)), lowest);
  return exp(reversed_lcse(log_pos - out) + x) - exp(reversed_lcse(log_neg - out) + x);
}

}  // namespace

Tensor prod(const Tensor& self, std::optional<ScalarType> dtype) { return prod_impl(self, std::nullopt, false, dtype); }
Tensor prod(const Tensor& self, int64_t dim, bool keepdim, std::optional<ScalarType> dtype) {
  return prod_impl(self, dim, keepdim, dtype);
}

Tensor cumsum(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype) {
  EMBER_PROFILE_OP("cumsum", self);
  detail::check_defined(self, "cumsum");
  const int64_t d = detail::wrap_dim(dim, self.dim(), "cumsum");
  Tensor in = detail::cast(self, accumulate_dtype(self, dtype));
  Tensor out = scan_kernel(ScanOp::CumSum, in, d);
  if (auto* n = autograd::record("CumsumBackward0", {&in}, [d](Node&, variable_list& g) {
        return variable_list{reversed_cumsum(g[0], d)};
      }))
    autograd::set_history(out, n);
  return out;
}

Tensor cumprod(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype) {
  EMBER_PROFILE_OP("cumprod", self);
  detail::check_defined(self, "cumprod");
  const int64_t d = detail::wrap_dim(dim, self.dim(), "cumprod");
  Tensor in = detail::cast(self, accumulate_dtype(self, dtype));
  Tensor out = scan_kernel(ScanOp::CumProd, in, d);
  if (auto* n = autograd::record("CumprodBackward0", {&in}, [d](Node& n, variable_list& g) {
        return variable_list{cumprod_backward(g[0], n.saved(0), n.saved(1), d)};
      })) {
    autograd::set_history(out, n);
    n->save(in);
    n->save(out, /*is_output=*/true);
  }
  return out;
}

Tensor logcumsumexp(const Tensor& self, int64_t dim) {
  EMBER_PROFILE_OP("logcumsumexp", self);
  detail::check_defined(self, "logcumsumexp");
  const int64_t d = detail::wrap_dim(dim, self.dim(), "logcumsumexp");
  EMBER_CHECK(self.is_floating_point(), DTypeError, "logcumsumexp",
              "expected a floating point input, but got ", self.dtype(),
              " (\"logcumsumexp_out_cpu\" not implemented for '", self.dtype(), "')");
  Tensor out = scan_kernel(ScanOp::LogCumSumExp, self, d);
  if (auto* n = autograd::record("LogcumsumexpBackward0", {&self}, [d](Node& n, variable_list& g) {
        return variable_list{logcumsumexp_backward(g[0], n.saved(0), n.saved(1), d)};
      })) {
    autograd::set_history(out, n);
    n->save(self);
    n->save(out, /*is_output=*/true);
  }
  return out;
}

Tensor Tensor::prod(std::optional<ScalarType> dt) const { return ember::prod(*this, dt); }
Tensor Tensor::prod(int64_t d, bool k, std::optional<ScalarType> dt) const { return ember::prod(*this, d, k, dt); }
Tensor Tensor::cumsum(int64_t d, std::optional<ScalarType> dt) const { return ember::cumsum(*this, d, dt); }
Tensor Tensor::cumprod(int64_t d, std::optional<ScalarType> dt) const { return ember::cumprod(*this, d, dt); }
Tensor Tensor::logcumsumexp(int64_t d) const { return ember::logcumsumexp(*this, d); }

}  // namespace ember
