// Resampling kernels over [N, C, H, W] planes: nearest and bilinear upsampling with
// libtorch's coordinate rules, reflect/replicate/circular padding, and their adjoints.
// Every kernel is a fixed linear map from input to output pixels; the source indices and
// weights are tabulated once per axis and shared by all planes.
#include <algorithm>
#include <cmath>
#include <vector>

#include "backends/common/resample_taps.h"
#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/loops.h"

namespace ember::backend::cpu {
namespace {

using UpsampleMode = Backend::UpsampleMode;
using PadMode = Backend::PadMode;

using resample::Tap;
using resample::cast_taps;
using resample::linear_taps;
using resample::nearest_taps;
using resample::pad_map;

// Applies out = Ty (x) Tx to every plane, or its adjoint (grad_in += ...) when Adjoint.
// Nearest taps copy their one source pixel (and its adjoint adds to it), so infinities stay
// infinite instead of meeting a zero weight.
template <class T, bool Adjoint>
void apply_taps(const std::vector<Tap<T>>& ty, const std::vector<Tap<T>>& tx, T* image, T* resampled,
                int64_t planes, int64_t h, int64_t w, bool nearest) {
  const int64_t oh = static_cast<int64_t>(ty.size()), ow = static_cast<int64_t>(tx.size());
  if constexpr (Adjoint) std::fill(image, image + planes * h * w, T(0));
  for (int64_t q = 0; q < planes; ++q) {
    T* img = image + q * h * w;
    T* res = resampled + q * oh * ow;
    for (int64_t y = 0; y < oh; ++y) {
      const Tap<T>& a = ty[static_cast<size_t>(y)];
      T* r0 = img + a.i0 * w;
      T* r1 = img + a.i1 * w;
      T* o = res + y * ow;
      for (int64_t x = 0; x < ow; ++x) {
        const Tap<T>& b = tx[static_cast<size_t>(x)];
        if (nearest) {
          if constexpr (Adjoint) r0[b.i0] += o[x];
          else o[x] = r0[b.i0];
        } else if constexpr (Adjoint) {
          const T g = o[x];
          r0[b.i0] += a.w0 * b.w0 * g;
          r0[b.i1] += a.w0 * b.w1 * g;
          r1[b.i0] += a.w1 * b.w0 * g;
          r1[b.i1] += a.w1 * b.w1 * g;
        } else {
          o[x] = a.w0 * (b.w0 * r0[b.i0] + b.w1 * r0[b.i1]) + a.w1 * (b.w0 * r1[b.i0] + b.w1 * r1[b.i1]);
        }
      }
    }
  }
}

template <bool Adjoint>
void upsample(UpsampleMode mode, const TensorArg& image, const TensorArg& res, const Backend::UpsampleParams& p,
              const char* name) {
  EMBER_ASSERT(image.ndim == 4 && res.ndim == 4 && image.contiguous && res.contiguous, "upsample2d: expected contiguous 4-D operands");
  const int64_t planes = image.sizes[0] * image.sizes[1], h = image.sizes[2], w = image.sizes[3];
  const int64_t oh = res.sizes[2], ow = res.sizes[3];
  dispatch_dtype(image.dtype, name, [&](auto t) {
    using T = decltype(t);
    if constexpr (std::is_floating_point_v<T>) {
      std::vector<Tap<T>> ty, tx;
      if (mode == UpsampleMode::Nearest) {
        ty = cast_taps<T>(nearest_taps(h, oh, p.scale_h));
        tx = cast_taps<T>(nearest_taps(w, ow, p.scale_w));
      } else {
        ty = linear_taps<T>(h, oh, p.align_corners, p.scale_h);
        tx = linear_taps<T>(w, ow, p.align_corners, p.scale_w);
      }
      apply_taps<T, Adjoint>(ty, tx, static_cast<T*>(image.data), static_cast<T*>(res.data), planes, h, w,
                               mode == UpsampleMode::Nearest);
    } else {
      detail::throw_error<DTypeError>(name, "not implemented for dtype ", image.dtype);
    }
  });
}

template <bool Adjoint>
void pad(PadMode mode, const TensorArg& image, const TensorArg& padded, int64_t top, int64_t left,
         const char* name) {
  EMBER_ASSERT(image.ndim == 4 && padded.ndim == 4 && image.contiguous && padded.contiguous, "pad2d: expected contiguous 4-D operands");
  const int64_t planes = image.sizes[0] * image.sizes[1], h = image.sizes[2], w = image.sizes[3];
  const int64_t oh = padded.sizes[2], ow = padded.sizes[3];
  const std::vector<int64_t> my = pad_map(mode, h, oh, top), mx = pad_map(mode, w, ow, left);
  dispatch_dtype(image.dtype, name, [&](auto t) {
    using T = decltype(t);
    T* img = static_cast<T*>(image.data);
    T* out = static_cast<T*>(padded.data);
    if constexpr (Adjoint) {
      if constexpr (std::is_same_v<T, bool>) {
        detail::throw_error<DTypeError>(name, "not implemented for dtype ", image.dtype);
      } else {
        std::fill(img, img + planes * h * w, T(0));
        for (int64_t q = 0; q < planes; ++q)
          for (int64_t y = 0; y < oh; ++y) {
            T* dst = img + q * h * w + my[static_cast<size_t>(y)] * w;
            const T* src = out + (q * oh + y) * ow;
            for (int64_t x = 0; x < ow; ++x) dst[mx[static_cast<size_t>(x)]] += src[x];
          }
      }
    } else {
      for (int64_t q = 0; q < planes; ++q)
        for (int64_t y = 0; y < oh; ++y) {
          const T* src = img + q * h * w + my[static_cast<size_t>(y)] * w;
          T* dst = out + (q * oh + y) * ow;
          for (int64_t x = 0; x < ow; ++x) dst[x] = src[mx[static_cast<size_t>(x)]];
        }
    }
  });
}

}  // namespace

void CpuBackend::upsample2d(UpsampleMode mode, const TensorArg& in, const TensorArg& out, const UpsampleParams& p) {
  upsample<false>(mode, in, out, p, "upsample2d");
}
void CpuBackend::upsample2d_backward(UpsampleMode mode, const TensorArg& grad_out, const TensorArg& grad_in,
                                     const UpsampleParams& p) {
  upsample<true>(mode, grad_in, grad_out, p, "upsample2d_backward");
}
void CpuBackend::pad2d(PadMode mode, const TensorArg& in, const TensorArg& out, int64_t top, int64_t left) {
  pad<false>(mode, in, out, top, left, "pad2d");
}
void CpuBackend::pad2d_backward(PadMode mode, const TensorArg& grad_out, const TensorArg& grad_in, int64_t top,
                                int64_t left) {
  pad<true>(mode, grad_in, grad_out, top, left, "pad2d_backward");
}

}  // namespace ember::backend::cpu
