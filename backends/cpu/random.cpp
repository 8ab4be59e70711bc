// Random fills from the Philox generator (backends/common/philox.h). Element i of a
// request draws from block (offset + i / per_block), so results do not depend on how
// the loop is split.
#include <cmath>
#include <limits>

#include "backends/common/philox.h"
#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/loops.h"
#include "ember/errors.h"

namespace ember::backend::cpu {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

template <class T>
void store(T* o, int64_t i, double v) {
  if constexpr (std::is_same_v<T, bool>) o[i] = v != 0;
  else o[i] = static_cast<T>(v);
}

// Integers are stored without a round trip through double, which would drop the low bits
// of values above 2^53.
template <class T>
void store_int(T* o, int64_t i, int64_t v) {
  if constexpr (std::is_same_v<T, bool>) o[i] = v != 0;
  else o[i] = static_cast<T>(v);
}

// Bounds arrive as doubles; int64 max becomes 2^63, which does not convert back (UB).
int64_t to_int64(double v) {
  if (v >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
  if (v <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

}  // namespace

void CpuBackend::random(Distribution dist, const TensorArg& out, double a, double b, Generator& gen) {
  EMBER_ASSERT(out.contiguous, "random fills need a contiguous output");
  const int64_t n = out.numel;
  const uint64_t seed = gen.seed();
  dispatch_dtype(out.dtype, "random", [&](auto t) {
    using T = decltype(t);
    T* o = static_cast<T*>(out.data);
    constexpr bool dbl = std::is_same_v<T, double>;
    switch (dist) {
      case Distribution::Uniform:
      case Distribution::Bernoulli: {
        const int per = dbl ? 2 : 4;
        const uint64_t base = gen.advance(static_cast<uint64_t>((n + per - 1) / per));
        for (int64_t blk = 0; blk * per < n; ++blk) {
          Philox4x32 r(seed, base + static_cast<uint64_t>(blk));
          for (int j = 0; j < per && blk * per + j < n; ++j) {
            double u = dbl ? uints_to_unit_double(r.out[2 * j], r.out[2 * j + 1])
                           : static_cast<double>(uint_to_unit_float(r.out[j]));
            if (dist == Distribution::Uniform) store(o, blk * per + j, a + (b - a) * u);
            else store(o, blk * per + j, u < a ? 1.0 : 0.0);
          }
        }
        return;
      }
      case Distribution::Normal: {
        // Box-Muller: each pair of uniforms gives two normals.
        const int per = dbl ? 2 : 4;
        const uint64_t base = gen.advance(static_cast<uint64_t>((n + per - 1) / per));
        for (int64_t blk = 0; blk * per < n; ++blk) {
          Philox4x32 r(seed, base + static_cast<uint64_t>(blk));
          double z[4];
          if (dbl) {
            double u1 = uints_to_unit_double(r.out[0], r.out[1]);
            double u2 = uints_to_unit_double(r.out[2], r.out[3]);
            double rad = std::sqrt(-2.0 * std::log(1.0 - u1));
            z[0] = rad * std::cos(kTwoPi * u2);
            z[1] = rad * std::sin(kTwoPi * u2);
          } else {
            for (int h = 0; h < 2; ++h) {
              double u1 = uint_to_unit_float(r.out[2 * h]);
              double u2 = uint_to_unit_float(r.out[2 * h + 1]);
              double rad = std::sqrt(-2.0 * std::log(1.0 - u1));
              z[2 * h] = rad * std::cos(kTwoPi * u2);
              z[2 * h + 1] = rad * std::sin(kTwoPi * u2);
            }
          }
          for (int j = 0; j < per && blk * per + j < n; ++j) store(o, blk * per + j, a + b * z[j]);
        }
        return;
      }
      case Distribution::Integer: {
        // Unsigned arithmetic: the range of [INT64_MIN, INT64_MAX) overflows int64.
        const uint64_t lo = static_cast<uint64_t>(to_int64(a));
        const uint64_t range = static_cast<uint64_t>(to_int64(b)) - lo;
        const uint64_t base = gen.advance(static_cast<uint64_t>((n + 1) / 2));
        for (int64_t blk = 0; blk * 2 < n; ++blk) {
          Philox4x32 r(seed, base + static_cast<uint64_t>(blk));
          for (int j = 0; j < 2 && blk * 2 + j < n; ++j) {
            uint64_t v = (static_cast<uint64_t>(r.out[2 * j]) << 32) | r.out[2 * j + 1];
            store_int(o, blk * 2 + j, static_cast<int64_t>(lo + v % range));
          }
        }
        return;
      }
    }
  });
}

void CpuBackend::bernoulli_tensor(const TensorArg& p, const TensorArg& out, Generator& gen) {
  EMBER_ASSERT(out.contiguous && p.contiguous, "bernoulli needs contiguous operands");
  const int64_t n = out.numel;
  const uint64_t base = gen.advance(static_cast<uint64_t>((n + 3) / 4));
  const uint64_t seed = gen.seed();
  dispatch_dtype(p.dtype, "bernoulli", [&](auto pt) {
    using P = decltype(pt);
    const P* pp = static_cast<const P*>(p.data);
    dispatch_dtype(out.dtype, "bernoulli", [&](auto t) {
      using T = decltype(t);
      T* o = static_cast<T*>(out.data);
      for (int64_t blk = 0; blk * 4 < n; ++blk) {
        Philox4x32 r(seed, base + static_cast<uint64_t>(blk));
        for (int j = 0; j < 4 && blk * 4 + j < n; ++j) {
          const int64_t i = blk * 4 + j;
          store(o, i, uint_to_unit_float(r.out[j]) < static_cast<double>(pp[i]) ? 1.0 : 0.0);
        }
      }
    });
  });
}

}  // namespace ember::backend::cpu
