// CPU caching allocator: 64-byte aligned blocks in power-of-two size classes (with four
// steps per octave above 4 KiB), cached on free so that a steady-state training loop
// reuses its buffers instead of page-faulting fresh memory every iteration.
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "ember/errors.h"

namespace ember::backend::cpu {
namespace {

constexpr size_t kAlign = 64;
constexpr int kNumClasses = 256;
// Blocks above this size are cached too, but the cache as a whole is bounded.
constexpr size_t kMaxCachedBytes = size_t(4) << 30;

size_t round_size(size_t n, int* cls) {
  if (n <= 64) { *cls = 0; return 64; }
  // Size classes: 2^k and 2^k * {1.25, 1.5, 1.75} for k >= 12; powers of two below.
  size_t p = 64;
  int c = 0;
  while (p < n && p < 4096) { p <<= 1; ++c; }
  if (p >= n) { *cls = c; return p; }
  size_t base = 4096;
  c = 7;  // classes 0..6 are 64..4096
  for (;;) {
    for (int q = 1; q <= 4; ++q) {
      size_t s = base + base / 4 * q;
      ++c;
      if (s >= n) { *cls = c; return s; }
    }
    base <<= 1;
  }
}

struct Cache {
  std::mutex mu;
  std::vector<void*> free_lists[kNumClasses];
  AllocatorStats stats;
  size_t cached = 0;
  ~Cache() {
    for (auto& l : free_lists)
      for (void* p : l) std::free(p);
  }
};
Cache& cache() {
  static Cache* c = new Cache();  // never destroyed: storages may outlive static teardown
  return *c;
}

}  // namespace

void* allocator_raw_alloc(size_t nbytes) {
  int cls;
  size_t sz = round_size(nbytes, &cls);
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> g(c.mu);
    c.stats.allocated += static_cast<int64_t>(sz);
    if (c.stats.allocated > c.stats.peak_allocated) c.stats.peak_allocated = c.stats.allocated;
    if (cls < kNumClasses && !c.free_lists[cls].empty()) {
      void* p = c.free_lists[cls].back();
      c.free_lists[cls].pop_back();
      c.cached -= sz;
      return p;
    }
    c.stats.reserved += static_cast<int64_t>(sz);
    ++c.stats.num_system_allocs;
  }
  void* p = std::aligned_alloc(kAlign, sz);
  if (!p) {
    std::lock_guard<std::mutex> g(c.mu);
    c.stats.allocated -= static_cast<int64_t>(sz);
    c.stats.reserved -= static_cast<int64_t>(sz);
    detail::throw_error<Error>("empty", "out of memory allocating ", nbytes, " bytes on CPU (",
                               c.stats.allocated, " bytes allocated by ember)");
  }
  return p;
}

void allocator_raw_free(void* p, size_t nbytes) {
  if (!p) return;
  int cls;
  size_t sz = round_size(nbytes, &cls);
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> g(c.mu);
    c.stats.allocated -= static_cast<int64_t>(sz);
    if (cls < kNumClasses && c.cached + sz <= kMaxCachedBytes) {
      c.free_lists[cls].push_back(p);
      c.cached += sz;
      return;
    }
    c.stats.reserved -= static_cast<int64_t>(sz);
  }
  std::free(p);
}

AllocatorStats allocator_stats() {
  Cache& c = cache();
  std::lock_guard<std::mutex> g(c.mu);
  return c.stats;
}

void allocator_empty_cache() {
  Cache& c = cache();
  std::lock_guard<std::mutex> g(c.mu);
  for (int cls = 0; cls < kNumClasses; ++cls) {
    for (void* p : c.free_lists[cls]) std::free(p);
    c.free_lists[cls].clear();
  }
  c.stats.reserved -= static_cast<int64_t>(c.cached);
  c.cached = 0;
}

namespace {
void free_storage(void*, void* data, size_t nbytes) { allocator_raw_free(data, nbytes); }
}  // namespace

detail::intrusive_ptr<detail::StorageImpl> CpuBackend::allocate(size_t nbytes, Device device) {
  void* p = allocator_raw_alloc(nbytes);
  return detail::make_intrusive<detail::StorageImpl>(p, nbytes, device, &free_storage, nullptr);
}

}  // namespace ember::backend::cpu
