#pragma once
// ember::Tensor: a handle to a reference-counted TensorImpl (DESIGN §2). Methods mirror
// libtorch's at::Tensor; each forwards to the free function of the same name in ops.h.
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "ember/array_ref.h"
#include "ember/detail/tensor_impl.h"
#include "ember/errors.h"
#include "ember/optional_array_ref.h"
#include "ember/options.h"
#include "ember/scalar.h"

namespace ember {

class Tensor;
using TensorList = ArrayRef<Tensor>;
namespace autograd { class Node; }
namespace indexing { class TensorIndex; }
namespace cuda { class CUDAStream; }

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(detail::TensorImplPtr impl) : impl_(std::move(impl)) {}

  // ---- properties -------------------------------------------------------------
  /// True when this handle refers to a tensor.
  bool defined() const { return static_cast<bool>(impl_); }
  IntArrayRef sizes() const { return impl_->sizes(); }
  IntArrayRef strides() const { return impl_->strides(); }
  /// Size of dim d; negative d counts from the end.
  int64_t size(int64_t d) const;
  /// Stride of dim d; negative d counts from the end.
  int64_t stride(int64_t d) const;
  int64_t dim() const { return impl_->dim(); }
  int64_t ndimension() const { return dim(); }
  int64_t numel() const { return impl_->numel(); }
  ScalarType dtype() const { return impl_->dtype(); }
  ScalarType scalar_type() const { return impl_->dtype(); }
  Device device() const { return impl_->device(); }
  bool is_cpu() const { return device().is_cpu(); }
  bool is_cuda() const { return device().is_cuda(); }
  bool is_contiguous() const { return impl_->is_contiguous(); }
  bool is_floating_point() const { return isFloatingType(dtype()); }
  int64_t element_size() const { return static_cast<int64_t>(ember::element_size(dtype())); }
  int64_t nbytes() const { return numel() * element_size(); }
  int64_t storage_offset() const { return impl_->offset(); }
  /// dtype/device/requires_grad of this tensor as TensorOptions.
  TensorOptions options() const;
  /// libtorch's type string, e.g. "CPUFloatType".
  std::string toString() const;
  /// The storage's version counter (bumped by every in-place write).
  uint32_t _version() const { return impl_->storage()->version(); }
  /// True when both handles refer to the same TensorImpl.
  bool is_same(const Tensor& o) const { return impl_ == o.impl_; }
  uint32_t use_count() const { return impl_ ? impl_->use_count() : 0; }

  /// The single value of a one-element tensor, converted to T.
  template <class T> T item() const;
  /// The single value of a one-element tensor as a Scalar.
  Scalar item() const;
  /// Typed pointer to the first element; T must match dtype().
  template <class T> T* data_ptr() const;
  void* data_ptr() const { return impl_->data(); }

  detail::TensorImpl* unsafeGetTensorImpl() const { return impl_.get(); }
  const detail::TensorImplPtr& impl() const { return impl_; }

