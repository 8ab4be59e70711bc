// The CUDA caching allocator's bookkeeping (backends/common/caching_allocator.h), run on
// the CPU over a fake device that counts its allocations and has a fixed capacity.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "backends/common/caching_allocator.h"
#include "ember/errors.h"

using ember::backend::caching::CachingAllocator;
using ember::backend::caching::DeviceMemory;

namespace {

constexpr size_t MiB = size_t(1) << 20;

// Host memory standing in for a device of `capacity` bytes.
class FakeDevice final : public DeviceMemory {
 public:
  explicit FakeDevice(size_t capacity) : capacity_(capacity) {}
  ~FakeDevice() override { CHECK(live_.empty()); }
  void* allocate(size_t n) override {
    ++calls;
    if (used_ + n > capacity_) return nullptr;
    void* p = std::malloc(n);
    live_[p] = n;
    used_ += n;
    return p;
  }
  void deallocate(void* p, size_t n) override {
    REQUIRE(live_.count(p) == 1);
    CHECK(live_[p] == n);
    live_.erase(p);
    used_ -= n;
    std::free(p);
    ++frees;
  }
  std::string describe() const override { return "fake device with " + std::to_string(capacity_ - used_) + " bytes free"; }
  // Events: a stream's event finishes when the test says the stream's work is done.
  uintptr_t record_event(uintptr_t stream) noexcept override {
    events_.push_back(stream);
    return events_.size();  // 1-based token
  }
  bool event_done(uintptr_t event, bool wait) override {
    if (wait) finished_.insert(events_.at(event - 1));  // waiting finishes the stream's work
    return finished_.count(events_.at(event - 1)) > 0;
  }
  void finish(uintptr_t stream) { finished_.insert(stream); }
  size_t used() const { return used_; }
  int calls = 0, frees = 0;

 private:
  size_t capacity_, used_ = 0;
  std::map<void*, size_t> live_;
  std::vector<uintptr_t> events_;  // the stream each event was recorded on
  std::set<uintptr_t> finished_;
};

}  // namespace

TEST_CASE("cuda allocator: size classes round requests and pick segment sizes", "[cuda][allocator]") {
  CHECK(CachingAllocator::round_size(1) == 512);
  CHECK(CachingAllocator::round_size(512) == 512);
  CHECK(CachingAllocator::round_size(513) == 1024);
  CHECK(CachingAllocator::round_size(MiB) == MiB);
  CHECK(CachingAllocator::round_size(MiB + 1) == MiB + 512);
  CHECK(CachingAllocator::segment_size(512) == 2 * MiB);          // small pool
  CHECK(CachingAllocator::segment_size(MiB) == 2 * MiB);
  CHECK(CachingAllocator::segment_size(MiB + 512) == 20 * MiB);   // large, under 10 MiB
  CHECK(CachingAllocator::segment_size(9 * MiB) == 20 * MiB);
  CHECK(CachingAllocator::segment_size(10 * MiB) == 10 * MiB);    // large: rounded to 2 MiB
  CHECK(CachingAllocator::segment_size(11 * MiB) == 12 * MiB);
  CHECK(CachingAllocator::segment_size(30 * MiB + 1) == 32 * MiB);
}

TEST_CASE("cuda allocator: small blocks are carved from one 2 MiB segment", "[cuda][allocator]") {
  FakeDevice dev(64 * MiB);
  CachingAllocator a(dev);
  CHECK(a.allocate(0, 0) == nullptr);
  char* p1 = static_cast<char*>(a.allocate(1000, 0));
  char* p2 = static_cast<char*>(a.allocate(1000, 0));
  char* p3 = static_cast<char*>(a.allocate(100, 0));
  CHECK(dev.calls == 1);
  CHECK(p2 == p1 + 1024);  // split off the same segment, in order
  CHECK(p3 == p2 + 1024);
  auto s = a.stats();
  CHECK(s.allocated == 2 * 1024 + 512);
  CHECK(s.requested == 2100);
  CHECK(s.reserved == static_cast<int64_t>(2 * MiB));
  CHECK(s.num_device_allocs == 1);
  CHECK(s.num_segments == 1);
  CHECK(s.num_blocks == 4);  // three in use + the free remainder
  a.free(p1);
  a.free(p2);
  a.free(p3);
  s = a.stats();
  CHECK(s.allocated == 0);
  CHECK(s.requested == 0);
  CHECK(s.num_blocks == 1);  // everything merged back into one free segment
  CHECK(s.reserved == static_cast<int64_t>(2 * MiB));
}

