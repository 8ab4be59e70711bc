// Encodings and lookups built on the index kernels: one_hot and embedding (with
// libtorch's padding_idx and scale_grad_by_freq gradient rules).
#include "src/ops/index_common.h"

namespace ember {
using namespace ops;

Tensor one_hot(const Tensor& self, int64_t num_classes) {
  const char* op = "one_hot";
  detail::check_defined(self, op);
  EMBER_CHECK(self.dtype() == kLong, DTypeError, op, "one_hot is only applicable to index tensors (int64), got ",
              self.dtype());
  DimVector shape(self.sizes());
  if (self.numel() == 0) {
    EMBER_CHECK(num_classes > 0, ShapeError, op, "can not infer the total number of classes from an empty tensor (shape ",
                self.sizes(), "); pass num_classes");
    shape.push_back(num_classes);
    return zeros(shape, self.options());
  }
  const int64_t lo = self.min().item<int64_t>(), hi = self.max().item<int64_t>();
  EMBER_CHECK(lo >= 0, IndexError, op, "class values must be non-negative, got ", lo);
  if (num_classes == -1) num_classes = hi + 1;
  EMBER_CHECK(hi < num_classes, IndexError, op, "class values must be smaller than num_classes (", num_classes,
              "), got ", hi);
  shape.push_back(num_classes);
  Tensor out = zeros(shape, self.options());
  out.scatter_(-1, self.unsqueeze(-1), 1);
  return out;
}

Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx, bool scale_grad_by_freq,
                 bool sparse) {
  EMBER_PROFILE_OP("embedding", weight, indices);
  (void)sparse;  // ember has no sparse layout: the gradient is the same values, dense
  const char* op = "embedding";
  detail::check_defined(weight, op, "weight");
  detail::check_defined(indices, op, "indices");
  EMBER_CHECK(weight.dim() == 2, ShapeError, op, "'weight' must be 2-D, got shape ", weight.sizes());
  EMBER_CHECK(indices.dtype() == kLong || indices.dtype() == kInt, DTypeError, op,
              "expected indices to have dtype Long or Int, but got ", indices.dtype());
  Tensor flat = detail::cast(indices, kLong).reshape({-1});
  Tensor rows;
  {
    NoGradGuard ng;
    try {
      rows = index_select(weight, 0, flat);
    } catch (const IndexError& e) {
      // Reported as embedding's error: the user never called index_select.
      std::string why = e.what();
      if (const size_t p = why.find("] "); p != std::string::npos) why.erase(0, p + 2);
      detail::throw_error<IndexError>(op, why, " (weight of shape ", weight.sizes(), ", indices of shape ",
                                      indices.sizes(), ")");
    }
  }
  DimVector shape(indices.sizes());
  shape.push_back(weight.size(1));
  Tensor out = rows.view(shape);
  if (auto* n = autograd::record("EmbeddingBackward0", {&weight},
                                 [num = weight.size(0), dim = weight.size(1), padding_idx, scale_grad_by_freq](
                                     Node& n, variable_list& g) {
                                   Tensor idx = n.saved(0);
                                   Tensor g2 = g[0].reshape({-1, dim});
                                   if (padding_idx >= 0) g2 = g2.masked_fill((idx == padding_idx).unsqueeze(1), 0);
                                   if (scale_grad_by_freq) {
                                     Tensor counts = zeros({num}, idx.options()).index_add(0, idx, ones_like(idx));
                                     g2 = g2 / counts.index_select(0, idx).to(g2.dtype()).unsqueeze(1);
                                   }
                                   return variable_list{zeros({num, dim}, g2.options()).index_add(0, idx, g2)};
                                 })) {
    autograd::set_history(out, n);
    n->save(flat);
  }
  return out;
}

}  // namespace ember
