// CPU caching allocator: 64-byte aligned blocks in power-of-two size classes (with four
// steps per octave above 4 KiB), cached on free so that a steady-state training loop
// reuses its buffers instead of page-faulting fresh memory every iteration. Small blocks
// (the buffers of small ops) are cached per thread without a lock; larger ones in one
// shared cache under a mutex. Statistics are relaxed atomics.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "ember/errors.h"
#include "ember/memory.h"

namespace ember::backend::cpu {
namespace {

constexpr size_t kAlign = 64;
constexpr int kNumClasses = 256;
// Blocks above this size are cached too, but the cache as a whole is bounded.
constexpr size_t kMaxCachedBytes = size_t(4) << 30;
// Blocks up to this size are cached per thread, at most kThreadCacheCount per class and
// kThreadCacheBytes in all.
constexpr size_t kSmallLimit = size_t(32) << 10;
constexpr int kThreadCacheCount = 64;
constexpr size_t kThreadCacheBytes = size_t(4) << 20;

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

// Classes of blocks up to kSmallLimit (64 B .. 32 KiB are classes 0 .. 19).
constexpr int kSmallClasses = 20;

struct Stats {
  std::atomic<int64_t> allocated{0}, reserved{0}, peak_allocated{0}, peak_reserved{0};
  std::atomic<int64_t> num_allocs{0}, num_system_allocs{0};
};

void raise_peak(std::atomic<int64_t>& peak, int64_t now) {
  int64_t p = peak.load(std::memory_order_relaxed);
  while (now > p && !peak.compare_exchange_weak(p, now, std::memory_order_relaxed)) {
  }
}

struct Shared {
  std::mutex mu;
  std::vector<void*> free_lists[kNumClasses];
  size_t cached = 0;
};

Stats& stats() {
  static Stats* s = new Stats();  // never destroyed: storages may outlive static teardown
  return *s;
}
Shared& shared() {
  static Shared* c = new Shared();
  return *c;
}

struct FreeBlock {
  FreeBlock* next;
};

// Returns a block to the shared cache, or to the system when that is full.
void shared_put(void* p, size_t sz, int cls) {
  Shared& c = shared();
  {
    std::lock_guard<std::mutex> g(c.mu);
    if (cls < kNumClasses && c.cached + sz <= kMaxCachedBytes) {
      c.free_lists[cls].push_back(p);
      c.cached += sz;
      return;
    }
  }
  stats().reserved.fetch_sub(static_cast<int64_t>(sz), std::memory_order_relaxed);
  std::free(p);
}

struct ThreadCache {
  FreeBlock* head[kSmallClasses] = {};
  int count[kSmallClasses] = {};
  size_t bytes = 0;
  bool alive = true;
  size_t class_bytes[kSmallClasses] = {};  // block size of each class seen
  // Hands every cached block to the shared cache (thread exit, empty_cache).
  void drain() {
    for (int cls = 0; cls < kSmallClasses; ++cls) {
      while (FreeBlock* b = head[cls]) {
        head[cls] = b->next;
        shared_put(b, class_bytes[cls], cls);
      }
      count[cls] = 0;
    }
    bytes = 0;
  }
  ~ThreadCache() {
    drain();
    alive = false;
  }
};
thread_local ThreadCache t_cache;

}  // namespace

void* allocator_raw_alloc(size_t nbytes) {
  int cls;
  const size_t sz = round_size(nbytes, &cls);
  Stats& st = stats();
  st.num_allocs.fetch_add(1, std::memory_order_relaxed);
  raise_peak(st.peak_allocated,
             st.allocated.fetch_add(static_cast<int64_t>(sz), std::memory_order_relaxed) +
                 static_cast<int64_t>(sz));
  if (sz <= kSmallLimit) {
    ThreadCache& tc = t_cache;
    if (FreeBlock* b = tc.head[cls]) {
      tc.head[cls] = b->next;
      --tc.count[cls];
      tc.bytes -= sz;
      return b;
    }
  }
  {
    Shared& c = shared();
    std::lock_guard<std::mutex> g(c.mu);
    if (cls < kNumClasses && !c.free_lists[cls].empty()) {
      void* p = c.free_lists[cls].back();
      c.free_lists[cls].pop_back();
      c.cached -= sz;
      return p;
    }
  }
  st.num_system_allocs.fetch_add(1, std::memory_order_relaxed);
  raise_peak(st.peak_reserved,
             st.reserved.fetch_add(static_cast<int64_t>(sz), std::memory_order_relaxed) +
                 static_cast<int64_t>(sz));
  void* p = std::aligned_alloc(kAlign, sz);
  if (!p) {
    st.allocated.fetch_sub(static_cast<int64_t>(sz), std::memory_order_relaxed);
    st.reserved.fetch_sub(static_cast<int64_t>(sz), std::memory_order_relaxed);
    detail::throw_error<Error>("empty", "out of memory allocating ", nbytes, " bytes on CPU (",
                               st.allocated.load(std::memory_order_relaxed),
                               " bytes allocated by ember)");
  }
  return p;
}

void allocator_raw_free(void* p, size_t nbytes) {
  if (!p) return;
  int cls;
  const size_t sz = round_size(nbytes, &cls);
  stats().allocated.fetch_sub(static_cast<int64_t>(sz), std::memory_order_relaxed);
  if (sz <= kSmallLimit) {
    ThreadCache& tc = t_cache;
    if (tc.alive && tc.count[cls] < kThreadCacheCount && tc.bytes + sz <= kThreadCacheBytes) {
      auto* b = static_cast<FreeBlock*>(p);
      b->next = tc.head[cls];
      tc.head[cls] = b;
      ++tc.count[cls];
      tc.class_bytes[cls] = sz;
      tc.bytes += sz;
      return;
    }
  }
  shared_put(p, sz, cls);
}

AllocatorStats allocator_stats() {
  const MemoryStats m = memory_stats();
  return AllocatorStats{m.allocated_bytes, m.reserved_bytes, m.peak_allocated_bytes, m.num_system_allocs};
}

void allocator_empty_cache() { empty_cache(); }

namespace {
void free_storage(void*, void* data, size_t nbytes) { allocator_raw_free(data, nbytes); }
}  // namespace

detail::intrusive_ptr<detail::StorageImpl> CpuBackend::allocate(size_t nbytes, Device device) {
  void* p = allocator_raw_alloc(nbytes);
  return detail::make_intrusive<detail::StorageImpl>(p, nbytes, device, &free_storage, nullptr);
}

}  // namespace ember::backend::cpu