TEST_CASE("cuda allocator: freed blocks are reused and free neighbours merge", "[cuda][allocator]") {
  FakeDevice dev(64 * MiB);
  CachingAllocator a(dev);
  char* p1 = static_cast<char*>(a.allocate(4096, 0));
  char* p2 = static_cast<char*>(a.allocate(4096, 0));
  char* p3 = static_cast<char*>(a.allocate(4096, 0));
  a.free(p2);
  // Best fit: a request of the freed size gets exactly that block back.
  CHECK(a.allocate(4096, 0) == p2);
  a.free(p2);
  a.free(p1);  // merges with p2's free block
  CHECK(a.stats().num_blocks == 3);  // [p1+p2 free][p3][rest free]
  // 8 KiB fits only in the merged block or the tail; best fit takes the merged one.
  CHECK(a.allocate(8192, 0) == p1);
  CHECK(dev.calls == 1);
  a.free(p1);
  a.free(p3);
  CHECK(a.stats().num_blocks == 1);
}

TEST_CASE("cuda allocator: blocks are reused only on the stream that freed them", "[cuda][allocator]") {
  FakeDevice dev(64 * MiB);
  CachingAllocator a(dev);
  void* p = a.allocate(4096, /*stream=*/1);
  a.free(p);
  void* q = a.allocate(4096, /*stream=*/2);
  CHECK(q != p);
  CHECK(a.stats().num_device_allocs == 2);  // stream 2 gets a segment of its own
  void* r = a.allocate(4096, 1);
  CHECK(r == p);
  a.free(q);
  a.free(r);
}

TEST_CASE("cuda allocator: a block recorded on another stream waits for that stream's work", "[cuda][allocator]") {
  FakeDevice dev(64 * MiB);
  CachingAllocator a(dev);
  void* p = a.allocate(4096, /*stream=*/1);
  a.record_stream(p, 2);
  a.record_stream(p, 2);  // once per stream
  a.record_stream(p, 1);  // its own stream needs no event
  a.free(p);
  // Stream 2 may still read the block: stream 1 does not get it back, and it stays counted.
  CHECK(a.stats().allocated == 4096);
  void* q = a.allocate(4096, 1);
  CHECK(q != p);
  dev.finish(2);
  a.free(q);
  void* r = a.allocate(4096, 1);  // the event has finished: both blocks are back
  CHECK((r == p || r == q));
  CHECK(a.stats().allocated == 4096);
  a.free(r);
  CHECK(a.stats().allocated == 0);
  // A block used on two other streams returns once both have finished.
  void* s = a.allocate(8192, 1);
  a.record_stream(s, 3);
  a.record_stream(s, 4);
  a.free(s);
  dev.finish(3);
  a.empty_cache();
  CHECK(a.stats().allocated == 8192);
  dev.finish(4);
  a.empty_cache();  // processes the finished events, then releases the wholly free segment
  CHECK(a.stats().allocated == 0);
  CHECK(a.stats().reserved == 0);
  // Pointers from elsewhere are ignored, as libtorch's recordStream does.
  int outside = 0;
  a.record_stream(&outside, 2);
}

TEST_CASE("cuda allocator: out of memory waits for recorded streams before retrying", "[cuda][allocator]") {
  FakeDevice dev(40 * MiB);
  CachingAllocator a(dev);
  void* p = a.allocate(12 * MiB, 1);  // a 12 MiB segment of its own
  a.record_stream(p, 2);
  a.free(p);  // held for stream 2
  void* q = a.allocate(30 * MiB, 1);  // does not fit beside it: the retry waits, releases, succeeds
  CHECK(q != nullptr);
  CHECK(a.stats().num_alloc_retries == 1);
  CHECK(a.stats().reserved == static_cast<int64_t>(30 * MiB));
  a.free(q);
}

TEST_CASE("cuda allocator: large requests share 20 MiB segments and split", "[cuda][allocator]") {
  FakeDevice dev(256 * MiB);
  CachingAllocator a(dev);
  char* p1 = static_cast<char*>(a.allocate(5 * MiB, 0));
  char* p2 = static_cast<char*>(a.allocate(5 * MiB, 0));
  CHECK(dev.calls == 1);
  CHECK(p2 == p1 + 5 * MiB);
  char* big = static_cast<char*>(a.allocate(30 * MiB, 0));
  CHECK(dev.calls == 2);
  CHECK(a.stats().reserved == static_cast<int64_t>(20 * MiB + 30 * MiB));
  // A remainder of at most 1 MiB stays with the large block instead of being split off.
  a.free(big);
  char* big2 = static_cast<char*>(a.allocate(29 * MiB + 512 * 1024, 0));
  CHECK(big2 == big);
  CHECK(a.stats().num_blocks == 4);  // [p1][p2][10 MiB free] + [big2]
  a.free(big2);
  a.free(p1);
  a.free(p2);
  CHECK(a.stats().allocated == 0);
}

