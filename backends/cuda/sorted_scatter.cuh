#pragma once
// Deterministic scatters on CUDA (ember::use_deterministic_algorithms). A kernel that would
// combine values into repeated targets with atomics writes (target, value) pairs instead;
// sorted_scatter sorts them stably by target (cub's radix sort) and one thread per run of
// equal targets combines its values in pair order (backends/common/sorted_scatter.h), which
// the kernels make the CPU's row-major order.
#include "backends/backend.h"
#include "backends/cuda/loops.cuh"

namespace ember::backend::cuda {

/// dst[targets[i]] (reduce)= values[i] for i in [0, n), every target in [0, extent);
/// repeated targets combine in increasing i, in A, rounded once to T. Instantiated in
/// sorted_scatter.cu for the index_scatter dtypes (and unsigned words for Assign).
template <class T, class A>
void sorted_scatter(Backend::ScatterReduce reduce, const int64_t* targets, const A* values, int64_t n,
                    int64_t extent, T* dst);

/// True when scatters must not use atomics (ember::are_deterministic_algorithms_enabled()).
bool deterministic_scatter();

/// The sink of a scatter-add kernel, called as sink(slot, target, value): adds atomically...
template <class A>
struct AtomicAdd {
  A* dst;
  __device__ void operator()(int64_t, int64_t target, A v) const { atomic_add(dst + target, v); }
};
/// ...or records pair `slot` for sorted_scatter; the kernel numbers its slots in the
/// order the CPU's kernel adds.
template <class A>
struct RecordPair {
  int64_t* targets;
  A* values;
  __device__ void operator()(int64_t slot, int64_t target, A v) const {
    targets[slot] = target;
    values[slot] = v;
  }
};

/// Runs a scatter-add kernel, `launch(sink)`, into dst[0, extent): with AtomicAdd, or with
/// deterministic algorithms on, with RecordPair over `slots` pairs that are then summed by
/// sorted_scatter.
template <class A, class Launch>
void scatter_add(A* dst, int64_t extent, int64_t slots, const Launch& launch) {
  if (!deterministic_scatter()) return launch(AtomicAdd<A>{dst});
  if (slots <= 0) return;
  Scratch targets(static_cast<size_t>(slots) * sizeof(int64_t)), values(static_cast<size_t>(slots) * sizeof(A));
  launch(RecordPair<A>{static_cast<int64_t*>(targets.get()), static_cast<A*>(values.get())});
  sorted_scatter<A, A>(Backend::ScatterReduce::Add, static_cast<const int64_t*>(targets.get()),
                       static_cast<const A*>(values.get()), slots, extent, dst);
}

template <class A, class T>
struct RoundInto {
  const A* src;
  T* dst;
  __device__ void operator()(int64_t i, int64_t) const { dst[i] = static_cast<T>(src[i]); }
};

/// Zeroes dst[0, extent) and runs the scatter-add kernel `launch(sink)` into it with the
/// adds taken in opmath_t<T>: for 16-bit T into a float buffer rounded once into dst,
/// rather than rounding after every add.
template <class T, class Launch>
void zero_and_scatter_add(T* dst, int64_t extent, int64_t slots, const Launch& launch) {
  using A = math::opmath_t<T>;
  constexpr bool widened = !std::is_same_v<A, T>;
  if (extent <= 0) return;
  const size_t bytes = static_cast<size_t>(extent) * sizeof(A);
  Scratch buffer(widened ? bytes : 0);
  A* sum = widened ? static_cast<A*>(buffer.get()) : reinterpret_cast<A*>(dst);
  EMBER_CUDA_CHECK(cudaMemsetAsync(sum, 0, bytes, current_stream()));
  scatter_add(sum, extent, slots, launch);
  if constexpr (widened) launch_indexed(extent, RoundInto<A, T>{sum, dst});
}

}  // namespace ember::backend::cuda
