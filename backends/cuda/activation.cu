// CUDA activation kernels (forward and first-order backward): the formulas of
// backends/common/activation_ops.h over the elementwise launcher, for float, double, Half
// and BFloat16. The kernels take the storage type T and evaluate the formulas in
// C = opmath_t<T>, so a 16-bit activation is the float formula rounded once.
#include "backends/common/activation_ops.h"
#include "backends/cuda/loops.cuh"

namespace ember::backend::cuda {
namespace {

template <class T>
struct ActivationKernel {
  using C = math::opmath_t<T>;
  T* out;
  const T* in;
  math::Activation<C> f;
  __device__ void operator()(int64_t o, int64_t i) const { out[o] = T(f.forward(C(in[i]))); }
  __device__ void operator()(const int64_t* off) const { out[off[0]] = T(f.forward(C(in[off[1]]))); }
};

template <class T>
struct ActivationBackwardKernel {
  using C = math::opmath_t<T>;
  T* grad_in;
  const T* grad;
  const T* in;
  math::Activation<C> f;
  __device__ void operator()(int64_t o, int64_t i) const { grad_in[o] = T(f.backward(C(grad[i]), C(in[i]))); }
  __device__ void operator()(const int64_t* off) const {
    grad_in[off[0]] = T(f.backward(C(grad[off[1]]), C(in[off[2]])));
  }
};

template <class C>
math::Activation<C> make(Backend::ActivationOp op, const Backend::ActivationParams& p) {
  return {op, static_cast<C>(p.a), static_cast<C>(p.b), static_cast<C>(p.c)};
}

}  // namespace

void CudaBackend::activation(ActivationOp op, const TensorArg& in, const TensorArg& out,
                             const ActivationParams& params) {
  dispatch_floating_with_16bit(in.dtype, "activation", [&](auto t) {
    using T = decltype(t);
    launch_elementwise<2>({&out, &in}, ActivationKernel<T>{static_cast<T*>(out.data), static_cast<const T*>(in.data),
                                                           make<math::opmath_t<T>>(op, params)});
  });
}

void CudaBackend::activation_backward(ActivationOp op, const TensorArg& grad, const TensorArg& in,
                                      const TensorArg& grad_in, const ActivationParams& params) {
  dispatch_floating_with_16bit(in.dtype, "activation_backward", [&](auto t) {
    using T = decltype(t);
    launch_elementwise<3>({&grad_in, &grad, &in},
                          ActivationBackwardKernel<T>{static_cast<T*>(grad_in.data), static_cast<const T*>(grad.data),
                                                      static_cast<const T*>(in.data),
                                                      make<math::opmath_t<T>>(op, params)});
  });
}

}  // namespace ember::backend::cuda
