#pragma once
// Figures of ember's CPU caching allocator, which keeps freed tensor buffers for reuse
// (like libtorch's caching allocators and torch.cuda.memory_stats()).
#include <cstdint>

namespace ember {

/// Byte counts of the CPU caching allocator (sizes as rounded to its size classes).
struct MemoryStats {
  int64_t allocated_bytes = 0;       ///< held by tensors now
  int64_t reserved_bytes = 0;        ///< held from the system: allocated plus cached
  int64_t peak_allocated_bytes = 0;  ///< highest allocated_bytes since start or reset
  int64_t peak_reserved_bytes = 0;   ///< highest reserved_bytes since start or reset
  int64_t num_allocs = 0;            ///< buffers handed out
  int64_t num_system_allocs = 0;     ///< of which the cache could not serve
};

/// Current figures of the CPU caching allocator.
MemoryStats memory_stats();
/// Returns the cached (unused) CPU buffers to the system; buffers cached by other
/// threads' small-block caches stay until those threads exit.
void empty_cache();
/// Restarts the peak figures at the current values.
void reset_peak_memory_stats();

}  // namespace ember
