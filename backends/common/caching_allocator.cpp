// The caching allocator's bookkeeping (see caching_allocator.h).
#include "backends/common/caching_allocator.h"

#include <cstdio>

#include "ember/errors.h"

namespace ember::backend::caching {

std::string format_bytes(int64_t n) {
  char buf[64];
  const double v = static_cast<double>(n);
  if (n < 1024) std::snprintf(buf, sizeof buf, "%lld bytes", static_cast<long long>(n));
  else if (n < (int64_t(1) << 20)) std::snprintf(buf, sizeof buf, "%.2f KiB", v / 1024);
  else if (n < (int64_t(1) << 30)) std::snprintf(buf, sizeof buf, "%.2f MiB", v / (1 << 20));
  else std::snprintf(buf, sizeof buf, "%.2f GiB", v / (1 << 30));
  return buf;
}

size_t CachingAllocator::round_size(size_t nbytes) {
  if (nbytes < kMinBlock) return kMinBlock;
  return (nbytes + kMinBlock - 1) / kMinBlock * kMinBlock;
}

size_t CachingAllocator::segment_size(size_t rounded) {
  if (rounded <= kSmallSize) return kSmallSegment;
  if (rounded < kLargeSegmentMin / 2) return kLargeSegmentMin;
  return (rounded + kLargeRound - 1) / kLargeRound * kLargeRound;
}

CachingAllocator::~CachingAllocator() {
  std::lock_guard<std::mutex> lock(mutex_);
  release_cached_segments();
}

CachingAllocator::Block* CachingAllocator::find_free(Pool& pool, size_t size, StreamId stream) {
  Block key{nullptr, size, 0, stream, false};
  auto it = pool.lower_bound(&key);
  if (it == pool.end() || (*it)->stream != stream) return nullptr;
  Block* b = *it;
  pool.erase(it);
  return b;
}

bool CachingAllocator::should_split(const Block* b, size_t size) const {
  const size_t remaining = b->size - size;
  return b->small ? remaining >= kMinBlock : remaining > kSmallSize;
}

void* CachingAllocator::allocate(size_t nbytes, StreamId stream) {
  if (nbytes == 0) return nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  process_pending(false);
  const size_t size = round_size(nbytes);
  const bool small = size <= kSmallSize;
  Pool& pool = small ? small_free_ : large_free_;
  Block* b = find_free(pool, size, stream);
  if (!b) {
    const size_t seg = segment_size(size);
    void* p = device_.allocate(seg);
    if (!p) {
      ++stats_.num_alloc_retries;
      process_pending(true);
      release_cached_segments();
      p = device_.allocate(seg);
      if (!p) raise_oom(nbytes, size, seg);
    }
    ++stats_.num_device_allocs;
    ++stats_.num_segments;
    ++stats_.num_blocks;
    stats_.reserved += static_cast<int64_t>(seg);
    if (stats_.reserved > stats_.peak_reserved) stats_.peak_reserved = stats_.reserved;
    b = new Block{static_cast<char*>(p), seg, 0, stream, small};
  }
  if (should_split(b, size)) {
    Block* rest = new Block{b->ptr + size, b->size - size, 0, stream, b->small};
    rest->prev = b;
    rest->next = b->next;
    if (b->next) b->next->prev = rest;
    b->next = rest;
    b->size = size;
    pool.insert(rest);
    ++stats_.num_blocks;
  }
  b->allocated = true;
  b->requested = nbytes;
  in_use_.emplace(b->ptr, b);
  stats_.allocated += static_cast<int64_t>(b->size);
  stats_.requested += static_cast<int64_t>(nbytes);
  if (stats_.allocated > stats_.peak_allocated) stats_.peak_allocated = stats_.allocated;
  return b->ptr;
}

void CachingAllocator::free(void* ptr) {
  if (!ptr) return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = in_use_.find(ptr);
  EMBER_ASSERT(it != in_use_.end(), "freeing a pointer the caching allocator did not hand out");
  Block* b = it->second;
  in_use_.erase(it);
  if (b->uses.empty()) return release_block(b);
  Pending p{b, {}};
  for (StreamId s : b->uses) p.events.push_back(device_.record_event(s));
  b->uses.clear();
  pending_.push_back(std::move(p));
}

void CachingAllocator::record_stream(void* ptr, StreamId stream) {
  if (!ptr) return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = in_use_.find(ptr);
  if (it == in_use_.end()) return;  // not this allocator's (a tensor over memory from elsewhere)
  Block* b = it->second;
  if (stream == b->stream) return;
  for (StreamId s : b->uses)
    if (s == stream) return;
  b->uses.push_back(stream);
}

void CachingAllocator::process_pending(bool wait) {
  for (size_t i = 0; i < pending_.size();) {
    auto& events = pending_[i].events;
    for (size_t e = 0; e < events.size();) {
      if (device_.event_done(events[e], wait)) {
        events[e] = events.back();
        events.pop_back();
      } else {
        ++e;
      }
    }
    if (!events.empty()) {
      ++i;
      continue;
    }
    Block* b = pending_[i].block;
    pending_[i] = std::move(pending_.back());
    pending_.pop_back();
    release_block(b);
  }
}

// The block back to its pool, merged with free neighbours; its bytes leave `allocated`.
void CachingAllocator::release_block(Block* b) {
  b->allocated = false;
  stats_.allocated -= static_cast<int64_t>(b->size);
  stats_.requested -= static_cast<int64_t>(b->requested);
  b->requested = 0;
  Pool& pool = b->small ? small_free_ : large_free_;
  // Merge with free neighbours (same segment, so same stream and pool).
  if (Block* p = b->prev; p && !p->allocated) {
    pool.erase(p);
    p->size += b->size;
    p->next = b->next;
    if (b->next) b->next->prev = p;
    delete b;
    b = p;
    --stats_.num_blocks;
  }
  if (Block* n = b->next; n && !n->allocated) {
    pool.erase(n);
    b->size += n->size;
    b->next = n->next;
    if (n->next) n->next->prev = b;
    delete n;
    --stats_.num_blocks;
  }
  pool.insert(b);
}

void CachingAllocator::release_cached_segments() {
  for (Pool* pool : {&small_free_, &large_free_}) {
    for (auto it = pool->begin(); it != pool->end();) {
      Block* b = *it;
      if (b->prev || b->next) {  // part of a segment that still has a block in use
        ++it;
        continue;
      }
      device_.deallocate(b->ptr, b->size);
      ++stats_.num_device_frees;
      --stats_.num_segments;
      --stats_.num_blocks;
      stats_.reserved -= static_cast<int64_t>(b->size);
      delete b;
      it = pool->erase(it);
    }
  }
}

void CachingAllocator::empty_cache() {
  std::lock_guard<std::mutex> lock(mutex_);
  process_pending(false);
  release_cached_segments();
}

Stats CachingAllocator::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void CachingAllocator::reset_peak_stats() {
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.peak_allocated = stats_.allocated;
  stats_.peak_reserved = stats_.reserved;
}

void CachingAllocator::raise_oom(size_t nbytes, size_t rounded, size_t segment) {
  ++stats_.num_ooms;
  int64_t cached = stats_.reserved - stats_.allocated;
  std::string dev = device_.describe();
  detail::throw_error<Error>(
      "cuda", "out of memory: tried to allocate ", format_bytes(static_cast<int64_t>(nbytes)), " (", nbytes,
      " bytes, a ", format_bytes(static_cast<int64_t>(segment)), " segment for a ",
      format_bytes(static_cast<int64_t>(rounded)), " block); the caching allocator has ",
      format_bytes(stats_.allocated), " allocated, ", format_bytes(stats_.reserved), " reserved (",
      format_bytes(cached), " cached in partly used segments), peak ", format_bytes(stats_.peak_allocated),
      ", ", stats_.num_device_allocs, " device allocations", dev.empty() ? "" : "; ", dev);
}

}  // namespace ember::backend::caching
