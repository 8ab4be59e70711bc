// sorted_scatter (sorted_scatter.cuh): a stable radix sort of the targets carrying each
// pair's position, the values gathered into that order, then CombineRuns over the runs.
#include "backends/common/sorted_scatter.h"
#include "backends/cuda/radix_sort.cuh"
#include "backends/cuda/sorted_scatter.cuh"
#include "ember/deterministic.h"

namespace ember::backend::cuda {
namespace {

struct Iota {
  int64_t* out;
  __device__ void operator()(int64_t i, int64_t) const { out[i] = i; }
};

template <class A>
struct GatherValues {
  const A* values;
  const int64_t* order;
  A* sorted;
  __device__ void operator()(int64_t i, int64_t) const { sorted[i] = values[order[i]]; }
};

// sorted[i], order[i]: the i-th smallest target and the pair it came from; equal targets
// keep their pairs' order (LSD radix sort is stable), over the bits targets < extent use.
void sort_targets(const int64_t* targets, int64_t n, int64_t extent, int64_t* sorted, int64_t* order) {
  Scratch positions(static_cast<size_t>(n) * sizeof(int64_t));
  auto* pos = static_cast<int64_t*>(positions.get());
  launch_indexed(n, Iota{pos});
  radix_sort_pairs(targets, sorted, static_cast<const int64_t*>(pos), order, n, sorted_scatter::target_bits(extent));
}

}  // namespace

bool deterministic_scatter() { return ::ember::are_deterministic_algorithms_enabled(); }

template <class T, class A>
void sorted_scatter(Backend::ScatterReduce reduce, const int64_t* targets, const A* values, int64_t n,
                    int64_t extent, T* dst) {
  if (n <= 0) return;
  const auto count = static_cast<size_t>(n);
  Scratch sorted_buf(count * sizeof(int64_t)), values_buf(count * sizeof(A));
  auto* sorted = static_cast<int64_t*>(sorted_buf.get());
  auto* sorted_values = static_cast<A*>(values_buf.get());
  {
    Scratch order_buf(count * sizeof(int64_t));
    auto* order = static_cast<int64_t*>(order_buf.get());
    sort_targets(targets, n, extent, sorted, order);
    launch_indexed(n, GatherValues<A>{values, order, sorted_values});
  }
  using namespace sorted_scatter;
  switch (reduce) {
    case Backend::ScatterReduce::Assign:
      return launch_indexed(n, CombineRuns<T, A, Assign>{sorted, sorted_values, dst, n, {}});
    case Backend::ScatterReduce::Add:
      return launch_indexed(n, CombineRuns<T, A, Add>{sorted, sorted_values, dst, n, {}});
    case Backend::ScatterReduce::Multiply:
      return launch_indexed(n, CombineRuns<T, A, Multiply>{sorted, sorted_values, dst, n, {}});
  }
}

#define EMBER_SORTED_SCATTER(T, A)                                                                    \
  template void sorted_scatter<T, A>(Backend::ScatterReduce, const int64_t*, const A*, int64_t, int64_t, \
                                     T*);
EMBER_SORTED_SCATTER(uint8_t, uint8_t)
EMBER_SORTED_SCATTER(uint16_t, uint16_t)
EMBER_SORTED_SCATTER(uint32_t, uint32_t)
EMBER_SORTED_SCATTER(uint64_t, uint64_t)
EMBER_SORTED_SCATTER(float, float)
EMBER_SORTED_SCATTER(double, double)
EMBER_SORTED_SCATTER(int32_t, int32_t)
EMBER_SORTED_SCATTER(int64_t, int64_t)
EMBER_SORTED_SCATTER(math::Half, float)
EMBER_SORTED_SCATTER(math::BFloat16, float)
#undef EMBER_SORTED_SCATTER

}  // namespace ember::backend::cuda
