#pragma once
// Free functions over tensors, with libtorch's names, argument order and defaults.
#include <cstdint>
#include <functional>
#include <optional>
#include <tuple>
#include <vector>

#include "ember/tensor.h"

namespace ember {

// ---- factories (src/ops/factory.cpp, src/ops/random.cpp) --------------------------
/// Uninitialised tensor of the given sizes.
Tensor empty(IntArrayRef size, const TensorOptions& options = {});
Tensor zeros(IntArrayRef size, const TensorOptions& options = {});
Tensor ones(IntArrayRef size, const TensorOptions& options = {});
/// Tensor filled with value; dtype defaults to the value's category (as torch::full).
Tensor full(IntArrayRef size, const Scalar& fill_value, const TensorOptions& options = {});
/// Values 0, 1, ... end-1; integer dtype when all arguments are integers.
Tensor arange(const Scalar& end, const TensorOptions& options = {});
Tensor arange(const Scalar& start, const Scalar& end, const TensorOptions& options = {});
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, const TensorOptions& options = {});
/// `steps` evenly spaced values from start to end inclusive.
Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, const TensorOptions& options = {});
/// Identity matrix n x n (or n x m).
Tensor eye(int64_t n, const TensorOptions& options = {});
Tensor eye(int64_t n, int64_t m, const TensorOptions& options = {});
/// Uniform samples in [0, 1).
Tensor rand(IntArrayRef size, const TensorOptions& options = {});
/// Standard normal samples.
Tensor randn(IntArrayRef size, const TensorOptions& options = {});
/// Integers uniformly in [0, high) / [low, high); dtype defaults to kLong.
Tensor randint(int64_t high, IntArrayRef size, const TensorOptions& options = {});
Tensor randint(int64_t low, int64_t high, IntArrayRef size, const TensorOptions& options = {});
/// 0/1 samples with per-element probabilities `self` (torch::bernoulli).
Tensor bernoulli(const Tensor& self);
/// 0/1 samples with probability p, shaped like self.
Tensor bernoulli(const Tensor& self, double p);
/// Random permutation of 0..n-1.
Tensor randperm(int64_t n, const TensorOptions& options = {});
/// Wraps existing memory without copying; the caller keeps it alive (torch::from_blob).
Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& options = {});
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const TensorOptions& options = {});
/// Wraps existing memory and calls deleter(data) when the last view dies.
Tensor from_blob(void* data, IntArrayRef sizes, const std::function<void(void*)>& deleter,
                 const TensorOptions& options = {});
/// Seeds the default generator (torch::manual_seed).
void manual_seed(uint64_t seed);

Tensor empty_like(const Tensor& self, const TensorOptions& options = {});
Tensor zeros_like(const Tensor& self, const TensorOptions& options = {});
Tensor ones_like(const Tensor& self, const TensorOptions& options = {});
Tensor full_like(const Tensor& self, const Scalar& fill_value, const TensorOptions& options = {});
Tensor rand_like(const Tensor& self, const TensorOptions& options = {});
Tensor randn_like(const Tensor& self, const TensorOptions& options = {});
Tensor randint_like(const Tensor& self, int64_t high, const TensorOptions& options = {});
Tensor randint_like(const Tensor& self, int64_t low, int64_t high, const TensorOptions& options = {});

namespace detail {
Tensor tensor_from_data(const void* data, ScalarType src_type, IntArrayRef sizes, const TensorOptions& options);
template <class T>
constexpr ScalarType literal_type() {
  if constexpr (std::is_same_v<T, bool>) return kBool;
  else if constexpr (std::is_floating_point_v<T>) return kDouble;
  else return kLong;
}
}  // namespace detail

