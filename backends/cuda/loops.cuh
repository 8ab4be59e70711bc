#pragma once
// Launch helpers of the CUDA kernels: dtype dispatch, the grid-stride elementwise loop
// (contiguous fast path, strided path through OffsetCalculator) and block reductions.
#include <cstdint>
#include <utility>

#include "backends/common/half.h"
#include "backends/common/launch.h"
#include "backends/common/offset_calc.h"
#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/cuda_check.h"

namespace ember::backend::cuda {

/// Calls f with a value of the C++ type of dtype t (the CPU backend's set of dtypes).
template <class F>
void dispatch(ScalarType t, const char* op, F&& f) {
  switch (t) {
    case kFloat: return f(float{});
    case kDouble: return f(double{});
    case kLong: return f(int64_t{});
    case kInt: return f(int32_t{});
    case kByte: return f(uint8_t{});
    case kBool: return f(bool{});
    default: break;
  }
  ::ember::detail::throw_error<DTypeError>(op, "dtype ", t, " is not supported on CUDA yet");
}

/// As dispatch, plus the 16-bit float storage types (math::Half, math::BFloat16), which
/// only convert to and from float: for copy and fill, not for arithmetic.
template <class F>
void dispatch_storage(ScalarType t, const char* op, F&& f) {
  if (t == kHalf) return f(math::Half{});
  if (t == kBFloat16) return f(math::BFloat16{});
  dispatch(t, op, std::forward<F>(f));
}

/// Calls f with float or double; other dtypes raise DTypeError naming op.
template <class F>
void dispatch_floating(ScalarType t, const char* op, F&& f) {
  if (t == kFloat) return f(float{});
  if (t == kDouble) return f(double{});
  ::ember::detail::throw_error<DTypeError>(op, "expected a floating dtype on CUDA, got ", t);
}

/// f(i) for i in [0, n): the operands are contiguous and share the iteration's order.
template <class F>
__global__ void contiguous_kernel(int64_t n, F f) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) f(i, i);
}

/// f(offsets) for every iteration index, offsets from the calculator.
template <int N, class F>
__global__ void strided_kernel(int64_t n, OffsetCalculator<N> calc, F f) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const auto o = calc.get(i);
    f(o.v);
  }
}

/// Runs an N-operand elementwise functor over `ops` (operand 0 is the output and defines
/// the sizes). The functor is called as f(int64_t out_index, int64_t in_index) for the
/// contiguous path and as f(const int64_t* offsets) for the strided path.
/// Whether t is laid out row-major over `sizes` (broadcast operands arrive flagged
/// non-contiguous even when nothing is broadcast, so the strides decide).
inline bool dense_over(const TensorArg& t, int ndim, const int64_t* sizes) {
  if (t.ndim != ndim) return false;
  int64_t expected = 1;
  for (int d = ndim - 1; d >= 0; --d) {
    if (sizes[d] == 1) continue;
    if (t.strides[d] != expected) return false;
    expected *= sizes[d];
  }
  return true;
}

template <int N, class F>
void launch_elementwise(const TensorArg* const (&ops)[N], const F& f) {
  const int64_t n = ops[0]->numel;
  if (n == 0) return;
  bool contiguous = true;
  for (int k = 0; k < N && contiguous; ++k)
    contiguous = (ops[k]->contiguous && ops[k]->numel == n) || dense_over(*ops[k], ops[0]->ndim, ops[0]->sizes);
  const Launch1d l = elementwise_launch(n, sm_count(), contiguous ? kElementsPerThread : 1);
  if (contiguous) {
    contiguous_kernel<<<static_cast<unsigned>(l.grid), l.block, 0, current_stream()>>>(n, f);
  } else {
    const int64_t* strides[N];
    for (int k = 0; k < N; ++k) strides[k] = ops[k]->strides;
    auto calc = make_offset_calculator<N>(ops[0]->ndim, ops[0]->sizes, strides);
    strided_kernel<N><<<static_cast<unsigned>(l.grid), l.block, 0, current_stream()>>>(n, calc, f);
  }
  EMBER_CUDA_CHECK_LAUNCH();
}

/// f(i, i) for i in [0, n): kernels that compute their own offsets from the index (one
/// thread per output element, slice or chunk).
template <class F>
void launch_indexed(int64_t n, const F& f) {
  if (n <= 0) return;
  const Launch1d l = elementwise_launch(n, sm_count(), 1);
  contiguous_kernel<<<static_cast<unsigned>(l.grid), l.block, 0, current_stream()>>>(n, f);
  EMBER_CUDA_CHECK_LAUNCH();
}

// atomicAdd for the dtypes CUDA has it for; int64 adds as unsigned (two's complement).
__device__ inline void atomic_add(float* p, float v) { atomicAdd(p, v); }
__device__ inline void atomic_add(double* p, double v) { atomicAdd(p, v); }
__device__ inline void atomic_add(int32_t* p, int32_t v) { atomicAdd(p, v); }
__device__ inline void atomic_add(int64_t* p, int64_t v) {
  atomicAdd(reinterpret_cast<unsigned long long*>(p), static_cast<unsigned long long>(v));
}

// Warp shuffles exist for 32- and 64-bit types; narrower ones travel as int.
template <class T>
__device__ T shfl_down(T v, int offset) {
  if constexpr (sizeof(T) < 4) return static_cast<T>(__shfl_down_sync(0xffffffffu, static_cast<int>(v), offset));
  else return __shfl_down_sync(0xffffffffu, v, offset);
}

// Folds v over the block with r.combine; the result is valid in thread 0.
template <class T, class R>
__device__ T block_reduce(T v, const R& r) {
  __shared__ alignas(8) unsigned char buf[32 * sizeof(T)];
  T* shared = reinterpret_cast<T*>(buf);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  for (int o = 16; o > 0; o /= 2) v = r.combine(v, shfl_down(v, o));
  if (blockDim.x <= 32) return v;
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < static_cast<int>(blockDim.x / 32) ? shared[lane] : r.identity();
    for (int o = 16; o > 0; o /= 2) v = r.combine(v, shfl_down(v, o));
  }
  return v;
}

}  // namespace ember::backend::cuda
