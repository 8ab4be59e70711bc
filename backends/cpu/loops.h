#pragma once
// Strided iteration for CPU kernels: collapses dims that are contiguous for every
// operand, then calls an inner loop over the last dim with per-operand byte strides.
#include <array>
#include <cstdint>
#include <type_traits>

#include "backends/backend.h"
#include "backends/common/half.h"
#include "ember/errors.h"

namespace ember::backend::cpu {

/// Most dims an iteration can have after size-1 dims are dropped and mergeable dims
/// merged: each remaining dim has size >= 2, so more would mean over 2^48 elements.
constexpr int kMaxLoopDims = 48;

/// Calls inner(ptrs, byte_strides, n) over all rows of an N-operand strided iteration.
/// Operand 0 defines the sizes; all operands have the same sizes (broadcast by stride 0).
template <size_t N, class Inner>
void for_each_row(const std::array<const TensorArg*, N>& ops, Inner&& inner) {
  const TensorArg& o0 = *ops[0];
  if (o0.numel == 0) return;
  // Build collapsed geometry, innermost dim last.
  int64_t sizes[kMaxLoopDims];
  int64_t strides[N][kMaxLoopDims];
  int nd = 0;
  for (int d = 0; d < o0.ndim; ++d) {
    if (o0.sizes[d] == 1) continue;
    EMBER_ASSERT(nd < kMaxLoopDims, "too many dims in an elementwise loop");
    int64_t s[N];
    for (size_t k = 0; k < N; ++k)
      s[k] = ops[k]->strides[d] * static_cast<int64_t>(element_size(ops[k]->dtype));
    bool merge = nd > 0;
    for (size_t k = 0; k < N && merge; ++k)
      merge = strides[k][nd - 1] == s[k] * o0.sizes[d];
    if (merge) {
      sizes[nd - 1] *= o0.sizes[d];
      for (size_t k = 0; k < N; ++k) strides[k][nd - 1] = s[k];
    } else {
      sizes[nd] = o0.sizes[d];
      for (size_t k = 0; k < N; ++k) strides[k][nd] = s[k];
      ++nd;
    }
  }
  std::array<char*, N> base;
  for (size_t k = 0; k < N; ++k) base[k] = static_cast<char*>(ops[k]->data);
  if (nd == 0) {  // a single element
    std::array<int64_t, N> z{};
    inner(base, z, int64_t(1));
    return;
  }
  std::array<int64_t, N> inner_strides;
  for (size_t k = 0; k < N; ++k) inner_strides[k] = strides[k][nd - 1];
  const int64_t n = sizes[nd - 1];
  if (nd == 1) {
    inner(base, inner_strides, n);
    return;
  }
  int64_t idx[kMaxLoopDims] = {0};
  std::array<char*, N> p = base;
  for (;;) {
    inner(p, inner_strides, n);
    int d = nd - 2;
    for (; d >= 0; --d) {
      if (++idx[d] < sizes[d]) {
        for (size_t k = 0; k < N; ++k) p[k] += strides[k][d];
        break;
      }
      for (size_t k = 0; k < N; ++k) p[k] -= strides[k][d] * (sizes[d] - 1);
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

/// a + b, a - b, a * b and -a with two's-complement wrap-around for signed integers (what
/// libtorch's kernels give on overflow) but without C++'s undefined signed overflow: the
/// arithmetic is done in the unsigned type. Floating types and uint8 use plain arithmetic.
template <class T>
constexpr bool wraps_unsigned_v = std::is_integral_v<T> && std::is_signed_v<T>;
template <class T>
T wrap_add(T a, T b) {
  if constexpr (wraps_unsigned_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return static_cast<T>(a + b);
  }
}
template <class T>
T wrap_sub(T a, T b) {
  if constexpr (wraps_unsigned_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  } else {
    return static_cast<T>(a - b);
  }
}
template <class T>
T wrap_mul(T a, T b) {
  if constexpr (wraps_unsigned_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  } else {
    return static_cast<T>(a * b);
  }
}
// -a for floats (neg(0.0) is -0.0, as libtorch), 0 - a with wrap-around for integers.
template <class T>
T wrap_neg(T a) {
  if constexpr (std::is_floating_point_v<T>) return -a;
  else return wrap_sub(T(0), a);
}

/// Calls f with a value of the C++ type for dtype t (float, double, int64_t, int32_t,
/// uint8_t, bool); used by kernels to instantiate per dtype.
template <class F>
decltype(auto) dispatch_dtype(ScalarType t, const char* op, F&& f) {
  switch (t) {
    case kFloat: return f(float{});
    case kDouble: return f(double{});
    case kLong: return f(int64_t{});
    case kInt: return f(int32_t{});
    case kByte: return f(uint8_t{});
    case kBool: return f(bool{});
    default: break;
  }
  detail::throw_error<DTypeError>(op, "dtype ", t, " is not supported on CPU");
}

/// As dispatch_dtype, plus the 16-bit float storage types (math::Half, math::BFloat16),
/// which only convert to and from float: for copy and fill, not for arithmetic.
template <class F>
decltype(auto) dispatch_storage_dtype(ScalarType t, const char* op, F&& f) {
  switch (t) {
    case kHalf: return f(math::Half{});
    case kBFloat16: return f(math::BFloat16{});
    default: return dispatch_dtype(t, op, std::forward<F>(f));
  }
}

}  // namespace ember::backend::cpu
