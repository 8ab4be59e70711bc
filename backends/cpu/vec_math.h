#pragma once
// Branch-free float exp and tanh that the compiler vectorises in plain loops (libm's
// expf/tanhf are calls it cannot). Accuracy about 1-2 ulp over the whole float range
// (Cody-Waite range reduction with the Cephes polynomials); NaN propagates, overflow
// gives inf and underflow 0 (through denormals). double keeps libm.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace ember::backend::cpu::vec {

inline float exp(float x) {
  // Beyond these bounds the result is inf / 0 anyway; the clamp keeps n in int range.
  x = std::min(std::max(x, -104.0f), 89.0f);
  // n = round(x / ln 2) by the 1.5 * 2^23 trick (exact, no rounding-mode call).
  const float shifted = x * 1.44269504088896341f + 12582912.0f;
  const float fn = shifted - 12582912.0f;
  // r = x - n ln 2 in two steps, so r keeps its low bits.
  float r = x - fn * 0.693359375f;
  r = r + fn * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  // 2^n as two factors so that n in [-150, 128] neither overflows the exponent field
  // early nor skips the denormal range.
  const int32_t n = static_cast<int32_t>(fn);
  const int32_t n1 = n >> 1, n2 = n - n1;
  const float s1 = std::bit_cast<float>((n1 + 127) << 23);
  const float s2 = std::bit_cast<float>((n2 + 127) << 23);
  return p * s1 * s2;
}

inline float tanh(float x) {
  const float a = std::fabs(x);
  // |x| < 0.625: odd polynomial (no cancellation near 0).
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = p * z * x + x;
  // Otherwise 1 - 2 / (exp(2|x|) + 1), with x's sign.
  const float big = 1.0f - 2.0f / (exp(2.0f * a) + 1.0f);
  const float signed_big = std::copysign(big, x);
  return a < 0.625f ? small : signed_big;
}

/// 1 + erf(x) by Abramowitz-Stegun 7.1.26 (absolute error below 2e-7, the accuracy of
/// libtorch's vectorised float erf); the x < 0 branch returns erfc(|x|) directly instead
/// of 1 - erf(|x|), which keeps the tail from cancelling to 0 early.
inline float one_plus_erf(float x) {
  const float a = std::fabs(x);
  const float t = 1.0f / (1.0f + 0.3275911f * a);
  float p = 1.061405429f;
  p = p * t - 1.453152027f;
  p = p * t + 1.421413741f;
  p = p * t - 0.284496736f;
  p = p * t + 0.254829592f;
  const float r = p * t * exp(-a * a);
  return x < 0 ? r : 2.0f - r;
}

/// exp / tanh / 1 + erf for float through the vectorisable forms, libm for double.
template <class T>
T exp_of(T x) {
  if constexpr (std::is_same_v<T, float>) return vec::exp(x);
  else return std::exp(x);
}
template <class T>
T one_plus_erf_of(T x) {
  if constexpr (std::is_same_v<T, float>) return vec::one_plus_erf(x);
  else return T(1) + std::erf(x);
}
template <class T>
T tanh_of(T x) {
  if constexpr (std::is_same_v<T, float>) return vec::tanh(x);
  else return std::tanh(x);
}

}  // namespace ember::backend::cpu::vec
