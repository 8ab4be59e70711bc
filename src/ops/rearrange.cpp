// Rearranging: flip (a copy through a negative-stride operand), roll (block copies),
// rot90, tril/triu (masks), diag/diag_embed/diagflat, movedim, unflatten and the
// triangle index factories.
#include <algorithm>

#include "src/ops/index_common.h"

namespace ember {
using namespace ops;

// ---- flip / roll / rot90 ------------------------------------------------------------------
namespace {
std::vector<bool> dim_set(IntArrayRef dims, int64_t ndim, const char* op) {
  std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(ndim, 1)), false);
  for (int64_t d : dims) {
    const int64_t w = detail::wrap_dim(d, ndim, op);
    EMBER_CHECK(!seen[static_cast<size_t>(w)], IndexError, op, "dim ", w, " appears multiple times in the list of dims ",
                dims);
    seen[static_cast<size_t>(w)] = true;
  }
  return seen;
}
}  // namespace

Tensor flip(const Tensor& self, IntArrayRef dims) {
  const char* op = "flip";
  detail::check_defined(self, op);
  std::vector<bool> flipped = dim_set(dims, self.dim(), op);
  Tensor out = detail::make_tensor(self.sizes(), self.dtype(), self.device());
  if (self.numel() > 0) {
    // Read self backwards along the flipped dims: start at their last element, negative strides.
    DimVector st(self.strides());
    int64_t start = 0;
    for (int64_t d = 0; d < self.dim(); ++d) {
      if (!flipped[static_cast<size_t>(d)]) continue;
      start += (self.size(d) - 1) * st[d];
      st[d] = -st[d];
    }
    StridedArg src(self, self.sizes(), st, start);
    detail::backend_of(out)->copy(src.arg(), detail::arg(out));
  }
  if (auto* n = autograd::record("FlipBackward0", {&self}, [dv = DimVector(dims)](Node&, variable_list& g) {
        return variable_list{g[0].flip(dv)};
      }))
    autograd::set_history(out, n);
  return out;
}
Tensor fliplr(const Tensor& self) {
  EMBER_CHECK(self.dim() >= 2, ShapeError, "fliplr", "input must be >= 2-d, got shape ", self.sizes());
  return flip(self, {1});
}
Tensor flipud(const Tensor& self) {
  EMBER_CHECK(self.dim() >= 1, ShapeError, "flipud", "input must be >= 1-d, got shape ", self.sizes());
  return flip(self, {0});
}
Tensor Tensor::flip(IntArrayRef dims) const { return ember::flip(*this, dims); }
Tensor Tensor::fliplr() const { return ember::fliplr(*this); }
Tensor Tensor::flipud() const { return ember::flipud(*this); }