  // ---- autograd ---------------------------------------------------------------
  bool requires_grad() const { return impl_->requires_grad(); }
  /// Sets requires_grad on a leaf (floating dtypes only).
  const Tensor& requires_grad_(bool r = true) const;
  bool is_leaf() const;
  /// The accumulated gradient (undefined until backward reaches this leaf).
  const Tensor& grad() const;
  /// Assignable gradient slot, as libtorch's mutable_grad().
  Tensor& mutable_grad() const;
  /// The node that produced this tensor, or nullptr for leaves.
  autograd::Node* grad_fn() const;
  /// Keeps .grad() of a non-leaf after backward.
  void retain_grad() const;
  bool retains_grad() const;
  /// Accumulates gradients of this tensor into the leaves (torch::Tensor::backward).
  void backward(const Tensor& gradient = {}, std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false, std::optional<TensorList> inputs = std::nullopt) const;
  /// A tensor sharing storage with this one, outside the graph.
  Tensor detach() const;
  Tensor& detach_() const;
  /// Makes this tensor use new_data's storage, geometry and dtype, keeping its identity
  /// and autograd state (libtorch's Variable::set_data; used by Module::to).
  void set_data(const Tensor& new_data) const;
  /// A tensor sharing this tensor's data outside the graph (libtorch's Tensor::data()).
  Tensor data() const { return detach(); }
  /// Calls hook(grad) when this tensor's gradient is computed; a hook returning a defined
  /// tensor replaces the gradient. Returns a handle for remove_hook.
  template <class F>
  unsigned register_hook(F&& hook) const {
    if constexpr (std::is_void_v<std::invoke_result_t<F, const Tensor&>>) {
      return register_hook_impl([h = std::forward<F>(hook)](const Tensor& g) {
        h(g);
        return Tensor();
      });
    } else {
      return register_hook_impl(std::function<Tensor(const Tensor&)>(std::forward<F>(hook)));
    }
  }
  void remove_hook(unsigned handle) const;
  /// Tensor holding this tensor's data with requires_grad as given (Tensor::set_requires_grad).
  const Tensor& set_requires_grad(bool r) const { return requires_grad_(r); }

  // ---- conversions and copies -------------------------------------------------
  Tensor to(ScalarType dtype, bool non_blocking = false, bool copy = false) const;
  Tensor to(Device device, bool non_blocking = false, bool copy = false) const;
  Tensor to(Device device, ScalarType dtype, bool non_blocking = false, bool copy = false) const;
  Tensor to(const TensorOptions& options, bool non_blocking = false, bool copy = false) const;
  Tensor to(const Tensor& other, bool non_blocking = false, bool copy = false) const;
  Tensor cpu() const;
  Tensor cuda() const;
  /// Marks this CUDA tensor's memory as used by work on `stream` (libtorch's
  /// record_stream): when freed, the caching allocator reuses it only after that work.
  void record_stream(const cuda::CUDAStream& stream) const;
  Tensor contiguous() const;
  Tensor clone() const;
  /// Copies src into this tensor, broadcasting and converting dtype.
  Tensor& copy_(const Tensor& src, bool non_blocking = false) const;
  Tensor& fill_(const Scalar& value) const;
  Tensor& fill_(const Tensor& value) const;
  Tensor& zero_() const;

  // ---- views ------------------------------------------------------------------
  Tensor view(IntArrayRef sizes) const;
  Tensor reshape(IntArrayRef sizes) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;
  Tensor permute(IntArrayRef dims) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor expand(IntArrayRef sizes, bool implicit = false) const;
  Tensor expand_as(const Tensor& other) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor slice(int64_t dim = 0, std::optional<int64_t> start = std::nullopt,
               std::optional<int64_t> end = std::nullopt, int64_t step = 1) const;
  Tensor operator[](int64_t index) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> split(IntArrayRef split_sizes, int64_t dim = 0) const;
  std::vector<Tensor> split_with_sizes(IntArrayRef split_sizes, int64_t dim = 0) const;
  std::vector<Tensor> unbind(int64_t dim = 0) const;
  Tensor as_strided(IntArrayRef sizes, IntArrayRef strides,
                    std::optional<int64_t> storage_offset = std::nullopt) const;
  Tensor view_as(const Tensor& other) const;
  Tensor reshape_as(const Tensor& other) const;
  Tensor diagonal(int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1) const;

