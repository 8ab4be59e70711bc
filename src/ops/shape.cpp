// Views (sharing storage and version counter) and their backward formulas: view,
// reshape, flatten, transpose, permute, (un)squeeze, expand, narrow, select, slice,
// diagonal, as_strided, and the splitters built on them.
#include <numeric>

#include "src/ops/elementwise_common.h"

namespace ember {
using namespace ops;

namespace {

// Gradient of a view that picks part of its input: zeros of the input's shape with g
// written through the same view. Recorded itself, so double backward applies the view
// to the incoming gradient.
template <class ViewFn>
Tensor embed_in_zeros(const Tensor& g, IntArrayRef in_sizes, ViewFn view) {
  Tensor z = zeros(in_sizes, g.options());
  {
    NoGradGuard ng;
    view(z).copy_(g);
  }
  if (auto* n = autograd::record("ViewScatterBackward", {&g},
                                 [view](Node&, variable_list& gg) { return variable_list{view(gg[0])}; }))
    autograd::set_history(z, n);
  return z;
}

// Records a view whose gradient is embed_in_zeros with the same view.
template <class ViewFn>
void record_partial_view(Tensor& out, const Tensor& self, const char* name, ViewFn view) {
  if (auto* n = autograd::record(name, {&self}, [view, in_sizes = DimVector(self.sizes())](Node&, variable_list& g) {
        return variable_list{embed_in_zeros(g[0], in_sizes, view)};
      }))
    autograd::set_view_history(out, n, self);
}

void record_reshape(Tensor& out, const Tensor& self, const char* name) {
  if (auto* n = autograd::record(name, {&self}, [in_sizes = DimVector(self.sizes())](Node&, variable_list& g) {
        return variable_list{g[0].reshape(in_sizes)};
      }))
    autograd::set_view_history(out, n, self);
}

// Resolves one -1 in a requested shape against numel.
DimVector infer_shape(IntArrayRef shape, int64_t numel, const char* name) {
  DimVector r(shape);
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < r.size(); ++i) {
    if (r[i] == -1) {
      EMBER_CHECK(infer < 0, ShapeError, name, "only one dimension can be inferred (shape ", shape, ")");
      infer = static_cast<int64_t>(i);
    } else {
      EMBER_CHECK(r[i] >= 0, ShapeError, name, "invalid shape dimension ", r[i], " in ", shape);
      known *= r[i];
    }
  }
  if (infer >= 0) {
    EMBER_CHECK(known != 0 && numel % known == 0, ShapeError, name, "shape '", shape,
                "' is invalid for input of size ", numel);
    r[static_cast<size_t>(infer)] = numel / known;
  } else {
    EMBER_CHECK(known == numel, ShapeError, name, "shape '", shape, "' is invalid for input of size ", numel);
  }
  return r;
}

// Strides for viewing (sizes, strides) as new_sizes without copying, if possible
// (libtorch's computeStride): each group of old dims that merges must be contiguous.
bool view_strides(IntArrayRef old_sizes, IntArrayRef old_strides, IntArrayRef new_sizes, DimVector& out) {
  out = DimVector(new_sizes.size(), 1);
  if (old_sizes.empty()) {
    for (size_t i = 0; i < new_sizes.size(); ++i) out[i] = 1;
    return true;
  }
  const int64_t numel = detail::prod(old_sizes);
  if (numel == 0) {
    out = detail::contiguous_strides(new_sizes);
    return true;
  }
  int64_t view_d = static_cast<int64_t>(new_sizes.size()) - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t tensor_d = static_cast<int64_t>(old_sizes.size()) - 1; tensor_d >= 0; --tensor_d) {
    tensor_numel *= old_sizes[tensor_d];
    if (tensor_d == 0 || (old_sizes[tensor_d - 1] != 1 &&
                          old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_sizes[view_d] == 1)) {
        out[view_d] = view_numel * chunk_base_stride;
        view_numel *= new_sizes[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return false;
      if (tensor_d > 0) {
        chunk_base_stride = old_strides[tensor_d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  return view_d == -1;
}

}  // namespace

Tensor Tensor::view(IntArrayRef shape) const {
  EMBER_PROFILE_OP("view", *this);
  detail::check_defined(*this, "view");
  DimVector s = infer_shape(shape, numel(), "view");
  DimVector st;
  EMBER_CHECK(view_strides(sizes(), strides(), s, st), ShapeError, "view",
              "view size is not compatible with input tensor's size and stride (at least one dimension "
              "spans across two contiguous subspaces): input of shape ", sizes(), " with strides ", strides(),
              " cannot be viewed as ", IntArrayRef(s), ". Use .reshape(...) instead.");
  Tensor out = detail::make_view(*this, s, st, storage_offset());
  record_reshape(out, *this, "ViewBackward0");
  return out;
}

Tensor reshape(const Tensor& self, IntArrayRef shape) {
  EMBER_PROFILE_OP("reshape", self);
  detail::check_defined(self, "reshape");
  DimVector s = infer_shape(shape, self.numel(), "reshape");
  DimVector st;
  if (view_strides(self.sizes(), self.strides(), s, st)) {
    Tensor out = detail::make_view(self, s, st, self.storage_offset());
    record_reshape(out, self, "ViewBackward0");
    return out;
  }
  return clone(self).view(s);
}
Tensor Tensor::reshape(IntArrayRef shape) const { return ember::reshape(*this, shape); }
Tensor Tensor::view_as(const Tensor& o) const { return view(o.sizes()); }
Tensor Tensor::reshape_as(const Tensor& o) const { return reshape(o.sizes()); }

Tensor flatten(const Tensor& self, int64_t start, int64_t end) {
  detail::check_defined(self, "flatten");
  if (self.dim() == 0) return self.reshape({1});
  const int64_t s = detail::wrap_dim(start, self.dim(), "flatten");
  const int64_t e = detail::wrap_dim(end, self.dim(), "flatten");
  EMBER_CHECK(s <= e, IndexError, "flatten", "start_dim (", start, ") cannot come after end_dim (", end, ")");
  if (s == e) return self;
  DimVector shape;
  for (int64_t i = 0; i < s; ++i) shape.push_back(self.sizes()[i]);
  int64_t m = 1;
  for (int64_t i = s; i <= e; ++i) m *= self.sizes()[i];
  shape.push_back(m);
  for (int64_t i = e + 1; i < self.dim(); ++i) shape.push_back(self.sizes()[i]);
  return self.reshape(shape);
}
Tensor Tensor::flatten(int64_t s, int64_t e) const { return ember::flatten(*this, s, e); }

Tensor permute(const Tensor& self, IntArrayRef dims) {
  EMBER_PROFILE_OP("permute", self);
  detail::check_defined(self, "permute");
  EMBER_CHECK(static_cast<int64_t>(dims.size()) == self.dim(), ShapeError, "permute",
              "number of dims don't match in permute: input has ", self.dim(), " dims (shape ", self.sizes(),
              ") but dims is ", dims);
  DimVector s(dims.size()), st(dims.size()), inv(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = detail::wrap_dim(dims[i], self.dim(), "permute");
    EMBER_CHECK(!seen[static_cast<size_t>(d)], IndexError, "permute", "repeated dim in permute: ", dims);
    seen[static_cast<size_t>(d)] = true;
    s[i] = self.sizes()[d];
    st[i] = self.strides()[d];
    inv[static_cast<size_t>(d)] = static_cast<int64_t>(i);
  }
  Tensor out = detail::make_view(self, s, st, self.storage_offset());
  if (auto* n = autograd::record("PermuteBackward0", {&self}, [inv](Node&, variable_list& g) {
        return variable_list{g[0].permute(inv)};
      }))
    autograd::set_view_history(out, n, self);
  return out;
}
Tensor Tensor::permute(IntArrayRef dims) const { return ember::permute(*this, dims); }

Tensor transpose(const Tensor& self, int64_t d0, int64_t d1) {
  EMBER_PROFILE_OP("transpose", self);
  detail::check_defined(self, "transpose");
  if (self.dim() == 0) return self;
  const int64_t a = detail::wrap_dim(d0, self.dim(), "transpose");
  const int64_t b = detail::wrap_dim(d1, self.dim(), "transpose");
  DimVector s(self.sizes()), st(self.strides());
  std::swap(s[a], s[b]);
  std::swap(st[a], st[b]);
  Tensor out = detail::make_view(self, s, st, self.storage_offset());
  if (auto* n = autograd::record("TransposeBackward0", {&self}, [a, b](Node&, variable_list& g) {
        return variable_list{g[0].transpose(a, b)};
      }))
    autograd::set_view_history(out, n, self);
  return out;
}
Tensor Tensor::transpose(int64_t a, int64_t b) const { return ember::transpose(*this, a, b); }

Tensor t(const Tensor& self) {
  EMBER_PROFILE_OP("t", self);
  detail::check_defined(self, "t");
  EMBER_CHECK(self.dim() <= 2, ShapeError, "t", "expects a tensor with <= 2 dimensions, but self is ", self.dim(),
              "D (shape ", self.sizes(), ")");
  return self.dim() < 2 ? self : transpose(self, 0, 1);
}
Tensor Tensor::t() const { return ember::t(*this); }

Tensor unsqueeze(const Tensor& self, int64_t dim) {
  detail::check_defined(self, "unsqueeze");
  const int64_t d = detail::wrap_dim(dim, self.dim() + 1, "unsqueeze");
  DimVector s(self.sizes()), st(self.strides());
  const int64_t new_stride = d < self.dim() ? self.sizes()[d] * self.strides()[d] : 1;
  s.insert(static_cast<size_t>(d), 1);
  st.insert(static_cast<size_t>(d), new_stride);
  Tensor out = detail::make_view(self, s, st, self.storage_offset());
  if (auto* n = autograd::record("UnsqueezeBackward0", {&self}, [d](Node&, variable_list& g) {
        return variable_list{g[0].squeeze(d)};
      }))
    autograd::set_view_history(out, n, self);
  return out;
}
Tensor Tensor::unsqueeze(int64_t d) const { return ember::unsqueeze(*this, d); }

Tensor squeeze(const Tensor& self) {
  detail::check_defined(self, "squeeze");
  DimVector s, st;
  for (int64_t i = 0; i < self.dim(); ++i)
    if (self.sizes()[i] != 1) { s.push_back(self.sizes()[i]); st.push_back(self.strides()[i]); }
  Tensor out = detail::make_view(self, s, st, self.storage_offset());
  record_reshape(out, self, "SqueezeBackward0");
  return out;
}
Tensor squeeze(const Tensor& self, int64_t dim) {
  detail::check_defined(self, "squeeze");
  if (self.dim() == 0) {
    detail::wrap_dim(dim, 0, "squeeze");
    return self;
  }
  const int64_t d = detail::wrap_dim(dim, self.dim(), "squeeze");
  if (self.sizes()[d] != 1) return self;
  DimVector s(self.sizes()), st(self.strides());
  s.erase(static_cast<size_t>(d));
  st.erase(static_cast<size_t>(d));
  Tensor out = detail::make_view(self, s, st, self.storage_offset());
  record_reshape(out, self, "SqueezeBackward1");
  return out;
}
Tensor Tensor::squeeze() const { return ember::squeeze(*this); }
Tensor Tensor::squeeze(int64_t d) const { return ember::squeeze(*this, d); }

Tensor Tensor::expand(IntArrayRef shape, bool implicit) const {
  (void)implicit;
  detail::check_defined(*this, "expand");
  const int64_t nd = static_cast<int64_t>(shape.size());
  EMBER_CHECK(nd >= dim(), ShapeError, "expand", "the number of sizes provided (", nd,
              ") must be greater or equal to the number of dimensions in the tensor (", dim(), ")");
  DimVector s(static_cast<size_t>(nd)), st(static_cast<size_t>(nd));
  for (int64_t i = nd - 1; i >= 0; --i) {
    const int64_t j = i - (nd - dim());
    const int64_t want = shape[static_cast<size_t>(i)];
    if (j < 0) {
      EMBER_CHECK(want >= 0, ShapeError, "expand", "-1 is not allowed in a leading, non-existing dimension (shape ",
                  shape, ")");
      s[i] = want;
      st[i] = 0;
      continue;
    }
    const int64_t have = sizes()[j];
    if (want == -1 || want == have) {
      s[i] = have;
      st[i] = strides()[j];
    } else {
      EMBER_CHECK(have == 1, ShapeError, "expand", "The expanded size of the tensor (", want,
                  ") must match the existing size (", have, ") at non-singleton dimension ", i,
                  ".  Target sizes: ", shape, ".  Tensor sizes: ", sizes());
      s[i] = want;
      st[i] = 0;
    }
  }
  Tensor out = detail::make_view(*this, s, st, storage_offset());
  if (auto* n = autograd::record("ExpandBackward0", {this}, [in_sizes = DimVector(sizes())](Node&, variable_list& g) {
        return variable_list{sum_to(g[0], in_sizes)};
      }))
    autograd::set_view_history(out, n, *this);
  return out;
}
Tensor Tensor::expand_as(const Tensor& o) const { return expand(o.sizes()); }

Tensor slice(const Tensor& self, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step) {
  detail::check_defined(self, "slice");
  EMBER_CHECK(self.dim() > 0, IndexError, "slice", "cannot be applied to a 0-dim tensor");
  const int64_t d = detail::wrap_dim(dim, self.dim(), "slice");
  EMBER_CHECK(step > 0, Error, "slice", "slice step must be positive, got ", step);
  const int64_t n = self.sizes()[d];
  int64_t s = start.value_or(0), e = end.value_or(n);
  if (s < 0) s += n;
  if (e < 0) e += n;
  s = std::clamp<int64_t>(s, 0, n);
  e = std::clamp<int64_t>(e, s, n);
  DimVector sz(self.sizes()), st(self.strides());
  sz[d] = (e - s + step - 1) / step;
  st[d] = self.strides()[d] * step;
  Tensor out = detail::make_view(self, sz, st, self.storage_offset() + s * self.strides()[d]);
  record_partial_view(out, self, "SliceBackward0", [d, s, e, step](const Tensor& base) {
    return slice(base, d, s, e, step);
  });
  return out;
}
Tensor Tensor::slice(int64_t d, std::optional<int64_t> s, std::optional<int64_t> e, int64_t step) const {
  return ember::slice(*this, d, s, e, step);
}

Tensor narrow(const Tensor& self, int64_t dim, int64_t start, int64_t length) {
  detail::check_defined(self, "narrow");
  EMBER_CHECK(self.dim() > 0, IndexError, "narrow", "cannot be applied to a 0-dim tensor.");
  const int64_t d = detail::wrap_dim(dim, self.dim(), "narrow");
  const int64_t n = self.sizes()[d];
  EMBER_CHECK(start >= -n && start <= n, IndexError, "narrow", "start (", start, ") is out of range for dimension ",
              d, " of size ", n);
  if (start < 0) start += n;
  EMBER_CHECK(length >= 0 && start + length <= n, IndexError, "narrow", "start (", start, ") + length (", length,
              ") exceeds dimension size (", n, ") of tensor with shape ", self.sizes());
  return slice(self, d, start, start + length, 1);
}
Tensor Tensor::narrow(int64_t d, int64_t s, int64_t l) const { return ember::narrow(*this, d, s, l); }

Tensor select(const Tensor& self, int64_t dim, int64_t index) {
  detail::check_defined(self, "select");
  EMBER_CHECK(self.dim() > 0, IndexError, "select", "select() cannot be applied to a 0-dim tensor.");
  const int64_t d = detail::wrap_dim(dim, self.dim(), "select");
  const int64_t n = self.sizes()[d];
  EMBER_CHECK(index >= -n && index < n, IndexError, "select", "index ", index, " is out of bounds for dimension ",
              d, " with size ", n, " (tensor of shape ", self.sizes(), ")");
  if (index < 0) index += n;
  DimVector sz(self.sizes()), st(self.strides());
  sz.erase(static_cast<size_t>(d));
  st.erase(static_cast<size_t>(d));
  Tensor out = detail::make_view(self, sz, st, self.storage_offset() + index * self.strides()[d]);
  record_partial_view(out, self, "SelectBackward0", [d, index](const Tensor& base) { return select(base, d, index); });
  return out;
}
Tensor Tensor::select(int64_t d, int64_t i) const { return ember::select(*this, d, i); }
Tensor Tensor::operator[](int64_t i) const { return ember::select(*this, 0, i); }

Tensor diagonal(const Tensor& self, int64_t offset, int64_t dim1, int64_t dim2) {
  detail::check_defined(self, "diagonal");
  EMBER_CHECK(self.dim() >= 2, ShapeError, "diagonal", "expects a tensor with at least 2 dims, got shape ", self.sizes());
  const int64_t a = detail::wrap_dim(dim1, self.dim(), "diagonal");
  const int64_t b = detail::wrap_dim(dim2, self.dim(), "diagonal");
  EMBER_CHECK(a != b, IndexError, "diagonal", "diagonal dimensions cannot be identical ", dim1, ", ", dim2);
  int64_t len, off = self.storage_offset();
  if (offset >= 0) {
    len = std::max<int64_t>(std::min(self.sizes()[a], self.sizes()[b] - offset), 0);
    if (len > 0) off += offset * self.strides()[b];
  } else {
    len = std::max<int64_t>(std::min(self.sizes()[a] + offset, self.sizes()[b]), 0);
    if (len > 0) off -= offset * self.strides()[a];
  }
  DimVector sz, st;
  for (int64_t i = 0; i < self.dim(); ++i)
    if (i != a && i != b) { sz.push_back(self.sizes()[i]); st.push_back(self.strides()[i]); }
  sz.push_back(len);
  st.push_back(self.strides()[a] + self.strides()[b]);
  Tensor out = detail::make_view(self, sz, st, off);
  record_partial_view(out, self, "DiagonalBackward0",
                      [offset, a, b](const Tensor& base) { return diagonal(base, offset, a, b); });
  return out;
}
Tensor Tensor::diagonal(int64_t o, int64_t a, int64_t b) const { return ember::diagonal(*this, o, a, b); }

Tensor as_strided(const Tensor& self, IntArrayRef size, IntArrayRef stride, std::optional<int64_t> storage_offset) {
  detail::check_defined(self, "as_strided");
  EMBER_CHECK(size.size() == stride.size(), ShapeError, "as_strided", "mismatch in length of strides and shape (",
              size, " vs ", stride, ")");
  const int64_t off = storage_offset.value_or(self.storage_offset());
  int64_t max_index = off;
  for (size_t i = 0; i < size.size(); ++i) {
    EMBER_CHECK(size[i] >= 0 && stride[i] >= 0, ShapeError, "as_strided", "negative size or stride: ", size, ", ", stride);
    if (size[i] > 0) max_index += (size[i] - 1) * stride[i];
  }
  const int64_t capacity = static_cast<int64_t>(self.unsafeGetTensorImpl()->storage()->nbytes() / ember::element_size(self.dtype()));
  EMBER_CHECK(detail::prod(size) == 0 || max_index < capacity, IndexError, "as_strided", "setStorage: sizes ", size,
              ", strides ", stride, " and storage offset ", off, " require a storage of ", max_index + 1,
              " elements but it has ", capacity);
  Tensor out = detail::make_view(self, size, stride, off);
  if (autograd::any_requires_grad({&self})) {
    // The gradient of a general strided view is written through the same view of a
    // zero base; this matches libtorch when self is contiguous with offset 0.
    EMBER_CHECK(self.is_contiguous(), NotImplementedError, "as_strided",
                "backward through as_strided of a non-contiguous tensor is not supported (input shape ",
                self.sizes(), ", strides ", self.strides(), ")");
    const int64_t rel = off - self.storage_offset();
    record_partial_view(out, self, "AsStridedBackward0",
                        [sz = DimVector(size), st = DimVector(stride), rel](const Tensor& base) {
                          return as_strided(base, sz, st, base.storage_offset() + rel);
                        });
  }
  return out;
}
Tensor Tensor::as_strided(IntArrayRef s, IntArrayRef st, std::optional<int64_t> o) const {
  return ember::as_strided(*this, s, st, o);
}

std::vector<Tensor> split(const Tensor& self, int64_t split_size, int64_t dim) {
  detail::check_defined(self, "split");
  const int64_t d = detail::wrap_dim(dim, self.dim(), "split");
  EMBER_CHECK(split_size >= 0, Error, "split", "split expects split_size be non-negative, but got split_size=", split_size);
  const int64_t n = self.sizes()[d];
  EMBER_CHECK(split_size > 0 || n == 0, Error, "split", "split_size can only be 0 if dimension size is 0, but got dimension size of ", n);
  std::vector<Tensor> out;
  if (n == 0) return {self};
  for (int64_t s = 0; s < n; s += split_size) out.push_back(narrow(self, d, s, std::min(split_size, n - s)));
  return out;
}
std::vector<Tensor> split_with_sizes(const Tensor& self, IntArrayRef sizes, int64_t dim) {
  detail::check_defined(self, "split_with_sizes");
  const int64_t d = detail::wrap_dim(dim, self.dim(), "split_with_sizes");
  const int64_t total = std::accumulate(sizes.begin(), sizes.end(), int64_t(0));
  EMBER_CHECK(total == self.sizes()[d], ShapeError, "split_with_sizes", "split_sizes ", sizes,
              " must sum to the size of dimension ", d, " (", self.sizes()[d], ") of tensor of shape ", self.sizes());
  std::vector<Tensor> out;
  int64_t s = 0;
  for (int64_t len : sizes) { out.push_back(narrow(self, d, s, len)); s += len; }
  return out;
}
std::vector<Tensor> chunk(const Tensor& self, int64_t chunks, int64_t dim) {
  detail::check_defined(self, "chunk");
  EMBER_CHECK(chunks > 0, Error, "chunk", "chunk expects `chunks` to be greater than 0, got: ", chunks);
  const int64_t d = detail::wrap_dim(dim, self.dim(), "chunk");
  const int64_t n = self.sizes()[d];
  return split(self, std::max<int64_t>((n + chunks - 1) / chunks, n == 0 ? 0 : 1), d);
}
std::vector<Tensor> unbind(const Tensor& self, int64_t dim) {
  detail::check_defined(self, "unbind");
  const int64_t d = detail::wrap_dim(dim, self.dim(), "unbind");
  std::vector<Tensor> out;
  for (int64_t i = 0; i < self.sizes()[d]; ++i) out.push_back(select(self, d, i));
  return out;
}
std::vector<Tensor> Tensor::chunk(int64_t c, int64_t d) const { return ember::chunk(*this, c, d); }
std::vector<Tensor> Tensor::split(int64_t s, int64_t d) const { return ember::split(*this, s, d); }
std::vector<Tensor> Tensor::split(IntArrayRef s, int64_t d) const { return ember::split_with_sizes(*this, s, d); }
std::vector<Tensor> Tensor::split_with_sizes(IntArrayRef s, int64_t d) const { return ember::split_with_sizes(*this, s, d); }
std::vector<Tensor> Tensor::unbind(int64_t d) const { return ember::unbind(*this, d); }

std::vector<Tensor> broadcast_tensors(TensorList tensors) {
  std::vector<int64_t> shape;
  for (const Tensor& t : tensors) shape = infer_size(shape, t.sizes());
  std::vector<Tensor> out;
  for (const Tensor& t : tensors) out.push_back(t.expand(shape));
  return out;
}

}  // namespace ember
