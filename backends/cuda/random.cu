// Random fills on the device from the Philox generator (backends/common/philox.h) with
// the CPU's counter scheme: element i of a request draws from block (offset + i / per)
// of the same seed, so a CUDA tensor holds the numbers a CPU tensor would for the same
// seed and generator state (up to the last bit of the device's log/cos for normals).
// Half and BFloat16 outputs draw as float does and round.
#include <limits>

#include "backends/common/philox.h"
#include "backends/common/scalar_ops.h"
#include "backends/cuda/loops.cuh"

namespace ember::backend::cuda {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

// 16-bit outputs take the float draws (four per Philox call, as float) rounded to T,
// through float as libtorch's conversions do.
template <class T>
__device__ void store(T* o, int64_t i, double v) {
  o[i] = math::convert<T>(v);
}

// A uniform draw rounded to a 16-bit type can land on the upper bound; libtorch maps
// that value to the lower bound so the interval stays [a, b).
template <class T>
__device__ void store_uniform(T* o, int64_t i, double v, double a, double b) {
  if constexpr (math::is_16bit_float_v<T>) {
    const T r = math::convert<T>(v);
    o[i] = static_cast<float>(r) == static_cast<float>(math::convert<T>(b)) ? math::convert<T>(a) : r;
  } else {
    store(o, i, v);
  }
}

// Thread b fills block b: `per` elements from one Philox call.
template <class T>
__global__ void random_kernel(T* o, int64_t n, uint64_t seed, uint64_t base, int dist, double a, double b,
                              uint64_t lo, uint64_t range) {
  constexpr bool dbl = std::is_same_v<T, double>;
  const int64_t blocks = dist == 3 ? (n + 1) / 2 : (dbl ? (n + 1) / 2 : (n + 3) / 4);
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t blk = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; blk < blocks; blk += step) {
    Philox4x32 r(seed, base + static_cast<uint64_t>(blk));
    if (dist == 3) {  // Integer in [a, b): unsigned arithmetic, as the CPU
      for (int j = 0; j < 2 && blk * 2 + j < n; ++j) {
        const uint64_t v = (static_cast<uint64_t>(r.out[2 * j]) << 32) | r.out[2 * j + 1];
        const int64_t x = static_cast<int64_t>(lo + v % range);
        o[blk * 2 + j] = math::convert<T>(x);
      }
      continue;
    }
    const int per = dbl ? 2 : 4;
    if (dist == 1) {  // Normal via Box-Muller, computed in double as the CPU
      double z[4];
      if (dbl) {
        const double u1 = uints_to_unit_double(r.out[0], r.out[1]);
        const double u2 = uints_to_unit_double(r.out[2], r.out[3]);
        const double rad = sqrt(-2.0 * log(1.0 - u1));
        z[0] = rad * cos(kTwoPi * u2);
        z[1] = rad * sin(kTwoPi * u2);
      } else {
        for (int h = 0; h < 2; ++h) {
          const double u1 = uint_to_unit_float(r.out[2 * h]);
          const double u2 = uint_to_unit_float(r.out[2 * h + 1]);
          const double rad = sqrt(-2.0 * log(1.0 - u1));
          z[2 * h] = rad * cos(kTwoPi * u2);
          z[2 * h + 1] = rad * sin(kTwoPi * u2);
        }
      }
      for (int j = 0; j < per && blk * per + j < n; ++j) store(o, blk * per + j, a + b * z[j]);
      continue;
    }
    for (int j = 0; j < per && blk * per + j < n; ++j) {  // Uniform (0) or Bernoulli (2)
      const double u = dbl ? uints_to_unit_double(r.out[2 * j], r.out[2 * j + 1])
                           : static_cast<double>(uint_to_unit_float(r.out[j]));
      if (dist == 0) store_uniform(o, blk * per + j, a + (b - a) * u, a, b);
      else store(o, blk * per + j, u < a ? 1.0 : 0.0);
    }
  }
}

