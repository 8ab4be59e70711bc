// GEMM on cuBLAS: float, double, Half and BFloat16, strided-batched, on the current
// stream. Row-major C = op(A) op(B) is computed as column-major C^T = op(B)^T op(A)^T, so
// no data moves. TF32 tensor-core math for float is off unless
// ember::cuda::set_allow_tf32_cublas(true). The 16-bit types multiply on tensor cores with
// float accumulation (CUBLAS_COMPUTE_32F, float alpha and beta) and round C once, as
// libtorch's CUDA matmul does.
#include <cublas_v2.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "backends/common/cublas_workspace.h"
#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/cuda_check.h"
#include "ember/cuda.h"

namespace ember::backend::cuda {

void raise_cublas_error(int status, const char* call, const char* file, int line) {
  ::ember::detail::throw_error<Error>("cuda", call, " failed: ",
                                      cublasGetStatusString(static_cast<cublasStatus_t>(status)), " (status ",
                                      status, ", ", file, ":", line, ")");
}

namespace {
std::atomic<bool> g_allow_tf32{false};

size_t workspace_bytes(int device) {
  static std::mutex m;
  static std::vector<size_t> bytes;  // per device; SIZE_MAX: not yet read
  std::lock_guard<std::mutex> lock(m);
  if (static_cast<int>(bytes.size()) <= device) bytes.resize(device + 1, SIZE_MAX);
  if (bytes[device] == SIZE_MAX) {
    int major = 0;
    EMBER_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device));
    bytes[device] = cublas_workspace_bytes(std::getenv("CUBLAS_WORKSPACE_CONFIG"), major);
  }
  return bytes[device];
}

// One handle per device and thread (cuBLAS handles are not meant to be shared between
// threads that use different streams at the same time).
cublasHandle_t handle() {
  thread_local std::vector<cublasHandle_t> handles;
  const int d = device_index();
  if (static_cast<int>(handles.size()) <= d) handles.resize(d + 1, nullptr);
  if (!handles[d]) EMBER_CUBLAS_CHECK(cublasCreate(&handles[d]));
  cublasHandle_t h = handles[d];
  const cudaStream_t stream = current_stream();
  EMBER_CUBLAS_CHECK(cublasSetStream(h, stream));
  // cublasSetStream resets the handle to cuBLAS's shared default workspace; one workspace per
  // (handle, stream) keeps GEMM bit-wise reproducible when several streams run at once.
  // A configured size of 0 leaves cuBLAS's own (then empty) pool.
  if (const size_t bytes = workspace_bytes(d)) {
    thread_local std::map<std::pair<cublasHandle_t, cudaStream_t>, std::unique_ptr<Scratch>> workspaces;
    std::unique_ptr<Scratch>& ws = workspaces[{h, stream}];
    if (!ws) ws = std::make_unique<Scratch>(bytes);
    EMBER_CUBLAS_CHECK(cublasSetWorkspace(h, ws->get(), ws->size()));
  }
  EMBER_CUBLAS_CHECK(cublasSetMathMode(h, g_allow_tf32.load(std::memory_order_relaxed) ? CUBLAS_TF32_TENSOR_OP_MATH
                                                                                       : CUBLAS_DEFAULT_MATH));
  return h;
}

int to_int(int64_t v, const char* what) {
  EMBER_CHECK(v <= 2147483647, NotImplementedError, "mm", what, " = ", v, " exceeds cuBLAS's 32-bit sizes");
  return static_cast<int>(v);
}
}  // namespace

void CudaBackend::gemm(const GemmArgs& g) {
  const bool half = g.dtype == kHalf || g.dtype == kBFloat16;
  EMBER_CHECK(g.dtype == kFloat || g.dtype == kDouble || half, DTypeError, "mm", "\"addmm_cuda\" not implemented for '",
              g.dtype, "' (CUDA matmul supports Float, Double, Half and BFloat16)");
  if (g.m == 0 || g.n == 0 || g.batch == 0) return;
  cublasHandle_t h = handle();
  const cublasOperation_t opb = g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t opa = g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int m = to_int(g.m, "m"), n = to_int(g.n, "n"), k = to_int(g.k, "k");
  const int lda = to_int(g.lda, "lda"), ldb = to_int(g.ldb, "ldb"), ldc = to_int(g.ldc, "ldc");
  const int batch = to_int(g.batch, "batch");
  if (half) {
    const cudaDataType_t type = g.dtype == kHalf ? CUDA_R_16F : CUDA_R_16BF;
    const float alpha = static_cast<float>(g.alpha), beta = static_cast<float>(g.beta);
    EMBER_CUBLAS_CHECK(cublasGemmStridedBatchedEx(h, opb, opa, n, m, k, &alpha, g.b, type, ldb, g.stride_b, g.a, type,
                                                  lda, g.stride_a, &beta, g.c, type, ldc, g.stride_c, batch,
                                                  CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  } else if (g.dtype == kFloat) {
    const float alpha = static_cast<float>(g.alpha), beta = static_cast<float>(g.beta);
    EMBER_CUBLAS_CHECK(cublasSgemmStridedBatched(h, opb, opa, n, m, k, &alpha, static_cast<const float*>(g.b), ldb,
                                                 g.stride_b, static_cast<const float*>(g.a), lda, g.stride_a, &beta,
                                                 static_cast<float*>(g.c), ldc, g.stride_c, batch));
  } else {
    EMBER_CUBLAS_CHECK(cublasDgemmStridedBatched(h, opb, opa, n, m, k, &g.alpha, static_cast<const double*>(g.b), ldb,
                                                 g.stride_b, static_cast<const double*>(g.a), lda, g.stride_a, &g.beta,
                                                 static_cast<double*>(g.c), ldc, g.stride_c, batch));
  }
}

}  // namespace ember::backend::cuda

namespace ember::cuda {
void set_allow_tf32_cublas(bool allow) { ::ember::backend::cuda::g_allow_tf32.store(allow); }
bool allow_tf32_cublas() { return ::ember::backend::cuda::g_allow_tf32.load(); }
}  // namespace ember::cuda
