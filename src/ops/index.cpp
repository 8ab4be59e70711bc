// Index ops along one dim and their backward formulas: index_select, gather, scatter
// (src, value, reduce), scatter_add, index_add, index_copy, index_fill, take,
// take_along_dim. Each is one index_gather/index_scatter kernel call on strided views.
#include "src/ops/index_common.h"

namespace ember {
using namespace ops;
using Reduce = backend::Backend::ScatterReduce;
using IndexDim = backend::Backend::IndexDim;

namespace ops {

Tensor long_index(const Tensor& index, const char* op, bool allow_int, const char* name) {
  detail::check_defined(index, op, name);
  if (index.dtype() == kLong) return index;
  EMBER_CHECK(allow_int && index.dtype() == kInt, DTypeError, op, "expected ", name, " to have dtype ",
              allow_int ? "int64 or int32" : "int64", " but got ", index.dtype(), " (", name, " of shape ",
              index.sizes(), ")");
  return index.to(kLong);
}

Tensor pad_to(const Tensor& g, IntArrayRef sizes) {
  if (g.sizes() == sizes) return g;
  Tensor z = zeros(sizes, g.options());
  auto lead = [gs = DimVector(g.sizes())](const Tensor& t) {
    Tensor v = t;
    for (size_t d = 0; d < gs.size(); ++d) v = v.narrow(static_cast<int64_t>(d), 0, gs[d]);
    return v;
  };
  {
    NoGradGuard ng;
    lead(z).copy_(g);
  }
  if (auto* n = autograd::record("PadBackward", {&g}, [lead](Node&, variable_list& gg) {
        return variable_list{lead(gg[0])};
      }))
    autograd::set_history(z, n);
  return z;
}

}  // namespace ops

namespace {

// One kernel operand over `geo` sizes: t's strides, with stride 0 at `zero_dim`.
StridedArg along(const Tensor& t, IntArrayRef geo, int64_t zero_dim) {
  DimVector st = strides_1d(t);
  if (zero_dim >= 0) st[static_cast<size_t>(zero_dim)] = 0;
  return StridedArg(t, geo, st);
}

// An index that varies only along `dim` of the geometry (index_select, index_add).
StridedArg index_along(const Tensor& index, IntArrayRef geo, int64_t dim) {
  DimVector st(geo.size(), 0);
  st[static_cast<size_t>(dim)] = index.dim() == 0 ? 0 : index.stride(0);
  return StridedArg(index, geo, st);
}

IndexDim index_dim(const StridedArg& ix, const Tensor& indexed, int64_t dim) {
  return IndexDim{ix.arg(), sizes_1d(indexed)[static_cast<size_t>(dim)], strides_1d(indexed)[static_cast<size_t>(dim)],
                  dim};
}

// Checks shared by gather and scatter: index has self's rank (scalars count as 1-D)
// and fits in self outside dim (and in src everywhere, for scatter).
void check_gather_shapes(const Tensor& self, int64_t dim, const Tensor& index, const Tensor* src, const char* op) {
  EMBER_CHECK(std::max<int64_t>(index.dim(), 1) == std::max<int64_t>(self.dim(), 1), ShapeError, op,
              "index tensor must have the same number of dimensions as input tensor (input of shape ", self.sizes(),
              ", index of shape ", index.sizes(), ")");
  const DimVector is = sizes_1d(index), ss = sizes_1d(self);
  for (size_t d = 0; d < is.size(); ++d)
    EMBER_CHECK(static_cast<int64_t>(d) == dim || is[d] <= ss[d], ShapeError, op, "size does not match at dimension ",
                d, ": expected index ", index.sizes(), " to be smaller than self ", self.sizes(),
                " apart from dimension ", dim);
  if (!src) return;
  EMBER_CHECK(std::max<int64_t>(src->dim(), 1) == std::max<int64_t>(self.dim(), 1), ShapeError, op,
              "index tensor must have the same number of dimensions as src tensor (src of shape ", src->sizes(),
              ", index of shape ", index.sizes(), ")");
  const DimVector rs = sizes_1d(*src);
  for (size_t d = 0; d < is.size(); ++d)
    EMBER_CHECK(is[d] <= rs[d], ShapeError, op, "size does not match at dimension ", d, ": expected index ",
                index.sizes(), " to be smaller than src ", src->sizes());
}

// The raw gather: out (shaped like index) = self[.., index, ..] along dim.
Tensor gather_raw(const Tensor& self, int64_t d, const Tensor& index, const char* op) {
  Tensor out = detail::make_tensor(index.sizes(), self.dtype(), self.device());
  const DimVector geo = sizes_1d(index);
  StridedArg src = along(self, geo, d), ix(index, geo, strides_1d(index));
  StridedArg o(out, geo, strides_1d(out));
  IndexDim dims = index_dim(ix, self, d);
  detail::backend_of(self)->index_gather(src.arg(), dims, false, o.arg(), op);
  return out;
}

// The raw scatter into dst (in place): dst[.., index, ..] (reduce)= values along dim;
// values is read over index's sizes (a 0-dim value broadcasts).
void scatter_raw(Tensor& dst, int64_t d, const Tensor& index, const Tensor& values, Reduce reduce, const char* op) {
  const DimVector geo = sizes_1d(index);
  StridedArg v(values, geo, values.dim() == 0 ? DimVector(geo.size(), 0) : strides_1d(values));
  StridedArg target = along(dst, geo, d), ix(index, geo, strides_1d(index));
  IndexDim dims = index_dim(ix, dst, d);
  detail::backend_of(dst)->index_scatter(reduce, v.arg(), dims, false, target.arg(), op);
}

Reduce parse_reduce(std::string_view reduce, const char* op) {
  if (reduce == "add") return Reduce::Add;
  if (reduce == "multiply") return Reduce::Multiply;
  detail::throw_error<Error>(op, "reduce argument must be either add or multiply, got '", std::string(reduce), "'");
}

// scatter/scatter_add/scatter(reduce) out of place, with the backward formula.
Tensor scatter_impl(const Tensor& self, int64_t dim, const Tensor& index_in, const Tensor& src, bool src_is_value,
                    Reduce reduce, const char* op, const char* node_name) {
  detail::check_defined(self, op);
  detail::check_defined(src, op, "src");
  Tensor index = long_index(index_in, op, false);
  detail::check_same_device(self, index, op);
  detail::check_same_device(self, src, op);
  const int64_t d = detail::wrap_dim(dim, self.dim(), op);
  check_gather_shapes(self, d, index, src_is_value ? nullptr : &src, op);
  EMBER_CHECK(src.dtype() == self.dtype(), DTypeError, op, "expected self.dtype to be equal to src.dtype (got ",
              self.dtype(), " and ", src.dtype(), ")");
  EMBER_CHECK(reduce != Reduce::Multiply || !autograd::any_requires_grad({&self, &src}), NotImplementedError, op,
              "the derivative of scatter with reduce='multiply' is not implemented");
  Tensor out = detached_clone(self);
  scatter_raw(out, d, index, src, reduce, op);
  if (auto* n = autograd::record(node_name, {&self, &src},
                                 [d, reduce, src_is_value, ss = DimVector(src.sizes())](Node& n, variable_list& g) {
                                   variable_list r(2);
                                   Tensor idx = n.saved(0);
                                   if (n.needs_input_grad(0))
                                     r[0] = reduce == Reduce::Assign ? g[0].scatter(d, idx, 0) : g[0];
                                   if (n.needs_input_grad(1)) {
                                     Tensor gs = g[0].gather(d, idx);
                                     r[1] = src_is_value ? gs.sum() : pad_to(gs, ss);
                                   }
                                   return r;
                                 })) {
    autograd::set_history(out, n);
    n->save(index);
  }
  return out;
}

Tensor value_as(const Tensor& self, const Scalar& v) { return value_tensor(v, self.dtype(), self.device()); }

}  // namespace

// ---- index_select ---------------------------------------------------------------------
Tensor index_select(const Tensor& self, int64_t dim, const Tensor& index_in) {
  EMBER_PROFILE_OP("index_select", self, index_in);
  const char* op = "index_select";
  detail::check_defined(self, op);
  Tensor index = long_index(index_in, op, true);
  detail::check_same_device(self, index, op);
  EMBER_CHECK(index.dim() <= 1, IndexError, op, "index is supposed to be a vector, got index of shape ",
              index.sizes());
  const int64_t d = detail::wrap_dim(dim, self.dim(), op);
  DimVector geo = sizes_1d(self);
  geo[static_cast<size_t>(d)] = index.numel();
  if (self.dim() == 0)
    EMBER_CHECK(index.numel() == 1, IndexError, op, "index to a 0-dim tensor can have only 1 value, got ",
                index.numel());
  Tensor out = detail::make_tensor(self.dim() == 0 ? IntArrayRef() : IntArrayRef(geo), self.dtype(), self.device());
  StridedArg src = along(self, geo, d), ix = index_along(index, geo, d), o(out, geo, strides_1d(out));
  IndexDim dims = index_dim(ix, self, d);
  detail::backend_of(self)->index_gather(src.arg(), dims, false, o.arg(), op);
  if (auto* n = autograd::record("IndexSelectBackward0", {&self}, [d, ss = DimVector(self.sizes())](Node& n, variable_list& g) {
        Tensor idx = n.saved(0);
        return variable_list{zeros(ss, g[0].options()).index_add(d, idx, g[0])};
      })) {
    autograd::set_history(out, n);
    n->save(index);
  }
  return out;
}
Tensor Tensor::index_select(int64_t d, const Tensor& i) const { return ember::index_select(*this, d, i); }

// ---- gather / scatter -----------------------------------------------------------------
Tensor gather(const Tensor& self, int64_t dim, const Tensor& index_in, bool sparse_grad) {
  EMBER_PROFILE_OP("gather", self, index_in);
  (void)sparse_grad;  // ember has no sparse layout: the gradient is the same values, dense
  const char* op = "gather";
  detail::check_defined(self, op);
  Tensor index = long_index(index_in, op, false);
  detail::check_same_device(self, index, op);
  const int64_t d = detail::wrap_dim(dim, self.dim(), op);
  check_gather_shapes(self, d, index, nullptr, op);
  Tensor out = gather_raw(self, d, index, op);
  if (auto* n = autograd::record("GatherBackward0", {&self}, [d, ss = DimVector(self.sizes())](Node& n, variable_list& g) {
        Tensor idx = n.saved(0);
        return variable_list{zeros(ss, g[0].options()).scatter_add(d, idx, g[0])};
      })) {
    autograd::set_history(out, n);
    n->save(index);
  }
  return out;
}
Tensor Tensor::gather(int64_t d, const Tensor& i, bool sg) const { return ember::gather(*this, d, i, sg); }

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_impl(self, dim, index, src, false, Reduce::Assign, "scatter", "ScatterBackward0");
}
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value) {
  detail::check_defined(self, "scatter");
  return scatter_impl(self, dim, index, value_as(self, value), true, Reduce::Assign, "scatter", "ScatterBackward1");
}
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, std::string_view reduce) {
  return scatter_impl(self, dim, index, src, false, parse_reduce(reduce, "scatter"), "scatter", "ScatterReduceBackward0");
}
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value, std::string_view reduce) {
  detail::check_defined(self, "scatter");
  return scatter_impl(self, dim, index, value_as(self, value), true, parse_reduce(reduce, "scatter"), "scatter",
                      "ScatterReduceBackward1");
}
Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  EMBER_PROFILE_OP("scatter_add", self, index, src);
  return scatter_impl(self, dim, index, src, false, Reduce::Add, "scatter_add", "ScatterAddBackward0");
}

