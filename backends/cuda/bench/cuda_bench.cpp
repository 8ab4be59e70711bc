// GPU benchmark of the CUDA backend against the hardware's own references (DESIGN §7):
//   gemm: ember mm of 4096x4096 float32 vs cublasSgemm called directly (target >= 0.95)
//   gemm: ember mm of 4096x4096 float16 vs cublasGemmEx (fp16 operands, fp32 compute)
//         called directly (target >= 0.95)
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
  const double tflops = 2.0 * n * n * n / (ember_gemm * 1e-3) / 1e12;
  const double gemm_ratio = cublas_gemm / ember_gemm;
  std::printf("gemm 4096 f32: ember %.3f ms (%.1f TFLOP/s), cublas %.3f ms, ratio %.3f (target >= 0.95)\n",
              ember_gemm, tflops, cublas_gemm, gemm_ratio);

  // GEMM 4096 float16: tensor cores with float accumulation on both sides.
  ember::Tensor ah = a.to(ember::kHalf), bh = b.to(ember::kHalf);
  ember::Tensor ch = ember::empty({n, n}, on.dtype(ember::kHalf));
  double ember_gemm16 = time_ms([&] { ch = ah.mm(bh); }, 20);
  const void* pah = ah.data_ptr();
  const void* pbh = bh.data_ptr();
  void* pch = ch.data_ptr();
  double cublas_gemm16 = time_ms([&] {
    cublasGemmEx(h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, pbh, CUDA_R_16F, n, pah, CUDA_R_16F, n, &zero, pch,
                 CUDA_R_16F, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
  }, 20);
  cublasDestroy(h);
  const double tflops16 = 2.0 * n * n * n / (ember_gemm16 * 1e-3) / 1e12;
  const double gemm16_ratio = cublas_gemm16 / ember_gemm16;
  std::printf("gemm 4096 f16: ember %.3f ms (%.1f TFLOP/s), cublas %.3f ms, ratio %.3f (target >= 0.95)\n",
              ember_gemm16, tflops16, cublas_gemm16, gemm16_ratio);
  ah = ember::Tensor();
  bh = ember::Tensor();
  ch = ember::Tensor();

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
  const bool ok = gemm_ratio >= 0.95 && gemm16_ratio >= 0.95 && add_ratio >= 0.80;
  std::printf("cuda_bench: gemm %.3f of cuBLAS, gemm f16 %.3f of cuBLAS, add %.3f of copy bandwidth: %s\n",
              gemm_ratio, gemm16_ratio, add_ratio, ok ? "targets met" : "BELOW TARGET");
  return 0;
}
