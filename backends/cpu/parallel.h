#pragma once
// One pool of worker threads for ember's CPU kernels, sized by ember::set_num_threads.
// OpenBLAS runs on one thread inside it (backends/cpu/gemm.cpp splits products over the
// pool), so kernels may call it from parallel_for.
#include <algorithm>
#include <cstdint>
#include <type_traits>

namespace ember::backend::cpu {

/// Elementwise kernels split work above this many elements.
constexpr int64_t kParallelGrain = 32768;

/// Threads parallel_for may use (ember::get_num_threads(); 1 inside a parallel region).
int parallel_threads();

/// Runs call(ctx, i) for i in [0, n) on the pool, the calling thread taking part; returns
/// when all are done and rethrows the first exception one of them threw.
void run_parallel(int64_t n, void (*call)(void*, int64_t), void* ctx);

/// Calls fn(b, e) on disjoint chunks covering [begin, end), each at least about `grain`
/// long, in parallel when the range holds two grains or more. The chunks depend only on
/// the range, grain and thread count.
template <class F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, F&& fn) {
  const int64_t n = end - begin;
  if (n <= 0) return;
  const int threads = n >= 2 * grain ? parallel_threads() : 1;
  const int64_t chunks = std::min<int64_t>(threads, n / std::max<int64_t>(grain, 1));
  if (chunks <= 1) {
    fn(begin, end);
    return;
  }
  struct Ctx {
    std::remove_reference_t<F>* fn;
    int64_t begin, n, chunks;
  } ctx{&fn, begin, n, chunks};
  run_parallel(chunks, [](void* p, int64_t i) {
    auto* c = static_cast<Ctx*>(p);
    // Chunk bounds on 16-element boundaries keep vector loops aligned to each other; short
    // ranges (a few matrices of a batch, a few planes) are split evenly instead, or the
    // rounding would hand every item to the first chunk.
    auto bound = [c](int64_t k) {
      const int64_t b = c->n * k / c->chunks;
      if (k == c->chunks) return c->n;
      return c->n / c->chunks >= 64 ? std::min(c->n, (b + 15) / 16 * 16) : b;
    };
    const int64_t b = bound(i), e = bound(i + 1);
    if (b < e) (*c->fn)(c->begin + b, c->begin + e);
  }, &ctx);
}

}  // namespace ember::backend::cpu