Tensor Tensor::scatter(int64_t d, const Tensor& i, const Tensor& s) const { return ember::scatter(*this, d, i, s); }
Tensor Tensor::scatter(int64_t d, const Tensor& i, const Scalar& v) const { return ember::scatter(*this, d, i, v); }
Tensor Tensor::scatter(int64_t d, const Tensor& i, const Tensor& s, std::string_view r) const {
  return ember::scatter(*this, d, i, s, r);
}
Tensor Tensor::scatter(int64_t d, const Tensor& i, const Scalar& v, std::string_view r) const {
  return ember::scatter(*this, d, i, v, r);
}
Tensor Tensor::scatter_add(int64_t d, const Tensor& i, const Tensor& s) const { return ember::scatter_add(*this, d, i, s); }

namespace {
// In-place scatter family: the out-of-place op (with its history) when recording,
// else the kernel straight into self.
Tensor& scatter_inplace(Tensor& self, int64_t dim, const Tensor& index_in, const Tensor& src, bool src_is_value,
                        Reduce reduce, const char* op) {
  auto oop = [&] {
    if (reduce == Reduce::Add && !src_is_value) return ember::scatter_add(self, dim, index_in, src);
    return scatter_impl(self, dim, index_in, src, src_is_value, reduce, op, "ScatterBackward0");
  };
  return inplace(self, op, {&src}, oop, [&] {
    Tensor index = long_index(index_in, op, false);
    detail::check_same_device(self, index, op);
    detail::check_same_device(self, src, op);
    const int64_t d = detail::wrap_dim(dim, self.dim(), op);
    check_gather_shapes(self, d, index, src_is_value ? nullptr : &src, op);
    EMBER_CHECK(src.dtype() == self.dtype(), DTypeError, op, "expected self.dtype to be equal to src.dtype (got ",
                self.dtype(), " and ", src.dtype(), ")");
    scatter_raw(self, d, index, src, reduce, op);
  });
}
}  // namespace

