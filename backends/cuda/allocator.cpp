// Device memory of the CUDA backend: one caching allocator (backends/common/
// caching_allocator.h) per device over cudaMalloc/cudaFree, blocks keyed by the current
// stream; and the pinned host staging buffers of non-blocking transfers.
#include <cstring>
#include <mutex>
#include <vector>

#include "backends/common/caching_allocator.h"
#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/cuda_check.h"
#include "ember/cuda.h"

namespace ember::backend::cuda {
namespace {

class CudaMemory final : public caching::DeviceMemory {
 public:
  explicit CudaMemory(int device) : device_(device) {}
  void* allocate(size_t nbytes) override {
    void* p = nullptr;
    cudaError_t st = cudaMalloc(&p, nbytes);
    if (st == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();
      return nullptr;
    }
    EMBER_CUDA_CHECK(st);
    return p;
  }
  void deallocate(void* p, size_t) override { EMBER_CUDA_CHECK(cudaFree(p)); }
  // Called from tensors' deleters, so it never throws: without an event it waits instead.
  uintptr_t record_event(uintptr_t stream) noexcept override {
    const auto s = reinterpret_cast<cudaStream_t>(stream);
    int previous = -1;
    if (cudaGetDevice(&previous) != cudaSuccess || (previous != device_ && cudaSetDevice(device_) != cudaSuccess)) {
      (void)cudaGetLastError();
      return 0;
    }
    cudaEvent_t e = nullptr;
    uintptr_t token = 0;
    if (cudaEventCreateWithFlags(&e, cudaEventDisableTiming) == cudaSuccess && cudaEventRecord(e, s) == cudaSuccess) {
      token = reinterpret_cast<uintptr_t>(e);
    } else {
      (void)cudaGetLastError();
      if (e) (void)cudaEventDestroy(e);
      (void)cudaStreamSynchronize(s);
      (void)cudaGetLastError();
    }
    if (previous != device_) (void)cudaSetDevice(previous);
    return token;
  }
  bool event_done(uintptr_t event, bool wait) override {
    if (event == 0) return true;
    auto e = reinterpret_cast<cudaEvent_t>(event);
    if (!EMBER_CUDA_QUERY(wait ? cudaEventSynchronize(e) : cudaEventQuery(e))) return false;
    EMBER_CUDA_CHECK(cudaEventDestroy(e));
    return true;
  }
  std::string describe() const override {
    size_t free_b = 0, total_b = 0;
    if (cudaMemGetInfo(&free_b, &total_b) != cudaSuccess) {
      (void)cudaGetLastError();
      return {};
    }
    return ::ember::detail::concat("device ", device_, " has ",
                                   caching::format_bytes(static_cast<int64_t>(free_b)), " free of ",
                                   caching::format_bytes(static_cast<int64_t>(total_b)));
  }

