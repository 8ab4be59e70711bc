#pragma once
// Launch helpers of the CUDA kernels: dtype dispatch, the grid-stride elementwise loop
// (contiguous fast path, 16-byte packed path, strided path through OffsetCalculator), atomics and block
// reductions.
#include <cstdint>
#include <utility>

#include "backends/common/half.h"
#include "backends/common/launch.h"
#include "backends/common/offset_calc.h"
#include "backends/common/packed.h"
#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/cuda_check.h"

namespace ember::backend::cuda {

/// Calls f with a value of the C++ type of dtype t (the CPU backend's set of dtypes); other
/// dtypes, Half and BFloat16 included, raise DTypeError naming op.
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

/// As dispatch, plus the 16-bit float storage types (math::Half, math::BFloat16). A kernel
/// given one of them loads it, computes in math::opmath_t<T> (float) and rounds once on
/// store, as libtorch's CUDA kernels do; the 16-bit types themselves carry no arithmetic.
template <class F>
void dispatch_with_16bit(ScalarType t, const char* op, F&& f) {
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

/// As dispatch_floating, plus Half and BFloat16 (computed in float, see dispatch_with_16bit).
template <class F>
void dispatch_floating_with_16bit(ScalarType t, const char* op, F&& f) {
  if (t == kHalf) return f(math::Half{});
  if (t == kBFloat16) return f(math::BFloat16{});
  dispatch_floating(t, op, std::forward<F>(f));
}

/// Calls f with the unsigned integer type of n bytes (1, 2, 4 or 8). Kernels that only
/// move elements (gather, scatter assignment, where) run on these words, so one
/// instantiation per width serves every dtype of that width, the 16-bit floats included.
template <class F>
void dispatch_width(size_t n, F&& f) {
  switch (n) {
    case 1: return f(uint8_t{});
    case 2: return f(uint16_t{});
    case 4: return f(uint32_t{});
    case 8: return f(uint64_t{});
    default: EMBER_ASSERT(false, "unsupported element size ", n);
  }
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

/// Whether every operand is laid out as the output, so that one index addresses them all.
template <int N>
bool share_layout(const TensorArg* const (&ops)[N]) {
  const int64_t n = ops[0]->numel;
  for (int k = 0; k < N; ++k)
    if (!((ops[k]->contiguous && ops[k]->numel == n) || dense_over(*ops[k], ops[0]->ndim, ops[0]->sizes)))
      return false;
  return true;
}

template <int N, class F>
void launch_elementwise(const TensorArg* const (&ops)[N], const F& f) {
  const int64_t n = ops[0]->numel;
  if (n == 0) return;
  const bool contiguous = share_layout(ops);
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

/// f.packed<V>(j) for every whole 16-byte word j of the operands, then f(i, i) for the
/// n % V elements after them.
template <int V, class F>
__global__ void packed_kernel(int64_t n, F f) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t first = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t words = n / V;
  for (int64_t j = first; j < words; j += stride) f.template packed<V>(j);
  for (int64_t i = words * V + first; i < n; i += stride) f(i, i);
}

/// launch_elementwise for functors over elements of T that also offer packed<V>(j): when
/// the operands share the output's layout and all start 16-byte aligned, every thread moves
/// whole 16-byte words (backends/common/packed.h); otherwise launch_elementwise.
template <class T, int N, class F>
void launch_elementwise_packed(const TensorArg* const (&ops)[N], const F& f) {
  constexpr int V = static_cast<int>(kPackedBytes / sizeof(T));
  const int64_t n = ops[0]->numel;
  if constexpr (V > 1) {
    bool aligned = n > 0 && share_layout(ops);
    for (int k = 0; k < N && aligned; ++k) aligned = packed_width(sizeof(T), {ops[k]->data}) == V;
    if (aligned) {
      const Launch1d l = elementwise_launch(n, sm_count(), V * kElementsPerThread);
      packed_kernel<V><<<static_cast<unsigned>(l.grid), l.block, 0, current_stream()>>>(n, f);
      EMBER_CUDA_CHECK_LAUNCH();
      return;
    }
  }
  launch_elementwise(ops, f);
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

// 16-bit adds without cuda_fp16.h (shared headers stay plain C++): a compare-and-swap on
// the aligned 32-bit word that holds the value, writing the word's other half back as it
// was. The sum is taken in float and rounded once per add, as atomicAdd(__half*) does.
template <class T>
__device__ void atomic_add_16bit(T* p, float v) {
  static_assert(math::is_16bit_float_v<T>, "16-bit float storage types only");
  const auto addr = reinterpret_cast<uintptr_t>(p);
  auto* word = reinterpret_cast<unsigned int*>(addr & ~uintptr_t{3});
  const unsigned int shift = static_cast<unsigned int>(addr & 2u) * 8u;  // little-endian: upper address, upper half
  unsigned int old = *word, assumed;
  do {
    assumed = old;
    T current;
    current.bits = static_cast<uint16_t>(assumed >> shift);
    const T next(static_cast<float>(current) + v);
    const unsigned int updated = (assumed & ~(0xffffu << shift)) | (static_cast<unsigned int>(next.bits) << shift);
    old = atomicCAS(word, assumed, updated);
  } while (assumed != old);
}
__device__ inline void atomic_add(math::Half* p, math::Half v) { atomic_add_16bit(p, static_cast<float>(v)); }
__device__ inline void atomic_add(math::BFloat16* p, math::BFloat16 v) { atomic_add_16bit(p, static_cast<float>(v)); }

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