Tensor& Tensor::scatter_(int64_t d, const Tensor& i, const Tensor& s) const {
  return scatter_inplace(mut(), d, i, s, false, Reduce::Assign, "scatter_");
}
Tensor& Tensor::scatter_(int64_t d, const Tensor& i, const Scalar& v) const {
  detail::check_defined(*this, "scatter_");
  return scatter_inplace(mut(), d, i, value_as(*this, v), true, Reduce::Assign, "scatter_");
}
Tensor& Tensor::scatter_(int64_t d, const Tensor& i, const Tensor& s, std::string_view r) const {
  return scatter_inplace(mut(), d, i, s, false, parse_reduce(r, "scatter_"), "scatter_");
}
Tensor& Tensor::scatter_(int64_t d, const Tensor& i, const Scalar& v, std::string_view r) const {
  detail::check_defined(*this, "scatter_");
  return scatter_inplace(mut(), d, i, value_as(*this, v), true, parse_reduce(r, "scatter_"), "scatter_");
}
Tensor& Tensor::scatter_add_(int64_t d, const Tensor& i, const Tensor& s) const {
  return scatter_inplace(mut(), d, i, s, false, Reduce::Add, "scatter_add_");
}

// ---- index_add / index_copy / index_fill ------------------------------------------------
namespace {

// Checks index (1-D) and source against self for the index_* family; returns int64 index.
Tensor check_index_source(const Tensor& self, int64_t d, const Tensor& index_in, const Tensor& source, const char* op) {
  detail::check_defined(source, op, "source");
  Tensor index = long_index(index_in, op, true);
  detail::check_same_device(self, index, op);
  detail::check_same_device(self, source, op);
  EMBER_CHECK(index.dim() <= 1, IndexError, op, "index should have at most one dimension, got index of shape ",
              index.sizes());
  EMBER_CHECK(source.dtype() == self.dtype(), DTypeError, op, "self (", self.dtype(), ") and source (", source.dtype(),
              ") must have the same scalar type");
  EMBER_CHECK(std::max<int64_t>(source.dim(), 1) == std::max<int64_t>(self.dim(), 1), ShapeError, op,
              "self and source should have the same number of dimensions (self of shape ", self.sizes(),
              ", source of shape ", source.sizes(), ")");
  const DimVector ss = sizes_1d(self), rs = sizes_1d(source);
  EMBER_CHECK(index.numel() == rs[static_cast<size_t>(d)], ShapeError, op, "number of indices (", index.numel(),
              ") should be equal to source.size(dim) (", rs[static_cast<size_t>(d)], "), for dim ", d);
  for (size_t i = 0; i < ss.size(); ++i)
    EMBER_CHECK(static_cast<int64_t>(i) == d || ss[i] == rs[i], ShapeError, op, "source of shape ", source.sizes(),
                " must match self of shape ", self.sizes(), " outside dim ", d);
  return index;
}

// dst[.., index[i], ..] (reduce)= source[.., i, ..] along d, in place.
void index_scatter_raw(Tensor& dst, int64_t d, const Tensor& index, const Tensor& source, Reduce reduce,
                       const char* op) {
  const DimVector geo = sizes_1d(source);
  StridedArg v(source, geo, strides_1d(source)), target = along(dst, geo, d), ix = index_along(index, geo, d);
  IndexDim dims = index_dim(ix, dst, d);
  detail::backend_of(dst)->index_scatter(reduce, v.arg(), dims, false, target.arg(), op);
}

// alpha * source in dtype, outside the graph.
Tensor scaled(const Tensor& source, const Scalar& alpha, ScalarType dtype) {
  if (alpha.toDouble() == 1 && !alpha.isBoolean()) return source;
  NoGradGuard ng;
  return (source * alpha).to(dtype);
}

// dst[.., index[i], ..] = value along d, in place (value is 0-dim, of dst's dtype).
void index_fill_raw(Tensor& dst, int64_t d, const Tensor& index, const Tensor& value, const char* op) {
  DimVector geo = sizes_1d(dst);
  geo[static_cast<size_t>(d)] = index.numel();
  StridedArg vals(value, geo, DimVector(geo.size(), 0)), target = along(dst, geo, d), ix = index_along(index, geo, d);
  IndexDim dims = index_dim(ix, dst, d);
  detail::backend_of(dst)->index_scatter(Reduce::Assign, vals.arg(), dims, false, target.arg(), op);
}

// Checks of index_fill; returns the int64 index.
Tensor check_fill(const Tensor& self, const Tensor& index_in, const Tensor& value, const char* op) {
  detail::check_defined(value, op, "value");
  EMBER_CHECK(value.dim() == 0, ShapeError, op, "only supports a 0-dimensional value tensor, but got tensor with ",
              value.dim(), " dimension(s)");
  Tensor index = long_index(index_in, op, false);
  detail::check_same_device(self, index, op);
  EMBER_CHECK(index.dim() <= 1, IndexError, op, "index has to be a vector or a scalar, got index of shape ",
              index.sizes());
  return index;
}

}  // namespace

Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index_in, const Tensor& source, const Scalar& alpha) {
  EMBER_PROFILE_OP("index_add", self, index_in, source);
  const char* op = "index_add";
  detail::check_defined(self, op);
  const int64_t d = detail::wrap_dim(dim, self.dim(), op);
  Tensor index = check_index_source(self, d, index_in, source, op);
  Tensor out = detached_clone(self);
  index_scatter_raw(out, d, index, scaled(source, alpha, self.dtype()), Reduce::Add, op);
  if (auto* n = autograd::record("IndexAddBackward0", {&self, &source},
                                 [d, alpha, rs = DimVector(source.sizes())](Node& n, variable_list& g) {
                                   variable_list r(2);
                                   if (n.needs_input_grad(0)) r[0] = g[0];
                                   if (n.needs_input_grad(1)) {
                                     Tensor gs = g[0].index_select(d, n.saved(0));
                                     if (alpha.toDouble() != 1) gs = gs * alpha;
                                     r[1] = gs.reshape(rs);
                                   }
                                   return r;
                                 })) {
    autograd::set_history(out, n);
    n->save(index);
  }
  return out;
}
Tensor Tensor::index_add(int64_t d, const Tensor& i, const Tensor& s, const Scalar& a) const {
  return ember::index_add(*this, d, i, s, a);
}
Tensor& Tensor::index_add_(int64_t dim, const Tensor& index_in, const Tensor& source, const Scalar& alpha) const {
  const char* op = "index_add_";
  return inplace(mut(), op, {&source}, [&] { return ember::index_add(*this, dim, index_in, source, alpha); }, [&] {
    const int64_t d = detail::wrap_dim(dim, this->dim(), op);
    Tensor index = check_index_source(*this, d, index_in, source, op);
    index_scatter_raw(mut(), d, index, scaled(source, alpha, dtype()), Reduce::Add, op);
  });
}

