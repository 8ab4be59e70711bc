// Joining and repeating: cat (copies into slices of the output; backward narrows the
// gradient), stack and the *stack family, atleast_Nd, repeat (one broadcast copy),
// tile, repeat_interleave.
#include <numeric>

#include "src/ops/index_common.h"

namespace ember {
using namespace ops;

namespace {
// libtorch keeps accepting 1-D empty tensors in cat whatever their neighbours' shapes.
bool skipped_in_cat(const Tensor& t) { return t.dim() == 1 && t.numel() == 0; }
}  // namespace

Tensor cat(TensorList tensors, int64_t dim) {
  EMBER_PROFILE_OP("cat", tensors);
  const char* op = "cat";
  EMBER_CHECK(!tensors.empty(), ShapeError, op, "expected a non-empty list of Tensors");
  const Tensor* ref = nullptr;
  ScalarType dtype = ScalarType::Undefined;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    EMBER_CHECK(t.defined(), Error, op, "tensor at position ", i, " is undefined");
    EMBER_CHECK(t.dim() > 0, ShapeError, op, "zero-dimensional tensor (at position ", i, ") cannot be concatenated");
    detail::check_same_device(tensors[0], t, op);
    dtype = dtype == ScalarType::Undefined ? t.dtype() : promote_types(dtype, t.dtype());
    if (!ref && !skipped_in_cat(t)) ref = &t;
  }
  if (!ref) return empty({0}, TensorOptions(dtype).device(tensors[0].device()));
  const int64_t d = detail::wrap_dim(dim, ref->dim(), op);
  DimVector out_sizes(ref->sizes());
  out_sizes[static_cast<size_t>(d)] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (skipped_in_cat(t)) continue;
    EMBER_CHECK(t.dim() == ref->dim(), ShapeError, op, "tensors must have same number of dimensions: got ", ref->dim(),
                " and ", t.dim(), " (tensor number ", i, " of shape ", t.sizes(), ")");
    for (int64_t j = 0; j < t.dim(); ++j)
      EMBER_CHECK(j == d || t.size(j) == ref->size(j), ShapeError, op, "sizes of tensors must match except in dimension ",
                  d, ". Expected size ", ref->size(j), " but got size ", t.size(j), " for tensor number ", i,
                  " in the list (shapes ", ref->sizes(), " and ", t.sizes(), ")");
    out_sizes[static_cast<size_t>(d)] += t.size(d);
  }
  Tensor out = detail::make_tensor(out_sizes, dtype, ref->device());
  int64_t offset = 0;
  std::vector<int64_t> starts;
  for (const Tensor& t : tensors) {
    starts.push_back(offset);
    if (skipped_in_cat(t) || t.numel() == 0) continue;
    StridedArg region(out, t.sizes(), out.strides(), offset * out.stride(d));
    detail::backend_of(out)->copy(detail::arg(t), region.arg());
    offset += t.size(d);
  }
  if (auto* n = record_list("CatBackward0", tensors, [d, starts, sizes = [&] {
                              std::vector<DimVector> s;
                              for (const Tensor& t : tensors) s.emplace_back(t.sizes());
                              return s;
                            }()](Node& n, variable_list& g) {
        variable_list r(sizes.size());
        for (size_t i = 0; i < sizes.size(); ++i) {
          if (!n.needs_input_grad(i)) continue;
          const bool skipped = sizes[i].size() == 1 && sizes[i][0] == 0;
          r[i] = skipped ? zeros(sizes[i], g[0].options()) : g[0].narrow(d, starts[i], sizes[i][static_cast<size_t>(d)]);
        }
        return r;
      }))
    autograd::set_history(out, n);
  return out;
}

Tensor& cat_out(Tensor& out, TensorList tensors, int64_t dim) {
  const char* op = "cat_out";
  bool any_grad = out.requires_grad();
  for (const Tensor& t : tensors) any_grad = any_grad || (t.defined() && t.requires_grad());
  EMBER_CHECK(!autograd::GradMode::is_enabled() || !any_grad, Error, op,
              "functions with out=... arguments don't support automatic differentiation, but one of the arguments "
              "requires grad");
  Tensor r = cat(tensors, dim);
  check_can_cast(r.dtype(), out.dtype(), op);
  detail::resize_out(out, r.sizes(), op);
  out.copy_(r);
  return out;
}
Tensor concat(TensorList tensors, int64_t dim) { return cat(tensors, dim); }
Tensor concatenate(TensorList tensors, int64_t dim) { return cat(tensors, dim); }

