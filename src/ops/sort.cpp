// Sorting and selection along a dim: sort, argsort, topk, kthvalue, median, mode. NaN
// sorts as the largest value and equal values keep their input order, so every result,
// indices included, is deterministic. Gradients go back to the selected positions
// (scan::scatter_along).
#include <limits>

#include "src/ops/scan_common.h"

namespace ember {
using namespace ops;
using namespace ops::scan;
using SliceSelect = backend::Backend::SliceSelect;

namespace {

int64_t size_along(const Tensor& self, int64_t d) { return self.dim() == 0 ? 1 : self.size(d); }

std::tuple<Tensor, Tensor> sort_impl(const Tensor& self, bool stable, int64_t dim, bool descending) {
  EMBER_PROFILE_OP("sort", self);
  detail::check_defined(self, "sort");
  const int64_t d = detail::wrap_dim(dim, self.dim(), "sort");
  Tensor values = detail::make_tensor(self.sizes(), self.dtype(), self.device());
  Tensor indices = detail::make_tensor(self.sizes(), kLong, self.device());
  if (self.numel() > 0)
    detail::backend_of(self)->sort(detail::arg(as_1d(self)), detail::arg(as_1d(values)), detail::arg(as_1d(indices)),
                                  static_cast<int>(d), descending, stable);
  if (auto* n = autograd::record("SortBackward0", {&self},
                                 [d, sizes = DimVector(self.sizes())](Node& n, variable_list& g) {
                                   return variable_list{scatter_along(g[0], n.saved(0), d, sizes)};
                                 })) {
    autograd::set_history(values, n);
    n->save(indices);
  }
  return {values, indices};
}

// kthvalue / median / mode along one dim: a (values, indices) reduction.
std::tuple<Tensor, Tensor> select_impl(SliceSelect op, const Tensor& self, int64_t k, int64_t dim, bool keepdim,
                                       const char* name, const char* node_name) {
  detail::check_defined(self, name);
  const int64_t d = detail::wrap_dim(dim, self.dim(), name);
  const int64_t n = size_along(self, d);
  if (op == SliceSelect::KthValue) {
    EMBER_CHECK(k >= 1 && k <= n, IndexError, name, "selected index k out of range: k = ", k, " but dimension ", d,
                " of the input (shape ", self.sizes(), ") has size ", n);
  } else {
    EMBER_CHECK(n > 0, IndexError, name, "Expected reduction dim ", d, " to have non-zero size (input shape ",
                self.sizes(), ")");
  }
  std::vector<bool> mask(static_cast<size_t>(self.dim()), false);
  if (self.dim() > 0) mask[static_cast<size_t>(d)] = true;
  const DimVector ks = reduced_shape(self, mask, true);
  Tensor values = detail::make_tensor(ks, self.dtype(), self.device());
  Tensor indices = detail::make_tensor(ks, kLong, self.device());
  if (self.numel() > 0)
    detail::backend_of(self)->slice_select(op, detail::arg(as_1d(self)), detail::arg(as_1d(values)),
                                          detail::arg(as_1d(indices)), k, static_cast<int>(d));
  if (!keepdim && self.dim() > 0) {
    const DimVector fs = reduced_shape(self, mask, false);
    values = detail::make_view(values, fs, detail::contiguous_strides(fs), 0);
    indices = detail::make_view(indices, fs, detail::contiguous_strides(fs), 0);
  }
  if (auto* node = autograd::record(node_name, {&self},
                                    [d, keepdim, sizes = DimVector(self.sizes())](Node& n, variable_list& g) {
                                      return variable_list{select_backward(g[0], n.saved(0), d, keepdim, sizes)};
                                    })) {
    autograd::set_history(values, node);
    node->save(indices);
  }
  return {values, indices};
}

}  // namespace

std::tuple<Tensor, Tensor> sort(const Tensor& self, int64_t dim, bool descending) {
  return sort_impl(self, false, dim, descending);
}
std::tuple<Tensor, Tensor> sort(const Tensor& self, std::optional<bool> stable, int64_t dim, bool descending) {
  return sort_impl(self, stable.value_or(false), dim, descending);
}

Tensor argsort(const Tensor& self, int64_t dim, bool descending) {
  NoGradGuard ng;
  return std::get<1>(sort_impl(self, false, dim, descending));
}
Tensor argsort(const Tensor& self, bool stable, int64_t dim, bool descending) {
  NoGradGuard ng;
  return std::get<1>(sort_impl(self, stable, dim, descending));
}

std::tuple<Tensor, Tensor> topk(const Tensor& self, int64_t k, int64_t dim, bool largest, bool sorted) {
  EMBER_PROFILE_OP("topk", self);
  detail::check_defined(self, "topk");
  const int64_t d = detail::wrap_dim(dim, self.dim(), "topk");
  const int64_t n = size_along(self, d);
  EMBER_CHECK(k >= 0 && k <= n, IndexError, "topk", "selected index k out of range: k = ", k, " but dimension ", d,
              " of the input (shape ", self.sizes(), ") has size ", n);
  DimVector sizes(self.sizes());
  if (self.dim() > 0) sizes[static_cast<size_t>(d)] = k;
  else if (k == 0) sizes = DimVector{0};
  Tensor values = detail::make_tensor(sizes, self.dtype(), self.device());
  Tensor indices = detail::make_tensor(sizes, kLong, self.device());
  if (values.numel() > 0)
    detail::backend_of(self)->topk(detail::arg(as_1d(self)), detail::arg(as_1d(values)), detail::arg(as_1d(indices)),
                                  k, static_cast<int>(d), largest, sorted);
  if (auto* node = autograd::record("TopkBackward0", {&self},
                                    [d, in_sizes = DimVector(self.sizes())](Node& n, variable_list& g) {
                                      if (in_sizes.empty() && g[0].numel() == 0) return variable_list{zeros({}, g[0].options())};
                                      return variable_list{scatter_along(g[0], n.saved(0), d, in_sizes)};
                                    })) {
    autograd::set_history(values, node);
    node->save(indices);
  }
  return {values, indices};
}

std::tuple<Tensor, Tensor> kthvalue(const Tensor& self, int64_t k, int64_t dim, bool keepdim) {
  return select_impl(SliceSelect::KthValue, self, k, dim, keepdim, "kthvalue", "KthvalueBackward0");
}
std::tuple<Tensor, Tensor> median(const Tensor& self, int64_t dim, bool keepdim) {
  return select_impl(SliceSelect::Median, self, 0, dim, keepdim, "median", "MedianBackward1");
}
std::tuple<Tensor, Tensor> mode(const Tensor& self, int64_t dim, bool keepdim) {
  return select_impl(SliceSelect::Mode, self, 0, dim, keepdim, "mode", "ModeBackward0");
}

Tensor median(const Tensor& self) {
  detail::check_defined(self, "median");
  if (self.numel() == 0) {
    EMBER_CHECK(self.is_floating_point(), IndexError, "median",
                "median() of an empty tensor is NaN, which the integer dtype ", self.dtype(), " cannot hold");
    return full({}, std::numeric_limits<double>::quiet_NaN(), self.options());
  }
  Tensor out;
  {
    NoGradGuard ng;
    Tensor flat = self.reshape({-1});
    out = std::get<0>(select_impl(SliceSelect::Median, flat, 0, 0, false, "median", "MedianBackward0"));
  }
  if (auto* n = autograd::record("MedianBackward0", {&self}, [](Node& n, variable_list& g) {
        // As libtorch: shared evenly among the elements equal to the median (NaN: the NaNs).
        Tensor x = n.saved(0), value = n.saved(1);
        Tensor hit = (x == value).logical_or(isnan(x).logical_and(isnan(value))).to(g[0].dtype());
        return variable_list{hit * (g[0] / hit.sum())};
      })) {
    autograd::set_history(out, n);
    n->save(self);
    n->save(out, /*is_output=*/true);
  }
  return out;
}

std::tuple<Tensor, Tensor> Tensor::sort(int64_t d, bool desc) const { return ember::sort(*this, d, desc); }
std::tuple<Tensor, Tensor> Tensor::sort(std::optional<bool> s, int64_t d, bool desc) const {
  return ember::sort(*this, s, d, desc);
}
Tensor Tensor::argsort(int64_t d, bool desc) const { return ember::argsort(*this, d, desc); }
Tensor Tensor::argsort(bool s, int64_t d, bool desc) const { return ember::argsort(*this, s, d, desc); }
std::tuple<Tensor, Tensor> Tensor::topk(int64_t k, int64_t d, bool l, bool s) const {
  return ember::topk(*this, k, d, l, s);
}
std::tuple<Tensor, Tensor> Tensor::kthvalue(int64_t k, int64_t d, bool kd) const {
  return ember::kthvalue(*this, k, d, kd);
}
Tensor Tensor::median() const { return ember::median(*this); }
std::tuple<Tensor, Tensor> Tensor::median(int64_t d, bool kd) const { return ember::median(*this, d, kd); }
std::tuple<Tensor, Tensor> Tensor::mode(int64_t d, bool kd) const { return ember::mode(*this, d, kd); }

}  // namespace ember
