#pragma once
// Indexing: index_select, gather, scatter, masked_select, index_put_, nonzero, one_hot,
// embedding (src/ops/index.cpp, index_put.cpp), and the tensor indexing API
// `t.index({Slice(0, 2), 1, None, Ellipsis, mask})` (src/ops/indexing_api.cpp).
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include "ember/tensor.h"

namespace ember {

// ---- index kernels with a dim (src/ops/index.cpp) -----------------------------------
/// Entries of self along dim at the positions in index (1-D int64/int32).
Tensor index_select(const Tensor& self, int64_t dim, const Tensor& index);
/// out[i][j][k] = self[index[i][j][k]][j][k] for dim 0 (likewise for other dims); index
/// (int64) has self's rank. The gradient is dense even when sparse_grad is true.
Tensor gather(const Tensor& self, int64_t dim, const Tensor& index, bool sparse_grad = false);
/// self with out[index[i][j]][j] = src[i][j] for dim 0 (likewise for other dims).
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
/// self with value written at the positions index names along dim.
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value);
/// scatter that combines with the existing value: reduce is "add" or "multiply".
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, std::string_view reduce);
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value, std::string_view reduce);
/// self with src added at the positions index names along dim (repeats accumulate).
Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
/// self with alpha * source[.., i, ..] added to self[.., index[i], ..] along dim.
Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                 const Scalar& alpha = 1);
/// self with source[.., i, ..] copied to self[.., index[i], ..] along dim.
Tensor index_copy(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source);
/// self with value written to the slices along dim named by index.
Tensor index_fill(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value);
Tensor index_fill(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& value);
/// The elements of self, read as flat (row-major), at the positions in index.
Tensor take(const Tensor& self, const Tensor& index);
/// gather along dim with index broadcast against self; flat when dim is not given.
Tensor take_along_dim(const Tensor& self, const Tensor& indices, std::optional<int64_t> dim = std::nullopt);

// ---- masks and advanced indexing (src/ops/index_put.cpp) ----------------------------
/// 1-D tensor of the elements of self where the (broadcast) bool mask is true.
Tensor masked_select(const Tensor& self, const Tensor& mask);
/// self with the positions where mask is true filled, in order, from source.
Tensor masked_scatter(const Tensor& self, const Tensor& mask, const Tensor& source);
/// Advanced indexing self[i0, i1, ...]: each entry is an int64/int32 index tensor, a
/// bool/uint8 mask, or nullopt for a full slice (at::index).
Tensor index(const Tensor& self, const std::vector<std::optional<Tensor>>& indices);
/// self with values written (or added, when accumulate) at self[indices].
Tensor index_put(const Tensor& self, const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                 bool accumulate = false);
/// Writes (or adds, when accumulate) values at self[indices] in place.
Tensor& index_put_(Tensor& self, const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                   bool accumulate = false);
/// Coordinates of the nonzero elements of self, int64 [count, self.dim()].
Tensor nonzero(const Tensor& self);
/// Same as nonzero.
Tensor argwhere(const Tensor& self);

// ---- encodings and lookups (src/ops/index.cpp) ---------------------------------------
/// int64 one-hot encoding with a new last dim of num_classes (max + 1 when -1).
Tensor one_hot(const Tensor& self, int64_t num_classes = -1);
/// Rows of weight at indices (shape indices.sizes() + [embedding_dim]). Rows at
/// padding_idx (when >= 0) get no gradient; scale_grad_by_freq divides each row's
/// gradient by its count in indices. The gradient is dense even when sparse is true.
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx = -1,
                 bool scale_grad_by_freq = false, bool sparse = false);

// ---- the tensor indexing API (src/ops/indexing_api.cpp) ------------------------------
namespace indexing {

constexpr int64_t INDEX_MAX = std::numeric_limits<int64_t>::max();
constexpr int64_t INDEX_MIN = std::numeric_limits<int64_t>::min();

enum class TensorIndexType { None, Ellipsis, Integer, Boolean, Slice, Tensor };

/// Python's `None` in an index: inserts a dim of size 1.
constexpr std::nullopt_t None = std::nullopt;

/// Python's `...` in an index: as many full slices as needed.
struct EllipsisIndexType final {
  constexpr EllipsisIndexType() {}
};
inline constexpr EllipsisIndexType Ellipsis{};

/// Python's start:stop:step; missing bounds take the whole dim (step must be positive).
class Slice final {
 public:
  Slice(std::optional<int64_t> start_index = std::nullopt, std::optional<int64_t> stop_index = std::nullopt,
        std::optional<int64_t> step_index = std::nullopt);
  int64_t start() const { return start_; }
  int64_t stop() const { return stop_; }
  int64_t step() const { return step_; }

 private:
  int64_t start_;
  int64_t stop_;
  int64_t step_;
};
std::ostream& operator<<(std::ostream& os, const Slice& slice);

/// One entry of a C++ index list: None, Ellipsis ("..."), an integer, a bool, a Slice
/// or a tensor (integer indices or a bool mask), as at::indexing::TensorIndex.
class TensorIndex final {
 public:
  TensorIndex(std::nullopt_t) : type_(TensorIndexType::None) {}
  TensorIndex(EllipsisIndexType) : type_(TensorIndexType::Ellipsis) {}
  /// Only "..." is accepted (an ellipsis).
  TensorIndex(const char* str);
  TensorIndex(int64_t integer) : integer_(integer), type_(TensorIndexType::Integer) {}
  TensorIndex(int integer) : TensorIndex(static_cast<int64_t>(integer)) {}
  template <class T, std::enable_if_t<std::is_same_v<T, bool>, int> = 0>
  TensorIndex(T boolean) : boolean_(boolean), type_(TensorIndexType::Boolean) {}
  TensorIndex(Slice slice) : slice_(slice), type_(TensorIndexType::Slice) {}
  TensorIndex(Tensor tensor) : tensor_(std::move(tensor)), type_(TensorIndexType::Tensor) {}

  bool is_none() const { return type_ == TensorIndexType::None; }
  bool is_ellipsis() const { return type_ == TensorIndexType::Ellipsis; }
  bool is_integer() const { return type_ == TensorIndexType::Integer; }
  int64_t integer() const { return integer_; }
  bool is_boolean() const { return type_ == TensorIndexType::Boolean; }
  bool boolean() const { return boolean_; }
  bool is_slice() const { return type_ == TensorIndexType::Slice; }
  const Slice& slice() const { return slice_; }
  bool is_tensor() const { return type_ == TensorIndexType::Tensor; }
  const Tensor& tensor() const { return tensor_; }

 private:
  int64_t integer_ = 0;
  bool boolean_ = false;
  Slice slice_;
  Tensor tensor_;
  TensorIndexType type_;
};
std::ostream& operator<<(std::ostream& os, const TensorIndex& index);
std::ostream& operator<<(std::ostream& os, const std::vector<TensorIndex>& indices);

}  // namespace indexing
}  // namespace ember