Tensor index_copy(const Tensor& self, int64_t dim, const Tensor& index_in, const Tensor& source) {
  const char* op = "index_copy";
  detail::check_defined(self, op);
  const int64_t d = detail::wrap_dim(dim, self.dim(), op);
  Tensor index = check_index_source(self, d, index_in, source, op);
  Tensor out = detached_clone(self);
  index_scatter_raw(out, d, index, source, Reduce::Assign, op);
  if (auto* n = autograd::record("IndexCopyBackward0", {&self, &source},
                                 [d, rs = DimVector(source.sizes())](Node& n, variable_list& g) {
                                   variable_list r(2);
                                   Tensor idx = n.saved(0);
                                   if (n.needs_input_grad(0)) r[0] = g[0].index_fill(d, idx, 0);
                                   if (n.needs_input_grad(1)) r[1] = g[0].index_select(d, idx).reshape(rs);
                                   return r;
                                 })) {
    autograd::set_history(out, n);
    n->save(index);
  }
  return out;
}
Tensor Tensor::index_copy(int64_t d, const Tensor& i, const Tensor& s) const { return ember::index_copy(*this, d, i, s); }
Tensor& Tensor::index_copy_(int64_t dim, const Tensor& index, const Tensor& source) const {
  return inplace(mut(), "index_copy_", {&source}, [&] { return ember::index_copy(*this, dim, index, source); }, [&] {
    const int64_t d = detail::wrap_dim(dim, this->dim(), "index_copy_");
    Tensor ix = check_index_source(*this, d, index, source, "index_copy_");
    index_scatter_raw(mut(), d, ix, source, Reduce::Assign, "index_copy_");
  });
}

