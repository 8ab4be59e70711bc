// Pooling kernels over [N, C, H, W] planes: max (values and flat plane indices), average,
// the adaptive variants, their adjoints, and the index scatter/gather of max pooling.
#include <algorithm>
#include <cmath>
#include <limits>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/loops.h"

namespace ember::backend::cpu {
namespace {

using PoolOp = Backend::PoolOp;
using PoolParams = Backend::PoolParams;

struct Planes {
  int64_t planes, h, w, oh, ow;
};

Planes planes_of(const TensorArg& in, const TensorArg& out, const char* name) {
  EMBER_ASSERT(in.ndim == 4 && out.ndim == 4 && in.contiguous && out.contiguous, "pool2d: expected contiguous 4-D operands");
  return {in.sizes[0] * in.sizes[1], in.sizes[2], in.sizes[3], out.sizes[2], out.sizes[3]};
}

// The window of output (y, x) of an adaptive pool: [floor(y*H/OH), ceil((y+1)*H/OH)).
inline int64_t adaptive_start(int64_t o, int64_t out, int64_t in) { return (o / out) * in + ((o % out) * in) / out; }
inline int64_t adaptive_end(int64_t o, int64_t out, int64_t in) { return 1 + ((o + 1) * in - 1) / out; }

// Visits every output (y, x) with the input window [y0, y1) x [x0, x1) stepping by the
// dilation, as max pooling defines it.
template <class F>
void max_windows(const Planes& s, PoolOp op, const PoolParams& p, F&& f) {
  const auto& g = p.w;
  for (int64_t y = 0; y < s.oh; ++y) {
    int64_t y0, y1, x0, x1, dy = 1, dx = 1;
    if (op == PoolOp::Max) {
      y0 = y * g.sh - g.ph;
      y1 = std::min(y0 + (g.kh - 1) * g.dh + 1, s.h);
      while (y0 < 0) y0 += g.dh;
      dy = g.dh;
    } else {
      y0 = adaptive_start(y, s.oh, s.h);
      y1 = adaptive_end(y, s.oh, s.h);
    }
    for (int64_t x = 0; x < s.ow; ++x) {
      if (op == PoolOp::Max) {
        x0 = x * g.sw - g.pw;
        x1 = std::min(x0 + (g.kw - 1) * g.dw + 1, s.w);
        while (x0 < 0) x0 += g.dw;
        dx = g.dw;
      } else {
        x0 = adaptive_start(x, s.ow, s.w);
        x1 = adaptive_end(x, s.ow, s.w);
      }
      f(y * s.ow + x, y0, y1, dy, x0, x1, dx);
    }
  }
}

template <class T>
void max_pool(const Planes& s, PoolOp op, const PoolParams& p, const T* in, T* out, int64_t* idx) {
  for (int64_t q = 0; q < s.planes; ++q) {
    const T* src = in + q * s.h * s.w;
    T* dst = out + q * s.oh * s.ow;
    int64_t* ind = idx + q * s.oh * s.ow;
    max_windows(s, op, p, [&](int64_t o, int64_t y0, int64_t y1, int64_t dy, int64_t x0, int64_t x1, int64_t dx) {
      int64_t best = y0 * s.w + x0;
      T best_v = -std::numeric_limits<T>::infinity();
      for (int64_t yy = y0; yy < y1; yy += dy)
        for (int64_t xx = x0; xx < x1; xx += dx) {
          const int64_t k = yy * s.w + xx;
          const T v = src[k];
          if (v > best_v || std::isnan(v)) {  // NaN propagates, as in libtorch
            best_v = v;
            best = k;
          }
        }
      dst[o] = best_v;
      ind[o] = best;
    });
  }
}

// Average windows: calls f(output index, y0, y1, x0, x1, divisor) with the window clipped
// to the image and the divisor libtorch uses (padding counted or not, or the override).
template <class F>
void avg_windows(const Planes& s, PoolOp op, const PoolParams& p, F&& f) {
  const auto& g = p.w;
  for (int64_t y = 0; y < s.oh; ++y) {
    for (int64_t x = 0; x < s.ow; ++x) {
      int64_t y0, y1, x0, x1, div;
      if (op == PoolOp::Avg) {
        y0 = y * g.sh - g.ph;
        x0 = x * g.sw - g.pw;
        y1 = std::min(y0 + g.kh, s.h + g.ph);
        x1 = std::min(x0 + g.kw, s.w + g.pw);
        const int64_t padded = (y1 - y0) * (x1 - x0);
        y0 = std::max<int64_t>(y0, 0);
        x0 = std::max<int64_t>(x0, 0);
        y1 = std::min(y1, s.h);
        x1 = std::min(x1, s.w);
        if (y0 >= y1 || x0 >= x1) {
          f(y * s.ow + x, y0, y0, x0, x0, int64_t(1));
          continue;
        }
        div = p.divisor_override ? p.divisor_override : p.count_include_pad ? padded : (y1 - y0) * (x1 - x0);
      } else {
        y0 = adaptive_start(y, s.oh, s.h);
        y1 = adaptive_end(y, s.oh, s.h);
        x0 = adaptive_start(x, s.ow, s.w);
        x1 = adaptive_end(x, s.ow, s.w);
        div = (y1 - y0) * (x1 - x0);
      }
      f(y * s.ow + x, y0, y1, x0, x1, div);
    }
  }
}

template <class T>
void avg_pool(const Planes& s, PoolOp op, const PoolParams& p, const T* in, T* out) {
  for (int64_t q = 0; q < s.planes; ++q) {
    const T* src = in + q * s.h * s.w;
    T* dst = out + q * s.oh * s.ow;
    avg_windows(s, op, p, [&](int64_t o, int64_t y0, int64_t y1, int64_t x0, int64_t x1, int64_t div) {
      T acc = 0;
      for (int64_t yy = y0; yy < y1; ++yy)
        for (int64_t xx = x0; xx < x1; ++xx) acc += src[yy * s.w + xx];
      dst[o] = acc / static_cast<T>(div);
    });
  }
}

template <class T>
void avg_pool_adjoint(const Planes& s, PoolOp op, const PoolParams& p, const T* gout, T* gin) {
  std::fill(gin, gin + s.planes * s.h * s.w, T(0));
  for (int64_t q = 0; q < s.planes; ++q) {
    T* dst = gin + q * s.h * s.w;
    const T* src = gout + q * s.oh * s.ow;
    avg_windows(s, op, p, [&](int64_t o, int64_t y0, int64_t y1, int64_t x0, int64_t x1, int64_t div) {
      const T v = src[o] / static_cast<T>(div);
      for (int64_t yy = y0; yy < y1; ++yy)
        for (int64_t xx = x0; xx < x1; ++xx) dst[yy * s.w + xx] += v;
    });
  }
}

template <class F>
void float_dispatch(ScalarType t, const char* name, F&& f) {
  dispatch_dtype(t, name, [&](auto v) {
    using T = decltype(v);
    if constexpr (std::is_floating_point_v<T>) f(T{});
    else detail::throw_error<DTypeError>(name, "not implemented for dtype ", t);
  });
}

}  // namespace

void CpuBackend::pool2d(PoolOp op, const TensorArg& in, const TensorArg& out, const TensorArg* indices,
                        const PoolParams& p) {
  const Planes s = planes_of(in, out, "pool2d");
  float_dispatch(in.dtype, "pool2d", [&](auto t) {
    using T = decltype(t);
    const T* src = static_cast<const T*>(in.data);
    T* dst = static_cast<T*>(out.data);
    if (op == PoolOp::Max || op == PoolOp::AdaptiveMax) {
      EMBER_ASSERT(indices && indices->dtype == kLong && indices->contiguous, "pool2d");
      max_pool<T>(s, op, p, src, dst, static_cast<int64_t*>(indices->data));
    } else {
      avg_pool<T>(s, op, p, src, dst);
    }
  });
}

void CpuBackend::pool2d_backward(PoolOp op, const TensorArg& grad_out, const TensorArg& grad_in,
                                 const PoolParams& p) {
  const Planes s = planes_of(grad_in, grad_out, "pool2d_backward");
  EMBER_ASSERT(op == PoolOp::Avg || op == PoolOp::AdaptiveAvg, "pool2d_backward: max pools scatter by index");
  float_dispatch(grad_in.dtype, "pool2d_backward", [&](auto t) {
    using T = decltype(t);
    avg_pool_adjoint<T>(s, op, p, static_cast<const T*>(grad_out.data), static_cast<T*>(grad_in.data));
  });
}

void CpuBackend::plane_scatter_add(const TensorArg& src, const TensorArg& indices, const TensorArg& out) {
  const Planes s = planes_of(out, src, "max_pool_backward");
  EMBER_ASSERT(indices.contiguous && indices.dtype == kLong, "max_pool_backward");
  const int64_t* ind = static_cast<const int64_t*>(indices.data);
  float_dispatch(out.dtype, "max_pool_backward", [&](auto t) {
    using T = decltype(t);
    const T* g = static_cast<const T*>(src.data);
    T* dst = static_cast<T*>(out.data);
    std::fill(dst, dst + s.planes * s.h * s.w, T(0));
    const int64_t n = s.oh * s.ow, plane = s.h * s.w;
    for (int64_t q = 0; q < s.planes; ++q)
      for (int64_t k = 0; k < n; ++k) dst[q * plane + ind[q * n + k]] += g[q * n + k];
  });
}

void CpuBackend::plane_gather(const TensorArg& src, const TensorArg& indices, const TensorArg& out) {
  const Planes s = planes_of(src, out, "max_pool_gather");
  EMBER_ASSERT(indices.contiguous && indices.dtype == kLong, "max_pool_gather");
  const int64_t* ind = static_cast<const int64_t*>(indices.data);
  float_dispatch(out.dtype, "max_pool_gather", [&](auto t) {
    using T = decltype(t);
    const T* from = static_cast<const T*>(src.data);
    T* dst = static_cast<T*>(out.data);
    const int64_t n = s.oh * s.ow, plane = s.h * s.w;
    for (int64_t q = 0; q < s.planes; ++q)
      for (int64_t k = 0; k < n; ++k) dst[q * n + k] = from[q * plane + ind[q * n + k]];
  });
}

}  // namespace ember::backend::cpu
