#pragma once
// Host-side planning of a library convolution (cuDNN): which operand of
// Backend::convolution is the image x, the filter w and the output y in each direction,
// whether the sizes fit the library's 32-bit descriptors, and the per-shape cache of the
// algorithm chosen for them. Plain C++, so the CPU tests check it.
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "backends/backend.h"

namespace ember::backend::conv_plan {

/// NCHW sizes of the image, filter [O, C/G, kh, kw] and output of one convolution.
struct Shapes {
  int64_t x[4], w[4], y[4];
};

inline void copy4(int64_t (&dst)[4], const TensorArg& t) {
  for (int d = 0; d < 4; ++d) dst[d] = t.sizes[d];
}

/// Output length of a convolution along one dim (libtorch's conv output size).
inline int64_t output_size(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d) {
  return (in + 2 * p - d * (k - 1) - 1) / s + 1;
}

/// The shapes of a Backend::convolution call: Forward (x, w) -> y, BackwardData (dy, w) -> dx,
/// BackwardWeight (x, dy) -> dw. False unless every operand is 4-D and the sizes agree
/// with the window and groups (the image's channels are groups * w[1], the output's
/// channels w[0], a multiple of groups, and its spatial sizes the window's output).
inline bool shapes_of(Backend::ConvDirection dir, const TensorArg& a, const TensorArg& b, const TensorArg& out,
                      const Backend::Window2d& win, int64_t groups, Shapes& s) {
  if (a.ndim != 4 || b.ndim != 4 || out.ndim != 4 || groups < 1) return false;
  switch (dir) {
    case Backend::ConvDirection::Forward: copy4(s.x, a); copy4(s.w, b); copy4(s.y, out); break;
    case Backend::ConvDirection::BackwardData: copy4(s.y, a); copy4(s.w, b); copy4(s.x, out); break;
    case Backend::ConvDirection::BackwardWeight: copy4(s.x, a); copy4(s.y, b); copy4(s.w, out); break;
  }
  return s.x[0] == s.y[0] && s.x[1] == groups * s.w[1] && s.y[1] == s.w[0] && s.w[0] % groups == 0 &&
         s.w[2] == win.kh && s.w[3] == win.kw &&
         s.y[2] == output_size(s.x[2], win.kh, win.sh, win.ph, win.dh) &&
         s.y[3] == output_size(s.x[3], win.kw, win.sw, win.pw, win.dw);
}

/// Whether every size, element count and window parameter fits the library's int.
inline bool fits_int32(const Shapes& s, const Backend::Window2d& win) {
  for (const int64_t* dims : {s.x, s.w, s.y}) {
    int64_t n = 1;
    for (int d = 0; d < 4; ++d) {
      if (dims[d] > INT_MAX) return false;
      n *= dims[d];
      if (n > INT_MAX) return false;
    }
  }
  for (int64_t v : {win.sh, win.sw, win.ph, win.pw, win.dh, win.dw})
    if (v > INT_MAX) return false;
  return true;
}

/// What the algorithm choice depends on: direction, dtype, device, math mode, whether only
/// deterministic algorithms may be chosen, and shapes.
struct Key {
  uint8_t dir, dtype, math, deterministic;
  int32_t device;
  int64_t groups;
  Backend::Window2d win;
  Shapes shapes;
  bool operator==(const Key& o) const { return std::memcmp(this, &o, sizeof(Key)) == 0; }
};

/// A key with its padding zeroed, so that equal fields compare and hash equal bytewise.
inline Key make_key(Backend::ConvDirection dir, ScalarType dtype, int math, bool deterministic, int device,
                    int64_t groups, const Backend::Window2d& win, const Shapes& shapes) {
  Key k;
  std::memset(&k, 0, sizeof k);
  k.dir = static_cast<uint8_t>(dir);
  k.dtype = static_cast<uint8_t>(dtype);
  k.math = static_cast<uint8_t>(math);
  k.deterministic = deterministic ? 1 : 0;
  k.device = device;
  k.groups = groups;
  k.win = win;
  k.shapes = shapes;
  return k;
}

struct KeyHash {
  size_t operator()(const Key& k) const {
    // FNV-1a over the key's bytes.
    const auto* p = reinterpret_cast<const unsigned char*>(&k);
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < sizeof k; ++i) h = (h ^ p[i]) * 1099511628211ull;
    return static_cast<size_t>(h);
  }
};

/// The algorithm chosen for each key: `choose` runs once per key; later calls with the
/// same key return its choice. Shared by threads.
template <class Choice>
class Cache {
 public:
  Choice get(const Key& key, const std::function<Choice()>& choose) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = map_.find(key);
      if (it != map_.end()) return it->second;
    }
    // Chosen outside the lock: choosing may run library calls that take a while.
    Choice c = choose();
    std::lock_guard<std::mutex> lock(mutex_);
    return map_.emplace(key, c).first->second;
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return map_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<Key, Choice, KeyHash> map_;
};

}  // namespace ember::backend::conv_plan
