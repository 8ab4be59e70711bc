#pragma once
// IEEE binary16 (Half) and bfloat16 storage types with their float conversions, written
// once for the host and the device. float -> 16-bit rounds to nearest even, as libtorch's
// c10::Half and c10::BFloat16 do; NaN stays NaN and overflow becomes infinity.
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "backends/common/host_device.h"

namespace ember::backend::math {

EMBER_HD uint32_t float_bits(float f) {
#ifdef __CUDA_ARCH__
  return __float_as_uint(f);
#else
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
#endif
}
EMBER_HD float bits_float(uint32_t u) {
#ifdef __CUDA_ARCH__
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
#endif
}

EMBER_HD uint16_t float_to_half_bits(float f) {
  const uint32_t x = float_bits(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u)  // inf or NaN (NaN keeps a quiet payload bit)
    return static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds past 65504
  if (abs < 0x38800000u) {  // below the smallest normal half: a subnormal or zero
    // Adding 0.5 makes the float unit's rounding do the half's subnormal rounding.
    const float magic = bits_float(abs) + 0.5f;
    return static_cast<uint16_t>(sign | (float_bits(magic) - 0x3f000000u));
  }
  const uint32_t mant_odd = (abs >> 13) & 1u;
  const uint32_t rounded = abs + 0xc8000fffu + mant_odd;  // rebias exponent (-112 << 23) and round
  return static_cast<uint16_t>(sign | (rounded >> 13));
}

EMBER_HD float half_bits_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t mant = h & 0x3ffu;
  if (exp == 0x1fu) return bits_float(sign | 0x7f800000u | (mant << 13));
  if (exp == 0) {  // subnormal or zero: mant * 2^-24
    const float v = static_cast<float>(mant) * bits_float(0x33800000u);
    return sign ? -v : v;
  }
  return bits_float(sign | ((exp + 112u) << 23) | (mant << 13));
}

EMBER_HD uint16_t float_to_bfloat16_bits(float f) {
  const uint32_t x = float_bits(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);  // quiet NaN
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

EMBER_HD float bfloat16_bits_to_float(uint16_t b) { return bits_float(static_cast<uint32_t>(b) << 16); }

/// 16-bit float storage: converts to and from float, nothing else.
struct Half {
  uint16_t bits;
  Half() = default;
  EMBER_HD Half(float f) : bits(float_to_half_bits(f)) {}
  EMBER_HD operator float() const { return half_bits_to_float(bits); }
};
struct BFloat16 {
  uint16_t bits;
  BFloat16() = default;
  EMBER_HD BFloat16(float f) : bits(float_to_bfloat16_bits(f)) {}
  EMBER_HD operator float() const { return bfloat16_bits_to_float(bits); }
};

template <class T>
constexpr bool is_16bit_float_v = std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

/// The type arithmetic on T runs in (libtorch's opmath_type): float for the 16-bit
/// storage types, which are loaded, computed on in float and rounded once on store, so a
/// chain of operations inside one kernel does not round after every step; T otherwise.
template <class T>
using opmath_t = std::conditional_t<is_16bit_float_v<T>, float, T>;

}  // namespace ember::backend::math