Tensor index_fill(const Tensor& self, int64_t dim, const Tensor& index_in, const Tensor& value) {
  const char* op = "index_fill";
  detail::check_defined(self, op);
  Tensor index = check_fill(self, index_in, value, op);
  const int64_t d = detail::wrap_dim(dim, self.dim(), op);
  Tensor out = detached_clone(self);
  index_fill_raw(out, d, index, detail::cast(value.detach(), self.dtype()), op);
  if (auto* n = autograd::record("IndexFillBackward0", {&self, &value}, [d](Node& n, variable_list& g) {
        variable_list r(2);
        Tensor idx = n.saved(0);
        if (n.needs_input_grad(0)) r[0] = g[0].index_fill(d, idx, 0);
        if (n.needs_input_grad(1)) r[1] = g[0].index_select(d, idx).sum();
        return r;
      })) {
    autograd::set_history(out, n);
    n->save(index);
  }
  return out;
}
Tensor index_fill(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value) {
  detail::check_defined(self, "index_fill");
  return index_fill(self, dim, index, value_as(self, value));
}
Tensor Tensor::index_fill(int64_t d, const Tensor& i, const Scalar& v) const { return ember::index_fill(*this, d, i, v); }
Tensor Tensor::index_fill(int64_t d, const Tensor& i, const Tensor& v) const { return ember::index_fill(*this, d, i, v); }
Tensor& Tensor::index_fill_(int64_t dim, const Tensor& index, const Tensor& value) const {
  const char* op = "index_fill_";
  return inplace(mut(), op, {&value}, [&] { return ember::index_fill(*this, dim, index, value); }, [&] {
    Tensor ix = check_fill(*this, index, value, op);
    index_fill_raw(mut(), detail::wrap_dim(dim, this->dim(), op), ix, detail::cast(value, dtype()), op);
  });
}
Tensor& Tensor::index_fill_(int64_t d, const Tensor& i, const Scalar& v) const {
  detail::check_defined(*this, "index_fill_");
  return index_fill_(d, i, value_as(*this, v));
}