Tensor roll(const Tensor& self, IntArrayRef shifts, IntArrayRef dims) {
  const char* op = "roll";
  detail::check_defined(self, op);
  EMBER_CHECK(!shifts.empty(), ShapeError, op, "`shifts` required");
  if (dims.empty()) {
    EMBER_CHECK(shifts.size() == 1, ShapeError, op, "shifts and dimensions must align. shifts: ", shifts.size(),
                ", dims: 0 (with no dims, give exactly one shift)");
    return roll(self.reshape({-1}), shifts, {0}).view(self.sizes());
  }
  EMBER_CHECK(shifts.size() == dims.size(), ShapeError, op, "shifts and dimensions must align. shifts: ", shifts.size(),
              ", dims: ", dims.size());
  if (self.dim() == 0) {
    for (int64_t d : dims) detail::wrap_dim(d, 0, op);
    return self.clone();
  }
  // Net shift per dim (repeated dims add up), in [0, size).
  DimVector shift(static_cast<size_t>(self.dim()), 0);
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = detail::wrap_dim(dims[i], self.dim(), op);
    const int64_t n = self.size(d);
    if (n > 0) shift[d] = ((shift[d] + shifts[i]) % n + n) % n;
  }
  Tensor out = detail::make_tensor(self.sizes(), self.dtype(), self.device());
  std::vector<int64_t> rolled;
  for (int64_t d = 0; d < self.dim(); ++d)
    if (shift[d] != 0) rolled.push_back(d);
  // Each rolled dim splits into two blocks: out[s:] = in[:n-s] and out[:s] = in[n-s:].
  const size_t k = rolled.size();
  for (size_t mask = 0; mask < (size_t(1) << k) && self.numel() > 0; ++mask) {
    DimVector sz(self.sizes());
    int64_t src_off = 0, dst_off = 0;
    for (size_t j = 0; j < k; ++j) {
      const int64_t d = rolled[j], n = self.size(d), s = shift[d];
      const bool wrapped = (mask >> j) & 1;
      sz[d] = wrapped ? s : n - s;
      src_off += (wrapped ? n - s : 0) * self.stride(d);
      dst_off += (wrapped ? 0 : s) * out.stride(d);
    }
    StridedArg src(self, sz, self.strides(), src_off), dst(out, sz, out.strides(), dst_off);
    detail::backend_of(out)->copy(src.arg(), dst.arg());
  }
  if (auto* n = autograd::record("RollBackward0", {&self}, [sv = DimVector(shifts), dv = DimVector(dims)](
                                                               Node&, variable_list& g) {
        DimVector neg(sv);
        for (auto& s : neg) s = -s;
        return variable_list{g[0].roll(neg, dv)};
      }))
    autograd::set_history(out, n);
  return out;
}
Tensor Tensor::roll(IntArrayRef shifts, IntArrayRef dims) const { return ember::roll(*this, shifts, dims); }

Tensor rot90(const Tensor& self, int64_t k, IntArrayRef dims) {
  const char* op = "rot90";
  detail::check_defined(self, op);
  EMBER_CHECK(dims.size() == 2, ShapeError, op, "expected total rotation dims == 2, but got dims = ", dims.size());
  EMBER_CHECK(self.dim() >= 2, ShapeError, op, "expected total dims >= 2, but got total dims = ", self.dim());
  const int64_t a = detail::wrap_dim(dims[0], self.dim(), op), b = detail::wrap_dim(dims[1], self.dim(), op);
  EMBER_CHECK(a != b, IndexError, op, "expected rotation dims to be different, but got dim0 = ", a, " and dim1 = ", b);
  switch (((k % 4) + 4) % 4) {
    case 1: return self.flip({b}).transpose(a, b);
    case 2: return self.flip({a, b});
    case 3: return self.flip({a}).transpose(a, b);
    default: return self.clone();
  }
}
Tensor Tensor::rot90(int64_t k, IntArrayRef dims) const { return ember::rot90(*this, k, dims); }

// ---- tril / triu --------------------------------------------------------------------------
namespace {
// True where col - row is outside the kept triangle of the last two dims.
Tensor outside_triangle(const Tensor& self, int64_t diagonal, bool lower, const char* op) {
  detail::check_defined(self, op);
  EMBER_CHECK(self.dim() >= 2, ShapeError, op, "input tensor must have at least 2 dimensions, got shape ", self.sizes());
  auto opts = TensorOptions(kLong).device(self.device());
  Tensor diff = arange(self.size(-1), opts).unsqueeze(0) - arange(self.size(-2), opts).unsqueeze(1);
  return lower ? diff.gt(diagonal) : diff.lt(diagonal);
}
}  // namespace

Tensor tril(const Tensor& self, int64_t diagonal) {
  return self.masked_fill(outside_triangle(self, diagonal, true, "tril"), 0);
}
Tensor triu(const Tensor& self, int64_t diagonal) {
  return self.masked_fill(outside_triangle(self, diagonal, false, "triu"), 0);
}
Tensor Tensor::tril(int64_t d) const { return ember::tril(*this, d); }
Tensor Tensor::triu(int64_t d) const { return ember::triu(*this, d); }
Tensor& Tensor::tril_(int64_t d) const { return masked_fill_(outside_triangle(*this, d, true, "tril_"), 0); }
Tensor& Tensor::triu_(int64_t d) const { return masked_fill_(outside_triangle(*this, d, false, "triu_"), 0); }

