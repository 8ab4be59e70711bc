#pragma once
// Sliding-window math written once for the host and the device: the windows of max,
// average and adaptive pooling (the CPU pool kernels and the CUDA ones both use them), and
// per-element forms of im2col, col2im, pooling and the average-pool adjoint that the CUDA
// kernels run one thread per element. tests/test_cuda_window_math.cpp evaluates the
// per-element forms on the CPU against the CPU backend, so the device formulas are checked
// on every build. The sums and comparisons run in opmath_t<T> (float for the 16-bit storage
// types), and the forms that add return that type, so the caller rounds once on store.
#include <cmath>
#include <cstdint>

#include "backends/backend.h"

#include "backends/common/half.h"
#include "backends/common/host_device.h"

namespace ember::backend::math {

/// Sizes of one [H, W] input plane and its [OH, OW] output plane.
struct PlaneSizes {
  int64_t h, w, oh, ow;
};

EMBER_HD int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
EMBER_HD int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/// The window of output o of an adaptive pool along one axis: [floor(o*in/out), ceil((o+1)*in/out)).
EMBER_HD int64_t adaptive_start(int64_t o, int64_t out, int64_t in) { return (o / out) * in + ((o % out) * in) / out; }
EMBER_HD int64_t adaptive_end(int64_t o, int64_t out, int64_t in) { return 1 + ((o + 1) * in - 1) / out; }

/// Input positions lo, lo + step, ... < hi of one output position along one axis.
struct Span {
  int64_t lo, hi, step;
};

/// The (dilated, image-clipped) max-pool window of output o, or the adaptive window.
EMBER_HD Span max_span(bool adaptive, int64_t in, int64_t out, int64_t k, int64_t s, int64_t p, int64_t d,
                       int64_t o) {
  if (adaptive) return {adaptive_start(o, out, in), adaptive_end(o, out, in), 1};
  int64_t lo = o * s - p;
  const int64_t hi = min64(lo + (k - 1) * d + 1, in);
  while (lo < 0) lo += d;
  return {lo, hi, d};
}

/// An average-pool window clipped to the image, and the divisor libtorch uses for it.
struct AvgWindow {
  int64_t y0, y1, x0, x1, div;
};

/// The window of output (y, x) of an average pool (padding counted or not, or the divisor
/// override) or of an adaptive average pool.
EMBER_HD AvgWindow avg_window(bool adaptive, const Backend::PoolParams& p, const PlaneSizes& s, int64_t y, int64_t x) {
  if (adaptive) {
    const int64_t y0 = adaptive_start(y, s.oh, s.h), y1 = adaptive_end(y, s.oh, s.h);
    const int64_t x0 = adaptive_start(x, s.ow, s.w), x1 = adaptive_end(x, s.ow, s.w);
    return {y0, y1, x0, x1, (y1 - y0) * (x1 - x0)};
  }
  const auto& g = p.w;
  int64_t y0 = y * g.sh - g.ph, x0 = x * g.sw - g.pw;
  int64_t y1 = min64(y0 + g.kh, s.h + g.ph), x1 = min64(x0 + g.kw, s.w + g.pw);
  const int64_t padded = (y1 - y0) * (x1 - x0);
  y0 = max64(y0, 0);
  x0 = max64(x0, 0);
  y1 = min64(y1, s.h);
  x1 = min64(x1, s.w);
  if (y0 >= y1 || x0 >= x1) return {y0, y0, x0, x0, 1};
  const int64_t div = p.divisor_override ? p.divisor_override : p.count_include_pad ? padded : (y1 - y0) * (x1 - x0);
  return {y0, y1, x0, x1, div};
}

// ---- per-element forms (one CUDA thread each) ------------------------------------

/// cols[i, j, y, x] of one plane: img[y*sh - ph + i*dh, x*sw - pw + j*dw], 0 outside.
template <class T>
EMBER_HD T im2col_at(const T* img, const PlaneSizes& s, const Backend::Window2d& g, int64_t i, int64_t j, int64_t y,
                     int64_t x) {
  const int64_t iy = y * g.sh - g.ph + i * g.dh, ix = x * g.sw - g.pw + j * g.dw;
  return iy >= 0 && iy < s.h && ix >= 0 && ix < s.w ? img[iy * s.w + ix] : T(0);
}

/// Pixel (iy, ix) of col2im for one plane: the sum of the cols entries im2col read from it,
/// added in the CPU kernel's order (window row i, then column j), so the result is the same.
template <class T>
EMBER_HD opmath_t<T> col2im_at(const T* cols, const PlaneSizes& s, const Backend::Window2d& g, int64_t iy,
                               int64_t ix) {
  opmath_t<T> acc = 0;
  for (int64_t i = 0; i < g.kh; ++i) {
    const int64_t ty = iy + g.ph - i * g.dh;
    if (ty < 0 || ty % g.sh != 0 || ty / g.sh >= s.oh) continue;
    const int64_t y = ty / g.sh;
    for (int64_t j = 0; j < g.kw; ++j) {
      const int64_t tx = ix + g.pw - j * g.dw;
      if (tx < 0 || tx % g.sw != 0 || tx / g.sw >= s.ow) continue;
      acc += static_cast<opmath_t<T>>(cols[((i * g.kw + j) * s.oh + y) * s.ow + tx / g.sw]);
    }
  }
  return acc;
}

/// Max (or adaptive max) pool of output (y, x) of one plane: the value and its flat index
/// in the plane. Scans rows then columns; NaN propagates (the last NaN wins) and the first
/// maximum wins ties, as the CPU kernel and libtorch do.
template <class T>
EMBER_HD void max_pool_at(const T* img, const PlaneSizes& s, const Backend::Window2d& g, bool adaptive, int64_t y,
                          int64_t x, T& value, int64_t& index) {
  const Span sy = max_span(adaptive, s.h, s.oh, g.kh, g.sh, g.ph, g.dh, y);
  const Span sx = max_span(adaptive, s.w, s.ow, g.kw, g.sw, g.pw, g.dw, x);
  using C = opmath_t<T>;
  C best = -static_cast<C>(INFINITY);
  int64_t at = sy.lo * s.w + sx.lo;
  for (int64_t yy = sy.lo; yy < sy.hi; yy += sy.step) {
    for (int64_t xx = sx.lo; xx < sx.hi; xx += sx.step) {
      const C v = static_cast<C>(img[yy * s.w + xx]);
      if (v > best || v != v) {
        best = v;
        at = yy * s.w + xx;
      }
    }
  }
  value = T(best);  // a widened input value (or -inf), so exact
  index = at;
}

/// Average (or adaptive average) pool of output (y, x) of one plane, summed in the CPU
/// kernel's order.
template <class T>
EMBER_HD opmath_t<T> avg_pool_at(const T* img, const PlaneSizes& s, const Backend::PoolParams& p, bool adaptive,
                                 int64_t y, int64_t x) {
  using C = opmath_t<T>;
  const AvgWindow a = avg_window(adaptive, p, s, y, x);
  C acc = 0;
  for (int64_t yy = a.y0; yy < a.y1; ++yy)
    for (int64_t xx = a.x0; xx < a.x1; ++xx) acc += static_cast<C>(img[yy * s.w + xx]);
  return acc / static_cast<C>(a.div);
}

/// Range [lo, hi) of output positions along one axis whose window may hold input
/// position i (a superset: callers check each window).
EMBER_HD void outputs_covering(bool adaptive, int64_t i, int64_t in, int64_t out, int64_t k, int64_t s, int64_t p,
                               int64_t& lo, int64_t& hi) {
  if (adaptive) {
    lo = max64((i * out) / in - 1, 0);
    hi = min64(((i + 1) * out) / in + 2, out);
  } else {
    lo = i + p < k ? 0 : (i + p - k) / s + 1;
    hi = min64((i + p) / s + 1, out);
  }
}

/// Pixel (iy, ix) of the average-pool adjoint for one plane: the sum of grad_out[y, x] /
/// divisor over the windows that hold the pixel (a gather, so no atomics are needed).
template <class T>
EMBER_HD opmath_t<T> avg_pool_grad_at(const T* grad_out, const PlaneSizes& s, const Backend::PoolParams& p,
                                      bool adaptive, int64_t iy, int64_t ix) {
  using C = opmath_t<T>;
  int64_t ylo, yhi, xlo, xhi;
  outputs_covering(adaptive, iy, s.h, s.oh, p.w.kh, p.w.sh, p.w.ph, ylo, yhi);
  outputs_covering(adaptive, ix, s.w, s.ow, p.w.kw, p.w.sw, p.w.pw, xlo, xhi);
  C acc = 0;
  for (int64_t y = ylo; y < yhi; ++y) {
    for (int64_t x = xlo; x < xhi; ++x) {
      const AvgWindow a = avg_window(adaptive, p, s, y, x);
      if (iy >= a.y0 && iy < a.y1 && ix >= a.x0 && ix < a.x1)
        acc += static_cast<C>(grad_out[y * s.ow + x]) / static_cast<C>(a.div);
    }
  }
  return acc;
}

}  // namespace ember::backend::math
