// Reductions: sum, mean, max/min (all and per dim), argmax/argmin, amax/amin, any/all,
// and sum_to (the reduction that undoes broadcasting).
#include <algorithm>

#include "src/ops/elementwise_common.h"

namespace ember {
using namespace ops;
using backend::ReduceOp;

namespace {

// Dims to reduce as a mask over self's dims (empty list = all dims).
std::vector<bool> dim_mask(const Tensor& self, IntArrayRef dims, const char* name) {
  std::vector<bool> m(static_cast<size_t>(self.dim()), dims.empty());
  for (int64_t d : dims) {
    int64_t w = detail::wrap_dim(d, self.dim(), name);
    if (self.dim() == 0) continue;
    EMBER_CHECK(!m[static_cast<size_t>(w)] || dims.empty(), Error, name, "dim ", w,
                " appears multiple times in the list of dims ", dims);
    m[static_cast<size_t>(w)] = true;
  }
  return m;
}

DimVector keep_shape(const Tensor& self, const std::vector<bool>& mask) {
  DimVector s(self.sizes());
  for (size_t i = 0; i < mask.size(); ++i)
    if (mask[i]) s[i] = 1;
  return s;
}

DimVector final_shape(const Tensor& self, const std::vector<bool>& mask, bool keepdim) {
  DimVector s;
  for (size_t i = 0; i < mask.size(); ++i) {
    if (!mask[i]) s.push_back(self.sizes()[i]);
    else if (keepdim) s.push_back(1);
  }
  return s;
}

// Runs the reduce kernel with the keepdim shape, then views to the final shape.
Tensor reduce_raw(ReduceOp op, const Tensor& in, const std::vector<bool>& mask, bool keepdim) {
  DimVector ks = keep_shape(in, mask);
  Tensor out = detail::make_tensor(ks, in.dtype(), in.device());
  detail::backend_of(out)->reduce(op, detail::arg(in), detail::arg(out));
  DimVector fs = final_shape(in, mask, keepdim);
  return detail::make_view(out, fs, detail::contiguous_strides(fs), 0);
}

// Gradient of a reduction broadcast back to the input: re-insert reduced dims.
Tensor unreduce(const Tensor& g, const std::vector<bool>& mask, bool keepdim, IntArrayRef in_sizes) {
  Tensor r = g;
  if (!keepdim)
    for (size_t i = 0; i < mask.size(); ++i)
      if (mask[i]) r = r.unsqueeze(static_cast<int64_t>(i));
  return r.expand(in_sizes);
}

ScalarType sum_dtype(const Tensor& self, std::optional<ScalarType> dtype) {
  if (dtype) return *dtype;
  return isIntegralType(self.dtype(), true) ? kLong : self.dtype();
}

bool all_of(const std::vector<bool>& mask) {
  for (bool m : mask)
    if (!m) return false;
  return true;
}

Tensor sum_impl(const Tensor& self, const std::vector<bool>& mask, bool keepdim, std::optional<ScalarType> dtype,
                const char* node_name = "SumBackward1") {
  EMBER_PROFILE_OP("sum", self);
  Tensor in = detail::cast(self, sum_dtype(self, dtype));
  Tensor out = reduce_raw(ReduceOp::Sum, in, mask, keepdim);
  if (auto* n = autograd::record(node_name, {&self},
                                 [mask, keepdim, in_sizes = DimVector(self.sizes())](Node&, variable_list& g) {
                                   return variable_list{unreduce(g[0], mask, keepdim, in_sizes)};
                                 }))
    autograd::set_history(out, n);
  return out;
}

// max/min/amax/amin over dims: the gradient is shared evenly among tied extrema.
Tensor extremum_impl(const Tensor& self, const std::vector<bool>& mask, bool keepdim, bool is_max, const char* name,
                     const char* node_name) {
  EMBER_PROFILE_OP(name, self);
  detail::check_defined(self, name);
  // An empty tensor may be reduced over non-empty dims (giving an empty result), as libtorch.
  EMBER_CHECK(self.numel() > 0 || !all_of(mask), Error, name,
              "Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
  for (size_t i = 0; i < mask.size(); ++i)
    EMBER_CHECK(!mask[i] || self.sizes()[i] > 0, IndexError, name, "Expected reduction dim ", i,
                " to have non-zero size (input shape ", self.sizes(), ")");
  Tensor out = reduce_raw(is_max ? ReduceOp::Max : ReduceOp::Min, self, mask, keepdim);
  if (auto* n = autograd::record(node_name, {&self},
                                 [mask, keepdim](Node& n, variable_list& g) {
                                   Tensor x = n.saved(0), y = n.saved(1);
                                   Tensor ye = unreduce(y, mask, keepdim, x.sizes());
                                   Tensor hit = (x == ye).to(g[0].dtype());
                                   Tensor count = unreduce(sum_impl(hit, mask, keepdim, std::nullopt), mask, keepdim, x.sizes());
                                   return variable_list{unreduce(g[0], mask, keepdim, x.sizes()) * hit / count};
                                 })) {
    autograd::set_history(out, n);
    n->save(self);
    n->save(out, true);
  }
  return out;
}

std::tuple<Tensor, Tensor> extremum_dim(const Tensor& self, int64_t dim, bool keepdim, bool is_max, const char* name) {
  EMBER_PROFILE_OP(name, self);
  detail::check_defined(self, name);
  const int64_t d = detail::wrap_dim(dim, self.dim(), name);
  Tensor x = self.dim() == 0 ? self.reshape({1}) : self;
  EMBER_CHECK(x.sizes()[d] > 0, IndexError, name, "Expected reduction dim ", d,
              " to have non-zero size (input shape ", self.sizes(), ")");
  std::vector<bool> mask(static_cast<size_t>(x.dim()), false);
  mask[static_cast<size_t>(d)] = true;
  DimVector ks = keep_shape(x, mask);
  Tensor idx = detail::make_tensor(ks, kLong, x.device());
  detail::backend_of(x)->arg_reduce(is_max ? backend::ArgReduceOp::ArgMax : backend::ArgReduceOp::ArgMin,
                                   detail::arg(x), static_cast<int>(d), detail::arg(idx));
  Tensor vals;
  {
    NoGradGuard ng;
    // On CPU the values are read at the indices (one pass over the input, not two); the
    // other backends reduce again.
    vals = x.device().is_cpu() ? gather(x, d, idx) : reduce_raw(is_max ? ReduceOp::Max : ReduceOp::Min, x, mask, true);
  }
  if (!keepdim || self.dim() == 0) {
    DimVector fs = final_shape(self.dim() == 0 ? self : x, self.dim() == 0 ? std::vector<bool>() : mask,
                               self.dim() == 0 ? false : keepdim);
    vals = detail::make_view(vals, fs, detail::contiguous_strides(fs), 0);
    idx = detail::make_view(idx, fs, detail::contiguous_strides(fs), 0);
  }
  if (auto* n = autograd::record(is_max ? "MaxBackward0" : "MinBackward0", {&self},
                                 [d, keepdim, in_sizes = DimVector(self.sizes())](Node& n, variable_list& g) {
                                   // Scatter the gradient to the selected index along d.
                                   Tensor ind = n.saved(0);
                                   Tensor gg = g[0];
                                   if (in_sizes.size() == 0) return variable_list{gg.reshape(in_sizes)};
                                   if (!keepdim) { ind = ind.unsqueeze(d); gg = gg.unsqueeze(d); }
                                   DimVector pos_shape(in_sizes.size(), 1);
                                   pos_shape[static_cast<size_t>(d)] = in_sizes[static_cast<size_t>(d)];
                                   Tensor pos = arange(in_sizes[static_cast<size_t>(d)], TensorOptions().dtype(kLong).device(gg.device()))
                                                    .reshape(pos_shape);
                                   Tensor hit = pos == ind;
                                   return variable_list{where(hit, gg.expand(in_sizes), zeros(in_sizes, gg.options()))};
                                 })) {
    autograd::set_history(vals, n);
    n->save(idx);
  }
  return {vals, idx};
}

Tensor arg_impl(const Tensor& self, std::optional<int64_t> dim, bool keepdim, bool is_max, const char* name) {
  EMBER_PROFILE_OP(name, self);
  detail::check_defined(self, name);
  NoGradGuard ng;
  if (!dim) {
    EMBER_CHECK(self.numel() > 0, Error, name, "Expected reduction dim to be specified for input.numel() == 0.");
    Tensor flat = self.reshape({-1});
    Tensor r = std::get<1>(extremum_dim(flat, 0, false, is_max, name));
    return keepdim ? r.reshape(DimVector(static_cast<size_t>(self.dim()), 1)) : r;
  }
  return std::get<1>(extremum_dim(self, *dim, keepdim, is_max, name));
}

Tensor logic_reduce(const Tensor& self, const std::vector<bool>& mask, bool keepdim, ReduceOp op) {
  Tensor r = reduce_raw(op, detail::cast(self, kBool), mask, keepdim);
  // libtorch keeps uint8 for any/all of uint8 input; every other dtype gives bool.
  return self.dtype() == kByte ? r.to(kByte) : r;
}

}  // namespace

Tensor sum(const Tensor& self, std::optional<ScalarType> dtype) {
  detail::check_defined(self, "sum");
  return sum_impl(self, dim_mask(self, {}, "sum"), false, dtype, "SumBackward0");
}
Tensor sum(const Tensor& self, IntArrayRef dim, bool keepdim, std::optional<ScalarType> dtype) {
  detail::check_defined(self, "sum");
  return sum_impl(self, dim_mask(self, dim, "sum"), keepdim, dtype);
}

namespace {
Tensor mean_impl(const Tensor& self, IntArrayRef dim, bool keepdim, std::optional<ScalarType> dtype) {
  EMBER_PROFILE_OP("mean", self);
  detail::check_defined(self, "mean");
  ScalarType t = dtype ? *dtype : self.dtype();
  EMBER_CHECK(isFloatingType(t), DTypeError, "mean",
              "could not infer output dtype. Input dtype must be either a floating point or complex "
              "dtype. Got: ", t);
  auto mask = dim_mask(self, dim, "mean");
  int64_t count = 1;
  for (size_t i = 0; i < mask.size(); ++i)
    if (mask[i]) count *= self.sizes()[i];
  // One node (libtorch's MeanBackward0/1) instead of the sum and div nodes.
  Tensor out;
  {
    NoGradGuard ng;
    // 16-bit means sum and divide in float, rounding once (a Half sum would overflow past 65504).
    const bool narrow = t == ScalarType::Half || t == ScalarType::BFloat16;
    out = sum_impl(self, mask, keepdim, narrow ? ScalarType::Float : t).div_(static_cast<double>(count));
    if (narrow) out = detail::cast(out, t);
  }
  if (auto* n = autograd::record(dim.empty() ? "MeanBackward0" : "MeanBackward1", {&self},
                                 [mask, keepdim, count, in_sizes = DimVector(self.sizes())](Node&, variable_list& g) {
                                   return variable_list{unreduce(g[0] / static_cast<double>(count), mask, keepdim, in_sizes)};
                                 }))
    autograd::set_history(out, n);
  return out;
}
}  // namespace

Tensor mean(const Tensor& self, std::optional<ScalarType> dtype) { return mean_impl(self, {}, false, dtype); }
Tensor mean(const Tensor& self, IntArrayRef dim, bool keepdim, std::optional<ScalarType> dtype) {
  return mean_impl(self, dim, keepdim, dtype);
}

Tensor max(const Tensor& self) {
  detail::check_defined(self, "max");
  return extremum_impl(self, dim_mask(self, {}, "max"), false, true, "max", "MaxBackward1");
}
Tensor min(const Tensor& self) {
  detail::check_defined(self, "min");
  return extremum_impl(self, dim_mask(self, {}, "min"), false, false, "min", "MinBackward1");
}
std::tuple<Tensor, Tensor> max(const Tensor& self, int64_t dim, bool keepdim) {
  return extremum_dim(self, dim, keepdim, true, "max");
}
std::tuple<Tensor, Tensor> min(const Tensor& self, int64_t dim, bool keepdim) {
  return extremum_dim(self, dim, keepdim, false, "min");
}
Tensor amax(const Tensor& self, IntArrayRef dim, bool keepdim) {
  detail::check_defined(self, "amax");
  return extremum_impl(self, dim_mask(self, dim, "amax"), keepdim, true, "amax", "AmaxBackward0");
}
Tensor amin(const Tensor& self, IntArrayRef dim, bool keepdim) {
  detail::check_defined(self, "amin");
  return extremum_impl(self, dim_mask(self, dim, "amin"), keepdim, false, "amin", "AminBackward0");
}
Tensor argmax(const Tensor& self, std::optional<int64_t> dim, bool keepdim) {
  return arg_impl(self, dim, keepdim, true, "argmax");
}
Tensor argmin(const Tensor& self, std::optional<int64_t> dim, bool keepdim) {
  return arg_impl(self, dim, keepdim, false, "argmin");
}

Tensor any(const Tensor& self) {
  detail::check_defined(self, "any");
  return logic_reduce(self, dim_mask(self, {}, "any"), false, ReduceOp::Any);
}
Tensor any(const Tensor& self, int64_t dim, bool keepdim) {
  detail::check_defined(self, "any");
  return logic_reduce(self, dim_mask(self, {dim}, "any"), keepdim, ReduceOp::Any);
}
Tensor all(const Tensor& self) {
  detail::check_defined(self, "all");
  return logic_reduce(self, dim_mask(self, {}, "all"), false, ReduceOp::All);
}
Tensor all(const Tensor& self, int64_t dim, bool keepdim) {
  detail::check_defined(self, "all");
  return logic_reduce(self, dim_mask(self, {dim}, "all"), keepdim, ReduceOp::All);
}

Tensor sum_to(const Tensor& self, IntArrayRef shape) {
  detail::check_defined(self, "sum_to");
  if (self.sizes() == shape) return self;
  const int64_t lead = self.dim() - static_cast<int64_t>(shape.size());
  EMBER_CHECK(lead >= 0, ShapeError, "sum_to", "cannot sum a tensor of shape ", self.sizes(),
              " to the larger shape ", shape);
  std::vector<int64_t> dims;
  for (int64_t i = 0; i < self.dim(); ++i) {
    if (i < lead) { dims.push_back(i); continue; }
    const int64_t target = shape[static_cast<size_t>(i - lead)];
    if (target == 1 && self.sizes()[i] != 1) dims.push_back(i);
    else EMBER_CHECK(target == self.sizes()[i], ShapeError, "sum_to", "shape ", self.sizes(),
                     " is not expandable from ", shape);
  }
  Tensor r = dims.empty() ? self : sum(self, dims, true);
  return lead > 0 || r.sizes() != shape ? r.reshape(shape) : r;
}

Tensor Tensor::sum(std::optional<ScalarType> dt) const { return ember::sum(*this, dt); }
Tensor Tensor::sum(IntArrayRef d, bool k, std::optional<ScalarType> dt) const { return ember::sum(*this, d, k, dt); }
Tensor Tensor::mean(std::optional<ScalarType> dt) const { return ember::mean(*this, dt); }
Tensor Tensor::mean(IntArrayRef d, bool k, std::optional<ScalarType> dt) const { return ember::mean(*this, d, k, dt); }
Tensor Tensor::max() const { return ember::max(*this); }
std::tuple<Tensor, Tensor> Tensor::max(int64_t d, bool k) const { return ember::max(*this, d, k); }
Tensor Tensor::min() const { return ember::min(*this); }
std::tuple<Tensor, Tensor> Tensor::min(int64_t d, bool k) const { return ember::min(*this, d, k); }
Tensor Tensor::argmax(std::optional<int64_t> d, bool k) const { return ember::argmax(*this, d, k); }
Tensor Tensor::argmin(std::optional<int64_t> d, bool k) const { return ember::argmin(*this, d, k); }
Tensor Tensor::amax(IntArrayRef d, bool k) const { return ember::amax(*this, d, k); }
Tensor Tensor::amin(IntArrayRef d, bool k) const { return ember::amin(*this, d, k); }
Tensor Tensor::any() const { return ember::any(*this); }
Tensor Tensor::any(int64_t d, bool k) const { return ember::any(*this, d, k); }
Tensor Tensor::all() const { return ember::all(*this); }
Tensor Tensor::all(int64_t d, bool k) const { return ember::all(*this, d, k); }

}  // namespace ember
