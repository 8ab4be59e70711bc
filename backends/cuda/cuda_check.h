#pragma once
// Every CUDA runtime and cuBLAS call is checked: a failure becomes an ember::Error naming
// the call and the status string, never an abort.
#include <cuda_runtime_api.h>

#include "ember/errors.h"

namespace ember::backend::cuda {
[[noreturn]] void raise_cuda_error(cudaError_t status, const char* call, const char* file, int line);
[[noreturn]] void raise_cublas_error(int status, const char* call, const char* file, int line);
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

/// Checks the launch of the kernel just queued (configuration errors surface here).
#define EMBER_CUDA_CHECK_LAUNCH() EMBER_CUDA_CHECK(cudaGetLastError())
