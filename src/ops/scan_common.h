#pragma once
// Helpers shared by the reduction, scan and sort front-ends (scan.cpp, moments.cpp,
// sort.cpp): dim masks of reductions, re-expanding a reduction's gradient, and the small
// differentiable rearrangements the backward formulas are written with.
#include <vector>

#include "src/ops/elementwise_common.h"

namespace ember::ops::scan {

/// Which of self's dims a reduction over `dims` covers (an empty list means every dim).
std::vector<bool> reduce_mask(const Tensor& self, IntArrayRef dims, const char* name);
/// The reduced dims as a list (empty for a 0-dim self, which sum/mean read as "all").
std::vector<int64_t> mask_dims(const std::vector<bool>& mask);
/// Number of elements that fall into one output element of the reduction.
int64_t reduced_count(const Tensor& self, const std::vector<bool>& mask);
/// Shape of the reduction's result.
DimVector reduced_shape(const Tensor& self, const std::vector<bool>& mask, bool keepdim);
/// A reduction's gradient (or result) with the reduced dims re-inserted, expanded to sizes.
Tensor unreduce(const Tensor& g, const std::vector<bool>& mask, bool keepdim, IntArrayRef sizes);

/// A one-element 1-d view of a 0-dim tensor (kernels take at least one dim); other
/// tensors unchanged. Not recorded: for kernel operands only.
Tensor as_1d(const Tensor& t);
/// t reversed along dim (differentiable; its own backward).
Tensor flip_dim(const Tensor& t, int64_t dim);
/// t moved by `shift` positions along dim (towards higher indices when positive); the
/// vacated positions hold `fill` (differentiable).
Tensor shift_dim(const Tensor& t, int64_t dim, int64_t shift, double fill);
/// out_j = sum_{i >= j} t_i along dim (differentiable).
Tensor reversed_cumsum(const Tensor& t, int64_t dim);

/// Gradient of picking elements along dim: a tensor of `sizes` holding g[.., j, ..] at
/// position index[.., j, ..] along dim and zero elsewhere (g and index have sizes except
/// on dim). The one place to switch to a scatter kernel once one exists.
Tensor scatter_along(const Tensor& g, const Tensor& index, int64_t dim, IntArrayRef sizes);
/// Gradient of a (values, indices) reduction along dim (max/kthvalue/median/mode style).
Tensor select_backward(const Tensor& g, const Tensor& index, int64_t dim, bool keepdim, IntArrayRef sizes);

}  // namespace ember::ops::scan
