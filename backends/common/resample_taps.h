#pragma once
// The per-axis source tables of resampling, computed on the host and shared by the CPU and
// CUDA kernels: upsampling taps with libtorch's coordinate rules (nearest_idx,
// area_pixel_compute_scale, compute_source_index_and_lambda) and the index maps of
// reflect/replicate/circular padding.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "backends/backend.h"

namespace ember::backend::resample {

using PadMode = Backend::PadMode;

// One output coordinate of a separable linear map: out = w0 * in[i0] + w1 * in[i1].
template <class T>
struct Tap {
  int64_t i0, i1;
  T w0, w1;
};

// libtorch's nearest_idx: exact copies for scale 1 and 2, else floor(dst * scale) in float.
inline std::vector<Tap<double>> nearest_taps(int64_t in, int64_t out, double user_scale) {
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

// Source index of padded position o (o - pad in the unpadded frame) along an axis of n.
inline std::vector<int64_t> pad_map(PadMode mode, int64_t n, int64_t out, int64_t pad) {
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

}  // namespace ember::backend::resample