Tensor stack(TensorList tensors, int64_t dim) {
  EMBER_PROFILE_OP("stack", tensors);
  const char* op = "stack";
  EMBER_CHECK(!tensors.empty(), ShapeError, op, "expected a non-empty list of Tensors");
  for (size_t i = 0; i < tensors.size(); ++i) {
    detail::check_defined(tensors[i], op, "tensors");
    EMBER_CHECK(tensors[i].sizes() == tensors[0].sizes(), ShapeError, op,
                "stack expects each tensor to be equal size, but got ", tensors[0].sizes(), " at entry 0 and ",
                tensors[i].sizes(), " at entry ", i);
  }
  const int64_t d = detail::wrap_dim(dim, tensors[0].dim() + 1, op);
  std::vector<Tensor> parts;
  parts.reserve(tensors.size());
  for (const Tensor& t : tensors) parts.push_back(t.unsqueeze(d));
  return cat(parts, d);
}

Tensor atleast_1d(const Tensor& self) { return self.dim() == 0 ? self.reshape({1}) : self; }
Tensor atleast_2d(const Tensor& self) {
  if (self.dim() == 0) return self.reshape({1, 1});
  return self.dim() == 1 ? self.unsqueeze(0) : self;
}
Tensor atleast_3d(const Tensor& self) {
  if (self.dim() == 0) return self.reshape({1, 1, 1});
  if (self.dim() == 1) return self.unsqueeze(0).unsqueeze(-1);
  return self.dim() == 2 ? self.unsqueeze(-1) : self;
}

namespace {
template <class F>
std::vector<Tensor> map_all(TensorList tensors, const char* op, F f) {
  EMBER_CHECK(!tensors.empty(), ShapeError, op, "expected a non-empty list of Tensors");
  std::vector<Tensor> r;
  for (const Tensor& t : tensors) {
    detail::check_defined(t, op, "tensors");
    r.push_back(f(t));
  }
  return r;
}
}  // namespace

Tensor hstack(TensorList tensors) {
  std::vector<Tensor> r = map_all(tensors, "hstack", atleast_1d);
  return cat(r, r[0].dim() == 1 ? 0 : 1);
}
Tensor vstack(TensorList tensors) { return cat(map_all(tensors, "vstack", atleast_2d), 0); }
Tensor row_stack(TensorList tensors) { return vstack(tensors); }
Tensor dstack(TensorList tensors) { return cat(map_all(tensors, "dstack", atleast_3d), 2); }
Tensor column_stack(TensorList tensors) {
  return cat(map_all(tensors, "column_stack",
                     [](const Tensor& t) { return t.dim() <= 1 ? t.reshape({t.numel(), 1}) : t; }),
             1);
}

// ---- repeat / tile ----------------------------------------------------------------------
Tensor Tensor::repeat(IntArrayRef repeats) const {
  const char* op = "repeat";
  detail::check_defined(*this, op);
  const int64_t n = static_cast<int64_t>(repeats.size());
  EMBER_CHECK(n >= dim(), ShapeError, op, "number of dimensions of repeat dims (", n,
              ") can not be smaller than number of dimensions of tensor (", dim(), ")");
  for (int64_t r : repeats)
    EMBER_CHECK(r >= 0, ShapeError, op, "repeats must be non-negative, got ", repeats);
  const int64_t pad = n - dim();
  // The output seen as [r0, s0, r1, s1, ...] is contiguous; the source is self padded
  // with leading 1s and broadcast (stride 0) over every r_i: one copy does it all.
  DimVector out_sizes, split_sizes, src_strides, dst_strides;
  for (int64_t i = 0; i < n; ++i) out_sizes.push_back(repeats[i] * (i < pad ? 1 : size(i - pad)));
  Tensor out = detail::make_tensor(out_sizes, dtype(), device());
  int64_t inner = 1;
  DimVector inner_of(static_cast<size_t>(n));
  for (int64_t i = n - 1; i >= 0; --i) {
    inner_of[i] = inner;
    inner *= out_sizes[i];
  }
  for (int64_t i = 0; i < n; ++i) {
    const int64_t s = i < pad ? 1 : size(i - pad);
    split_sizes.push_back(repeats[i]);
    split_sizes.push_back(s);
    src_strides.push_back(0);
    src_strides.push_back(i < pad ? 0 : stride(i - pad));
    dst_strides.push_back(s * inner_of[i]);
    dst_strides.push_back(inner_of[i]);
  }
  if (out.numel() > 0) {
    StridedArg src(*this, split_sizes, src_strides), dst(out, split_sizes, dst_strides);
    detail::backend_of(out)->copy(src.arg(), dst.arg());
  }
  if (auto* node = autograd::record("RepeatBackward0", {this}, [split_sizes, self_sizes = DimVector(sizes())](
                                                                   Node&, variable_list& g) {
        std::vector<int64_t> rdims;
        for (size_t i = 0; i < split_sizes.size(); i += 2) rdims.push_back(static_cast<int64_t>(i));
        return variable_list{g[0].reshape(split_sizes).sum(rdims).reshape(self_sizes)};
      }))
    autograd::set_history(out, node);
  return out;
}

