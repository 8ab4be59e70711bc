// CUDA activation kernels (forward and first-order backward): the formulas of
// backends/common/activation_ops.h over the elementwise launcher, float and double.
#include "backends/common/activation_ops.h"
#include "backends/cuda/loops.cuh"

namespace ember::backend::cuda {
namespace {

template <class T>
struct ActivationKernel {
  T* out;
  const T* in;
  math::Activation<T> f;
  __device__ void operator()(int64_t o, int64_t i) const { out[o] = f.forward(in[i]); }
  __device__ void operator()(const int64_t* off) const { out[off[0]] = f.forward(in[off[1]]); }
};

template <class T>
struct ActivationBackwardKernel {
  T* grad_in;
  const T* grad;
  const T* in;
  math::Activation<T> f;
  __device__ void operator()(int64_t o, int64_t i) const { grad_in[o] = f.backward(grad[i], in[i]); }
  __device__ void operator()(const int64_t* off) const {
    grad_in[off[0]] = f.backward(grad[off[1]], in[off[2]]);
  }
};

template <class T>
math::Activation<T> make(Backend::ActivationOp op, const Backend::ActivationParams& p) {
  return {op, static_cast<T>(p.a), static_cast<T>(p.b), static_cast<T>(p.c)};
}

}  // namespace

void CudaBackend::activation(ActivationOp op, const TensorArg& in, const TensorArg& out,
                             const ActivationParams& params) {
  dispatch_floating(in.dtype, "activation", [&](auto t) {
    using T = decltype(t);
    launch_elementwise<2>({&out, &in}, ActivationKernel<T>{static_cast<T*>(out.data), static_cast<const T*>(in.data),
                                                           make<T>(op, params)});
  });
}

void CudaBackend::activation_backward(ActivationOp op, const TensorArg& grad, const TensorArg& in,
                                      const TensorArg& grad_in, const ActivationParams& params) {
  dispatch_floating(in.dtype, "activation_backward", [&](auto t) {
    using T = decltype(t);
    launch_elementwise<3>({&grad_in, &grad, &in},
                          ActivationBackwardKernel<T>{static_cast<T*>(grad_in.data), static_cast<const T*>(grad.data),
                                                      static_cast<const T*>(in.data), make<T>(op, params)});
  });
}

}  // namespace ember::backend::cuda
