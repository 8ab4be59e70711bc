// CUDA softmax / log_softmax, their backward, and logsumexp along one dim of contiguous
// operands viewed as (outer, n, inner), with the CPU kernels' formulas: the max (NaN
// skipped) is subtracted before exp; log_softmax is (x - m) - log(s). inner == 1 (the last
// dim) gives each row a block; inner > 1 gives each (outer, inner) column a thread, so
// neighbouring threads read neighbouring addresses. Half and BFloat16 compute in float.
#include <limits>

#include "backends/cuda/loops.cuh"

namespace ember::backend::cuda {
namespace {

enum Mode : int { kSoftmax, kLogSoftmax, kSoftmaxBackward, kLogSoftmaxBackward, kLogSumExp };

template <class T>
struct MaxOp {
  __device__ T identity() const { return -std::numeric_limits<T>::infinity(); }
  __device__ T combine(T a, T b) const { return a < b ? b : a; }
};
template <class T>
struct SumOp {
  __device__ T identity() const { return T(0); }
  __device__ T combine(T a, T b) const { return a + b; }
};

// Block-wide fold whose result every thread receives.
template <class T, class R>
__device__ T block_all_reduce(T v, const R& r) {
  __shared__ T result;
  v = block_reduce(v, r);
  if (threadIdx.x == 0) result = v;
  __syncthreads();
  return result;
}

// x: input (forward) or output y (backward); g: incoming gradient (backward only). T is
// the storage type; max, sums, exp and log run in C = opmath_t<T> (float for Half and
// BFloat16), and each output rounds once to T.
template <class T>
__global__ void row_kernel(const T* x, const T* g, T* y, int64_t rows, int64_t n, int mode) {
  using C = math::opmath_t<T>;
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const T* xr = x + row * n;
    if (mode == kSoftmaxBackward || mode == kLogSoftmaxBackward) {
      const T* gr = g + row * n;
      const bool log = mode == kLogSoftmaxBackward;
      C s = 0;
      for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
        const C gi = static_cast<C>(gr[i]);
        s += log ? gi : gi * static_cast<C>(xr[i]);
      }
      s = block_all_reduce(s, SumOp<C>{});
      for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
        const C xi = static_cast<C>(xr[i]), gi = static_cast<C>(gr[i]);
        y[row * n + i] = T(log ? gi - exp(xi) * s : xi * (gi - s));
      }
      continue;
    }
    C m = -std::numeric_limits<C>::infinity();
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
      const C xi = static_cast<C>(xr[i]);
      m = m < xi ? xi : m;
    }
    m = block_all_reduce(m, MaxOp<C>{});
    if (mode == kLogSumExp && isinf(m)) m = C(0);
    C s = 0;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) s += exp(static_cast<C>(xr[i]) - m);
    s = block_all_reduce(s, SumOp<C>{});
    if (mode == kLogSumExp) {
      if (threadIdx.x == 0) y[row] = T(log(s) + m);
    } else if (mode == kLogSoftmax) {
      const C ls = log(s);
      for (int64_t i = threadIdx.x; i < n; i += blockDim.x) y[row * n + i] = T((static_cast<C>(xr[i]) - m) - ls);
    } else {
      const C inv = C(1) / s;
      for (int64_t i = threadIdx.x; i < n; i += blockDim.x) y[row * n + i] = T(exp(static_cast<C>(xr[i]) - m) * inv);
    }
  }
}

