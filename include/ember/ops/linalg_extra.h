#pragma once
// Linear algebra beyond the first slice: linear, bilinear, einsum, baddbmm, tensordot, cross (src/ops/linalg_extra.cpp, src/ops/einsum.cpp).
#include <optional>
#include <string_view>

#include "ember/tensor.h"

namespace ember {

/// input @ weight^T + bias (weight is (out_features, in_features)).
Tensor linear(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = {});
/// out[..., o] = input1[..., i] weight[o, i, j] input2[..., j] + bias[o].
Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight,
                const std::optional<Tensor>& bias = {});
/// Einstein summation, e.g. "ij,jk->ik", "bij,bjk->bik", "ii->i", "...ij->...ji"; the
/// output is implicit (labels used once, in alphabetical order) without "->".
/// `path` is accepted for libtorch compatibility and ignored (operands contract left to
/// right).
Tensor einsum(std::string_view equation, TensorList tensors,
              std::optional<IntArrayRef> path = std::nullopt);
/// beta * self + alpha * (batch1 @ batch2) for (B, n, m) @ (B, m, p).
Tensor baddbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2, const Scalar& beta = 1,
               const Scalar& alpha = 1);
/// Contracts dims_self of self with dims_other of other; the result has self's remaining
/// dims followed by other's.
Tensor tensordot(const Tensor& self, const Tensor& other, IntArrayRef dims_self, IntArrayRef dims_other);
/// Cross product of 3-vectors along dim (default, deprecated in libtorch: the first dim of
/// size 3; a warning is printed once to stderr).
Tensor cross(const Tensor& self, const Tensor& other, std::optional<int64_t> dim = std::nullopt);
/// Cross product of 3-vectors along dim, broadcasting the other dims.
Tensor linalg_cross(const Tensor& self, const Tensor& other, int64_t dim = -1);

}  // namespace ember
