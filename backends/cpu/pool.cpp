// Pooling kernels over [N, C, H, W] planes: max (values and flat plane indices), average,
// the adaptive variants, their adjoints, and the index scatter/gather of max pooling.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "backends/common/window_ops.h"
#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/loops.h"
#include "backends/cpu/parallel.h"

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

using math::Span;

// Planes per parallel chunk: about kParallelGrain input elements.
int64_t plane_grain(const Planes& s) { return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(s.h * s.w, 1)); }

// The window of every output position along one axis (max pooling or adaptive).
std::vector<Span> max_spans(PoolOp op, int64_t in, int64_t out, int64_t k, int64_t s, int64_t p, int64_t d) {
  std::vector<Span> r(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) r[static_cast<size_t>(o)] = math::max_span(op != PoolOp::Max, in, out, k, s, p, d, o);
  return r;
}

// Keeps the larger of (best_v, v) with its index; NaN propagates (the last NaN in scan
// order wins) and the first maximum wins ties, as in libtorch. Written with masks, not
// branches: on real data the comparison is unpredictable.
template <class T>
inline void take_max(T v, int64_t k, T& best_v, int64_t& best) {
  using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  const bool take = (v > best_v) | (v != v);
  const U mask = U(0) - U(take);
  best_v = std::bit_cast<T>((std::bit_cast<U>(v) & mask) | (std::bit_cast<U>(best_v) & ~mask));
  best = (k & -int64_t(take)) | (best & (int64_t(take) - 1));
}

// One window column of the interior outputs [xa, xb): input k = base + x * stride.
template <class T>
void interior_row(const T* __restrict in, int64_t base, int64_t stride, int64_t xa, int64_t xb, T* __restrict best_v,
                  int64_t* __restrict best) {
  for (int64_t x = xa; x < xb; ++x) take_max(in[x * stride], base + x * stride, best_v[x], best[x]);
}

// The interior outputs [xa, xb) of a float 2x2 window with stride 2 and no dilation (the
// usual max pool) that has both its rows: r0 = row y0, r1 = row y0 + dh. Eight outputs at a
// time: the pairs of each row are split into even and odd columns, and the sequential scan
// (r0 pair, then r1 pair; NaN propagates, the first maximum wins) is computed as a
// tournament of the two pairs with vector selects. A short tail goes through a padded copy.
void interior_2x2_stride2(const float* r0, const float* r1, int64_t y0, int64_t dh, int64_t w, int64_t pw,
                          int64_t xa, int64_t xb, float* dst, int64_t* ind) {
  typedef float F8 __attribute__((vector_size(32)));
  typedef int32_t I8 __attribute__((vector_size(32)));
  typedef int64_t L8 __attribute__((vector_size(64)));
  const int32_t row_step = static_cast<int32_t>(dh * w);
  // Eight outputs whose windows start at p0[0], p0[2], ... and p1[0], ...; input index of
  // p0[0] is `base`.
  auto block = [row_step](const float* p0, const float* p1, int64_t base, float* out, int64_t* out_ind) {
    F8 u0, u1, v0, v1;
    std::memcpy(&u0, p0, 32);
    std::memcpy(&u1, p0 + 8, 32);
    std::memcpy(&v0, p1, 32);
    std::memcpy(&v1, p1 + 8, 32);
    const F8 a = __builtin_shufflevector(u0, u1, 0, 2, 4, 6, 8, 10, 12, 14);
    const F8 b = __builtin_shufflevector(u0, u1, 1, 3, 5, 7, 9, 11, 13, 15);
    const F8 c = __builtin_shufflevector(v0, v1, 0, 2, 4, 6, 8, 10, 12, 14);
    const F8 d = __builtin_shufflevector(v0, v1, 1, 3, 5, 7, 9, 11, 13, 15);
    const I8 t1 = (b > a) | (b != b), t2 = (d > c) | (d != d);
    const F8 m1 = t1 ? b : a, m2 = t2 ? d : c;
    const I8 t3 = (m2 > m1) | (m2 != m2);
    const F8 best = t3 ? m2 : m1;
    const I8 lane = {0, 2, 4, 6, 8, 10, 12, 14};
    const I8 off = lane + ((t3 ? t2 : t1) & 1) + (t3 & row_step);
    const L8 at = __builtin_convertvector(off, L8) + base;
    std::memcpy(out, &best, 32);
    std::memcpy(out_ind, &at, 64);
  };
  int64_t x = xa;
  for (; x + 8 <= xb; x += 8) {
    const int64_t x0 = 2 * x - pw;
    block(r0 + x0, r1 + x0, y0 * w + x0, dst + x, ind + x);
  }
  if (x < xb) {
    const int64_t n = xb - x, x0 = 2 * x - pw;
    float p0[16] = {}, p1[16] = {}, out[8];
    int64_t out_ind[8];
    std::memcpy(p0, r0 + x0, static_cast<size_t>(2 * n) * sizeof(float));
    std::memcpy(p1, r1 + x0, static_cast<size_t>(2 * n) * sizeof(float));
    block(p0, p1, y0 * w + x0, out, out_ind);
    std::memcpy(dst + x, out, static_cast<size_t>(n) * sizeof(float));
    std::memcpy(ind + x, out_ind, static_cast<size_t>(n) * sizeof(int64_t));
  }
}