Tensor tile(const Tensor& self, IntArrayRef dims) {
  detail::check_defined(self, "tile");
  if (static_cast<int64_t>(dims.size()) >= self.dim()) return self.repeat(dims);
  DimVector padded(static_cast<size_t>(self.dim() - static_cast<int64_t>(dims.size())), 1);
  for (int64_t r : dims) padded.push_back(r);
  return self.repeat(padded);
}
Tensor Tensor::tile(IntArrayRef dims) const { return ember::tile(*this, dims); }

// ---- repeat_interleave --------------------------------------------------------------------
Tensor repeat_interleave(const Tensor& repeats, std::optional<int64_t> output_size) {
  const char* op = "repeat_interleave";
  Tensor r = long_index(repeats, op, true, "repeats");
  EMBER_CHECK(r.dim() == 1, ShapeError, op, "repeats must be a 1-D tensor, got shape ", r.sizes());
  Tensor rc = r.cpu().contiguous();
  const int64_t* p = rc.data_ptr<int64_t>();
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < rc.numel(); ++i) {
    EMBER_CHECK(p[i] >= 0, ShapeError, op, "repeats can not be negative, got ", p[i], " at position ", i);
    idx.insert(idx.end(), static_cast<size_t>(p[i]), i);
  }
  EMBER_CHECK(!output_size || *output_size == static_cast<int64_t>(idx.size()), ShapeError, op, "output_size (",
              output_size.value_or(0), ") does not match the sum of repeats (", idx.size(), ")");
  return tensor(idx, TensorOptions(kLong).device(repeats.device()));
}

Tensor repeat_interleave(const Tensor& self, const Tensor& repeats, std::optional<int64_t> dim,
                         std::optional<int64_t> output_size) {
  const char* op = "repeat_interleave";
  detail::check_defined(self, op);
  detail::check_defined(repeats, op, "repeats");
  Tensor input = dim ? self : self.reshape({-1});
  const int64_t d = dim ? detail::wrap_dim(*dim, self.dim(), op) : 0;
  const int64_t n = input.dim() == 0 ? 1 : input.size(d);
  Tensor reps = repeats;
  if (repeats.numel() == 1) reps = repeats.reshape({1}).expand({n});
  EMBER_CHECK(reps.dim() == 1 && reps.size(0) == n, ShapeError, op,
              "repeats must have the same size as input along dim: repeats of shape ", repeats.sizes(), ", input of shape ",
              self.sizes(), ", dim ", d);
  return input.index_select(d, repeat_interleave(reps, output_size));
}

Tensor repeat_interleave(const Tensor& self, int64_t repeats, std::optional<int64_t> dim,
                         std::optional<int64_t> output_size) {
  const char* op = "repeat_interleave";
  detail::check_defined(self, op);
  EMBER_CHECK(repeats >= 0, ShapeError, op, "repeats can not be negative, got ", repeats);
  Tensor input = dim ? atleast_1d(self) : self.reshape({-1});
  const int64_t d = dim ? detail::wrap_dim(*dim, self.dim(), op) : 0;
  EMBER_CHECK(!output_size || *output_size == input.size(d) * repeats, ShapeError, op, "output_size (",
              output_size.value_or(0), ") does not match the repeated size (", input.size(d) * repeats, ")");
  DimVector expanded(input.sizes());
  expanded.insert(static_cast<size_t>(d + 1), repeats);
  return input.unsqueeze(d + 1).expand(expanded).flatten(d, d + 1);
}
Tensor Tensor::repeat_interleave(const Tensor& r, std::optional<int64_t> d, std::optional<int64_t> o) const {
  return ember::repeat_interleave(*this, r, d, o);
}
Tensor Tensor::repeat_interleave(int64_t r, std::optional<int64_t> d, std::optional<int64_t> o) const {
  return ember::repeat_interleave(*this, r, d, o);
}

}  // namespace ember