// ---- diag family ----------------------------------------------------------------------------
Tensor diag_embed(const Tensor& self, int64_t offset, int64_t dim1, int64_t dim2) {
  const char* op = "diag_embed";
  detail::check_defined(self, op);
  EMBER_CHECK(self.dim() >= 1, ShapeError, op, "expects a tensor with at least 1 dim, got shape ", self.sizes());
  const int64_t nd = self.dim() + 1;
  const int64_t a = detail::wrap_dim(dim1, nd, op), b = detail::wrap_dim(dim2, nd, op);
  EMBER_CHECK(a != b, IndexError, op, "diagonal dimensions cannot be identical ", dim1, ", ", dim2);
  const int64_t n = self.size(-1) + std::abs(offset);
  DimVector sizes;
  int64_t next = 0;
  for (int64_t i = 0; i < nd; ++i) sizes.push_back(i == a || i == b ? n : self.size(next++));
  Tensor out = zeros(sizes, self.options());
  {
    NoGradGuard ng;
    out.diagonal(offset, a, b).copy_(self);
  }
  if (auto* node = autograd::record("DiagEmbedBackward0", {&self}, [offset, a, b](Node&, variable_list& g) {
        return variable_list{g[0].diagonal(offset, a, b)};
      }))
    autograd::set_history(out, node);
  return out;
}

Tensor diag(const Tensor& self, int64_t diagonal) {
  detail::check_defined(self, "diag");
  EMBER_CHECK(self.dim() == 1 || self.dim() == 2, ShapeError, "diag", "supports 1D or 2D tensors (a vector or a matrix), got ",
              self.dim(), "D of shape ", self.sizes());
  if (self.dim() == 1) return diag_embed(self, diagonal, 0, 1);
  return self.diagonal(diagonal).clone();
}
Tensor diagflat(const Tensor& self, int64_t offset) {
  detail::check_defined(self, "diagflat");
  return diag_embed(self.reshape({-1}), offset, 0, 1);
}
Tensor Tensor::diag(int64_t d) const { return ember::diag(*this, d); }
Tensor Tensor::diag_embed(int64_t o, int64_t a, int64_t b) const { return ember::diag_embed(*this, o, a, b); }
Tensor Tensor::diagflat(int64_t o) const { return ember::diagflat(*this, o); }

// ---- movedim / swapaxes / unflatten ---------------------------------------------------------
Tensor movedim(const Tensor& self, IntArrayRef source, IntArrayRef destination) {
  const char* op = "movedim";
  detail::check_defined(self, op);
  EMBER_CHECK(source.size() == destination.size(), ShapeError, op, "invalid source or destination dims: source (",
              source, " dims) should contain the same number of dims as destination (", destination, " dims)");
  const int64_t nd = self.dim();
  if (nd == 0) {
    for (int64_t d : source) detail::wrap_dim(d, 0, op);
    for (int64_t d : destination) detail::wrap_dim(d, 0, op);
    return self.view(self.sizes());
  }
  std::vector<int64_t> perm(static_cast<size_t>(nd), -1);
  std::vector<bool> src_used(static_cast<size_t>(nd), false);
  for (size_t i = 0; i < source.size(); ++i) {
    const int64_t s = detail::wrap_dim(source[i], nd, op), d = detail::wrap_dim(destination[i], nd, op);
    EMBER_CHECK(!src_used[static_cast<size_t>(s)], IndexError, op, "repeated dim in `source` (", source, ")");
    EMBER_CHECK(perm[static_cast<size_t>(d)] < 0, IndexError, op, "repeated dim in `destination` (", destination, ")");
    src_used[static_cast<size_t>(s)] = true;
    perm[static_cast<size_t>(d)] = s;
  }
  int64_t next = 0;
  for (auto& p : perm) {
    if (p >= 0) continue;
    while (src_used[static_cast<size_t>(next)]) ++next;
    p = next++;
  }
  return self.permute(perm);
}
Tensor movedim(const Tensor& self, int64_t source, int64_t destination) {
  return movedim(self, IntArrayRef(source), IntArrayRef(destination));
}
Tensor moveaxis(const Tensor& self, IntArrayRef s, IntArrayRef d) { return movedim(self, s, d); }
Tensor moveaxis(const Tensor& self, int64_t s, int64_t d) { return movedim(self, s, d); }
Tensor swapaxes(const Tensor& self, int64_t a, int64_t b) { return transpose(self, a, b); }
Tensor swapdims(const Tensor& self, int64_t a, int64_t b) { return transpose(self, a, b); }
Tensor Tensor::movedim(IntArrayRef s, IntArrayRef d) const { return ember::movedim(*this, s, d); }
Tensor Tensor::movedim(int64_t s, int64_t d) const { return ember::movedim(*this, s, d); }
Tensor Tensor::moveaxis(IntArrayRef s, IntArrayRef d) const { return ember::movedim(*this, s, d); }
Tensor Tensor::moveaxis(int64_t s, int64_t d) const { return ember::movedim(*this, s, d); }
Tensor Tensor::swapaxes(int64_t a, int64_t b) const { return ember::transpose(*this, a, b); }
Tensor Tensor::swapdims(int64_t a, int64_t b) const { return ember::transpose(*this, a, b); }

