// Copies between the host and CUDA devices, and between two devices. The bytes move with
// cudaMemcpyAsync on the current stream in the source's dtype; dtype conversion, strides
// and broadcasting are done by the device's copy kernel (or the CPU's) on a contiguous
// staging tensor on whichever side needs it.
#include <memory>
#include <vector>

#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/cuda_check.h"
#include "ember/cuda.h"

namespace ember::backend::cuda {
namespace {

// A contiguous operand over memory the caller owns.
struct Dense {
  std::vector<int64_t> sizes, strides;
  TensorArg arg;
  Dense(const TensorArg& like, ScalarType dtype, void* data) : sizes(like.sizes, like.sizes + like.ndim) {
    strides.resize(sizes.size());
    int64_t acc = 1;
    for (size_t i = sizes.size(); i-- > 0;) {
      strides[i] = acc;
      acc *= sizes[i] > 1 ? sizes[i] : 1;
    }
    arg = TensorArg{data, dtype, like.ndim, sizes.data(), strides.data(), like.numel, true};
  }
};

size_t nbytes_of(const TensorArg& t, ScalarType dtype) { return static_cast<size_t>(t.numel) * element_size(dtype); }
bool dense_same_type(const TensorArg& s, const TensorArg& d) { return s.contiguous && d.contiguous && s.dtype == d.dtype; }

Backend& cpu() { return backend_for(Device(kCPU)); }

// Host bytes of `src` (already dense, in src's dtype) to device memory `dst_dev`.
void host_to_device(const void* host, void* dev, size_t n, bool non_blocking) {
  cudaStream_t s = current_stream();
  if (non_blocking) return copy_through_pinned(dev, host, n, s);
  // CUDA does not promise that an async copy from pageable memory has read it on return,
  // and the caller may free `host` next: wait, as libtorch's blocking copy does.
  EMBER_CUDA_CHECK(cudaMemcpyAsync(dev, host, n, cudaMemcpyHostToDevice, s));
  EMBER_CUDA_CHECK(cudaStreamSynchronize(s));
}

void device_to_host(const void* dev, void* host, size_t n) {
  cudaStream_t s = current_stream();
  EMBER_CUDA_CHECK(cudaMemcpyAsync(host, dev, n, cudaMemcpyDeviceToHost, s));
  EMBER_CUDA_CHECK(cudaStreamSynchronize(s));
}

}  // namespace

void CudaBackend::copy_between(const TensorArg& src, Device src_device, const TensorArg& dst, Device dst_device,
                               bool non_blocking) {
  if (dst.numel == 0) return;
  if (src_device.is_cpu()) {  // host -> device
    ::ember::cuda::DeviceGuard g(dst_device);
    if (dense_same_type(src, dst)) return host_to_device(src.data, dst.data, nbytes_of(dst, dst.dtype), non_blocking);
    // Densify on the host in src's dtype (fewer bytes to move than a wider dst dtype
    // would be; broadcasting expands here), then convert and scatter on the device.
    std::unique_ptr<char[]> host;
    const void* bytes = src.data;
    if (!src.contiguous || src.numel != dst.numel) {
      host.reset(new char[nbytes_of(dst, src.dtype)]);
      Dense h(dst, src.dtype, host.get());
      cpu().copy(src, h.arg);
      bytes = host.get();
    }
    Scratch tmp(nbytes_of(dst, src.dtype));
    host_to_device(bytes, tmp.get(), nbytes_of(dst, src.dtype), non_blocking);
    Dense d(dst, src.dtype, tmp.get());
    copy(d.arg, dst);
    return;
  }
  if (dst_device.is_cpu()) {  // device -> host
    ::ember::cuda::DeviceGuard g(src_device);
    if (dense_same_type(src, dst) && src.numel == dst.numel)
      return device_to_host(src.data, dst.data, nbytes_of(dst, dst.dtype));
    // Convert and gather on the device into dst's dtype, then place on the host.
    Scratch tmp(nbytes_of(dst, dst.dtype));
    Dense d(dst, dst.dtype, tmp.get());
    copy(src, d.arg);
    if (dst.contiguous) return device_to_host(tmp.get(), dst.data, nbytes_of(dst, dst.dtype));
    std::unique_ptr<char[]> host(new char[nbytes_of(dst, dst.dtype)]);
    device_to_host(tmp.get(), host.get(), nbytes_of(dst, dst.dtype));
    Dense h(dst, dst.dtype, host.get());
    cpu().copy(h.arg, dst);
    return;
  }
  // device -> another device: dense in dst's dtype on the source device, peer copy, then
  // scatter on the destination device.
  const size_t n = nbytes_of(dst, dst.dtype);
  std::unique_ptr<Scratch> staged;
  const void* from = src.data;
  {
    ::ember::cuda::DeviceGuard g(src_device);
    if (!(dense_same_type(src, dst) && src.numel == dst.numel)) {
      staged = std::make_unique<Scratch>(n);
      Dense d(dst, dst.dtype, staged->get());
      copy(src, d.arg);
      from = staged->get();
    }
    // The destination's stream must not start before the source's work is done.
    EMBER_CUDA_CHECK(cudaStreamSynchronize(current_stream()));
  }
  ::ember::cuda::DeviceGuard g(dst_device);
  if (dst.contiguous) {
    EMBER_CUDA_CHECK(cudaMemcpyPeerAsync(dst.data, dst_device.index(), from, src_device.index(), n, current_stream()));
  } else {
    Scratch tmp(n);
    EMBER_CUDA_CHECK(cudaMemcpyPeerAsync(tmp.get(), dst_device.index(), from, src_device.index(), n, current_stream()));
    Dense d(dst, dst.dtype, tmp.get());
    copy(d.arg, dst);
  }
  if (!non_blocking || staged) {
    EMBER_CUDA_CHECK(cudaStreamSynchronize(current_stream()));
    return;
  }
  // Non-blocking: later work of the source's stream (a write to src, or reuse of its block
  // once freed) waits for the peer copy to have read it.
  cudaEvent_t copied;
  EMBER_CUDA_CHECK(cudaEventCreateWithFlags(&copied, cudaEventDisableTiming));
  EMBER_CUDA_CHECK(cudaEventRecord(copied, current_stream()));
  ::ember::cuda::DeviceGuard back(src_device);
  const cudaError_t waited = cudaStreamWaitEvent(current_stream(), copied, 0);
  EMBER_CUDA_CHECK(cudaEventDestroy(copied));  // released once it has completed
  EMBER_CUDA_CHECK(waited);
}

}  // namespace ember::backend::cuda
