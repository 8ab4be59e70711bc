// Per-thread free lists for RefCounted objects (tensors, storages, autograd nodes). A small
// op creates and drops a few of these; taking them from a thread-local list costs a few
// instructions and no atomics, where malloc leaves its single-thread fast path as soon as
// the process has a second thread (ember's pool, OpenBLAS's, a data loader's).
#include <new>

#include "ember/detail/intrusive_ptr.h"

#if defined(__SANITIZE_ADDRESS__)
#define EMBER_SMALL_OBJECT_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EMBER_SMALL_OBJECT_POOL 0
#endif
#endif
#ifndef EMBER_SMALL_OBJECT_POOL
#define EMBER_SMALL_OBJECT_POOL 1  // off under AddressSanitizer, which must see every free
#endif

namespace ember::detail {
namespace {

constexpr size_t kGranule = 16;      // size classes are multiples of 16 bytes...
constexpr size_t kClasses = 32;      // ...up to 512; larger objects go to operator new
constexpr uint32_t kMaxCached = 512;  // blocks kept per class and thread

struct FreeBlock {
  FreeBlock* next;
};

// Trivially destructible, so frees that happen while the thread exits (after the flush)
// still find it and see `closed`.
struct Cache {
  FreeBlock* head[kClasses];
  uint32_t count[kClasses];
  bool registered, closed;
};
thread_local Cache t_cache;

// Returns the cached blocks when the thread exits.
struct CacheFlush {
  ~CacheFlush() {
    Cache& c = t_cache;
    c.closed = true;
    for (size_t k = 0; k < kClasses; ++k) {
      while (FreeBlock* b = c.head[k]) {
        c.head[k] = b->next;
        ::operator delete(b);
      }
      c.count[k] = 0;
    }
  }
};
thread_local CacheFlush t_flush;

size_t size_class(size_t bytes) { return (bytes + kGranule - 1) / kGranule - 1; }

}  // namespace

void* small_object_alloc(size_t bytes) {
  const size_t k = size_class(bytes);
  if (EMBER_SMALL_OBJECT_POOL && k < kClasses) {
    Cache& c = t_cache;
    if (FreeBlock* b = c.head[k]) {
      c.head[k] = b->next;
      --c.count[k];
      return b;
    }
    return ::operator new((k + 1) * kGranule);
  }
  return ::operator new(bytes);
}

void small_object_free(void* p, size_t bytes) noexcept {
  const size_t k = size_class(bytes);
  Cache& c = t_cache;
  if (!EMBER_SMALL_OBJECT_POOL || k >= kClasses || c.closed || c.count[k] >= kMaxCached) {
    ::operator delete(p);
    return;
  }
  if (!c.registered) {
    c.registered = true;
    static_cast<void>(&t_flush);  // constructs the flush for this thread
  }
  auto* b = static_cast<FreeBlock*>(p);
  b->next = c.head[k];
  c.head[k] = b;
  ++c.count[k];
}

}  // namespace ember::detail
