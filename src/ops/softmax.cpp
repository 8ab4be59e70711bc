// softmax, log_softmax (one fused kernel each way) and logsumexp. Backward formulas read
// the saved output: softmax y * (g - sum(g y)), log_softmax g - exp(y) sum(g).
#include "src/core/autocast.h"
#include "src/ops/elementwise_common.h"

namespace ember {
using namespace ops;

namespace {

// The gradient formula in ember ops, for create_graph (y is the forward output).
Tensor softmax_deriv(const Tensor& g, const Tensor& y, int64_t dim, bool log) {
  if (log) return g - exp(y) * g.sum({dim}, true);
  return y * (g - (g * y).sum({dim}, true));
}

Tensor softmax_impl(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype, bool log) {
  if (!dtype && autocast::applies(autocast::kFloat32, self))
    return softmax_impl(autocast::cast(autocast::kFloat32, self), dim, dtype, log);
  EMBER_PROFILE_OP(log ? "log_softmax" : "softmax", self);
  const char* name = log ? "log_softmax" : "softmax";
  detail::check_defined(self, name);
  if (dtype)
    EMBER_CHECK(isFloatingType(*dtype), DTypeError, name, "expected a floating point dtype, got ", *dtype);
  Tensor x = dtype ? self.to(*dtype) : self;
  EMBER_CHECK(x.is_floating_point(), DTypeError, name, "expected a floating point tensor, got ", x.dtype(),
              " (pass dtype= to compute in floating point)");
  const int64_t d = detail::wrap_dim(dim, x.dim(), name);
  Tensor xc;
  {
    NoGradGuard ng;
    xc = x.contiguous();
  }
  Tensor y = detail::make_tensor(x.sizes(), x.dtype(), x.device());
  detail::backend_of(x)->softmax(detail::arg(xc), static_cast<int>(d), log, detail::arg(y));
  if (auto* n = autograd::record(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", {&x},
                                 [d, log](Node& n, variable_list& g) {
                                   Tensor ys = n.saved(0);
                                   if (autograd::GradMode::is_enabled())
                                     return variable_list{softmax_deriv(g[0], ys, d, log)};
                                   Tensor gc = detail::cast(g[0], ys.dtype()).contiguous();
                                   Tensor gi = detail::make_tensor(ys.sizes(), ys.dtype(), ys.device());
                                   detail::backend_of(ys)->softmax_backward(detail::arg(gc), detail::arg(ys),
                                                                           static_cast<int>(d), log, detail::arg(gi));
                                   return variable_list{gi};
                                 })) {
    autograd::set_history(y, n);
    n->save(y, /*is_output=*/true);
  }
  return y;
}

}  // namespace

Tensor softmax(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype) {
  return softmax_impl(self, dim, dtype, false);
}
Tensor log_softmax(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype) {
  return softmax_impl(self, dim, dtype, true);
}
Tensor Tensor::softmax(int64_t dim, std::optional<ScalarType> dtype) const { return ember::softmax(*this, dim, dtype); }
Tensor Tensor::log_softmax(int64_t dim, std::optional<ScalarType> dtype) const {
  return ember::log_softmax(*this, dim, dtype);
}

Tensor logsumexp(const Tensor& self, IntArrayRef dim, bool keepdim) {
  if (autocast::applies(autocast::kFloat32, self)) return logsumexp(autocast::cast(autocast::kFloat32, self), dim, keepdim);
  EMBER_PROFILE_OP("logsumexp", self);
  detail::check_defined(self, "logsumexp");
  // Integer inputs are computed in the default float dtype (as libtorch).
  Tensor x = self.is_floating_point() ? self : self.to(get_default_dtype());
  std::vector<bool> reduced(static_cast<size_t>(x.dim()), dim.empty());
  for (int64_t d : dim) {
    const int64_t w = detail::wrap_dim(d, x.dim(), "logsumexp");
    if (x.dim() == 0) continue;
    EMBER_CHECK(!reduced[static_cast<size_t>(w)] || dim.empty(), Error, "logsumexp", "dim ", w,
                " appears multiple times in the list of dims ", dim);
    reduced[static_cast<size_t>(w)] = true;
  }
  std::vector<int64_t> dims;
  for (int64_t i = 0; i < x.dim(); ++i)
    if (reduced[static_cast<size_t>(i)]) dims.push_back(i);
  Tensor r;  // with kept dims
  if (x.dim() == 0 || dims.empty()) {
    NoGradGuard ng;
    r = x.clone();
  } else {
    // Reduced dims moved last and flattened into one: one kernel pass per row.
    NoGradGuard ng;
    std::vector<int64_t> perm, kept_shape;
    int64_t k = 1;
    for (int64_t i = 0; i < x.dim(); ++i)
      if (!reduced[static_cast<size_t>(i)]) perm.push_back(i);
    for (int64_t d : dims) {
      perm.push_back(d);
      k *= x.size(d);
    }
    for (int64_t i = 0; i < x.dim(); ++i) kept_shape.push_back(reduced[static_cast<size_t>(i)] ? 1 : x.size(i));
    Tensor rows = dims.size() == 1 ? x.contiguous() : x.permute(perm).contiguous();
    if (dims.size() > 1) {
      std::vector<int64_t> flat(kept_shape.size() - dims.size() + 1);
      size_t j = 0;
      for (int64_t i = 0; i < x.dim(); ++i)
        if (!reduced[static_cast<size_t>(i)]) flat[j++] = x.size(i);
      flat[j] = k;
      rows = rows.reshape(flat);
    }
    const int kdim = dims.size() == 1 ? static_cast<int>(dims[0]) : static_cast<int>(rows.dim() - 1);
    std::vector<int64_t> out_rows = rows.sizes().vec();
    out_rows[static_cast<size_t>(kdim)] = 1;
    r = detail::make_tensor(out_rows, x.dtype(), x.device());
    detail::backend_of(x)->logsumexp(detail::arg(rows), kdim, detail::arg(r));
    r = r.reshape(kept_shape);
  }
  Tensor out = r;
  if (!keepdim && !dims.empty()) {
    DimVector final_shape;
    for (int64_t i = 0; i < x.dim(); ++i)
      if (!reduced[static_cast<size_t>(i)]) final_shape.push_back(x.size(i));
    out = detail::make_view(r, final_shape, detail::contiguous_strides(final_shape), r.storage_offset());
  }
  if (auto* n = autograd::record("LogsumexpBackward0", {&x}, [dims, keepdim](Node& n, variable_list& g) {
        Tensor xs = n.saved(0), rs = n.saved(1), gg = g[0];
        if (!keepdim)
          for (int64_t d : dims) {
            gg = gg.unsqueeze(d);
            rs = rs.unsqueeze(d);
          }
        return variable_list{gg * exp(xs - rs)};
      })) {
    autograd::set_history(out, n);
    n->save(x);
    n->save(out, /*is_output=*/true);
  }
  return out;
}
Tensor Tensor::logsumexp(IntArrayRef dim, bool keepdim) const { return ember::logsumexp(*this, dim, keepdim); }

}  // namespace ember