/// 1-D tensor from a braced list: floating literals give the default dtype, integers
/// kLong, bools kBool (as torch::tensor).
template <class T>
Tensor tensor(std::initializer_list<T> values, const TensorOptions& options = {}) {
  using S = std::conditional_t<std::is_same_v<T, bool>, bool,
                               std::conditional_t<std::is_floating_point_v<T>, double, int64_t>>;
  std::vector<S> v(values.begin(), values.end());
  TensorOptions o = options;
  if (!o.has_dtype()) o = o.dtype(std::is_floating_point_v<T> ? get_default_dtype() : detail::literal_type<T>());
  const int64_t n = static_cast<int64_t>(v.size());
  if constexpr (std::is_same_v<S, bool>) {
    std::vector<uint8_t> b(v.begin(), v.end());
    return detail::tensor_from_data(b.data(), kBool, IntArrayRef(&n, 1), o);
  } else {
    return detail::tensor_from_data(v.data(), detail::literal_type<T>(), IntArrayRef(&n, 1), o);
  }
}
/// 2-D tensor from nested braced lists (rows must have equal length).
template <class T>
Tensor tensor(std::initializer_list<std::initializer_list<T>> rows, const TensorOptions& options = {}) {
  // Bools are stored as one byte each (kBool's layout), numbers as double/int64.
  using S = std::conditional_t<std::is_same_v<T, bool>, uint8_t,
                               std::conditional_t<std::is_floating_point_v<T>, double, int64_t>>;
  std::vector<S> v;
  const int64_t r = static_cast<int64_t>(rows.size());
  const int64_t c = r ? static_cast<int64_t>(rows.begin()->size()) : 0;
  for (auto& row : rows) {
    EMBER_CHECK(static_cast<int64_t>(row.size()) == c, ShapeError, "tensor",
                "nested lists must have equal lengths: expected ", c, " but got ", row.size());
    v.insert(v.end(), row.begin(), row.end());
  }
  TensorOptions o = options;
  if (!o.has_dtype()) o = o.dtype(std::is_floating_point_v<T> ? get_default_dtype() : detail::literal_type<T>());
  const int64_t sizes[2] = {r, c};
  return detail::tensor_from_data(v.data(), detail::literal_type<T>(), IntArrayRef(sizes, 2), o);
}
/// 1-D tensor with a copy of the vector; as torch::tensor, int32/int64 elements give
/// kLong, float/double the default dtype, uint8 and bool their own type.
template <class T>
Tensor tensor(const std::vector<T>& values, const TensorOptions& options = {}) {
  constexpr ScalarType elem = CppTypeToScalarType<T>::value;
  TensorOptions o = options;
  if (!o.has_dtype()) o = o.dtype(std::is_floating_point_v<T> ? get_default_dtype() : elem == kInt ? kLong : elem);
  const int64_t n = static_cast<int64_t>(values.size());
  if constexpr (std::is_same_v<T, bool>) {
    std::vector<uint8_t> b(values.begin(), values.end());
    return detail::tensor_from_data(b.data(), kBool, IntArrayRef(&n, 1), o);
  } else {
    return detail::tensor_from_data(values.data(), CppTypeToScalarType<T>::value, IntArrayRef(&n, 1), o);
  }
}
/// 0-dim tensor holding one number (a scalar literal gives the default dtype or kLong).
Tensor scalar_tensor(const Scalar& s, const TensorOptions& options = {});

// ---- type promotion ----------------------------------------------------------------
/// dtype libtorch gives op(a, b) (torch::result_type).
ScalarType result_type(const Tensor& a, const Tensor& b);
ScalarType result_type(const Tensor& a, const Scalar& b);
/// Whether `from` can be cast to `to` under libtorch's same-kind rule (torch::can_cast).
bool can_cast(ScalarType from, ScalarType to);

// ---- binary elementwise (src/ops/binary.cpp) --------------------------------------
Tensor add(const Tensor& self, const Tensor& other, const Scalar& alpha = 1);
Tensor add(const Tensor& self, const Scalar& other, const Scalar& alpha = 1);
Tensor sub(const Tensor& self, const Tensor& other, const Scalar& alpha = 1);
Tensor sub(const Tensor& self, const Scalar& other, const Scalar& alpha = 1);
/// other - alpha * self (torch::rsub).
Tensor rsub(const Tensor& self, const Tensor& other, const Scalar& alpha = 1);
Tensor rsub(const Tensor& self, const Scalar& other, const Scalar& alpha = 1);
Tensor mul(const Tensor& self, const Tensor& other);
Tensor mul(const Tensor& self, const Scalar& other);
/// True division: integer inputs give the default float dtype.
Tensor div(const Tensor& self, const Tensor& other);
Tensor div(const Tensor& self, const Scalar& other);
Tensor pow(const Tensor& self, const Tensor& exponent);
Tensor pow(const Tensor& self, const Scalar& exponent);
Tensor pow(const Scalar& self, const Tensor& exponent);
Tensor maximum(const Tensor& self, const Tensor& other);
Tensor minimum(const Tensor& self, const Tensor& other);
/// Python-style remainder: the result has the divisor's sign.
Tensor remainder(const Tensor& self, const Tensor& other);
Tensor remainder(const Tensor& self, const Scalar& other);
Tensor& add_out(Tensor& out, const Tensor& self, const Tensor& other, const Scalar& alpha = 1);
Tensor& sub_out(Tensor& out, const Tensor& self, const Tensor& other, const Scalar& alpha = 1);
Tensor& mul_out(Tensor& out, const Tensor& self, const Tensor& other);
Tensor& div_out(Tensor& out, const Tensor& self, const Tensor& other);
Tensor& pow_out(Tensor& out, const Tensor& self, const Tensor& exponent);
Tensor& maximum_out(Tensor& out, const Tensor& self, const Tensor& other);
Tensor& minimum_out(Tensor& out, const Tensor& self, const Tensor& other);

