// Shared helpers of the reduction, scan and sort front-ends (see scan_common.h).
#include "src/ops/scan_common.h"

#include <algorithm>
#include <cstdlib>

namespace ember::ops::scan {

std::vector<bool> reduce_mask(const Tensor& self, IntArrayRef dims, const char* name) {
  std::vector<bool> m(static_cast<size_t>(self.dim()), dims.empty());
  for (int64_t d : dims) {
    const int64_t w = detail::wrap_dim(d, self.dim(), name);
    if (self.dim() == 0) continue;
    EMBER_CHECK(!m[static_cast<size_t>(w)], Error, name, "dim ", w, " appears multiple times in the list of dims ",
                dims);
    m[static_cast<size_t>(w)] = true;
  }
  return m;
}

std::vector<int64_t> mask_dims(const std::vector<bool>& mask) {
  std::vector<int64_t> dims;
  for (size_t i = 0; i < mask.size(); ++i)
    if (mask[i]) dims.push_back(static_cast<int64_t>(i));
  return dims;
}

int64_t reduced_count(const Tensor& self, const std::vector<bool>& mask) {
  int64_t n = 1;
  for (size_t i = 0; i < mask.size(); ++i)
    if (mask[i]) n *= self.sizes()[i];
  return n;
}

DimVector reduced_shape(const Tensor& self, const std::vector<bool>& mask, bool keepdim) {
  DimVector s;
  for (size_t i = 0; i < mask.size(); ++i) {
    if (!mask[i]) s.push_back(self.sizes()[i]);
    else if (keepdim) s.push_back(1);
  }
  return s;
}

Tensor unreduce(const Tensor& g, const std::vector<bool>& mask, bool keepdim, IntArrayRef sizes) {
  Tensor r = g;
  if (!keepdim)
    for (size_t i = 0; i < mask.size(); ++i)
      if (mask[i]) r = r.unsqueeze(static_cast<int64_t>(i));
  return r.sizes() == sizes ? r : r.expand(sizes);
}

Tensor as_1d(const Tensor& t) {
  if (t.dim() > 0) return t;
  const int64_t one = 1;
  return detail::make_view(t, IntArrayRef(&one, 1), IntArrayRef(&one, 1), t.storage_offset());
}

Tensor flip_dim(const Tensor& t, int64_t dim) {
  if (t.dim() == 0 || t.size(dim) <= 1) return t;
  // A view with a negative stride on dim, copied into fresh contiguous memory.
  DimVector strides(t.strides());
  const int64_t n = t.size(dim);
  const int64_t offset = t.storage_offset() + (n - 1) * strides[static_cast<size_t>(dim)];
  strides[static_cast<size_t>(dim)] = -strides[static_cast<size_t>(dim)];
  Tensor reversed = detail::make_view(t, t.sizes(), strides, offset);
  Tensor out = detail::make_tensor(t.sizes(), t.dtype(), t.device());
  detail::backend_of(t)->copy(detail::arg(reversed), detail::arg(out));
  if (auto* node = autograd::record("FlipBackward0", {&t}, [dim](Node&, variable_list& g) {
        return variable_list{flip_dim(g[0], dim)};
      }))
    autograd::set_history(out, node);
  return out;
}

Tensor shift_dim(const Tensor& t, int64_t dim, int64_t shift, double fill) {
  const int64_t n = t.size(dim);
  const int64_t moved = std::max<int64_t>(0, n - std::abs(shift));
  Tensor out = detail::make_tensor(t.sizes(), t.dtype(), t.device());
  {
    NoGradGuard ng;
    if (moved > 0)
      out.narrow(dim, std::max<int64_t>(shift, 0), moved).copy_(t.narrow(dim, std::max<int64_t>(-shift, 0), moved));
    if (n - moved > 0) out.narrow(dim, shift > 0 ? 0 : moved, n - moved).fill_(fill);
  }
  if (auto* node = autograd::record("ShiftBackward", {&t}, [dim, shift](Node&, variable_list& g) {
        return variable_list{shift_dim(g[0], dim, -shift, 0.0)};
      }))
    autograd::set_history(out, node);
  return out;
}

Tensor reversed_cumsum(const Tensor& t, int64_t dim) {
  if (t.dim() == 0) return t;
  return flip_dim(cumsum(flip_dim(t, dim), dim), dim);
}

Tensor scatter_along(const Tensor& g, const Tensor& index, int64_t dim, IntArrayRef sizes) {
  if (sizes.empty()) return g.reshape(sizes);
  // Each picked position receives its gradient; scatter_add (differentiable through
  // gather) instead of a one-hot temporary, which cost O(k * n) per row.
  return zeros(sizes, g.options()).scatter_add(dim, index, g);
}

Tensor select_backward(const Tensor& g, const Tensor& index, int64_t dim, bool keepdim, IntArrayRef sizes) {
  if (sizes.empty()) return g.reshape(sizes);
  if (keepdim) return scatter_along(g, index, dim, sizes);
  return scatter_along(g.unsqueeze(dim), index.unsqueeze(dim), dim, sizes);
}

}  // namespace ember::ops::scan
