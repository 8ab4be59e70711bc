// CPU p-norm reduction: one pass over the input accumulating in double, instead of
// abs/pow/sum/pow as separate passes with temporaries. Reduced runs that are contiguous
// get independent lane accumulators the compiler vectorises.
#include <cmath>
#include <limits>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/loops.h"
#include "ember/errors.h"

namespace ember::backend::cpu {
namespace {

enum class Kind { Zero, One, Two, Inf, NegInf, General };

template <Kind K>
inline double map_one(double v, double p) {
  if constexpr (K == Kind::Zero) return v != 0 ? 1.0 : 0.0;
  else if constexpr (K == Kind::Two) return v * v;
  else if constexpr (K == Kind::General) return std::pow(std::fabs(v), p);
  else return std::fabs(v);
}

template <Kind K>
inline double combine(double a, double b) {
  if constexpr (K == Kind::Inf || K == Kind::NegInf) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
    return K == Kind::Inf ? (b > a ? b : a) : (b < a ? b : a);
  } else {
    return a + b;
  }
}

template <Kind K>
constexpr double identity() {
  if constexpr (K == Kind::NegInf) return std::numeric_limits<double>::infinity();
  else return 0.0;  // |x| >= 0, so 0 is also the identity of the max
}

// Reduces n elements at x (byte stride `stride`) to one partial result.
template <Kind K, class T>
double reduce_run(const char* x, int64_t stride, int64_t n, double p) {
  if constexpr (K == Kind::Zero || K == Kind::One || K == Kind::Two) {
    if (stride != sizeof(T)) {
      double s = 0;
      for (int64_t i = 0; i < n; ++i) s += map_one<K>(static_cast<double>(*reinterpret_cast<const T*>(x + i * stride)), p);
      return s;
    }
    const T* v = reinterpret_cast<const T*>(x);
    constexpr int L = 8;
    double lanes[L] = {};
    int64_t i = 0;
    for (; i + L <= n; i += L)
      for (int l = 0; l < L; ++l) lanes[l] += map_one<K>(static_cast<double>(v[i + l]), p);
    double s = 0;
    for (; i < n; ++i) s += map_one<K>(static_cast<double>(v[i]), p);
    for (int l = 0; l < L; ++l) s += lanes[l];
    return s;
  }
  double acc = identity<K>();
  for (int64_t i = 0; i < n; ++i)
    acc = combine<K>(acc, map_one<K>(static_cast<double>(*reinterpret_cast<const T*>(x + i * stride)), p));
  return acc;
}

template <Kind K>
inline double finish(double acc, double p) {
  if constexpr (K == Kind::Two) return std::sqrt(acc);
  else if constexpr (K == Kind::General) return std::pow(acc, 1.0 / p);
  else return acc;
}

template <class T, Kind K>
void norm_typed(const TensorArg& in, const TensorArg& out, double p) {
  // Accumulators: one double per output element, seen through in's sizes with stride 0 on
  // the reduced dims, so one strided walk over `in` feeds them.
  std::vector<double> acc(static_cast<size_t>(out.numel), identity<K>());
  std::vector<int64_t> acc_strides(static_cast<size_t>(in.ndim)), flat_strides(static_cast<size_t>(out.ndim));
  int64_t st = 1;
  for (int d = out.ndim - 1; d >= 0; --d) {
    flat_strides[static_cast<size_t>(d)] = st;
    st *= out.sizes[d];
  }
  for (int d = 0; d < in.ndim; ++d)
    acc_strides[static_cast<size_t>(d)] = out.sizes[d] == 1 ? 0 : flat_strides[static_cast<size_t>(d)];
  const TensorArg acc_in{acc.data(), kDouble, in.ndim, in.sizes, acc_strides.data(), in.numel, false};
  for_each_row<2>({&acc_in, &in}, [&](std::array<char*, 2> ptr, std::array<int64_t, 2> s, int64_t n) {
    double* a = reinterpret_cast<double*>(ptr[0]);
    if (s[0] == 0) {
      *a = combine<K>(*a, reduce_run<K, T>(ptr[1], s[1], n, p));
    } else {
      for (int64_t i = 0; i < n; ++i) {
        double* ai = reinterpret_cast<double*>(ptr[0] + i * s[0]);
        *ai = combine<K>(*ai, map_one<K>(static_cast<double>(*reinterpret_cast<const T*>(ptr[1] + i * s[1])), p));
      }
    }
  });
  const TensorArg acc_out{acc.data(), kDouble, out.ndim, out.sizes, flat_strides.data(), out.numel, true};
  for_each_row<2>({&out, &acc_out}, [&](std::array<char*, 2> ptr, std::array<int64_t, 2> s, int64_t n) {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<T*>(ptr[0] + i * s[0]) =
          static_cast<T>(finish<K>(*reinterpret_cast<const double*>(ptr[1] + i * s[1]), p));
  });
}

template <class T>
void norm_dispatch(const TensorArg& in, const TensorArg& out, double p) {
  if (p == 0) norm_typed<T, Kind::Zero>(in, out, p);
  else if (p == 1) norm_typed<T, Kind::One>(in, out, p);
  else if (p == 2) norm_typed<T, Kind::Two>(in, out, p);
  else if (std::isinf(p)) p > 0 ? norm_typed<T, Kind::Inf>(in, out, p) : norm_typed<T, Kind::NegInf>(in, out, p);
  else norm_typed<T, Kind::General>(in, out, p);
}

}  // namespace

void CpuBackend::norm_reduce(const TensorArg& in, const TensorArg& out, double p) {
  EMBER_ASSERT(in.dtype == out.dtype && in.ndim == out.ndim, "norm kernel needs matching dtypes and ranks");
  switch (in.dtype) {
    case kFloat: norm_dispatch<float>(in, out, p); break;
    case kDouble: norm_dispatch<double>(in, out, p); break;
    default: detail::throw_error<DTypeError>("norm", "dtype ", in.dtype, " is not supported (floating types only)");
  }
}

}  // namespace ember::backend::cpu
