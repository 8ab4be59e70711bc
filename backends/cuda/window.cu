// Convolution data movement and pooling on CUDA: im2col, col2im, max/average/adaptive
// pooling, the average-pool adjoint and the max-pool index scatter/gather. One thread per
// output element runs the per-element math of backends/common/window_ops.h, which the
// CPU tests check against the CPU backend; col2im and the average-pool adjoint gather
// instead of scattering, so they need no atomics and are deterministic; the max-pool
// scatter is deterministic with deterministic algorithms on (sorted_scatter.cuh). Float, double,
// Half and BFloat16: sums, averages and comparisons run in opmath_t<T> (float for the
// 16-bit types) and round once on store.
#include "backends/common/window_ops.h"
#include "backends/cuda/loops.cuh"
#include "backends/cuda/sorted_scatter.cuh"

namespace ember::backend::cuda {
namespace {

using PoolOp = Backend::PoolOp;
using math::PlaneSizes;

template <class T>
struct Im2col {
  const T* img;
  T* cols;
  PlaneSizes s;
  Backend::Window2d g;
  __device__ void operator()(int64_t k, int64_t) const {
    int64_t r = k;
    const int64_t x = r % s.ow;
    r /= s.ow;
    const int64_t y = r % s.oh;
    r /= s.oh;
    const int64_t j = r % g.kw;
    r /= g.kw;
    const int64_t i = r % g.kh;
    const int64_t plane = r / g.kh;
    cols[k] = math::im2col_at(img + plane * s.h * s.w, s, g, i, j, y, x);
  }
};

template <class T>
struct Col2im {
  const T* cols;
  T* img;
  PlaneSizes s;
  Backend::Window2d g;
  __device__ void operator()(int64_t k, int64_t) const {
    const int64_t ix = k % s.w, iy = (k / s.w) % s.h, plane = k / (s.w * s.h);
    img[k] = T(math::col2im_at(cols + plane * g.kh * g.kw * s.oh * s.ow, s, g, iy, ix));
  }
};

template <class T>
struct MaxPool {
  const T* in;
  T* out;
  int64_t* indices;
  PlaneSizes s;
  Backend::Window2d g;
  bool adaptive;
  __device__ void operator()(int64_t k, int64_t) const {
    const int64_t x = k % s.ow, y = (k / s.ow) % s.oh, plane = k / (s.ow * s.oh);
    math::max_pool_at(in + plane * s.h * s.w, s, g, adaptive, y, x, out[k], indices[k]);
  }
};

template <class T>
struct AvgPool {
  const T* in;
  T* out;
  PlaneSizes s;
  Backend::PoolParams p;
  bool adaptive;
  __device__ void operator()(int64_t k, int64_t) const {
    const int64_t x = k % s.ow, y = (k / s.ow) % s.oh, plane = k / (s.ow * s.oh);
    out[k] = T(math::avg_pool_at(in + plane * s.h * s.w, s, p, adaptive, y, x));
  }
};

template <class T>
struct AvgPoolGrad {
  const T* grad_out;
  T* grad_in;
  PlaneSizes s;
  Backend::PoolParams p;
  bool adaptive;
  __device__ void operator()(int64_t k, int64_t) const {
    const int64_t ix = k % s.w, iy = (k / s.w) % s.h, plane = k / (s.w * s.h);
    grad_in[k] = T(math::avg_pool_grad_at(grad_out + plane * s.oh * s.ow, s, p, adaptive, iy, ix));
  }
};

// out[plane, idx[plane, k]] += src[plane, k]: windows of a max pool may overlap, so adds
// to one pixel race and go to a scatter_add sink (atomics, or sorted pairs when
// deterministic), on an accumulator of type A (float for 16-bit T).
template <class T, class A, class Sink>
struct PlaneScatterAdd {
  const T* src;
  const int64_t* idx;
  Sink sink;
  int64_t n, plane;
  __device__ void operator()(int64_t k, int64_t) const { sink(k, (k / n) * plane + idx[k], static_cast<A>(src[k])); }
};

template <class T>
struct PlaneGather {
  const T* src;
  const int64_t* idx;
  T* out;
  int64_t n, plane;
  __device__ void operator()(int64_t k, int64_t) const { out[k] = src[(k / n) * plane + idx[k]]; }
};

// Sizes of the [N, C, H, W] input and [N, C, OH, OW] output planes.
PlaneSizes planes(const TensorArg& in, const TensorArg& out) {
  EMBER_ASSERT(in.ndim == 4 && in.contiguous && out.contiguous, "window kernels expect contiguous 4-D operands");
  return {in.sizes[2], in.sizes[3], out.sizes[out.ndim - 2], out.sizes[out.ndim - 1]};
}

}  // namespace

void CudaBackend::im2col(const TensorArg& in, const TensorArg& cols, const Window2d& w) {
  const PlaneSizes s = planes(in, cols);
  dispatch_floating_with_16bit(in.dtype, "im2col", [&](auto t) {
    using T = decltype(t);
    launch_indexed(cols.numel, Im2col<T>{static_cast<const T*>(in.data), static_cast<T*>(cols.data), s, w});
  });
}

void CudaBackend::col2im(const TensorArg& cols, const TensorArg& out, const Window2d& w) {
  const PlaneSizes s = planes(out, cols);
  dispatch_floating_with_16bit(out.dtype, "col2im", [&](auto t) {
    using T = decltype(t);
    launch_indexed(out.numel, Col2im<T>{static_cast<const T*>(cols.data), static_cast<T*>(out.data), s, w});
  });
}

void CudaBackend::pool2d(PoolOp op, const TensorArg& in, const TensorArg& out, const TensorArg* indices,
                         const PoolParams& p) {
  const PlaneSizes s = planes(in, out);
  dispatch_floating_with_16bit(in.dtype, "pool2d", [&](auto t) {
    using T = decltype(t);
    const T* src = static_cast<const T*>(in.data);
    T* dst = static_cast<T*>(out.data);
    if (op == PoolOp::Max || op == PoolOp::AdaptiveMax) {
      EMBER_ASSERT(indices && indices->dtype == kLong && indices->contiguous, "pool2d");
      launch_indexed(out.numel, MaxPool<T>{src, dst, static_cast<int64_t*>(indices->data), s, p.w,
                                           op == PoolOp::AdaptiveMax});
    } else {
      launch_indexed(out.numel, AvgPool<T>{src, dst, s, p, op == PoolOp::AdaptiveAvg});
    }
  });
}

void CudaBackend::pool2d_backward(PoolOp op, const TensorArg& grad_out, const TensorArg& grad_in,
                                  const PoolParams& p) {
  EMBER_ASSERT(op == PoolOp::Avg || op == PoolOp::AdaptiveAvg, "pool2d_backward: max pools scatter by index");
  const PlaneSizes s = planes(grad_in, grad_out);
  dispatch_floating_with_16bit(grad_in.dtype, "pool2d_backward", [&](auto t) {
    using T = decltype(t);
    launch_indexed(grad_in.numel, AvgPoolGrad<T>{static_cast<const T*>(grad_out.data), static_cast<T*>(grad_in.data),
                                                 s, p, op == PoolOp::AdaptiveAvg});
  });
}

void CudaBackend::plane_scatter_add(const TensorArg& src, const TensorArg& indices, const TensorArg& out) {
  const PlaneSizes s = planes(out, src);
  EMBER_ASSERT(indices.contiguous && indices.dtype == kLong, "max_pool_backward");
  if (out.numel == 0) return;
  dispatch_floating_with_16bit(out.dtype, "max_pool_backward", [&](auto t) {
    using T = decltype(t);
    using A = math::opmath_t<T>;
    const auto* idx = static_cast<const int64_t*>(indices.data);
    zero_and_scatter_add(static_cast<T*>(out.data), out.numel, src.numel, [&](auto sink) {
      launch_indexed(src.numel, PlaneScatterAdd<T, A, decltype(sink)>{static_cast<const T*>(src.data), idx, sink,
                                                                      s.oh * s.ow, s.h * s.w});
    });
  });
}

void CudaBackend::plane_gather(const TensorArg& src, const TensorArg& indices, const TensorArg& out) {
  const PlaneSizes s = planes(src, out);
  EMBER_ASSERT(indices.contiguous && indices.dtype == kLong, "max_pool_gather");
  dispatch_floating_with_16bit(out.dtype, "max_pool_gather", [&](auto t) {
    using T = decltype(t);
    launch_indexed(out.numel, PlaneGather<T>{static_cast<const T*>(src.data),
                                             static_cast<const int64_t*>(indices.data), static_cast<T*>(out.data),
                                             s.oh * s.ow, s.h * s.w});
  });
}

}  // namespace ember::backend::cuda