// ---- take / take_along_dim ---------------------------------------------------------------
Tensor take(const Tensor& self, const Tensor& index) {
  EMBER_PROFILE_OP("take", self, index);
  detail::check_defined(self, "take");
  Tensor ix = long_index(index, "take", false);
  try {
    return ember::index(self.reshape({-1}), std::vector<std::optional<Tensor>>{ix});
  } catch (const IndexError& e) {
    // Reported as take's error, against the input's shape: the user never called index.
    std::string why = e.what();
    if (const size_t p = why.find("] "); p != std::string::npos) why.erase(0, p + 2);
    detail::throw_error<IndexError>("take", why, " (input of shape ", self.sizes(), ", index of shape ",
                                    index.sizes(), ")");
  }
}
Tensor Tensor::take(const Tensor& i) const { return ember::take(*this, i); }

Tensor take_along_dim(const Tensor& self, const Tensor& indices, std::optional<int64_t> dim) {
  const char* op = "take_along_dim";
  detail::check_defined(self, op);
  Tensor ix = long_index(indices, op, false, "indices");
  if (!dim) return self.reshape({-1}).gather(0, ix.reshape({-1}));
  EMBER_CHECK(self.dim() == ix.dim(), ShapeError, op, "input and indices should have the same number of dimensions, ",
              "but got ", self.dim(), " dimensions for input, and ", ix.dim(), " dimensions for indices");
  const int64_t d = detail::wrap_dim(*dim, self.dim(), op);
  // Broadcast everything but dim, as libtorch does.
  DimVector ss(self.sizes()), is(ix.sizes());
  ss[static_cast<size_t>(d)] = 1;
  is[static_cast<size_t>(d)] = 1;
  std::vector<int64_t> b = infer_size(ss, is);
  std::vector<int64_t> self_b = b, ix_b = b;
  self_b[static_cast<size_t>(d)] = self.size(d);
  ix_b[static_cast<size_t>(d)] = ix.size(d);
  return self.expand(self_b).gather(d, ix.expand(ix_b));
}
Tensor Tensor::take_along_dim(const Tensor& i, std::optional<int64_t> d) const { return ember::take_along_dim(*this, i, d); }

}  // namespace ember