  // ---- elementwise --------------------------------------------------------------
  Tensor add(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor add(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor sub(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor sub(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor mul(const Tensor& other) const;
  Tensor mul(const Scalar& other) const;
  Tensor div(const Tensor& other) const;
  Tensor div(const Scalar& other) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor pow(const Scalar& exponent) const;
  Tensor remainder(const Tensor& other) const;
  Tensor remainder(const Scalar& other) const;
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;
  Tensor& add_(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor& add_(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor& sub_(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor& sub_(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor& mul_(const Tensor& other) const;
  Tensor& mul_(const Scalar& other) const;
  Tensor& div_(const Tensor& other) const;
  Tensor& div_(const Scalar& other) const;
  Tensor& pow_(const Tensor& exponent) const;
  Tensor& pow_(const Scalar& exponent) const;
  Tensor clamp(std::optional<Scalar> min = std::nullopt, std::optional<Scalar> max = std::nullopt) const;
  Tensor& clamp_(std::optional<Scalar> min = std::nullopt, std::optional<Scalar> max = std::nullopt) const;
  Tensor clamp_min(const Scalar& min) const;
  Tensor clamp_max(const Scalar& max) const;

#define EMBER_UNARY_METHOD(name) \
  Tensor name() const;           \
  Tensor& name##_() const;
  EMBER_UNARY_METHOD(neg) EMBER_UNARY_METHOD(exp) EMBER_UNARY_METHOD(log)
  EMBER_UNARY_METHOD(log1p) EMBER_UNARY_METHOD(expm1) EMBER_UNARY_METHOD(sqrt)
  EMBER_UNARY_METHOD(rsqrt) EMBER_UNARY_METHOD(abs) EMBER_UNARY_METHOD(sign)
  EMBER_UNARY_METHOD(sin) EMBER_UNARY_METHOD(cos) EMBER_UNARY_METHOD(tan)
  EMBER_UNARY_METHOD(tanh) EMBER_UNARY_METHOD(sigmoid) EMBER_UNARY_METHOD(relu)
  EMBER_UNARY_METHOD(square) EMBER_UNARY_METHOD(reciprocal) EMBER_UNARY_METHOD(floor)
  EMBER_UNARY_METHOD(ceil) EMBER_UNARY_METHOD(round) EMBER_UNARY_METHOD(log2)
  EMBER_UNARY_METHOD(log10) EMBER_UNARY_METHOD(trunc) EMBER_UNARY_METHOD(erf)
#undef EMBER_UNARY_METHOD

  // ---- comparisons and logic (no grad) ----------------------------------------
  Tensor eq(const Tensor& o) const;  Tensor eq(const Scalar& o) const;
  Tensor ne(const Tensor& o) const;  Tensor ne(const Scalar& o) const;
  Tensor lt(const Tensor& o) const;  Tensor lt(const Scalar& o) const;
  Tensor le(const Tensor& o) const;  Tensor le(const Scalar& o) const;
  Tensor gt(const Tensor& o) const;  Tensor gt(const Scalar& o) const;
  Tensor ge(const Tensor& o) const;  Tensor ge(const Scalar& o) const;
  Tensor logical_and(const Tensor& o) const;
  Tensor logical_or(const Tensor& o) const;
  Tensor logical_xor(const Tensor& o) const;
  Tensor logical_not() const;
  Tensor isnan() const;
  Tensor isinf() const;
  Tensor isfinite() const;
  Tensor any() const;
  Tensor any(int64_t dim, bool keepdim = false) const;
  Tensor all() const;
  Tensor all(int64_t dim, bool keepdim = false) const;
  /// Elements of this where condition holds, else other's (Tensor::where).
  Tensor where(const Tensor& condition, const Tensor& other) const;
  Tensor masked_fill(const Tensor& mask, const Scalar& value) const;
  Tensor masked_fill(const Tensor& mask, const Tensor& value) const;
  Tensor& masked_fill_(const Tensor& mask, const Scalar& value) const;
  Tensor& masked_fill_(const Tensor& mask, const Tensor& value) const;
  /// True when sizes and values are equal (torch::equal).
  bool equal(const Tensor& other) const;
  bool allclose(const Tensor& other, double rtol = 1e-05, double atol = 1e-08, bool equal_nan = false) const;

  // ---- reductions -------------------------------------------------------------
  Tensor sum(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor sum(IntArrayRef dim, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor mean(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor mean(IntArrayRef dim, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor max() const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  Tensor min() const;
  std::tuple<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor amax(IntArrayRef dim = {}, bool keepdim = false) const;
  Tensor amin(IntArrayRef dim = {}, bool keepdim = false) const;

  // ---- linear algebra ---------------------------------------------------------
  Tensor mm(const Tensor& mat2) const;
  Tensor mv(const Tensor& vec) const;
  Tensor dot(const Tensor& other) const;
  Tensor matmul(const Tensor& other) const;
  Tensor bmm(const Tensor& mat2) const;
  Tensor addmm(const Tensor& mat1, const Tensor& mat2, const Scalar& beta = 1, const Scalar& alpha = 1) const;
  Tensor outer(const Tensor& vec2) const;

  // ---- activations and softmax (src/ops/activation.cpp, softmax.cpp) -----------
  /// softmax along dim (ember::softmax).
  Tensor softmax(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;
  /// log_softmax along dim (ember::log_softmax).
  Tensor log_softmax(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;
  /// log(sum(exp(x))) over dims (ember::logsumexp).
  Tensor logsumexp(IntArrayRef dim, bool keepdim = false) const;

  // ---- joining and rearranging (src/ops/join.cpp) -------------------------------
  Tensor flip(IntArrayRef dims) const;
  Tensor fliplr() const;
  Tensor flipud() const;
  Tensor roll(IntArrayRef shifts, IntArrayRef dims = {}) const;
  Tensor rot90(int64_t k = 1, IntArrayRef dims = {0, 1}) const;
  /// Tiles self sizes[i] times along dim i (sizes may have more dims than self).
  Tensor repeat(IntArrayRef repeats) const;
  Tensor repeat_interleave(const Tensor& repeats, std::optional<int64_t> dim = std::nullopt,
                           std::optional<int64_t> output_size = std::nullopt) const;
  Tensor repeat_interleave(int64_t repeats, std::optional<int64_t> dim = std::nullopt,
                           std::optional<int64_t> output_size = std::nullopt) const;
  Tensor tile(IntArrayRef dims) const;
  Tensor tril(int64_t diagonal = 0) const;
  Tensor triu(int64_t diagonal = 0) const;
  Tensor& tril_(int64_t diagonal = 0) const;
  Tensor& triu_(int64_t diagonal = 0) const;
  Tensor diag(int64_t diagonal = 0) const;
  Tensor diag_embed(int64_t offset = 0, int64_t dim1 = -2, int64_t dim2 = -1) const;
  Tensor diagflat(int64_t offset = 0) const;
  Tensor movedim(IntArrayRef source, IntArrayRef destination) const;
  Tensor movedim(int64_t source, int64_t destination) const;
  Tensor moveaxis(IntArrayRef source, IntArrayRef destination) const;
  Tensor moveaxis(int64_t source, int64_t destination) const;
  Tensor swapaxes(int64_t axis0, int64_t axis1) const;
  Tensor swapdims(int64_t dim0, int64_t dim1) const;
  Tensor unflatten(int64_t dim, IntArrayRef sizes) const;

  // ---- indexing (src/ops/index.cpp) -----------------------------------------------
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index, bool sparse_grad = false) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Scalar& value) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Tensor& src, std::string_view reduce) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Scalar& value, std::string_view reduce) const;
  Tensor& scatter_(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor& scatter_(int64_t dim, const Tensor& index, const Scalar& value) const;
  Tensor& scatter_(int64_t dim, const Tensor& index, const Tensor& src, std::string_view reduce) const;
  Tensor& scatter_(int64_t dim, const Tensor& index, const Scalar& value, std::string_view reduce) const;
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor& scatter_add_(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor index_add(int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha = 1) const;
  Tensor& index_add_(int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha = 1) const;
  Tensor index_copy(int64_t dim, const Tensor& index, const Tensor& source) const;
  Tensor& index_copy_(int64_t dim, const Tensor& index, const Tensor& source) const;
  Tensor index_fill(int64_t dim, const Tensor& index, const Scalar& value) const;
  Tensor index_fill(int64_t dim, const Tensor& index, const Tensor& value) const;
  Tensor& index_fill_(int64_t dim, const Tensor& index, const Scalar& value) const;
  Tensor& index_fill_(int64_t dim, const Tensor& index, const Tensor& value) const;
  Tensor take(const Tensor& index) const;
  Tensor take_along_dim(const Tensor& indices, std::optional<int64_t> dim = std::nullopt) const;
  Tensor masked_select(const Tensor& mask) const;
  Tensor masked_scatter(const Tensor& mask, const Tensor& source) const;
  Tensor& masked_scatter_(const Tensor& mask, const Tensor& source) const;
  Tensor nonzero() const;
  Tensor argwhere() const;
  /// Python-style indexing: t.index({Slice(0, 2), 1, None, Ellipsis, mask}). Integers,
  /// slices, None and Ellipsis give views; tensor indices copy (advanced indexing).
  Tensor index(ArrayRef<indexing::TensorIndex> indices) const;
  Tensor index(std::initializer_list<indexing::TensorIndex> indices) const;
  /// Advanced indexing with one optional index tensor per leading dim (at::index).
  Tensor index(const std::vector<std::optional<Tensor>>& indices) const;
  /// Python-style assignment t[indices] = rhs (rhs broadcast to the indexed shape).
  Tensor& index_put_(ArrayRef<indexing::TensorIndex> indices, const Tensor& rhs) const;
  Tensor& index_put_(ArrayRef<indexing::TensorIndex> indices, const Scalar& v) const;
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Tensor& rhs) const;
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Scalar& v) const;
  Tensor& index_put_(const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                     bool accumulate = false) const;
  Tensor index_put(const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                   bool accumulate = false) const;
  /// self.index({index}) (advanced indexing with one tensor).
  Tensor operator[](const Tensor& index) const;

  // ---- reductions and scans (src/ops/scan.cpp, sort.cpp) --------------------------
  Tensor prod(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor prod(int64_t dim, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor cumsum(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor cumprod(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor logcumsumexp(int64_t dim) const;
  Tensor var(bool unbiased = true) const;
  Tensor var(OptionalIntArrayRef dim, bool unbiased = true, bool keepdim = false) const;
  Tensor var(OptionalIntArrayRef dim, std::optional<int64_t> correction, bool keepdim = false) const;
  /// Variance over one dim: `t.var(0)` means dim 0 (as libtorch).
  Tensor var(int dim) const;
  Tensor std(bool unbiased = true) const;
  Tensor std(OptionalIntArrayRef dim, bool unbiased = true, bool keepdim = false) const;
  Tensor std(OptionalIntArrayRef dim, std::optional<int64_t> correction, bool keepdim = false) const;
  /// Standard deviation over one dim: `t.std(0)` means dim 0 (as libtorch).
  Tensor std(int dim) const;
  Tensor norm(const std::optional<Scalar>& p, ScalarType dtype) const;
  Tensor norm(const Scalar& p = 2) const;
  Tensor norm(const std::optional<Scalar>& p, IntArrayRef dim, bool keepdim, ScalarType dtype) const;
  Tensor norm(const std::optional<Scalar>& p, IntArrayRef dim, bool keepdim = false) const;
  ::std::tuple<Tensor, Tensor> sort(int64_t dim = -1, bool descending = false) const;
  ::std::tuple<Tensor, Tensor> sort(::std::optional<bool> stable, int64_t dim = -1, bool descending = false) const;
  Tensor argsort(int64_t dim = -1, bool descending = false) const;
  Tensor argsort(bool stable, int64_t dim = -1, bool descending = false) const;
  ::std::tuple<Tensor, Tensor> topk(int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true) const;
  ::std::tuple<Tensor, Tensor> kthvalue(int64_t k, int64_t dim = -1, bool keepdim = false) const;
  Tensor median() const;
  ::std::tuple<Tensor, Tensor> median(int64_t dim, bool keepdim = false) const;
  ::std::tuple<Tensor, Tensor> mode(int64_t dim = -1, bool keepdim = false) const;

  // ---- normalization, dropout, losses (src/ops/norm.cpp, dropout.cpp, loss.cpp) ---
  // (linear algebra extras, src/ops/linalg_extra.cpp)
  /// beta * self + alpha * (batch1 @ batch2) (ember::baddbmm).
  Tensor baddbmm(const Tensor& batch1, const Tensor& batch2, const Scalar& beta = 1, const Scalar& alpha = 1) const;
  /// In-place baddbmm.
  Tensor& baddbmm_(const Tensor& batch1, const Tensor& batch2, const Scalar& beta = 1, const Scalar& alpha = 1) const;
  /// Cross product along dim (ember::cross).
  Tensor cross(const Tensor& other, std::optional<int64_t> dim = std::nullopt) const;

  // ---- operators --------------------------------------------------------------
  Tensor operator-() const;
  Tensor& operator+=(const Tensor& o) { return add_(o); }
  Tensor& operator+=(const Scalar& o) { return add_(o); }
  Tensor& operator-=(const Tensor& o) { return sub_(o); }
  Tensor& operator-=(const Scalar& o) { return sub_(o); }
  Tensor& operator*=(const Tensor& o) { return mul_(o); }
  Tensor& operator*=(const Scalar& o) { return mul_(o); }
  Tensor& operator/=(const Tensor& o) { return div_(o); }
  Tensor& operator/=(const Scalar& o) { return div_(o); }
  /// Bitwise/logical not for bool tensors (operator~ of libtorch).
  Tensor operator~() const;

 private:
  // In-place methods are const (as libtorch's): they change the tensor's data, not which
  // tensor this handle refers to; the free in-place functions take Tensor&.
  Tensor& mut() const { return const_cast<Tensor&>(*this); }
  unsigned register_hook_impl(std::function<Tensor(const Tensor&)> hook) const;
  detail::TensorImplPtr impl_;
};

// Binary operators, both orders with scalars (as libtorch).
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, const Scalar& b);
Tensor operator+(const Scalar& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Scalar& b);
Tensor operator-(const Scalar& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Scalar& b);
Tensor operator*(const Scalar& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Scalar& b);
Tensor operator/(const Scalar& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Scalar& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Scalar& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Scalar& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Scalar& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Scalar& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Scalar& b);
Tensor operator&&(const Tensor& a, const Tensor& b);
Tensor operator||(const Tensor& a, const Tensor& b);
Tensor operator&(const Tensor& a, const Tensor& b);
Tensor operator|(const Tensor& a, const Tensor& b);
Tensor operator^(const Tensor& a, const Tensor& b);

/// Prints like libtorch: values, then "[ CPUFloatType{2,3} ]".
std::ostream& operator<<(std::ostream& os, const Tensor& t);

// item<T>/data_ptr<T> are instantiated in the library for the dtype's C++ types.
extern template float Tensor::item<float>() const;
extern template double Tensor::item<double>() const;
extern template int64_t Tensor::item<int64_t>() const;
extern template int32_t Tensor::item<int32_t>() const;
extern template uint8_t Tensor::item<uint8_t>() const;
extern template bool Tensor::item<bool>() const;
extern template float* Tensor::data_ptr<float>() const;
extern template double* Tensor::data_ptr<double>() const;
extern template int64_t* Tensor::data_ptr<int64_t>() const;
extern template int32_t* Tensor::data_ptr<int32_t>() const;
extern template uint8_t* Tensor::data_ptr<uint8_t>() const;
extern template bool* Tensor::data_ptr<bool>() const;

}  // namespace ember