template <class T>
__global__ void column_kernel(const T* x, const T* g, T* y, int64_t outer, int64_t n, int64_t inner, int mode) {
  using C = math::opmath_t<T>;
  const int64_t cols = outer * inner;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < cols; c += step) {
    const int64_t o = c / inner, j = c - o * inner;
    const int64_t base = o * n * inner + j;
    if (mode == kSoftmaxBackward || mode == kLogSoftmaxBackward) {
      const bool log = mode == kLogSoftmaxBackward;
      C s = 0;
      for (int64_t i = 0; i < n; ++i) {
        const int64_t k = base + i * inner;
        const C gk = static_cast<C>(g[k]);
        s += log ? gk : gk * static_cast<C>(x[k]);
      }
      for (int64_t i = 0; i < n; ++i) {
        const int64_t k = base + i * inner;
        const C xk = static_cast<C>(x[k]), gk = static_cast<C>(g[k]);
        y[k] = T(log ? gk - exp(xk) * s : xk * (gk - s));
      }
      continue;
    }
    C m = -std::numeric_limits<C>::infinity();
    for (int64_t i = 0; i < n; ++i) {
      const C xi = static_cast<C>(x[base + i * inner]);
      m = m < xi ? xi : m;
    }
    if (mode == kLogSumExp && isinf(m)) m = C(0);
    C s = 0;
    for (int64_t i = 0; i < n; ++i) s += exp(static_cast<C>(x[base + i * inner]) - m);
    if (mode == kLogSumExp) {
      y[o * inner + j] = T(log(s) + m);
    } else if (mode == kLogSoftmax) {
      const C ls = log(s);
      for (int64_t i = 0; i < n; ++i) y[base + i * inner] = T((static_cast<C>(x[base + i * inner]) - m) - ls);
    } else {
      const C inv = C(1) / s;
      for (int64_t i = 0; i < n; ++i) y[base + i * inner] = T(exp(static_cast<C>(x[base + i * inner]) - m) * inv);
    }
  }
}

void run(const TensorArg& x, const TensorArg* g, const TensorArg& y, int dim, int mode, const char* op) {
  EMBER_ASSERT(x.contiguous && y.contiguous && (!g || g->contiguous), "softmax kernels need contiguous operands");
  int64_t outer = 1, n = 1, inner = 1;
  for (int d = 0; d < x.ndim; ++d) {
    if (d < dim) outer *= x.sizes[d];
    else if (d == dim) n = x.sizes[d];
    else inner *= x.sizes[d];
  }
  // logsumexp over an empty dim still writes its outer * inner results (-inf, as the CPU).
  if (outer * inner == 0 || (n == 0 && mode != kLogSumExp)) return;
  dispatch_floating_with_16bit(x.dtype, op, [&](auto t) {
    using T = decltype(t);
    const T* px = static_cast<const T*>(x.data);
    const T* pg = g ? static_cast<const T*>(g->data) : nullptr;
    T* py = static_cast<T*>(y.data);
    if (inner == 1) {
      const int block = fold_block(n);
      const int64_t grid = std::min<int64_t>(outer, int64_t(sm_count()) * 32);
      row_kernel<T><<<static_cast<unsigned>(grid), block, 0, current_stream()>>>(px, pg, py, outer, n, mode);
    } else {
      const Launch1d l = elementwise_launch(outer * inner, sm_count(), 1);
      column_kernel<T><<<static_cast<unsigned>(l.grid), l.block, 0, current_stream()>>>(px, pg, py, outer, n, inner,
                                                                                       mode);
    }
    EMBER_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace

void CudaBackend::softmax(const TensorArg& in, int dim, bool log, const TensorArg& out) {
  run(in, nullptr, out, dim, log ? kLogSoftmax : kSoftmax, log ? "log_softmax" : "softmax");
}

void CudaBackend::softmax_backward(const TensorArg& grad, const TensorArg& out, int dim, bool log,
                                   const TensorArg& grad_in) {
  run(out, &grad, grad_in, dim, log ? kLogSoftmaxBackward : kSoftmaxBackward,
      log ? "log_softmax_backward" : "softmax_backward");
}

void CudaBackend::logsumexp(const TensorArg& in, int dim, const TensorArg& out) {
  run(in, nullptr, out, dim, kLogSumExp, "logsumexp");
}

}  // namespace ember::backend::cuda
