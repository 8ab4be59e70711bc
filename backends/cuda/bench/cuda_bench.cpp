// GPU benchmark of the CUDA backend against the hardware's own references (DESIGN §7):
//   gemm: ember mm of 4096x4096 float32 vs cublasSgemm called directly (target >= 0.95)
//   add:  ember add of 256M float32 vs cudaMemcpy device-to-device bandwidth (target >= 0.80)
// Prints one line per workload and a final "cuda_bench:" summary line.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <ember/ember.h>

#include <cstdio>
#include <cstdlib>
#include <functional>

namespace {

void check(cudaError_t st, const char* what) {
  if (st != cudaSuccess) {
    std::fprintf(stderr, "%s: %s\n", what, cudaGetErrorString(st));
    std::exit(2);
  }
}

// Median-free simple timing: warm up, then the mean of `iters` runs between two events.
double time_ms(const std::function<void()>& f, int iters) {
  for (int i = 0; i < 3; ++i) f();
  check(cudaDeviceSynchronize(), "sync");
  cudaEvent_t a, b;
  check(cudaEventCreate(&a), "event");
  check(cudaEventCreate(&b), "event");
  check(cudaEventRecord(a, nullptr), "record");
  for (int i = 0; i < iters; ++i) f();
  check(cudaEventRecord(b, nullptr), "record");
  check(cudaEventSynchronize(b), "sync");
  float ms = 0;
  check(cudaEventElapsedTime(&ms, a, b), "elapsed");
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  return ms / iters;
}

}  // namespace

int main() {
  if (!ember::cuda::is_available()) {
    std::printf("cuda_bench: no CUDA device, nothing measured\n");
    return 0;
  }
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, 0), "properties");
  std::printf("device: %s (%d SMs)\n", prop.name, prop.multiProcessorCount);
  auto on = ember::TensorOptions().device(ember::kCUDA);

  // GEMM 4096 float32.
  const int64_t n = 4096;
  ember::Tensor a = ember::randn({n, n}, on), b = ember::randn({n, n}, on);
  ember::Tensor c = ember::empty({n, n}, on);
  double ember_gemm = time_ms([&] { c = a.mm(b); }, 20);
  cublasHandle_t h;
  if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) return 2;
  const float one = 1, zero = 0;
  float* pa = a.data_ptr<float>();
  float* pb = b.data_ptr<float>();
  float* pc = c.data_ptr<float>();
  double cublas_gemm = time_ms([&] {
    cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, pb, n, pa, n, &zero, pc, n);
  }, 20);
  cublasDestroy(h);
  const double tflops = 2.0 * n * n * n / (ember_gemm * 1e-3) / 1e12;
  const double gemm_ratio = cublas_gemm / ember_gemm;
  std::printf("gemm 4096 f32: ember %.3f ms (%.1f TFLOP/s), cublas %.3f ms, ratio %.3f (target >= 0.95)\n",
              ember_gemm, tflops, cublas_gemm, gemm_ratio);

  // add 256M float32 (fresh output each time, from the caching allocator) vs D2D copy.
  const int64_t m = int64_t(256) << 20;
  a = ember::ones({m}, on);
  b = ember::ones({m}, on);
  c = ember::empty({m}, on);
  ember::Tensor out;
  double add_ms = time_ms([&] { out = a + b; }, 10);
  double copy_ms = time_ms([&] {
    check(cudaMemcpyAsync(c.data_ptr<float>(), a.data_ptr<float>(), m * 4, cudaMemcpyDeviceToDevice, nullptr), "copy");
  }, 10);
  const double add_bw = 3.0 * m * 4 / (add_ms * 1e-3) / 1e9, copy_bw = 2.0 * m * 4 / (copy_ms * 1e-3) / 1e9;
  const double add_ratio = add_bw / copy_bw;
  std::printf("add 256M f32: ember %.3f ms (%.0f GB/s), d2d copy %.3f ms (%.0f GB/s), ratio %.3f (target >= 0.80)\n",
              add_ms, add_bw, copy_ms, copy_bw, add_ratio);
  const bool ok = gemm_ratio >= 0.95 && add_ratio >= 0.80;
  std::printf("cuda_bench: gemm %.3f of cuBLAS, add %.3f of copy bandwidth: %s\n", gemm_ratio, add_ratio,
              ok ? "targets met" : "BELOW TARGET");
  return 0;
}
