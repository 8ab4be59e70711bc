// Devices, streams and guards of the CUDA backend, its error reporting, and its entry in
// the backend table.
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/cuda_check.h"
#include "ember/cuda.h"

namespace ember::backend::cuda {

void raise_cuda_error(cudaError_t status, const char* call, const char* file, int line) {
  (void)cudaGetLastError();  // clear a non-sticky error so later calls are not blamed
  ::ember::detail::throw_error<Error>("cuda", call, " failed: ", cudaGetErrorName(status), ": ",
                                      cudaGetErrorString(status), " (", file, ":", line, ")");
}

namespace {
constexpr int kMaxDevices = 64;
constexpr int kPoolSize = 4;

struct DeviceTable {
  int count = 0;
  std::string why_none;  // cudaGetDeviceCount's error when count == 0
  int sm_count[kMaxDevices] = {};
  std::mutex pool_mutex;
  std::vector<cudaStream_t> pool[kMaxDevices][2];
  std::atomic<unsigned> next[kMaxDevices][2] = {};
};

DeviceTable& table() {
  // Leaked: tensors in static storage may be freed after other statics are gone.
  static DeviceTable* t = [] {
    auto* d = new DeviceTable;
    int n = 0;
    cudaError_t st = cudaGetDeviceCount(&n);
    if (st != cudaSuccess) {
      d->why_none = std::string(cudaGetErrorName(st)) + ": " + cudaGetErrorString(st);
      (void)cudaGetLastError();
      n = 0;
    } else if (n == 0) {
      d->why_none = "cudaGetDeviceCount reports 0 devices";
    }
    d->count = n < kMaxDevices ? n : kMaxDevices;
    for (int i = 0; i < d->count; ++i) {
      int sms = 1;
      if (cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, i) == cudaSuccess) d->sm_count[i] = sms;
      else d->sm_count[i] = 1;
    }
    return d;
  }();
  return *t;
}

thread_local cudaStream_t tls_stream[kMaxDevices] = {};

int checked_index(int device) {
  if (device < 0) device = device_index();
  EMBER_CHECK(device < table().count, DeviceError, "cuda", "CUDA device index ", device,
              " is out of range: this machine has ", table().count, " CUDA device(s)");
  return device;
}

}  // namespace

}  // namespace ember::backend::cuda

namespace ember::backend {
Backend* cuda_backend() {
  static cuda::CudaBackend b;
  return &b;
}
}  // namespace ember::backend

namespace ember::backend::cuda {

int device_index() {
  int d = 0;
  EMBER_CUDA_CHECK(cudaGetDevice(&d));
  return d;
}
cudaStream_t current_stream() { return tls_stream[device_index()]; }
int sm_count() { return table().sm_count[device_index()]; }

int CudaBackend::enter_device(Device device) {
  const int current = device_index();
  if (device.index() < 0 || device.index() == current) return -1;
  EMBER_CUDA_CHECK(cudaSetDevice(device.index()));
  return current;
}

void CudaBackend::leave_device(int previous) noexcept {
  if (cudaSetDevice(previous) != cudaSuccess) (void)cudaGetLastError();
}

void CudaBackend::synchronize() { EMBER_CUDA_CHECK(cudaStreamSynchronize(current_stream())); }

}  // namespace ember::backend::cuda

namespace ember::cuda {
namespace be = ::ember::backend::cuda;

bool is_available() { return be::table().count > 0; }
int64_t device_count() { return be::table().count; }

void synchronize(int64_t device_index) {
  Device d = detail::resolve_device(Device(kCUDA, static_cast<int>(device_index)));
  DeviceGuard g(d);
  EMBER_CUDA_CHECK(cudaDeviceSynchronize());
}

int current_device() {
  (void)detail::resolve_device(Device(kCUDA));
  return be::device_index();
}
void set_device(int device) {
  Device d = detail::resolve_device(Device(kCUDA, device));
  EMBER_CUDA_CHECK(cudaSetDevice(d.index()));
}

void CUDAStream::synchronize() const {
  DeviceGuard g(device());
  EMBER_CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(stream_)));
}
bool CUDAStream::query() const {
  DeviceGuard g(device());
  return EMBER_CUDA_QUERY(cudaStreamQuery(static_cast<cudaStream_t>(stream_)));
}