namespace ember {

MemoryStats memory_stats() {
  auto& st = backend::cpu::stats();
  MemoryStats m;
  m.allocated_bytes = st.allocated.load(std::memory_order_relaxed);
  m.reserved_bytes = st.reserved.load(std::memory_order_relaxed);
  m.peak_allocated_bytes = st.peak_allocated.load(std::memory_order_relaxed);
  m.peak_reserved_bytes = st.peak_reserved.load(std::memory_order_relaxed);
  m.num_allocs = st.num_allocs.load(std::memory_order_relaxed);
  m.num_system_allocs = st.num_system_allocs.load(std::memory_order_relaxed);
  return m;
}

void empty_cache() {
  using namespace backend::cpu;
  t_cache.drain();
  Shared& c = shared();
  int64_t freed = 0;
  {
    std::lock_guard<std::mutex> g(c.mu);
    for (auto& list : c.free_lists) {
      for (void* p : list) std::free(p);
      list.clear();
    }
    freed = static_cast<int64_t>(c.cached);
    c.cached = 0;
  }
  stats().reserved.fetch_sub(freed, std::memory_order_relaxed);
}

void reset_peak_memory_stats() {
  auto& st = backend::cpu::stats();
  st.peak_allocated.store(st.allocated.load(std::memory_order_relaxed), std::memory_order_relaxed);
  st.peak_reserved.store(st.reserved.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

}  // namespace ember
