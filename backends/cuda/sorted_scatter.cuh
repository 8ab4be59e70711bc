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

}  // namespace ember::backend::cuda