// ---- comparisons and logic (no grad) ----------------------------------------------
Tensor eq(const Tensor& self, const Tensor& other);
Tensor eq(const Tensor& self, const Scalar& other);
Tensor ne(const Tensor& self, const Tensor& other);
Tensor ne(const Tensor& self, const Scalar& other);
Tensor lt(const Tensor& self, const Tensor& other);
Tensor lt(const Tensor& self, const Scalar& other);
Tensor le(const Tensor& self, const Tensor& other);
Tensor le(const Tensor& self, const Scalar& other);
Tensor gt(const Tensor& self, const Tensor& other);
Tensor gt(const Tensor& self, const Scalar& other);
Tensor ge(const Tensor& self, const Tensor& other);
Tensor ge(const Tensor& self, const Scalar& other);
Tensor logical_and(const Tensor& self, const Tensor& other);
Tensor logical_or(const Tensor& self, const Tensor& other);
Tensor logical_xor(const Tensor& self, const Tensor& other);
Tensor logical_not(const Tensor& self);
Tensor bitwise_and(const Tensor& self, const Tensor& other);
Tensor bitwise_or(const Tensor& self, const Tensor& other);
Tensor bitwise_xor(const Tensor& self, const Tensor& other);
Tensor bitwise_not(const Tensor& self);
Tensor isnan(const Tensor& self);
Tensor isinf(const Tensor& self);
Tensor isfinite(const Tensor& self);
/// True when sizes and all values are equal.
bool equal(const Tensor& self, const Tensor& other);
/// |self - other| <= atol + rtol * |other| elementwise.
Tensor isclose(const Tensor& self, const Tensor& other, double rtol = 1e-05, double atol = 1e-08,
               bool equal_nan = false);
bool allclose(const Tensor& self, const Tensor& other, double rtol = 1e-05, double atol = 1e-08,
              bool equal_nan = false);
/// condition ? self : other, broadcast (differentiable in self and other).
Tensor where(const Tensor& condition, const Tensor& self, const Tensor& other);
Tensor where(const Tensor& condition, const Scalar& self, const Tensor& other);
Tensor where(const Tensor& condition, const Tensor& self, const Scalar& other);
Tensor where(const Tensor& condition, const Scalar& self, const Scalar& other);
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Scalar& value);
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value);

// ---- unary elementwise (src/ops/unary.cpp) ----------------------------------------
#define EMBER_UNARY_DECL(name)   \
  Tensor name(const Tensor& self); \
  Tensor& name##_(Tensor& self);   \
  Tensor& name##_out(Tensor& out, const Tensor& self);
EMBER_UNARY_DECL(neg) EMBER_UNARY_DECL(exp) EMBER_UNARY_DECL(log) EMBER_UNARY_DECL(log1p)
EMBER_UNARY_DECL(expm1) EMBER_UNARY_DECL(sqrt) EMBER_UNARY_DECL(rsqrt) EMBER_UNARY_DECL(abs)
EMBER_UNARY_DECL(sign) EMBER_UNARY_DECL(sin) EMBER_UNARY_DECL(cos) EMBER_UNARY_DECL(tan)
EMBER_UNARY_DECL(tanh) EMBER_UNARY_DECL(sigmoid) EMBER_UNARY_DECL(relu) EMBER_UNARY_DECL(square)
EMBER_UNARY_DECL(reciprocal) EMBER_UNARY_DECL(floor) EMBER_UNARY_DECL(ceil)
EMBER_UNARY_DECL(round) EMBER_UNARY_DECL(trunc) EMBER_UNARY_DECL(log2) EMBER_UNARY_DECL(log10)
EMBER_UNARY_DECL(erf)
#undef EMBER_UNARY_DECL
Tensor negative(const Tensor& self);
/// Clamps into [min, max]; either bound may be omitted.
Tensor clamp(const Tensor& self, const std::optional<Scalar>& min = std::nullopt,
             const std::optional<Scalar>& max = std::nullopt);
Tensor& clamp_(Tensor& self, const std::optional<Scalar>& min = std::nullopt,
               const std::optional<Scalar>& max = std::nullopt);
Tensor clamp_min(const Tensor& self, const Scalar& min);
Tensor clamp_max(const Tensor& self, const Scalar& max);
Tensor clip(const Tensor& self, const std::optional<Scalar>& min = std::nullopt,
            const std::optional<Scalar>& max = std::nullopt);

// ---- reductions (src/ops/reduce.cpp) ----------------------------------------------
Tensor sum(const Tensor& self, std::optional<ScalarType> dtype = std::nullopt);
Tensor sum(const Tensor& self, IntArrayRef dim, bool keepdim = false,
           std::optional<ScalarType> dtype = std::nullopt);
