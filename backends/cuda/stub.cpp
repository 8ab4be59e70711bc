// ember::cuda for builds without the CUDA backend: nothing is available, and anything
// that needs a device says that ember was built without CUDA.
#include "backends/backend.h"
#include "ember/cuda.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {
[[noreturn]] void no_cuda(const char* what) {
  ::ember::detail::throw_error<DeviceError>(what, "ember was built without CUDA support, so no CUDA device is "
                                         "available (configure with -DEMBER_CUDA=ON on a machine with nvcc)");
}
}  // namespace

bool is_available() { return false; }
int64_t device_count() { return 0; }
void synchronize(int64_t) { no_cuda("cuda::synchronize"); }
int current_device() { no_cuda("cuda::current_device"); }
void set_device(int) { no_cuda("cuda::set_device"); }
void CUDAStream::synchronize() const { no_cuda("CUDAStream::synchronize"); }
bool CUDAStream::query() const { no_cuda("CUDAStream::query"); }
CUDAStream getCurrentCUDAStream(int) { no_cuda("cuda::getCurrentCUDAStream"); }
CUDAStream getDefaultCUDAStream(int) { no_cuda("cuda::getDefaultCUDAStream"); }
CUDAStream getStreamFromPool(bool, int) { no_cuda("cuda::getStreamFromPool"); }
void setCurrentCUDAStream(CUDAStream) { no_cuda("cuda::setCurrentCUDAStream"); }
CUDAStreamGuard::CUDAStreamGuard(CUDAStream s) : prev_stream_(s), prev_device_(-1) {
  no_cuda("cuda::CUDAStreamGuard");
}
CUDAStreamGuard::~CUDAStreamGuard() = default;
DeviceGuard::DeviceGuard(Device device) {
  if (device.is_cuda()) no_cuda("cuda::DeviceGuard");
}
DeviceGuard::~DeviceGuard() = default;
MemoryStats memory_stats(int) { no_cuda("cuda::memory_stats"); }
void reset_peak_memory_stats(int) { no_cuda("cuda::reset_peak_memory_stats"); }
void empty_cache() {}
void set_allow_tf32_cublas(bool) {}
bool allow_tf32_cublas() { return false; }
bool cudnn_is_available() { return false; }
void set_cudnn_enabled(bool) {}
bool cudnn_enabled() { return false; }
void set_allow_tf32_cudnn(bool) {}
bool allow_tf32_cudnn() { return false; }
void set_cudnn_deterministic(bool) {}
bool cudnn_deterministic() { return false; }

namespace detail {
Device resolve_device(Device device) {
  if (device.is_cuda()) no_cuda("cuda");
  return device;
}
void record_stream(void*, const CUDAStream&) { no_cuda("record_stream"); }
}  // namespace detail
}  // namespace ember::cuda

namespace ember::backend {
Backend* cuda_backend() { return nullptr; }
}  // namespace ember::backend
