#pragma once
// CUDA devices, streams and memory (libtorch's torch::cuda and c10::cuda spellings).
// Every function exists in every build: without the CUDA backend is_available() is false,
// device_count() is 0 and the rest raise DeviceError saying ember was built without CUDA.
#include <cstdint>

#include "ember/device.h"

namespace ember::cuda {

/// True when ember was built with CUDA and at least one CUDA device is present.
bool is_available();
/// Number of CUDA devices (0 without CUDA or without a device).
int64_t device_count();
/// Waits for all work on every stream of a device (the current one for -1).
void synchronize(int64_t device_index = -1);
/// The calling thread's current device index.
int current_device();
/// Makes `device` the calling thread's current device.
void set_device(int device);

/// A CUDA stream of one device (a handle; copies refer to the same stream).
class CUDAStream {
 public:
  CUDAStream(void* stream, int device) : stream_(stream), device_(device) {}
  /// The cudaStream_t, as void* (nullptr is the legacy default stream).
  void* stream() const { return stream_; }
  Device device() const { return Device(kCUDA, device_); }
  int device_index() const { return device_; }
  /// Waits until the work queued on this stream is done.
  void synchronize() const;
  /// True when the work queued on this stream is done.
  bool query() const;
  bool operator==(const CUDAStream& o) const { return stream_ == o.stream_ && device_ == o.device_; }
  bool operator!=(const CUDAStream& o) const { return !(*this == o); }

 private:
  void* stream_;
  int device_;
};

/// The calling thread's current stream on a device (-1: the current device).
CUDAStream getCurrentCUDAStream(int device = -1);
/// The device's default stream.
CUDAStream getDefaultCUDAStream(int device = -1);
/// A stream from the device's pool of non-blocking streams (round robin).
CUDAStream getStreamFromPool(bool high_priority = false, int device = -1);
/// Makes `stream` the calling thread's current stream on its device.
void setCurrentCUDAStream(CUDAStream stream);

/// Makes a stream (and its device) current for a scope, restoring both on exit.
class CUDAStreamGuard {
 public:
  explicit CUDAStreamGuard(CUDAStream stream);
  ~CUDAStreamGuard();
  CUDAStreamGuard(const CUDAStreamGuard&) = delete;
  CUDAStreamGuard& operator=(const CUDAStreamGuard&) = delete;

 private:
  CUDAStream prev_stream_;
  int prev_device_;
};

/// Makes a CUDA device current for a scope (a CPU device leaves the current one alone).
class DeviceGuard {
 public:
  explicit DeviceGuard(Device device);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int prev_device_ = -1;
};

/// Figures of a device's caching allocator, in bytes unless stated.
struct MemoryStats {
  int64_t allocated = 0;          // held by tensors (rounded block sizes)
  int64_t requested = 0;          // the sizes tensors asked for
  int64_t reserved = 0;           // taken from the device (allocated + cached)
  int64_t peak_allocated = 0;
  int64_t peak_reserved = 0;
  int64_t num_device_allocs = 0;  // cudaMalloc calls
  int64_t num_device_frees = 0;   // cudaFree calls
  int64_t num_alloc_retries = 0;  // requests that emptied the cache and retried
  int64_t num_ooms = 0;
};
/// The caching allocator's figures for a device (-1: the current one).
MemoryStats memory_stats(int device = -1);
/// Resets the peaks to the current figures.
void reset_peak_memory_stats(int device = -1);
/// Returns every cached, unused segment of every device to the driver.
void empty_cache();

/// Whether cuBLAS may use TF32 tensor cores for float32 GEMM (off by default, as
/// libtorch's allow_tf32 for matmul).
void set_allow_tf32_cublas(bool allow);
bool allow_tf32_cublas();

/// True when ember was built with cuDNN and a CUDA device is present (libtorch's
/// torch::cuda::cudnn_is_available).
bool cudnn_is_available();
/// Whether convolutions on CUDA may run on cuDNN (on by default; off runs them as
/// im2col + cuBLAS GEMM), as libtorch's setUserEnabledCuDNN.
void set_cudnn_enabled(bool enabled);
bool cudnn_enabled();
/// Whether cuDNN may use TF32 tensor cores for float32 convolutions. Off by default, as
/// for cuBLAS, so CUDA results match the CPU's to float tolerance (libtorch's
/// allow_tf32 for cuDNN defaults to on).
void set_allow_tf32_cudnn(bool allow);
bool allow_tf32_cudnn();
/// Whether convolutions on cuDNN use deterministic algorithms only (off by default), as
/// libtorch's setDeterministicCuDNN; ember::use_deterministic_algorithms(true) implies it.
void set_cudnn_deterministic(bool deterministic);
bool cudnn_deterministic();

namespace detail {
/// `device` with its index resolved (the current device when it has none); raises
/// DeviceError when ember has no CUDA support or the device does not exist.
Device resolve_device(Device device);
/// The caching allocator's record_stream for the block at `data` on `stream`'s device.
void record_stream(void* data, const CUDAStream& stream);
}  // namespace detail

}  // namespace ember::cuda