Tensor mean(const Tensor& self, std::optional<ScalarType> dtype = std::nullopt);
Tensor mean(const Tensor& self, IntArrayRef dim, bool keepdim = false,
            std::optional<ScalarType> dtype = std::nullopt);
/// Largest element (NaN propagates).
Tensor max(const Tensor& self);
/// (values, indices) of the max along dim.
std::tuple<Tensor, Tensor> max(const Tensor& self, int64_t dim, bool keepdim = false);
Tensor min(const Tensor& self);
std::tuple<Tensor, Tensor> min(const Tensor& self, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& self, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& self, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
/// Max over dims (all dims when empty), gradient split evenly among ties.
Tensor amax(const Tensor& self, IntArrayRef dim = {}, bool keepdim = false);
Tensor amin(const Tensor& self, IntArrayRef dim = {}, bool keepdim = false);
Tensor any(const Tensor& self);
Tensor any(const Tensor& self, int64_t dim, bool keepdim = false);
Tensor all(const Tensor& self);
Tensor all(const Tensor& self, int64_t dim, bool keepdim = false);
/// Sums `self` down to `shape` over broadcast dims (the reverse of expand).
Tensor sum_to(const Tensor& self, IntArrayRef shape);

// ---- linear algebra (src/ops/linalg.cpp) ------------------------------------------
Tensor mm(const Tensor& self, const Tensor& mat2);
Tensor mv(const Tensor& self, const Tensor& vec);
Tensor dot(const Tensor& self, const Tensor& other);
/// numpy-style matmul: 1-D, 2-D and batched with broadcasting of batch dims.
Tensor matmul(const Tensor& self, const Tensor& other);
Tensor bmm(const Tensor& self, const Tensor& mat2);
/// beta * self + alpha * (mat1 @ mat2).
Tensor addmm(const Tensor& self, const Tensor& mat1, const Tensor& mat2, const Scalar& beta = 1,
             const Scalar& alpha = 1);
Tensor outer(const Tensor& self, const Tensor& vec2);
Tensor ger(const Tensor& self, const Tensor& vec2);
Tensor& mm_out(Tensor& out, const Tensor& self, const Tensor& mat2);
Tensor& matmul_out(Tensor& out, const Tensor& self, const Tensor& other);
Tensor& bmm_out(Tensor& out, const Tensor& self, const Tensor& mat2);

// ---- shape and views (src/ops/shape.cpp) ------------------------------------------
Tensor reshape(const Tensor& self, IntArrayRef shape);
Tensor flatten(const Tensor& self, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor transpose(const Tensor& self, int64_t dim0, int64_t dim1);
Tensor t(const Tensor& self);
Tensor permute(const Tensor& self, IntArrayRef dims);
Tensor unsqueeze(const Tensor& self, int64_t dim);
Tensor squeeze(const Tensor& self);
Tensor squeeze(const Tensor& self, int64_t dim);
Tensor narrow(const Tensor& self, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& self, int64_t dim, int64_t index);
Tensor slice(const Tensor& self, int64_t dim = 0, std::optional<int64_t> start = std::nullopt,
             std::optional<int64_t> end = std::nullopt, int64_t step = 1);
std::vector<Tensor> chunk(const Tensor& self, int64_t chunks, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& self, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> split_with_sizes(const Tensor& self, IntArrayRef split_sizes, int64_t dim = 0);
std::vector<Tensor> unbind(const Tensor& self, int64_t dim = 0);
Tensor as_strided(const Tensor& self, IntArrayRef size, IntArrayRef stride,
                  std::optional<int64_t> storage_offset = std::nullopt);
Tensor diagonal(const Tensor& self, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1);
Tensor clone(const Tensor& self);
/// Broadcasts tensors to one shape (views).
std::vector<Tensor> broadcast_tensors(TensorList tensors);
/// The shape a and b broadcast to; raises ShapeError naming `op` when they do not.
std::vector<int64_t> infer_size(IntArrayRef a, IntArrayRef b);

// ---- threads and memory -----------------------------------------------------------
/// Threads used by ember's CPU kernels, matrix products included (torch::set_num_threads).
void set_num_threads(int n);
int get_num_threads();

/// Print options for operator<< and fmt (torch.set_printoptions); negative = unchanged.
void set_printoptions(int precision = -1, int64_t threshold = -1, int edgeitems = -1,
                      int linewidth = -1, std::optional<bool> sci_mode = std::nullopt);

}  // namespace ember

// Op families beyond the first slice.
#include "ember/ops/activation.h"
#include "ember/ops/conv.h"
#include "ember/ops/index.h"
#include "ember/ops/join.h"
#include "ember/ops/linalg_extra.h"
#include "ember/ops/loss.h"
#include "ember/ops/norm.h"
#include "ember/ops/scan.h"
