// Resampling kernels over [N, C, H, W] planes: nearest and bilinear upsampling with
// libtorch's coordinate rules, reflect/replicate/circular padding, and their adjoints.
// Every kernel is a fixed linear map from input to output pixels; the source indices and
// weights are tabulated once per axis and shared by all planes.
#include <algorithm>
#include <cmath>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/loops.h"

namespace ember::backend::cpu {
namespace {

using UpsampleMode = Backend::UpsampleMode;
using PadMode = Backend::PadMode;

// One output coordinate of a separable linear map: out = w0 * in[i0] + w1 * in[i1].
template <class T>
struct Tap {
  int64_t i0, i1;
  T w0, w1;
};

// libtorch's nearest_idx: exact copies for scale 1 and 2, else floor(dst * scale) in float.
std::vector<Tap<double>> nearest_taps(int64_t in, int64_t out, double user_scale) {
  std::vector<Tap<double>> taps(static_cast<size_t>(out));
  const float scale = user_scale > 0 ? static_cast<float>(1.0 / user_scale)
                                     : static_cast<float>(in) / static_cast<float>(out);
  for (int64_t o = 0; o < out; ++o) {
    int64_t s;
    if (out == in) s = o;
    else if (out == 2 * in) s = o >> 1;
    else s = std::min(static_cast<int64_t>(std::floor(static_cast<float>(o) * scale)), in - 1);
    taps[static_cast<size_t>(o)] = {s, s, 1.0, 0.0};
  }
  return taps;
}

// libtorch's area_pixel_compute_scale / compute_source_index_and_lambda: the ratio in the
// tensor's dtype, the source coordinate in double.
template <class T>
std::vector<Tap<T>> linear_taps(int64_t in, int64_t out, bool align_corners, double user_scale) {
  std::vector<Tap<T>> taps(static_cast<size_t>(out));
  T ratio;
  if (align_corners) ratio = out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0);
  else ratio = user_scale > 0 ? static_cast<T>(1.0 / user_scale) : static_cast<T>(in) / static_cast<T>(out);
  for (int64_t o = 0; o < out; ++o) {
    if (out == in) {
      taps[static_cast<size_t>(o)] = {o, o, T(1), T(0)};
      continue;
    }
    double real = align_corners ? static_cast<double>(ratio) * static_cast<double>(o)
                                : static_cast<double>(ratio) * (static_cast<double>(o) + 0.5) - 0.5;
    if (!align_corners && real < 0) real = 0;
    const int64_t i0 = static_cast<int64_t>(real);
    const int64_t i1 = i0 + (i0 < in - 1 ? 1 : 0);
    const T l1 = static_cast<T>(real - static_cast<double>(i0));
    taps[static_cast<size_t>(o)] = {i0, i1, static_cast<T>(T(1) - l1), l1};
  }
  return taps;
}

template <class T>
std::vector<Tap<T>> cast_taps(const std::vector<Tap<double>>& t) {
  std::vector<Tap<T>> r(t.size());
  for (size_t i = 0; i < t.size(); ++i) r[i] = {t[i].i0, t[i].i1, static_cast<T>(t[i].w0), static_cast<T>(t[i].w1)};
  return r;
}

// Applies out = Ty (x) Tx to every plane, or its adjoint (grad_in += ...) when Adjoint.
template <class T, bool Adjoint>
void apply_taps(const std::vector<Tap<T>>& ty, const std::vector<Tap<T>>& tx, T* image, T* resampled,
                int64_t planes, int64_t h, int64_t w) {
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
        if constexpr (Adjoint) {
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
      apply_taps<T, Adjoint>(ty, tx, static_cast<T*>(image.data), static_cast<T*>(res.data), planes, h, w);
    } else {
      detail::throw_error<DTypeError>(name, "not implemented for dtype ", image.dtype);
    }
  });
}

// Source index of padded position o (o - pad in the unpadded frame) along an axis of n.
std::vector<int64_t> pad_map(PadMode mode, int64_t n, int64_t out, int64_t pad) {
  std::vector<int64_t> m(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    int64_t s = o - pad;
    switch (mode) {
      case PadMode::Reflect:
        if (s < 0) s = -s;
        else if (s >= n) s = 2 * (n - 1) - s;
        break;
      case PadMode::Replicate: s = std::clamp<int64_t>(s, 0, n - 1); break;
      case PadMode::Circular: s = ((s % n) + n) % n; break;
    }
    m[static_cast<size_t>(o)] = s;
  }
  return m;
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
