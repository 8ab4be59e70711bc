// Definitions of cudnn_common.h.
#include "backends/cuda/cudnn_common.h"

#include <vector>

#if EMBER_HAVE_CUDNN
namespace ember::backend::cuda {

void raise_cudnn_error(cudnnStatus_t status, const char* call, const char* file, int line) {
  ::ember::detail::throw_error<Error>("cudnn", call, " failed: ", cudnnGetErrorString(status), " (status ",
                                      static_cast<int>(status), ", ", file, ":", line, ")");
}

// One handle per device and thread, as for cuBLAS.
cudnnHandle_t cudnn_handle() {
  thread_local std::vector<cudnnHandle_t> handles;
  const int d = device_index();
  if (static_cast<int>(handles.size()) <= d) handles.resize(d + 1, nullptr);
  if (!handles[d]) EMBER_CUDNN_CHECK(cudnnCreate(&handles[d]));
  EMBER_CUDNN_CHECK(cudnnSetStream(handles[d], current_stream()));
  return handles[d];
}

bool cudnn_data_type(ScalarType t, cudnnDataType_t& out) {
  switch (t) {
    case kFloat: out = CUDNN_DATA_FLOAT; return true;
    case kDouble: out = CUDNN_DATA_DOUBLE; return true;
    case kHalf: out = CUDNN_DATA_HALF; return true;
    case kBFloat16: out = CUDNN_DATA_BFLOAT16; return true;
    default: return false;
  }
}

TensorDesc::TensorDesc(cudnnDataType_t t, const int64_t (&s)[4]) : TensorDesc() {
  EMBER_CUDNN_CHECK(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, t, static_cast<int>(s[0]), static_cast<int>(s[1]),
                                               static_cast<int>(s[2]), static_cast<int>(s[3])));
}

}  // namespace ember::backend::cuda
#endif
