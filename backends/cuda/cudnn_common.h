#pragma once
// What the cuDNN users of the CUDA backend share (cudnn_conv.cpp, cudnn_batch_norm.cpp):
// the status check that raises ember::Error, the per-thread handle on the current stream,
// the dtype mapping and an NCHW tensor descriptor. Empty in builds without cuDNN.
#include <cstdint>

#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/cuda_check.h"

#if EMBER_HAVE_CUDNN
#include <cudnn.h>

namespace ember::backend::cuda {

/// Raises ember::Error naming the call, cudnnGetErrorString and the status.
[[noreturn]] void raise_cudnn_error(cudnnStatus_t status, const char* call, const char* file, int line);

#define EMBER_CUDNN_CHECK(call)                                                            \
  do {                                                                                     \
    const cudnnStatus_t ember_status_ = (call);                                            \
    if (ember_status_ != CUDNN_STATUS_SUCCESS) [[unlikely]]                                \
      ::ember::backend::cuda::raise_cudnn_error(ember_status_, #call, __FILE__, __LINE__); \
  } while (0)

/// The calling thread's cuDNN handle for the current device, on the current stream.
cudnnHandle_t cudnn_handle();

/// cuDNN's data type for t; false for dtypes cuDNN does not take.
bool cudnn_data_type(ScalarType t, cudnnDataType_t& out);

/// An NCHW tensor descriptor of sizes s (each must fit int).
struct TensorDesc {
  cudnnTensorDescriptor_t d = nullptr;
  TensorDesc(cudnnDataType_t t, const int64_t (&s)[4]);
  TensorDesc() { EMBER_CUDNN_CHECK(cudnnCreateTensorDescriptor(&d)); }
  ~TensorDesc() { cudnnDestroyTensorDescriptor(d); }
  TensorDesc(const TensorDesc&) = delete;
  TensorDesc& operator=(const TensorDesc&) = delete;
};

}  // namespace ember::backend::cuda
#endif
