#pragma once
// The deterministic scatter of the CUDA backend, in the part that is plain math: once the
// (target, value) pairs of a scatter are sorted stably by target, each run of equal targets
// is combined by one thread in pair order, which is the CPU's row-major order, so the result
// does not depend on thread timing. Host-device code, so tests/test_deterministic.cpp runs
// it on the CPU.
#include <cstdint>

#include "backends/common/host_device.h"

namespace ember::backend::sorted_scatter {

/// How a run's values combine with what the target held: the last value wins, or a sum,
/// or a product, taken left to right in the accumulator type A.
struct Assign {
  template <class A>
  EMBER_HD A operator()(A, A v) const { return v; }
};
struct Add {
  template <class A>
  EMBER_HD A operator()(A acc, A v) const { return acc + v; }
};
struct Multiply {
  template <class A>
  EMBER_HD A operator()(A acc, A v) const { return acc * v; }
};

/// Called for every i in [0, n) of targets sorted stably, with the pairs' values moved into
/// the same order: the first i of each run writes dst[target] = fold of op over the run's
/// values, starting from what dst held, rounded once to T. (The values are gathered into
/// sorted order first so that a long run reads memory in sequence.)
template <class T, class A, class Op>
struct CombineRuns {
  const int64_t* sorted_targets;
  const A* sorted_values;
  T* dst;
  int64_t n;
  Op op;
  EMBER_HD void operator()(int64_t i, int64_t = 0) const {
    const int64_t t = sorted_targets[i];
    if (i > 0 && sorted_targets[i - 1] == t) return;
    A acc = static_cast<A>(dst[t]);
    for (int64_t j = i; j < n && sorted_targets[j] == t; ++j) acc = op(acc, sorted_values[j]);
    dst[t] = static_cast<T>(acc);
  }
};

/// Bits a radix sort must look at for targets in [0, extent).
inline int target_bits(int64_t extent) {
  int bits = 0;
  for (uint64_t top = extent > 1 ? static_cast<uint64_t>(extent - 1) : 0; top != 0; top >>= 1) ++bits;
  return bits > 0 ? bits : 1;
}

}  // namespace ember::backend::sorted_scatter