 private:
  int device_;
};

struct PerDevice {
  explicit PerDevice(int d) : memory(d), alloc(memory) {}
  CudaMemory memory;
  caching::CachingAllocator alloc;
};

caching::CachingAllocator& allocator_for(int device) {
  // Leaked on purpose (the mutex too): tensors in static storage may outlive every other static.
  static std::mutex* m = new std::mutex();
  static std::vector<PerDevice*>* all = new std::vector<PerDevice*>();
  std::lock_guard<std::mutex> lock(*m);
  if (static_cast<int>(all->size()) <= device) all->resize(device + 1, nullptr);
  if (!(*all)[device]) (*all)[device] = new PerDevice(device);
  return (*all)[device]->alloc;
}

void free_block(void* ctx, void* data, size_t) {
  allocator_for(static_cast<int>(reinterpret_cast<intptr_t>(ctx))).free(data);
}

}  // namespace

detail::intrusive_ptr<detail::StorageImpl> CudaBackend::allocate(size_t nbytes, Device device) {
  Device d = ::ember::cuda::detail::resolve_device(device);
  ::ember::cuda::DeviceGuard g(d);
  void* p = allocator_for(d.index()).allocate(nbytes, reinterpret_cast<caching::StreamId>(current_stream()));
  return detail::make_intrusive<detail::StorageImpl>(p, nbytes, d, &free_block,
                                                     reinterpret_cast<void*>(static_cast<intptr_t>(d.index())));
}

Scratch::Scratch(size_t nbytes) : size_(nbytes), device_(device_index()) {
  ptr_ = allocator_for(device_).allocate(nbytes, reinterpret_cast<caching::StreamId>(current_stream()));
}
Scratch::~Scratch() { allocator_for(device_).free(ptr_); }

namespace {
struct PinnedBuffer {
  void* ptr = nullptr;
  size_t size = 0;
  int device = 0;              // of the event (an event is recorded only on its device's streams)
  cudaEvent_t done = nullptr;  // recorded after the last copy that read this buffer
};
}  // namespace

void copy_through_pinned(void* dev, const void* host, size_t nbytes, cudaStream_t stream) {
  // One lock over pick, fill, copy and record: a buffer is never handed to two threads
  // between its pick and the event that marks its copy.
  static std::mutex* m = new std::mutex();  // leaked with the buffers, as the allocators
  static auto* buffers = new std::vector<PinnedBuffer>();
  const int device = device_index();
  std::lock_guard<std::mutex> lock(*m);
  PinnedBuffer* pick = nullptr;
  for (auto& b : *buffers) {
    if (b.device != device || b.size < nbytes || !EMBER_CUDA_QUERY(cudaEventQuery(b.done))) continue;
    pick = &b;
    break;
  }
  if (!pick) {
    PinnedBuffer b;
    b.size = nbytes < (size_t(1) << 20) ? (size_t(1) << 20) : nbytes;
    b.device = device;
    EMBER_CUDA_CHECK(cudaHostAlloc(&b.ptr, b.size, cudaHostAllocPortable));
    EMBER_CUDA_CHECK(cudaEventCreateWithFlags(&b.done, cudaEventDisableTiming));
    buffers->push_back(b);
    pick = &buffers->back();
  }
  std::memcpy(pick->ptr, host, nbytes);
  EMBER_CUDA_CHECK(cudaMemcpyAsync(dev, pick->ptr, nbytes, cudaMemcpyHostToDevice, stream));
  EMBER_CUDA_CHECK(cudaEventRecord(pick->done, stream));
}

}  // namespace ember::backend::cuda

namespace ember::cuda {
namespace be = ::ember::backend::cuda;

MemoryStats memory_stats(int device) {
  const int d = detail::resolve_device(Device(kCUDA, device)).index();
  auto s = be::allocator_for(d).stats();
  MemoryStats r;
  r.allocated = s.allocated;
  r.requested = s.requested;
  r.reserved = s.reserved;
  r.peak_allocated = s.peak_allocated;
  r.peak_reserved = s.peak_reserved;
  r.num_device_allocs = s.num_device_allocs;
  r.num_device_frees = s.num_device_frees;
  r.num_alloc_retries = s.num_alloc_retries;
  r.num_ooms = s.num_ooms;
  return r;
}

namespace detail {
void record_stream(void* data, const CUDAStream& stream) {
  be::allocator_for(stream.device_index())
      .record_stream(data, reinterpret_cast<::ember::backend::caching::StreamId>(stream.stream()));
}
}  // namespace detail

void reset_peak_memory_stats(int device) {
  const int d = detail::resolve_device(Device(kCUDA, device)).index();
  be::allocator_for(d).reset_peak_stats();
}

void empty_cache() {
  for (int d = 0; d < device_count(); ++d) {
    DeviceGuard g(Device(kCUDA, d));
    // Queued kernels may still use blocks freed on the host side: finish them first.
    EMBER_CUDA_CHECK(cudaDeviceSynchronize());
    be::allocator_for(d).empty_cache();
  }
}

}  // namespace ember::cuda
