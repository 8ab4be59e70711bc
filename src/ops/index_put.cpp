// Advanced indexing (at::index / index_put_), masks and nonzero: self[i0, i1, ...] with
// int64 index tensors, bool masks and full slices, as NumPy and libtorch define it.
// Masks expand into one index per mask dim (nonzero), the index tensors broadcast
// together, and their result dims replace the indexed dims when those are adjacent, or
// lead the result otherwise. One index_gather/index_scatter call does the work.
#include <sstream>

#include "src/ops/index_common.h"

namespace ember {
using namespace ops;
using Reduce = backend::Backend::ScatterReduce;
using IndexDim = backend::Backend::IndexDim;
using OptionalTensorList = std::vector<std::optional<Tensor>>;

namespace {

struct AdvancedIndex {
  OptionalTensorList expanded;      // int64 per self dim (masks expanded), nullopt = full slice
  DimVector result_sizes;           // shape of self[indices]
  DimVector self_strides;           // self's strides laid over result_sizes (0 on index dims)
  std::vector<StridedArg> indices;  // each index over result_sizes
  std::vector<int64_t> dims;        // the self dim each index moves along
};

std::string shapes_of(const OptionalTensorList& l) {
  std::ostringstream os;
  bool first = true;
  for (const auto& t : l)
    if (t) { os << (first ? "" : ", ") << t->sizes(); first = false; }
  return os.str();
}

AdvancedIndex plan(const Tensor& self, const OptionalTensorList& indices, const char* op) {
  AdvancedIndex p;
  OptionalTensorList& ex = p.expanded;
  const int64_t nd = self.dim();
  for (size_t i = 0; i < indices.size(); ++i) {
    const auto& e = indices[i];
    if (!e || !e->defined()) {
      ex.emplace_back();
      continue;
    }
    const Tensor& t = *e;
    detail::check_same_device(self, t, op);
    if (t.dtype() == kBool || t.dtype() == kByte) {
      const int64_t at = static_cast<int64_t>(ex.size());
      EMBER_CHECK(t.dim() > 0, IndexError, op, "a 0-dim mask is not supported here (index ", i,
                  "); Tensor::index({...}) accepts one");
      EMBER_CHECK(at + t.dim() <= nd, IndexError, op, "too many indices for tensor of dimension ", nd,
                  " (mask of shape ", t.sizes(), " at index ", i, ")");
      for (int64_t j = 0; j < t.dim(); ++j)
        EMBER_CHECK(t.size(j) == self.size(at + j), IndexError, op, "the shape of the mask ", t.sizes(),
                    " at index ", j, " does not match the shape of the indexed tensor ", self.sizes(), " at index ",
                    at + j);
      Tensor nz = nonzero(t);
      for (int64_t j = 0; j < t.dim(); ++j) ex.emplace_back(nz.select(1, j));
      continue;
    }
    EMBER_CHECK(t.dtype() == kLong || t.dtype() == kInt, DTypeError, op,
                "tensors used as indices must be long, int, byte or bool tensors, got ", t.dtype(), " at index ", i);
    ex.emplace_back(detail::cast(t, kLong));
  }
  EMBER_CHECK(static_cast<int64_t>(ex.size()) <= nd, IndexError, op, "too many indices for tensor of dimension ", nd,
              " (got ", ex.size(), ")");
  ex.resize(static_cast<size_t>(nd));

  std::vector<int64_t> defined, b;
  for (int64_t d = 0; d < nd; ++d) {
    if (!ex[d]) continue;
    try {
      b = defined.empty() ? ex[d]->sizes().vec() : infer_size(b, ex[d]->sizes());
    } catch (const ShapeError&) {
      detail::throw_error<IndexError>(op, "shape mismatch: indexing tensors could not be broadcast together with shapes ",
                                      shapes_of(ex));
    }
    defined.push_back(d);
  }
  const int64_t k = static_cast<int64_t>(defined.size());
  const bool adjacent = k == 0 || defined.back() - defined.front() + 1 == k;
  std::vector<int64_t> order;
  int64_t first = 0;
  if (adjacent) {
    for (int64_t d = 0; d < nd; ++d) order.push_back(d);
    first = k == 0 ? 0 : defined.front();
  } else {
    order = defined;
    for (int64_t d = 0; d < nd; ++d)
      if (!ex[d]) order.push_back(d);
  }
  // Result geometry: [dims before the block] + b + [dims after the block].
  const int64_t nb = static_cast<int64_t>(b.size());
  for (int64_t pos = 0; pos < first; ++pos) {
    p.result_sizes.push_back(self.size(order[pos]));
    p.self_strides.push_back(self.stride(order[pos]));
  }
  for (int64_t j = 0; j < nb; ++j) {
    p.result_sizes.push_back(b[j]);
    p.self_strides.push_back(0);
  }
  for (int64_t pos = first + k; pos < nd; ++pos) {
    p.result_sizes.push_back(self.size(order[pos]));
    p.self_strides.push_back(self.stride(order[pos]));
  }
  for (int64_t j = 0; j < k; ++j) {
    const int64_t d = order[first + j];
    const Tensor& t = *ex[d];
    DimVector st(p.result_sizes.size(), 0);
    const int64_t lead = nb - t.dim();
    for (int64_t q = 0; q < t.dim(); ++q)
      st[static_cast<size_t>(first + lead + q)] = t.size(q) == 1 ? 0 : t.stride(q);
    p.indices.emplace_back(t, p.result_sizes, st);
    p.dims.push_back(d);
  }
  return p;
}

std::vector<IndexDim> index_dims(const Tensor& self, const AdvancedIndex& p) {
  std::vector<IndexDim> dims;
  for (size_t j = 0; j < p.indices.size(); ++j)
    dims.push_back(IndexDim{p.indices[j].arg(), self.size(p.dims[j]), self.stride(p.dims[j]), p.dims[j]});
  return dims;
}

// The expanded indices are saved on the node (version-checked) and rebuilt in backward
// from which entries were present.
std::vector<bool> presence(const OptionalTensorList& l) {
  std::vector<bool> r;
  for (const auto& t : l) r.push_back(t.has_value());
  return r;
}
void save_indices(Node& n, const OptionalTensorList& l) {
  for (const auto& t : l)
    if (t) n.save(*t);
}
OptionalTensorList load_indices(Node& n, const std::vector<bool>& present, size_t first_saved) {
  OptionalTensorList l;
  size_t s = first_saved;
  for (bool p : present) {
    if (p) l.emplace_back(n.saved(s++));
    else l.emplace_back();
  }
  return l;
}

// Writes values (broadcast to the indexed shape) into self[indices] in place.
void index_put_raw(Tensor& self, const AdvancedIndex& p, const Tensor& values, bool accumulate, const char* op) {
  EMBER_CHECK(values.dtype() == self.dtype(), DTypeError, op,
              "index put requires the source and destination dtypes match, got ", self.dtype(),
              " for the destination and ", values.dtype(), " for the source");
  detail::check_same_device(self, values, op);
  std::vector<int64_t> shape;
  try {
    shape = infer_size(values.sizes(), p.result_sizes);
  } catch (const ShapeError&) {
  }
  EMBER_CHECK(IntArrayRef(shape) == IntArrayRef(p.result_sizes), ShapeError, op, "shape mismatch: value tensor of shape ",
              values.sizes(), " cannot be broadcast to indexing result of shape ", IntArrayRef(p.result_sizes));
  auto v = detail::broadcast_arg(values, p.result_sizes);
  StridedArg dst(self, p.result_sizes, p.self_strides);
  StridedArg vals(values, v.sizes, v.strides);
  detail::backend_of(self)->index_scatter(accumulate ? Reduce::Add : Reduce::Assign, vals.arg(), index_dims(self, p),
                                         true, dst.arg(), op);
}

}  // namespace

Tensor index(const Tensor& self, const OptionalTensorList& indices) {
  const char* op = "index";
  detail::check_defined(self, op);
  AdvancedIndex p = plan(self, indices, op);
  Tensor out = detail::make_tensor(p.result_sizes, self.dtype(), self.device());
  StridedArg src(self, p.result_sizes, p.self_strides);
  detail::backend_of(self)->index_gather(src.arg(), index_dims(self, p), true, detail::arg(out), op);
  if (auto* n = autograd::record("IndexBackward0", {&self},
                                 [ss = DimVector(self.sizes()), present = presence(p.expanded)](Node& n, variable_list& g) {
                                   return variable_list{
                                       index_put(zeros(ss, g[0].options()), load_indices(n, present, 0), g[0], true)};
                                 })) {
    autograd::set_history(out, n);
    save_indices(*n, p.expanded);
  }
  return out;
}
Tensor Tensor::index(const OptionalTensorList& indices) const { return ember::index(*this, indices); }

Tensor index_put(const Tensor& self, const OptionalTensorList& indices, const Tensor& values, bool accumulate) {
  const char* op = "index_put";
  detail::check_defined(self, op);
  detail::check_defined(values, op, "values");
  Tensor out = detached_clone(self);
  AdvancedIndex p = plan(out, indices, op);  // geometry of the copy, which may differ from self's
  index_put_raw(out, p, values.detach(), accumulate, op);
  if (auto* n = autograd::record("IndexPutBackward0", {&self, &values},
                                 [accumulate, vs = DimVector(values.sizes()), present = presence(p.expanded)](
                                     Node& n, variable_list& g) {
                                   variable_list r(2);
                                   OptionalTensorList ix = load_indices(n, present, 0);
                                   if (n.needs_input_grad(0))
                                     r[0] = accumulate ? g[0] : index_put(g[0], ix, zeros({}, g[0].options()), false);
                                   if (n.needs_input_grad(1)) r[1] = sum_to(index(g[0], ix), vs);
                                   return r;
                                 })) {
    autograd::set_history(out, n);
    save_indices(*n, p.expanded);
  }
  return out;
}
Tensor Tensor::index_put(const OptionalTensorList& indices, const Tensor& values, bool accumulate) const {
  return ember::index_put(*this, indices, values, accumulate);
}

Tensor& index_put_(Tensor& self, const OptionalTensorList& indices, const Tensor& values, bool accumulate) {
  const char* op = "index_put_";
  detail::check_defined(values, op, "values");
  return inplace(self, op, {&values}, [&] { return index_put(self, indices, values, accumulate); }, [&] {
    AdvancedIndex p = plan(self, indices, op);
    index_put_raw(self, p, values, accumulate, op);
  });
}
Tensor& Tensor::index_put_(const OptionalTensorList& indices, const Tensor& values, bool accumulate) const {
  return ember::index_put_(mut(), indices, values, accumulate);
}

// ---- masks ---------------------------------------------------------------------------
namespace {
void check_mask(const Tensor& mask, const char* op) {
  detail::check_defined(mask, op, "mask");
  EMBER_CHECK(mask.dtype() == kBool || mask.dtype() == kByte, DTypeError, op,
              "expected a bool (or uint8) mask, got ", mask.dtype(), " (mask of shape ", mask.sizes(), ")");
}
}  // namespace

Tensor masked_select(const Tensor& self, const Tensor& mask) {
  const char* op = "masked_select";
  detail::check_defined(self, op);
  check_mask(mask, op);
  detail::check_same_device(self, mask, op);
  std::vector<int64_t> shape = infer_size(self.sizes(), mask.sizes());
  // Same-shaped contiguous operands are indexed flat: one index instead of one per dim.
  if (shape.empty() || (self.sizes() == IntArrayRef(shape) && mask.sizes() == IntArrayRef(shape) &&
                        self.is_contiguous() && mask.is_contiguous()))
    return index(self.reshape({-1}), {std::optional<Tensor>(mask.reshape({-1}))});
  return index(self.expand(shape), {std::optional<Tensor>(mask.expand(shape))});
}
Tensor Tensor::masked_select(const Tensor& mask) const { return ember::masked_select(*this, mask); }

namespace {
// The first count(mask) elements of source, flat: what masked_scatter writes.
Tensor masked_source(const Tensor& self, const Tensor& mask, const Tensor& source, const char* op) {
  detail::check_defined(source, op, "source");
  detail::check_same_device(self, source, op);
  EMBER_CHECK(source.dtype() == self.dtype(), DTypeError, op, "expected self and source to have same dtypes but got ",
              self.dtype(), " and ", source.dtype());
  const int64_t count = mask.sum().item<int64_t>();
  EMBER_CHECK(source.numel() >= count, ShapeError, op, "number of elements of source (", source.numel(),
              ") < number of ones in mask (", count, ")");
  return source.reshape({-1}).narrow(0, 0, count);
}
}  // namespace

Tensor masked_scatter(const Tensor& self, const Tensor& mask, const Tensor& source) {
  const char* op = "masked_scatter";
  detail::check_defined(self, op);
  check_mask(mask, op);
  detail::check_same_device(self, mask, op);
  std::vector<int64_t> shape = infer_size(self.sizes(), mask.sizes());
  Tensor m = mask.expand(shape);
  Tensor vals = masked_source(self, m, source, op);
  if (shape.empty()) return index_put(self.reshape({1}), {std::optional<Tensor>(m.reshape({1}))}, vals).reshape({});
  return index_put(self.expand(shape), {std::optional<Tensor>(m)}, vals);
}
Tensor Tensor::masked_scatter(const Tensor& mask, const Tensor& source) const {
  return ember::masked_scatter(*this, mask, source);
}
Tensor& Tensor::masked_scatter_(const Tensor& mask, const Tensor& source) const {
  const char* op = "masked_scatter_";
  return inplace(mut(), op, {&source}, [&] { return ember::masked_scatter(*this, mask, source); }, [&] {
    check_mask(mask, op);
    detail::check_same_device(*this, mask, op);
    EMBER_CHECK(IntArrayRef(infer_size(sizes(), mask.sizes())) == sizes(), ShapeError, op, "mask of shape ", mask.sizes(),
                " cannot be broadcast to self's shape ", sizes());
    Tensor self1 = dim() == 0 ? reshape({1}) : *this;
    Tensor m = mask.expand(self1.sizes());
    index_put_raw(self1, plan(self1, {std::optional<Tensor>(m)}, op), masked_source(*this, m, source, op), false, op);
  });
}

// ---- nonzero ---------------------------------------------------------------------------
Tensor nonzero(const Tensor& self) {
  detail::check_defined(self, "nonzero");
  int64_t count;
  {
    NoGradGuard ng;
    count = ne(self, 0).sum().item<int64_t>();
  }
  Tensor out = detail::make_tensor({count, self.dim()}, kLong, self.device());
  if (count > 0) detail::backend_of(self)->nonzero(detail::arg(self), detail::arg(out));
  return out;
}
Tensor argwhere(const Tensor& self) { return nonzero(self); }
Tensor Tensor::nonzero() const { return ember::nonzero(*this); }
Tensor Tensor::argwhere() const { return ember::nonzero(*this); }

}  // namespace ember
