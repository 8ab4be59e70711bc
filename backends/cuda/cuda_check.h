#pragma once
// Every CUDA runtime and cuBLAS call is checked: a failure becomes an ember::Error naming
// the call and the status string, never an abort.
#include <cuda_runtime_api.h>

#include "ember/errors.h"

namespace ember::backend::cuda {
[[noreturn]] void raise_cuda_error(cudaError_t status, const char* call, const char* file, int line);
[[noreturn]] void raise_cublas_error(int status, const char* call, const char* file, int line);

/// For cudaEventQuery/cudaStreamQuery/cudaEventSynchronize statuses: true when the work is
/// done, false while it still runs (the not-ready status is cleared); others raise.
inline bool query_done(cudaError_t status, const char* call, const char* file, int line) {
  if (status == cudaErrorNotReady) {
    (void)cudaGetLastError();
    return false;
  }
  if (status != cudaSuccess) raise_cuda_error(status, call, file, line);
  return true;
}
}  // namespace ember::backend::cuda

/// Raises ember::Error naming `call` and cudaGetErrorString of its status on failure.
#define EMBER_CUDA_CHECK(call)                                                      \
  do {                                                                              \
    const cudaError_t ember_status_ = (call);                                       \
    if (ember_status_ != cudaSuccess) [[unlikely]]                                  \
      ::ember::backend::cuda::raise_cuda_error(ember_status_, #call, __FILE__, __LINE__); \
  } while (0)

/// The same for cuBLAS calls (cublasStatus_t).
#define EMBER_CUBLAS_CHECK(call)                                                    \
  do {                                                                              \
    const int ember_status_ = static_cast<int>(call);                               \
    if (ember_status_ != 0) [[unlikely]]                                            \
      ::ember::backend::cuda::raise_cublas_error(ember_status_, #call, __FILE__, __LINE__); \
  } while (0)

/// Whether the work a query call asks about is done (query_done), naming `call` on failure.
#define EMBER_CUDA_QUERY(call) ::ember::backend::cuda::query_done((call), #call, __FILE__, __LINE__)

/// Checks the launch of the kernel just queued (configuration errors surface here).
#define EMBER_CUDA_CHECK_LAUNCH() EMBER_CUDA_CHECK(cudaGetLastError())
