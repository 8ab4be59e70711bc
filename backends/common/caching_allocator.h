#pragma once
// Bookkeeping of the device caching allocator (DESIGN §5), in plain C++ over an abstract
// device-memory interface so it is unit-tested on the CPU with a fake device.
//
// Requests are rounded up to 512 B and served from cached free blocks of the same stream
// and pool, best fit, splitting off the remainder. The small pool (<= 1 MiB) carves
// blocks from 2 MiB segments; a large request gets a 20 MiB segment when it is under
// 10 MiB (the rest serves later large requests), else a segment rounded to 2 MiB. Freed blocks merge with free
// neighbours of their segment, so a training loop's steady state allocates nothing from
// the device. When the device is out of memory, every wholly free cached segment is
// released and the request retried once before an ember::Error is raised.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace ember::backend::caching {

/// The device's own allocator (cudaMalloc/cudaFree on a GPU, a fake in tests).
class DeviceMemory {
 public:
  virtual ~DeviceMemory() = default;
  /// nbytes of device memory, or nullptr when the device is out of memory.
  virtual void* allocate(size_t nbytes) = 0;
  virtual void deallocate(void* ptr, size_t nbytes) = 0;
  /// Extra figures for out-of-memory messages (e.g. the device's free/total memory).
  virtual std::string describe() const { return {}; }
  /// Marks the work queued so far on `stream` (a CUDA event); event_done tells when it ends.
  /// Never throws: when no event can be made it waits for the stream and returns 0 (done).
  virtual uintptr_t record_event(uintptr_t stream) noexcept {
    (void)stream;
    return 0;
  }
  /// Whether the work before `event` has finished (waiting for it first when `wait`); a
  /// finished event is released.
  virtual bool event_done(uintptr_t event, bool wait) {
    (void)event;
    (void)wait;
    return true;
  }
};

/// Opaque stream identity: blocks freed on a stream are reused only on that stream.
using StreamId = uintptr_t;

/// Figures of one allocator (bytes unless stated).
struct Stats {
  int64_t allocated = 0;         // in blocks handed out (rounded sizes)
  int64_t requested = 0;         // the callers' sizes of those blocks
  int64_t reserved = 0;          // in segments held from the device (handed out + cached)
  int64_t peak_allocated = 0;
  int64_t peak_reserved = 0;
  int64_t num_device_allocs = 0;  // calls to DeviceMemory::allocate that succeeded
  int64_t num_device_frees = 0;
  int64_t num_alloc_retries = 0;  // requests that released the cache and retried
  int64_t num_ooms = 0;
  int64_t num_segments = 0;
  int64_t num_blocks = 0;         // blocks (free and in use) over all segments
};

class CachingAllocator {
 public:
  static constexpr size_t kMinBlock = 512;               // every size is a multiple
  static constexpr size_t kSmallSize = 1 << 20;          // <= this: small pool
  static constexpr size_t kSmallSegment = 2 << 20;       // small pool's segment size
  static constexpr size_t kLargeSegmentMin = 20 << 20;   // large requests < 10 MiB share these
  static constexpr size_t kLargeRound = 2 << 20;         // larger segments round to 2 MiB

  explicit CachingAllocator(DeviceMemory& device) : device_(device) {}
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;
  /// Releases the cached segments (blocks still in use are the caller's leak).
  ~CachingAllocator();

  /// A block of at least nbytes for use on `stream`; raises ember::Error naming the
  /// request and these figures when the device has no memory left even after the cache
  /// was released. nbytes == 0 gives nullptr.
  void* allocate(size_t nbytes, StreamId stream);
  /// Returns a block to the cache; ptr must come from allocate (nullptr is ignored). A block
  /// used on other streams (record_stream) returns only once the work those streams had
  /// queued at the free has finished (polled by later allocations and empty_cache, waited
  /// for before an out-of-memory retry), and counts as allocated until then.
  void free(void* ptr);
  /// Notes that the block at ptr is also used by work on `stream` (libtorch's recordStream),
  /// so freeing it does not hand it to its own stream before that work is done. Pointers
  /// the allocator did not hand out (memory from elsewhere) are ignored.
  void record_stream(void* ptr, StreamId stream);
  /// Releases every wholly free segment to the device.
  void empty_cache();
  Stats stats() const;
  void reset_peak_stats();

  /// The rounded size a request of nbytes occupies.
  static size_t round_size(size_t nbytes);
  /// The size of the segment allocated for a rounded request.
  static size_t segment_size(size_t rounded);

 private:
  struct Block {
    char* ptr;
    size_t size;
    size_t requested = 0;
    StreamId stream;
    bool small;
    bool allocated = false;  // also while a freed block waits for other streams
    Block* prev = nullptr;  // neighbours inside the same segment
    Block* next = nullptr;
    std::vector<StreamId> uses;  // other streams recorded by record_stream
  };
  // A freed block and the events of the streams that used it, not yet all finished.
  struct Pending {
    Block* block;
    std::vector<uintptr_t> events;
  };
  struct Order {
    bool operator()(const Block* a, const Block* b) const {
      if (a->stream != b->stream) return a->stream < b->stream;
      if (a->size != b->size) return a->size < b->size;
      return a->ptr < b->ptr;
    }
  };
  using Pool = std::set<Block*, Order>;

  Block* find_free(Pool& pool, size_t size, StreamId stream);
  bool should_split(const Block* b, size_t size) const;
  void release_cached_segments();
  void release_block(Block* b);
  void process_pending(bool wait);
  [[noreturn]] void raise_oom(size_t nbytes, size_t rounded, size_t segment);

  DeviceMemory& device_;
  mutable std::mutex mutex_;
  Pool small_free_, large_free_;
  std::unordered_map<void*, Block*> in_use_;
  std::vector<Pending> pending_;
  Stats stats_;
};

/// "1.50 MiB"-style rendering of a byte count.
std::string format_bytes(int64_t nbytes);

}  // namespace ember::backend::caching
