#pragma once
// Reductions and scans beyond the first slice: prod, cumsum/cumprod/logcumsumexp (src/ops/scan.cpp),
// var/std/norm (src/ops/moments.cpp), sort/topk/kthvalue/median/mode (src/ops/sort.cpp).
#include <optional>
#include <tuple>

#include "ember/optional_array_ref.h"
#include "ember/tensor.h"

namespace ember {

// ---- products and scans (src/ops/scan.cpp) -------------------------------------------
/// Product of all elements; integer and bool inputs give int64 unless dtype is given.
Tensor prod(const Tensor& self, std::optional<ScalarType> dtype = std::nullopt);
/// Product along dim (size 1 kept when keepdim); the input is cast to dtype first when given.
Tensor prod(const Tensor& self, int64_t dim, bool keepdim = false,
            std::optional<ScalarType> dtype = std::nullopt);
/// Running sum along dim; integer and bool inputs give int64 unless dtype is given.
Tensor cumsum(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
/// Running product along dim; integer and bool inputs give int64 unless dtype is given.
Tensor cumprod(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
/// Running log(sum(exp(x))) along dim, computed without overflow (floating inputs).
Tensor logcumsumexp(const Tensor& self, int64_t dim);

// ---- variance, standard deviation, norms (src/ops/moments.cpp) ---------------------------
/// Variance of all elements, with Bessel's correction when unbiased.
Tensor var(const Tensor& self, bool unbiased = true);
/// Variance over dims (all dims when nullopt or empty).
Tensor var(const Tensor& self, OptionalIntArrayRef dim, bool unbiased = true, bool keepdim = false);
/// Variance over dims dividing by N - correction (correction defaults to 1).
Tensor var(const Tensor& self, OptionalIntArrayRef dim, std::optional<int64_t> correction,
           bool keepdim = false);
/// Variance over one dim: `var(t, 0)` means dim 0, not unbiased=false (as libtorch).
inline Tensor var(const Tensor& self, int dim) {
  const int64_t d = dim;
  return var(self, IntArrayRef(&d, 1));
}
/// Standard deviation of all elements (sqrt of var).
Tensor std(const Tensor& self, bool unbiased = true);
/// Standard deviation over dims (all dims when nullopt or empty).
Tensor std(const Tensor& self, OptionalIntArrayRef dim, bool unbiased = true, bool keepdim = false);
/// Standard deviation over dims dividing by N - correction (correction defaults to 1).
Tensor std(const Tensor& self, OptionalIntArrayRef dim, std::optional<int64_t> correction,
           bool keepdim = false);
/// Standard deviation over one dim (see var(self, int)).
inline Tensor std(const Tensor& self, int dim) {
  const int64_t d = dim;
  return std(self, IntArrayRef(&d, 1));
}
/// (var, mean) of all elements.
std::tuple<Tensor, Tensor> var_mean(const Tensor& self, bool unbiased = true);
/// (var, mean) over dims.
std::tuple<Tensor, Tensor> var_mean(const Tensor& self, OptionalIntArrayRef dim, bool unbiased = true,
                                    bool keepdim = false);
/// (var, mean) over dims with var dividing by N - correction.
std::tuple<Tensor, Tensor> var_mean(const Tensor& self, OptionalIntArrayRef dim,
                                    std::optional<int64_t> correction, bool keepdim = false);
/// (var, mean) over one dim.
inline std::tuple<Tensor, Tensor> var_mean(const Tensor& self, int dim) {
  const int64_t d = dim;
  return var_mean(self, IntArrayRef(&d, 1));
}
/// (std, mean) of all elements.
std::tuple<Tensor, Tensor> std_mean(const Tensor& self, bool unbiased = true);
/// (std, mean) over dims.
std::tuple<Tensor, Tensor> std_mean(const Tensor& self, OptionalIntArrayRef dim, bool unbiased = true,
                                    bool keepdim = false);
/// (std, mean) over dims with std dividing by N - correction.
std::tuple<Tensor, Tensor> std_mean(const Tensor& self, OptionalIntArrayRef dim,
                                    std::optional<int64_t> correction, bool keepdim = false);
/// (std, mean) over one dim.
inline std::tuple<Tensor, Tensor> std_mean(const Tensor& self, int dim) {
  const int64_t d = dim;
  return std_mean(self, IntArrayRef(&d, 1));
}
/// p-norm of all elements computed in dtype: p = 0 (count of non-zeros), 1, 2, inf (max
/// |x|), -inf (min |x|) or any other real p; nullopt means 2.
Tensor norm(const Tensor& self, const std::optional<Scalar>& p, ScalarType dtype);
/// p-norm of all elements (floating inputs).
Tensor norm(const Tensor& self, const Scalar& p = 2);
/// p-norm over dims (all dims when empty), computed in dtype.
Tensor norm(const Tensor& self, const std::optional<Scalar>& p, IntArrayRef dim, bool keepdim,
            ScalarType dtype);
/// p-norm over dims (all dims when empty).
Tensor norm(const Tensor& self, const std::optional<Scalar>& p, IntArrayRef dim, bool keepdim = false);
/// Frobenius norm (2-norm) of all elements.
Tensor frobenius_norm(const Tensor& self);
/// Frobenius norm over at most two dims.
Tensor frobenius_norm(const Tensor& self, IntArrayRef dim, bool keepdim = false);

// ---- sorting and selection (src/ops/sort.cpp) ------------------------------------------
// Order: NaN sorts as the largest value; equal values keep their input order (every sort
// is stable), so indices are deterministic.
/// (values, indices) of self sorted along dim.
std::tuple<Tensor, Tensor> sort(const Tensor& self, int64_t dim = -1, bool descending = false);
/// sort with the stable flag of libtorch (ember's sort is always stable).
std::tuple<Tensor, Tensor> sort(const Tensor& self, std::optional<bool> stable, int64_t dim = -1,
                                bool descending = false);
/// Indices that sort self along dim.
Tensor argsort(const Tensor& self, int64_t dim = -1, bool descending = false);
/// argsort with the stable flag of libtorch (ember's sort is always stable).
Tensor argsort(const Tensor& self, bool stable, int64_t dim = -1, bool descending = false);
/// (values, indices) of the k largest (or smallest) elements along dim, in sorted order;
/// ties are taken in input order.
std::tuple<Tensor, Tensor> topk(const Tensor& self, int64_t k, int64_t dim = -1, bool largest = true,
                                bool sorted = true);
/// (values, indices) of the k-th smallest element (k from 1) along dim.
std::tuple<Tensor, Tensor> kthvalue(const Tensor& self, int64_t k, int64_t dim = -1, bool keepdim = false);
/// Lower median of all elements (NaN when any element is NaN or self is empty).
Tensor median(const Tensor& self);
/// (values, indices) of the lower median along dim; a slice with NaN gives its first NaN.
std::tuple<Tensor, Tensor> median(const Tensor& self, int64_t dim, bool keepdim = false);
/// (values, indices) of the most frequent value along dim: the smallest such value, and
/// the index of its last occurrence.
std::tuple<Tensor, Tensor> mode(const Tensor& self, int64_t dim = -1, bool keepdim = false);

}  // namespace ember
