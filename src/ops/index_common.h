#pragma once
// Plumbing shared by the joining and indexing front-ends: kernel operands over explicit
// geometry, index dtype checks, and recording nodes with a variable number of inputs.
#include "autograd/anomaly.h"
#include <source_location>
#include <sstream>
#include <vector>

#include "src/ops/elementwise_common.h"

namespace ember::ops {

/// A kernel operand viewing t's data (from its storage offset, plus `extra_offset`
/// elements) with explicit sizes and strides. The TensorArg is built on demand, so the
/// object may be moved or kept in a vector.
struct StridedArg {
  Tensor t;
  DimVector sizes, strides;
  int64_t extra_offset = 0;
  StridedArg(const Tensor& tensor, IntArrayRef sz, IntArrayRef st, int64_t extra = 0)
      : t(tensor), sizes(sz), strides(st), extra_offset(extra) {}
  backend::TensorArg arg() const {
    auto* i = t.unsafeGetTensorImpl();
    char* data = static_cast<char*>(i->data()) + extra_offset * static_cast<int64_t>(element_size(i->dtype()));
    return backend::TensorArg{data, i->dtype(), static_cast<int>(sizes.size()), sizes.data(), strides.data(),
                              detail::prod(sizes), false};
  }
};

/// Sizes of t, with a 0-dim tensor seen as [1] (ops that index along a dim treat
/// scalars as one-element vectors, as libtorch does).
inline DimVector sizes_1d(const Tensor& t) { return t.dim() == 0 ? DimVector{1} : DimVector(t.sizes()); }
inline DimVector strides_1d(const Tensor& t) { return t.dim() == 0 ? DimVector{1} : DimVector(t.strides()); }

/// index as int64: int32 is converted when allowed; anything else raises DTypeError.
Tensor long_index(const Tensor& index, const char* op, bool allow_int, const char* name = "index");

/// A float/int tensor holding a Scalar, shaped [] and of the given dtype.
inline Tensor value_tensor(const Scalar& v, ScalarType dtype, Device device) {
  return detail::scalar_to_tensor(v, dtype, device);
}

/// A copy of t outside the graph (the base of an out-of-place scatter).
inline Tensor detached_clone(const Tensor& t) {
  NoGradGuard ng;
  return t.clone();
}

/// Like autograd::record, for ops whose inputs are a list (cat, stack).
template <class F>
autograd::FnNode<F>* record_list(const char* name, TensorList inputs, F fn,
                                 std::source_location loc = std::source_location::current()) {
  if (!autograd::GradMode::is_enabled()) return nullptr;
  bool any = false;
  for (const Tensor& t : inputs) any = any || (t.defined() && t.requires_grad());
  if (!any) return nullptr;
  auto* node = new autograd::FnNode<F>(name, std::move(fn));
  node->set_sequence_nr(autograd::next_sequence_nr());
  auto& edges = node->mutable_next_edges();
  edges.reserve(inputs.size());
  for (const Tensor& t : inputs) edges.push_back(autograd::gradient_edge(t));
  if (autograd::AnomalyMode::is_enabled()) {
    std::vector<const Tensor*> ptrs;
    for (const Tensor& t : inputs) ptrs.push_back(&t);
    autograd::record_anomaly_metadata(*node, ptrs.data(), ptrs.size(), loc);
  }
  return node;
}

/// g (shaped like the first dims of `sizes`, each no larger) placed at the start of zeros
/// of `sizes`: the gradient of an input that an op read only a leading block of
/// (scatter's src when index is smaller). Differentiable in g.
Tensor pad_to(const Tensor& g, IntArrayRef sizes);

}  // namespace ember::ops
