#pragma once
// The orders of sort, topk and the per-slice selections, written once for the host and
// the device: values keyed by their index in the slice, NaN largest, equal values (and
// NaNs among themselves) by increasing index. Both orders are total, so every correct
// sort gives the CPU's result exactly.
#include <cstdint>
#include <cstring>
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

/// The unsigned integer of T's width (uint8_t for bool).
template <class T>
using radix_key_t = std::conditional_t<sizeof(T) == 1, uint8_t,
                    std::conditional_t<sizeof(T) == 2, uint16_t,
                    std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;

/// An unsigned key whose ascending order is Ascending's order of values: every NaN gets the
/// largest key and -0.0 the key of 0.0, so a stable radix sort by key of a slice laid out
/// by index gives exactly Ascending's order (ties by index), and a stable sort by the
/// key's complement gives Descending's.
template <class T>
EMBER_HD radix_key_t<T> radix_key(T v) {
  using U = radix_key_t<T>;
  constexpr U sign = U(U(1) << (sizeof(T) * 8 - 1));
  if constexpr (std::is_same_v<T, bool>) {
    return static_cast<U>(v ? 1 : 0);
  } else if constexpr (std::is_integral_v<T>) {
    return std::is_signed_v<T> ? static_cast<U>(static_cast<U>(v) ^ sign) : static_cast<U>(v);
  } else {
    U u;
    if constexpr (is_16bit_float_v<T>) {
      u = v.bits;
    } else {
      static_assert(sizeof(T) == sizeof(U));
      memcpy(&u, &v, sizeof(U));
    }
    if (is_nan_value(v)) return static_cast<U>(~U(0));
    if (static_cast<U>(u & static_cast<U>(~sign)) == 0) return sign;  // +-0.0
    return (u & sign) ? static_cast<U>(~u) : static_cast<U>(u | sign);
  }
}

/// Equality that counts NaN as equal to NaN (the runs of mode()).
template <class T>
EMBER_HD bool same_value(const T& a, const T& b) {
  const bool an = is_nan_value(a), bn = is_nan_value(b);
  if (an || bn) return an && bn;
  return a == b;
}

}  // namespace ember::backend::math