template <class T>
void max_pool(const Planes& s, PoolOp op, const PoolParams& p, const T* in, T* out, int64_t* idx) {
  const auto& g = p.w;
  const std::vector<Span> ys = max_spans(op, s.h, s.oh, g.kh, g.sh, g.ph, g.dh);
  const std::vector<Span> xs = max_spans(op, s.w, s.ow, g.kw, g.sw, g.pw, g.dw);
  // Outputs [xa, xb) whose max-pool window lies inside the row are computed a window
  // column at a time across all of them (independent chains that vectorise); the others
  // scan their clipped window.
  int64_t xa = s.ow, xb = s.ow;
  if (op == PoolOp::Max) {
    xa = std::min<int64_t>(s.ow, (g.pw + g.sw - 1) / g.sw);
    xb = xa;
    while (xb < s.ow && xb * g.sw - g.pw + (g.kw - 1) * g.dw < s.w) ++xb;
  }
  // Row offsets of the fast path are int32 lanes.
  const bool fast_2x2 = std::is_same_v<T, float> && op == PoolOp::Max && g.kh == 2 && g.kw == 2 && g.sw == 2 &&
                        g.dw == 1 && xa < xb && s.h * s.w < (int64_t(1) << 30);
  for (int64_t q = 0; q < s.planes; ++q) {
    const T* src = in + q * s.h * s.w;
    for (int64_t y = 0; y < s.oh; ++y) {
      const Span sy = ys[static_cast<size_t>(y)];
      T* dst = out + (q * s.oh + y) * s.ow;
      int64_t* ind = idx + (q * s.oh + y) * s.ow;
      // The fast path writes the interior outputs of rows whose window has both its rows;
      // the edge outputs still scan their windows below.
      const bool interior_done = fast_2x2 && sy.lo + sy.step < sy.hi;
      if constexpr (std::is_same_v<T, float>) {
        if (interior_done)
          interior_2x2_stride2(src + sy.lo * s.w, src + (sy.lo + sy.step) * s.w, sy.lo, sy.step, s.w, g.pw, xa, xb,
                               dst, ind);
      }
      for (int64_t x = 0; x < s.ow; ++x) {
        if (x == xa && interior_done) x = xb;
        if (x >= s.ow) break;
        dst[x] = -std::numeric_limits<T>::infinity();
        ind[x] = sy.lo * s.w + xs[static_cast<size_t>(x)].lo;
      }
      for (int64_t yy = sy.lo; yy < sy.hi; yy += sy.step) {
        const T* row = src + yy * s.w;
        for (int64_t j = 0; j < g.kw && xa < xb && !interior_done; ++j) {
          interior_row<T>(row + (j * g.dw - g.pw), yy * s.w + j * g.dw - g.pw, g.sw, xa, xb, dst, ind);
        }
        for (int64_t x = 0; x < s.ow; ++x) {
          if (x == xa) x = xb;
          if (x >= s.ow) break;
          const Span sx = xs[static_cast<size_t>(x)];
          for (int64_t xx = sx.lo; xx < sx.hi; xx += sx.step) take_max(row[xx], yy * s.w + xx, dst[x], ind[x]);
        }
      }
    }
  }
}

// Average windows: calls f(output index, y0, y1, x0, x1, divisor) with the window clipped
// to the image and the divisor libtorch uses (padding counted or not, or the override).
template <class F>
void avg_windows(const Planes& s, PoolOp op, const PoolParams& p, F&& f) {
  const math::PlaneSizes sizes{s.h, s.w, s.oh, s.ow};
  for (int64_t y = 0; y < s.oh; ++y) {
    for (int64_t x = 0; x < s.ow; ++x) {
      const math::AvgWindow a = math::avg_window(op == PoolOp::AdaptiveAvg, p, sizes, y, x);
      f(y * s.ow + x, a.y0, a.y1, a.x0, a.x1, a.div);
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
      int64_t* idx = static_cast<int64_t*>(indices->data);
      const int64_t in_plane = s.h * s.w, out_plane = s.oh * s.ow;
      parallel_for(0, s.planes, plane_grain(s), [&](int64_t q0, int64_t q1) {
        Planes part = s;
        part.planes = q1 - q0;
        max_pool<T>(part, op, p, src + q0 * in_plane, dst + q0 * out_plane, idx + q0 * out_plane);
      });
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
    const int64_t n = s.oh * s.ow, plane = s.h * s.w;
    parallel_for(0, s.planes, plane_grain(s), [&](int64_t q0, int64_t q1) {
      std::fill(dst + q0 * plane, dst + q1 * plane, T(0));
      for (int64_t q = q0; q < q1; ++q)
        for (int64_t k = 0; k < n; ++k) dst[q * plane + ind[q * n + k]] += g[q * n + k];
    });
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
    parallel_for(0, s.planes, plane_grain(s), [&](int64_t q0, int64_t q1) {
      for (int64_t q = q0; q < q1; ++q)
        for (int64_t k = 0; k < n; ++k) dst[q * n + k] = from[q * plane + ind[q * n + k]];
    });
  });
}

}  // namespace ember::backend::cpu
