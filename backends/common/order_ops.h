#pragma once
// The orders of sort, topk and the per-slice selections, written once for the host and
// the device: values keyed by their index in the slice, NaN largest, equal values (and
// NaNs among themselves) by increasing index. Both orders are total, so every correct
// sort gives the CPU's result exactly.
#include <cstdint>
#include <type_traits>

#include "backends/common/half.h"
#include "backends/common/host_device.h"

namespace ember::backend::math {

template <class T>
struct Keyed {
  T v;
  int64_t i;
};

template <class T>
EMBER_HD bool is_nan_value(T v) {
  if constexpr (is_16bit_float_v<T>) {
    const float f = static_cast<float>(v);
    return f != f;
  } else if constexpr (std::is_floating_point_v<T>) {
    return v != v;
  } else {
    return false;
  }
}

/// Ascending order with NaN largest; equal values (and NaNs among themselves) by index.
template <class T>
struct Ascending {
  EMBER_HD bool operator()(const Keyed<T>& a, const Keyed<T>& b) const {
    const bool an = is_nan_value(a.v), bn = is_nan_value(b.v);
    if (an || bn) return an && bn ? a.i < b.i : bn;
    if (a.v < b.v) return true;
    if (b.v < a.v) return false;
    return a.i < b.i;
  }
};

/// Descending order with NaN largest (first); equal values still by increasing index.
template <class T>
struct Descending {
  EMBER_HD bool operator()(const Keyed<T>& a, const Keyed<T>& b) const {
    const bool an = is_nan_value(a.v), bn = is_nan_value(b.v);
    if (an || bn) return an && bn ? a.i < b.i : an;
    if (b.v < a.v) return true;
    if (a.v < b.v) return false;
    return a.i < b.i;
  }
};

/// Equality that counts NaN as equal to NaN (the runs of mode()).
template <class T>
EMBER_HD bool same_value(const T& a, const T& b) {
  const bool an = is_nan_value(a), bn = is_nan_value(b);
  if (an || bn) return an && bn;
  return a == b;
}

}  // namespace ember::backend::math