template <class T, class P>
__global__ void bernoulli_kernel(T* o, const P* p, int64_t n, uint64_t seed, uint64_t base) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t blk = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; blk * 4 < n; blk += step) {
    Philox4x32 r(seed, base + static_cast<uint64_t>(blk));
    for (int j = 0; j < 4 && blk * 4 + j < n; ++j) {
      const int64_t i = blk * 4 + j;
      store(o, i, uint_to_unit_float(r.out[j]) < math::convert<double>(p[i]) ? 1.0 : 0.0);
    }
  }
}

// Bounds arrive as doubles; int64 max becomes 2^63, which does not convert back (UB).
int64_t to_int64(double v) {
  if (v >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
  if (v <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

}  // namespace

void CudaBackend::random(Distribution dist, const TensorArg& out, double a, double b, Generator& gen) {
  EMBER_ASSERT(out.contiguous, "random fills need a contiguous output");
  const int64_t n = out.numel;
  if (n == 0) return;
  dispatch_with_16bit(out.dtype, "random", [&](auto t) {
    using T = decltype(t);
    constexpr bool dbl = std::is_same_v<T, double>;
    const int d = static_cast<int>(dist);
    const int64_t blocks = dist == Distribution::Integer ? (n + 1) / 2 : (dbl ? (n + 1) / 2 : (n + 3) / 4);
    const uint64_t base = gen.advance(static_cast<uint64_t>(blocks));
    uint64_t lo = 0, range = 1;
    if (dist == Distribution::Integer) {  // unsigned: [INT64_MIN, INT64_MAX) overflows int64
      lo = static_cast<uint64_t>(to_int64(a));
      range = static_cast<uint64_t>(to_int64(b)) - lo;
    }
    const Launch1d l = elementwise_launch(blocks, sm_count(), 1);
    random_kernel<T><<<static_cast<unsigned>(l.grid), l.block, 0, current_stream()>>>(static_cast<T*>(out.data), n,
                                                                                     gen.seed(), base, d, a, b, lo, range);
    EMBER_CUDA_CHECK_LAUNCH();
  });
}

void CudaBackend::bernoulli_tensor(const TensorArg& p, const TensorArg& out, Generator& gen) {
  EMBER_ASSERT(out.contiguous && p.contiguous, "bernoulli needs contiguous operands");
  const int64_t n = out.numel;
  if (n == 0) return;
  const bool p16 = p.dtype == kHalf || p.dtype == kBFloat16, out16 = out.dtype == kHalf || out.dtype == kBFloat16;
  // 16-bit probabilities come from bernoulli(self) and dropout, whose output shares p's
  // dtype: only those pairs get a kernel, which keeps the (p, out) instantiations few.
  EMBER_CHECK(!(p16 || out16) || p.dtype == out.dtype, DTypeError, "bernoulli", "probabilities of dtype ", p.dtype,
              " and an output of dtype ", out.dtype, " are not supported together on CUDA");
  const uint64_t base = gen.advance(static_cast<uint64_t>((n + 3) / 4));
  const Launch1d l = elementwise_launch((n + 3) / 4, sm_count(), 1);
  auto launch = [&](auto pt, auto t) {
    using P = decltype(pt);
    using T = decltype(t);
    bernoulli_kernel<T, P><<<static_cast<unsigned>(l.grid), l.block, 0, current_stream()>>>(
        static_cast<T*>(out.data), static_cast<const P*>(p.data), n, gen.seed(), base);
    EMBER_CUDA_CHECK_LAUNCH();
  };
  if (p.dtype == kHalf) return launch(math::Half{}, math::Half{});
  if (p.dtype == kBFloat16) return launch(math::BFloat16{}, math::BFloat16{});
  dispatch_floating(p.dtype, "bernoulli", [&](auto pt) {
    dispatch(out.dtype, "bernoulli", [&](auto t) { launch(pt, t); });
  });
}

}  // namespace ember::backend::cuda