Tensor unflatten(const Tensor& self, int64_t dim, IntArrayRef sizes) {
  const char* op = "unflatten";
  detail::check_defined(self, op);
  EMBER_CHECK(self.dim() > 0, ShapeError, op, "cannot unflatten a 0-dim tensor");
  const int64_t d = detail::wrap_dim(dim, self.dim(), op);
  EMBER_CHECK(!sizes.empty(), ShapeError, op, "sizes must be non-empty");
  DimVector s(sizes);
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == -1) {
      EMBER_CHECK(infer < 0, ShapeError, op, "only one dimension can be inferred, got sizes ", sizes);
      infer = static_cast<int64_t>(i);
    } else {
      known *= s[i];
    }
  }
  const int64_t n = self.size(d);
  if (infer >= 0 && known != 0 && n % known == 0) s[static_cast<size_t>(infer)] = n / known;
  EMBER_CHECK(detail::prod(s) == n && (infer < 0 || known != 0), ShapeError, op, "provided sizes ", sizes,
              " don't multiply up to the size of dim ", d, " (", n, ") in the input tensor of shape ", self.sizes());
  DimVector shape;
  for (int64_t i = 0; i < d; ++i) shape.push_back(self.size(i));
  for (int64_t v : s) shape.push_back(v);
  for (int64_t i = d + 1; i < self.dim(); ++i) shape.push_back(self.size(i));
  return self.view(shape);
}
Tensor Tensor::unflatten(int64_t d, IntArrayRef s) const { return ember::unflatten(*this, d, s); }

// ---- triangle indices -----------------------------------------------------------------------
namespace {
Tensor triangle_indices(int64_t row, int64_t col, int64_t offset, TensorOptions options, bool lower, const char* op) {
  EMBER_CHECK(row >= 0 && col >= 0, ShapeError, op, "row and col must be non-negative, got ", row, " and ", col);
  std::vector<int64_t> rows, cols;
  for (int64_t i = 0; i < row; ++i)
    for (int64_t j = 0; j < col; ++j)
      if (lower ? j - i <= offset : j - i >= offset) {
        rows.push_back(i);
        cols.push_back(j);
      }
  rows.insert(rows.end(), cols.begin(), cols.end());
  const ScalarType dt = options.has_dtype() ? options.dtype() : kLong;
  return tensor(rows, TensorOptions(dt).device(options.device())).view({2, static_cast<int64_t>(cols.size())});
}
}  // namespace

Tensor tril_indices(int64_t row, int64_t col, int64_t offset, TensorOptions options) {
  return triangle_indices(row, col, offset, options, true, "tril_indices");
}
Tensor triu_indices(int64_t row, int64_t col, int64_t offset, TensorOptions options) {
  return triangle_indices(row, col, offset, options, false, "triu_indices");
}

}  // namespace ember
