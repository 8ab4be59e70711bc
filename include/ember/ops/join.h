#pragma once
// Joining and rearranging: cat, stack, flip, roll, repeat, tril/triu, ... (src/ops/join.cpp,
// src/ops/rearrange.cpp).
#include <optional>

#include "ember/tensor.h"

namespace ember {

// ---- joining (src/ops/join.cpp) -----------------------------------------------------
/// Concatenates tensors along dim; dtypes promote as in libtorch and 1-D empty tensors
/// are skipped (torch::cat).
Tensor cat(TensorList tensors, int64_t dim = 0);
/// cat into out (resized to the result's shape).
Tensor& cat_out(Tensor& out, TensorList tensors, int64_t dim = 0);
/// Alias of cat.
Tensor concat(TensorList tensors, int64_t dim = 0);
/// Alias of cat.
Tensor concatenate(TensorList tensors, int64_t dim = 0);
/// Joins equally shaped tensors along a new dim.
Tensor stack(TensorList tensors, int64_t dim = 0);
/// Concatenates column-wise: along dim 0 for 1-D inputs, else dim 1.
Tensor hstack(TensorList tensors);
/// Concatenates row-wise after making every input at least 2-D.
Tensor vstack(TensorList tensors);
/// Alias of vstack.
Tensor row_stack(TensorList tensors);
/// Concatenates depth-wise (dim 2) after making every input at least 3-D.
Tensor dstack(TensorList tensors);
/// Stacks 0-D/1-D inputs as columns and concatenates 2-D ones along dim 1.
Tensor column_stack(TensorList tensors);
/// self viewed with at least 1 dim (0-dim becomes [1]).
Tensor atleast_1d(const Tensor& self);
/// self viewed with at least 2 dims (leading size-1 dims added).
Tensor atleast_2d(const Tensor& self);
/// self viewed with at least 3 dims ([n] -> [1, n, 1], [m, n] -> [m, n, 1]).
Tensor atleast_3d(const Tensor& self);

/// Tiles self: result dim i has size sizes[i] * self.size(i) (self gets leading 1s).
Tensor tile(const Tensor& self, IntArrayRef dims);
/// Indices 0..n-1, index i repeated repeats[i] times (int64 1-D repeats).
Tensor repeat_interleave(const Tensor& repeats, std::optional<int64_t> output_size = std::nullopt);
/// Repeats each element (or each slice along dim) repeats[i] times; self is flattened
/// when dim is not given.
Tensor repeat_interleave(const Tensor& self, const Tensor& repeats, std::optional<int64_t> dim = std::nullopt,
                         std::optional<int64_t> output_size = std::nullopt);
/// Repeats each element (or each slice along dim) `repeats` times.
Tensor repeat_interleave(const Tensor& self, int64_t repeats, std::optional<int64_t> dim = std::nullopt,
                         std::optional<int64_t> output_size = std::nullopt);

// ---- rearranging (src/ops/rearrange.cpp) ---------------------------------------------
/// Reverses the order of elements along each of dims (a copy, as libtorch).
Tensor flip(const Tensor& self, IntArrayRef dims);
/// Flips dim 1 (left/right).
Tensor fliplr(const Tensor& self);
/// Flips dim 0 (up/down).
Tensor flipud(const Tensor& self);
/// Rolls elements by shifts along dims, wrapping around; with no dims, rolls the
/// flattened tensor and restores the shape.
Tensor roll(const Tensor& self, IntArrayRef shifts, IntArrayRef dims = {});
/// Rotates by 90 degrees k times in the plane of dims (from dims[0] towards dims[1]).
Tensor rot90(const Tensor& self, int64_t k = 1, IntArrayRef dims = {0, 1});
/// Lower triangle of the last two dims (elements with col - row <= diagonal), rest 0.
Tensor tril(const Tensor& self, int64_t diagonal = 0);
/// Upper triangle of the last two dims (elements with col - row >= diagonal), rest 0.
Tensor triu(const Tensor& self, int64_t diagonal = 0);
/// 1-D input: a square matrix with self on the given diagonal; 2-D input: a copy of
/// that diagonal as a vector.
Tensor diag(const Tensor& self, int64_t diagonal = 0);
/// Batched diag: the last dim of self becomes the diagonal of dims (dim1, dim2) of a new tensor.
Tensor diag_embed(const Tensor& self, int64_t offset = 0, int64_t dim1 = -2, int64_t dim2 = -1);
/// self flattened, placed on the given diagonal of a square matrix.
Tensor diagflat(const Tensor& self, int64_t offset = 0);
/// Moves dims source to positions destination, keeping the others in order (a view).
Tensor movedim(const Tensor& self, IntArrayRef source, IntArrayRef destination);
Tensor movedim(const Tensor& self, int64_t source, int64_t destination);
/// Alias of movedim.
Tensor moveaxis(const Tensor& self, IntArrayRef source, IntArrayRef destination);
Tensor moveaxis(const Tensor& self, int64_t source, int64_t destination);
/// Alias of transpose.
Tensor swapaxes(const Tensor& self, int64_t axis0, int64_t axis1);
/// Alias of transpose.
Tensor swapdims(const Tensor& self, int64_t dim0, int64_t dim1);
/// Splits dim into dims of the given sizes (one may be -1) (a view).
Tensor unflatten(const Tensor& self, int64_t dim, IntArrayRef sizes);
/// Indices (2 x N, row then col) of the lower triangle of a row x col matrix.
Tensor tril_indices(int64_t row, int64_t col, int64_t offset = 0, TensorOptions options = kLong);
/// Indices (2 x N, row then col) of the upper triangle of a row x col matrix.
Tensor triu_indices(int64_t row, int64_t col, int64_t offset = 0, TensorOptions options = kLong);

}  // namespace ember