CUDAStream getCurrentCUDAStream(int device) {
  int d = detail::resolve_device(Device(kCUDA, device)).index();
  return CUDAStream(be::tls_stream[d], d);
}
CUDAStream getDefaultCUDAStream(int device) {
  int d = detail::resolve_device(Device(kCUDA, device)).index();
  return CUDAStream(nullptr, d);
}
CUDAStream getStreamFromPool(bool high_priority, int device) {
  int d = detail::resolve_device(Device(kCUDA, device)).index();
  auto& t = be::table();
  const int pr = high_priority ? 1 : 0;
  std::lock_guard<std::mutex> lock(t.pool_mutex);
  auto& pool = t.pool[d][pr];
  if (pool.empty()) {
    // Built aside and installed whole, so a failed creation leaves no short pool behind.
    DeviceGuard g(Device(kCUDA, d));
    int least = 0, greatest = 0;
    EMBER_CUDA_CHECK(cudaDeviceGetStreamPriorityRange(&least, &greatest));
    std::vector<cudaStream_t> created;
    for (int i = 0; i < be::kPoolSize; ++i) {
      cudaStream_t s;
      const cudaError_t st = cudaStreamCreateWithPriority(&s, cudaStreamNonBlocking, pr ? greatest : least);
      if (st != cudaSuccess) {
        for (cudaStream_t c : created) (void)cudaStreamDestroy(c);
        EMBER_CUDA_CHECK(st);
      }
      created.push_back(s);
    }
    pool = std::move(created);
  }
  const unsigned i = t.next[d][pr].fetch_add(1) % be::kPoolSize;
  return CUDAStream(pool[i], d);
}
void setCurrentCUDAStream(CUDAStream stream) {
  be::tls_stream[be::checked_index(stream.device_index())] = static_cast<cudaStream_t>(stream.stream());
}

CUDAStreamGuard::CUDAStreamGuard(CUDAStream stream)
    : prev_stream_(getCurrentCUDAStream(stream.device_index())), prev_device_(be::device_index()) {
  EMBER_CUDA_CHECK(cudaSetDevice(stream.device_index()));
  setCurrentCUDAStream(stream);
}
CUDAStreamGuard::~CUDAStreamGuard() {
  be::tls_stream[prev_stream_.device_index()] = static_cast<cudaStream_t>(prev_stream_.stream());
  (void)cudaSetDevice(prev_device_);
}

DeviceGuard::DeviceGuard(Device device) {
  if (!device.is_cuda()) return;
  Device d = detail::resolve_device(device);
  prev_device_ = be::device_index();
  if (prev_device_ != d.index()) EMBER_CUDA_CHECK(cudaSetDevice(d.index()));
}
DeviceGuard::~DeviceGuard() {
  if (prev_device_ >= 0) (void)cudaSetDevice(prev_device_);
}

namespace detail {
Device resolve_device(Device device) {
  if (!device.is_cuda()) return device;
  auto& t = be::table();
  EMBER_CHECK(t.count > 0, DeviceError, "cuda", "no CUDA device is available (", t.why_none,
              "); ember was built with CUDA support but cannot create tensors on ", device);
  const int idx = device.has_index() ? device.index() : be::device_index();
  EMBER_CHECK(idx < t.count, DeviceError, "cuda", "device ", device, " does not exist: this machine has ",
              t.count, " CUDA device(s)");
  return Device(kCUDA, idx);
}
}  // namespace detail

}  // namespace ember::cuda