TEST_CASE("cuda allocator: empty_cache releases only wholly free segments", "[cuda][allocator]") {
  FakeDevice dev(256 * MiB);
  CachingAllocator a(dev);
  void* small = a.allocate(1000, 0);
  void* large = a.allocate(12 * MiB, 0);
  a.free(large);
  CHECK(a.stats().reserved == static_cast<int64_t>(2 * MiB + 12 * MiB));
  a.empty_cache();
  auto s = a.stats();
  CHECK(s.reserved == static_cast<int64_t>(2 * MiB));  // the small segment is still in use
  CHECK(s.num_device_frees == 1);
  CHECK(dev.used() == 2 * MiB);
  a.free(small);
  a.empty_cache();
  CHECK(a.stats().reserved == 0);
  CHECK(dev.used() == 0);
}

TEST_CASE("cuda allocator: a training loop's steady state allocates nothing new", "[cuda][allocator]") {
  FakeDevice dev(512 * MiB);
  CachingAllocator a(dev);
  const std::vector<size_t> sizes = {784 * 512 * 4, 512 * 4, 512 * 256 * 4, 128 * 784 * 4, 128 * 10 * 4, 4, 24 * MiB};
  int64_t after_first = 0;
  for (int it = 0; it < 50; ++it) {
    std::vector<void*> live;
    for (size_t s : sizes) live.push_back(a.allocate(s, 0));
    for (size_t i = 0; i < live.size(); i += 2) a.free(live[i]);  // free in a different order
    for (size_t i = 1; i < live.size(); i += 2) a.free(live[i]);
    if (it == 0) after_first = a.stats().num_device_allocs;
  }
  CHECK(a.stats().num_device_allocs == after_first);
  CHECK(a.stats().allocated == 0);
  CHECK(a.stats().peak_allocated > 24 * static_cast<int64_t>(MiB));
}

TEST_CASE("cuda allocator: out of memory releases the cache, retries, then raises with figures",
          "[cuda][allocator]") {
  FakeDevice dev(72 * MiB);
  CachingAllocator a(dev);
  void* p1 = a.allocate(30 * MiB, 0);
  void* p2 = a.allocate(30 * MiB, 0);
  a.free(p2);
  // 40 MiB does not fit next to 60 MiB reserved; releasing p2's cached segment makes room.
  void* p3 = a.allocate(40 * MiB, 0);
  REQUIRE(p3 != nullptr);
  CHECK(a.stats().num_alloc_retries == 1);
  CHECK(a.stats().num_device_frees == 1);
  try {
    a.allocate(40 * MiB, 0);
    FAIL("expected an out-of-memory error");
  } catch (const ember::Error& e) {
    const std::string m = e.what();
    CHECK(m.find("[ember::cuda] out of memory") != std::string::npos);
    CHECK(m.find("tried to allocate 40.00 MiB (41943040 bytes") != std::string::npos);
    CHECK(m.find("70.00 MiB allocated") != std::string::npos);
    CHECK(m.find("70.00 MiB reserved") != std::string::npos);
    CHECK(m.find("fake device with") != std::string::npos);
  }
  auto s = a.stats();
  CHECK(s.num_ooms == 1);
  CHECK(s.allocated == static_cast<int64_t>(70 * MiB));  // a failed request changes nothing
  a.free(p1);
  a.free(p3);
}

TEST_CASE("cuda allocator: peaks track the high-water mark until reset", "[cuda][allocator]") {
  FakeDevice dev(64 * MiB);
  CachingAllocator a(dev);
  void* p = a.allocate(3 * MiB, 0);
  void* q = a.allocate(2 * MiB, 0);
  a.free(q);
  auto s = a.stats();
  CHECK(s.peak_allocated == static_cast<int64_t>(5 * MiB));
  CHECK(s.peak_reserved == static_cast<int64_t>(20 * MiB));
  a.reset_peak_stats();
  CHECK(a.stats().peak_allocated == static_cast<int64_t>(3 * MiB));
  a.free(p);
  CHECK_THROWS_AS(a.free(reinterpret_cast<void*>(0x1000)), ember::Error);  // not from this allocator
}
