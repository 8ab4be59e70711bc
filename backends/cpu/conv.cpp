// im2col / col2im: the data movement around the GEMM of a convolution. Rows of the
// column matrix are contiguous runs of the input row (a straight copy when the stride is 1), so
// the GEMM that follows reads memory that was just written and is still in cache.
#include <algorithm>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/loops.h"
#include "backends/cpu/parallel.h"

namespace ember::backend::cpu {
namespace {

// Range [lo, hi) of output columns x whose input column x * stride + offset lies in
// [0, width).
inline void valid_range(int64_t offset, int64_t stride, int64_t width, int64_t out_w, int64_t& lo, int64_t& hi) {
  lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  hi = width - offset > 0 ? (width - offset + stride - 1) / stride : 0;
  lo = std::min(lo, out_w);
  hi = std::clamp(hi, lo, out_w);
}

// dst[x] = img[base + x * stride] for x in [lo, hi), 0 elsewhere in [0, n). Rows are
// short (the output width), so a plain loop beats the call overhead of memcpy/memset.
template <class T>
inline void copy_row(T* __restrict dst, const T* img, int64_t base, int64_t stride, int64_t lo, int64_t hi,
                     int64_t n) {
  for (int64_t x = 0; x < lo; ++x) dst[x] = T(0);
  if (stride == 1) {
    const T* __restrict s = img + (base + lo);
    T* __restrict d = dst + lo;
    for (int64_t x = 0; x < hi - lo; ++x) d[x] = s[x];
  } else {
    for (int64_t x = lo; x < hi; ++x) dst[x] = img[base + x * stride];
  }
  for (int64_t x = hi; x < n; ++x) dst[x] = T(0);
}

template <class T, bool Adjoint>
void window_planes(T* image, T* cols, int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow,
                   const Backend::Window2d& g) {
  const int64_t plane = h * w, col_plane = g.kh * g.kw * oh * ow;
  for (int64_t p = 0; p < planes; ++p) {
    T* img = image + p * plane;
    T* col = cols + p * col_plane;
    if constexpr (Adjoint) std::fill(img, img + plane, T(0));
    for (int64_t i = 0; i < g.kh; ++i) {
      for (int64_t j = 0; j < g.kw; ++j) {
        const int64_t x_off = j * g.dw - g.pw;
        int64_t lo, hi;
        valid_range(x_off, g.sw, w, ow, lo, hi);
        for (int64_t y = 0; y < oh; ++y, col += ow) {
          const int64_t iy = y * g.sh - g.ph + i * g.dh;
          if (iy < 0 || iy >= h) {
            if constexpr (!Adjoint) std::fill(col, col + ow, T(0));
            continue;
          }
          const int64_t base = iy * w + x_off;  // image index of output column 0 
          if constexpr (Adjoint) {
            if (g.sw == 1) {
              T* row = img + (base + lo);
              for (int64_t x = 0; x < hi - lo; ++x) row[x] += col[lo + x];
            } else {
              for (int64_t x = lo; x < hi; ++x) img[base + x * g.sw] += col[x];
            }
          } else {
            copy_row(col, img, base, g.sw, lo, hi, ow);
          }
        }
      }
    }
  }
}

template <bool Adjoint>
void run_window(const TensorArg& image, const TensorArg& cols, const Backend::Window2d& g, const char* name) {
  EMBER_ASSERT(image.ndim == 4 && cols.ndim == 6 && image.contiguous && cols.contiguous, "im2col/col2im: expected contiguous 4-D image and 6-D columns");
  const int64_t planes = image.sizes[0] * image.sizes[1];
  if (planes == 0) return;
  auto run = [&](auto t) {
    using T = decltype(t);
    if constexpr (std::is_floating_point_v<T>) {
      const int64_t h = image.sizes[2], w = image.sizes[3], oh = cols.sizes[4], ow = cols.sizes[5];
      const int64_t plane = h * w, col_plane = g.kh * g.kw * oh * ow;
      // Planes are independent (each writes its own columns, or its own image plane).
      const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(col_plane, 1));
      parallel_for(0, planes, grain, [&](int64_t p0, int64_t p1) {
        window_planes<T, Adjoint>(static_cast<T*>(image.data) + p0 * plane, static_cast<T*>(cols.data) + p0 * col_plane,
                                  p1 - p0, h, w, oh, ow, g);
      });
    } else {
      detail::throw_error<DTypeError>(name, "not implemented for dtype ", image.dtype);
    }
  };
  dispatch_dtype(image.dtype, name, run);
}

}  // namespace

void CpuBackend::im2col(const TensorArg& in, const TensorArg& cols, const Window2d& w) {
  run_window<false>(in, cols, w, "im2col");
}

void CpuBackend::col2im(const TensorArg& cols, const TensorArg& out, const Window2d& w) {
  run_window<true>(out, cols, w, "col2im");
}

}  // namespace ember::backend::cpu
