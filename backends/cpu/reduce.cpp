// CPU reductions. `out` has `in`'s rank with size 1 on every reduced dim. Three shapes of
// loop: reduced dims innermost and contiguous (one dot-like pass per output), kept dim
// innermost and contiguous (rows accumulated into a vector), and the general strided walk.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/loops.h"
#include "backends/cpu/parallel.h"
#include "ember/errors.h"

namespace ember::backend::cpu {
namespace {

template <class T>
using acc_t = std::conditional_t<std::is_floating_point_v<T>, double,
                                 std::conditional_t<std::is_same_v<T, bool>, bool, T>>;

template <class T>
struct Reducer {
  ReduceOp op;
  using A = acc_t<T>;
  A identity() const {
    switch (op) {
      case ReduceOp::Sum: return A(0);
      case ReduceOp::Prod: return A(1);
      case ReduceOp::Any: return A(0);
      case ReduceOp::All: return A(1);
      case ReduceOp::Max:
        if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<A>::infinity();
        else return std::numeric_limits<A>::lowest();
      case ReduceOp::Min:
        if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<A>::infinity();
        else return std::numeric_limits<A>::max();
    }
    return A(0);
  }
  A combine(A acc, A v) const {
    switch (op) {
      case ReduceOp::Sum:
        if constexpr (std::is_same_v<T, bool>) return acc || v;
        else return wrap_add(acc, v);
      case ReduceOp::Prod:
        if constexpr (std::is_same_v<T, bool>) return acc && v;
        else return wrap_mul(acc, v);
      case ReduceOp::Any: return (acc != A(0) || v != A(0)) ? A(1) : A(0);
      case ReduceOp::All: return (acc != A(0) && v != A(0)) ? A(1) : A(0);
      case ReduceOp::Max:
        if constexpr (std::is_floating_point_v<T>) { if (std::isnan(v) || v > acc) return v; return acc; }
        else return v > acc ? v : acc;
      case ReduceOp::Min:
        if constexpr (std::is_floating_point_v<T>) { if (std::isnan(v) || v < acc) return v; return acc; }
        else return v < acc ? v : acc;
    }
    return acc;
  }
};

// Sum of a contiguous float run: blocked lane accumulators in T (vectorisable) folded
// into a double per block, so error stays at the block's scale.
constexpr int64_t kSumBlock = 4096;

template <class T>
T block_sum(const T* p, int64_t n) {
  constexpr int L = 16;
  T lanes[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int l = 0; l < L; ++l) lanes[l] += p[i + l];
  T tail = 0;
  for (; i < n; ++i) tail += p[i];
  T s = tail;
  for (int l = 0; l < L; ++l) s += lanes[l];
  return s;
}

template <class T>
double sum_contiguous(const T* p, int64_t n) {
  double total = 0;
  for (int64_t b = 0; b < n; b += kSumBlock)
    total += static_cast<double>(block_sum(p + b, std::min(kSumBlock, n - b)));
  return total;
}

// Product of a contiguous run in double lanes (vectorisable; a combine per element through
// the op switch is not).
template <class T>
double prod_contiguous(const T* p, int64_t n) {
  constexpr int L = 8;
  double lanes[L] = {1, 1, 1, 1, 1, 1, 1, 1};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int l = 0; l < L; ++l) lanes[l] *= static_cast<double>(p[i + l]);
  double r = 1;
  for (; i < n; ++i) r *= static_cast<double>(p[i]);
  for (int l = 0; l < L; ++l) r *= lanes[l];
  return r;
}

// sum_contiguous over the thread pool: the same blocks, folded in the same order, so the
// result is the one a single thread gets, bit for bit.
template <class T>
double sum_contiguous_parallel(const T* p, int64_t n) {
  const int64_t blocks = (n + kSumBlock - 1) / kSumBlock;
  std::vector<double> partial(static_cast<size_t>(blocks));
  parallel_for(0, blocks, std::max<int64_t>(1, kParallelGrain / kSumBlock), [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k)
      partial[static_cast<size_t>(k)] =
          static_cast<double>(block_sum(p + k * kSumBlock, std::min(kSumBlock, n - k * kSumBlock)));
  });
  double total = 0;
  for (double v : partial) total += v;
  return total;
}

// The widest vector the target has: GCC splits wider vector types into scalar code.
#if defined(__AVX512F__)
constexpr int kVectorBytes = 64;
#else
constexpr int kVectorBytes = 32;
#endif

// Max or min of a contiguous run (n >= 1) on GCC vector types (two accumulators): plain
// lane arrays with a NaN test are not vectorised by the compiler.
// NaN propagates as in libtorch: a NaN in the run makes the result NaN (the first one,
// found by a rescan only when the vector pass saw one). Ties between -0 and +0 may
// resolve to either.
template <class T, bool IsMax>
T minmax_contiguous(const T* p, int64_t n) {
  typedef T V __attribute__((vector_size(kVectorBytes)));
  constexpr int L = static_cast<int>(kVectorBytes / sizeof(T));
  auto pick = [](auto v, auto m) {
    if constexpr (IsMax) return v > m ? v : m;
    else return v < m ? v : m;
  };
  int64_t i = 0;
  T m = p[0];
  if (n >= 2 * L) {
    V m0, m1, bad0 = {}, bad1 = {};
    std::memcpy(&m0, p, sizeof(V));
    m1 = m0;
    for (; i + 2 * L <= n; i += 2 * L) {
      V v0, v1;
      std::memcpy(&v0, p + i, sizeof(V));
      std::memcpy(&v1, p + i + L, sizeof(V));
      m0 = pick(v0, m0);
      m1 = pick(v1, m1);
      if constexpr (std::is_floating_point_v<T>) {
        // Turns NaN in a lane that met a NaN (or an infinity; the rescan decides).
        bad0 += v0 - v0;
        bad1 += v1 - v1;
      }
    }
    if constexpr (std::is_floating_point_v<T>) {
      const V bad = bad0 + bad1;
      bool any = false;
      for (int l = 0; l < L; ++l) any = any || bad[l] != bad[l];
      if (any)
        for (int64_t j = 0; j < i; ++j)
          if (std::isnan(p[j])) return p[j];
    }
    m0 = pick(m1, m0);
    m = m0[0];
    for (int l = 1; l < L; ++l) m = pick(m0[l], m);
  }
  for (; i < n; ++i) {
    const T v = p[i];
    if constexpr (std::is_floating_point_v<T>)
      if (std::isnan(v)) return v;
    m = pick(v, m);
  }
  return m;
}

template <class T>
T minmax_contiguous(const T* p, int64_t n, bool is_max) {
  return is_max ? minmax_contiguous<T, true>(p, n) : minmax_contiguous<T, false>(p, n);
}

// Whole-tensor max/min of a contiguous run in fixed blocks, each block on whichever
// thread, folded in block order: the result does not depend on the thread count.
constexpr int64_t kMinMaxBlock = 65536;

template <class T>
T minmax_blocked(const T* p, int64_t n, bool is_max) {
  const int64_t blocks = (n + kMinMaxBlock - 1) / kMinMaxBlock;
  if (blocks == 1) return minmax_contiguous(p, n, is_max);
  std::vector<T> partial(static_cast<size_t>(blocks));
  parallel_for(0, blocks, std::max<int64_t>(1, kParallelGrain / kMinMaxBlock), [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k)
      partial[static_cast<size_t>(k)] =
          minmax_contiguous(p + k * kMinMaxBlock, std::min(kMinMaxBlock, n - k * kMinMaxBlock), is_max);
  });
  T m = partial[0];
  for (int64_t k = 1; k < blocks; ++k) {
    const T v = partial[static_cast<size_t>(k)];
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(m)) break;
      if (std::isnan(v)) { m = v; break; }
    }
    m = is_max ? (v > m ? v : m) : (v < m ? v : m);
  }
  return m;
}

struct Geometry {
  // Kept dims (out index space) and reduced dims, each with input strides (elements).
  std::vector<int64_t> kept_sizes, kept_in_strides, kept_out_strides;
  std::vector<int64_t> red_sizes, red_strides;
};

Geometry split_dims(const TensorArg& in, const TensorArg& out) {
  Geometry g;
  for (int d = 0; d < in.ndim; ++d) {
    if (in.sizes[d] == 1) continue;
    if (out.sizes[d] == 1) {
      g.red_sizes.push_back(in.sizes[d]);
      g.red_strides.push_back(in.strides[d]);
    } else {
      g.kept_sizes.push_back(in.sizes[d]);
      g.kept_in_strides.push_back(in.strides[d]);
      g.kept_out_strides.push_back(out.strides[d]);
    }
  }
  // Merge adjacent reduced dims that are contiguous with each other.
  for (size_t i = g.red_sizes.size(); i-- > 1;) {
    if (g.red_strides[i - 1] == g.red_strides[i] * g.red_sizes[i]) {
      g.red_sizes[i - 1] *= g.red_sizes[i];
      g.red_strides[i - 1] = g.red_strides[i];
      g.red_sizes.erase(g.red_sizes.begin() + static_cast<long>(i));
      g.red_strides.erase(g.red_strides.begin() + static_cast<long>(i));
    }
  }
  return g;
}

// Visits every index of an N-d box given sizes/strides, calling f(offset).
template <class F>
void walk(const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides, F&& f) {
  const size_t nd = sizes.size();
  if (nd == 0) { f(int64_t(0)); return; }
  for (int64_t s : sizes)
    if (s == 0) return;  // an empty box has no index (not even offset 0)
  std::vector<int64_t> idx(nd, 0);
  int64_t off = 0;
  for (;;) {
    f(off);
    size_t d = nd;
    while (d-- > 0) {
      if (++idx[d] < sizes[d]) { off += strides[d]; break; }
      off -= strides[d] * (sizes[d] - 1);
      idx[d] = 0;
      if (d == 0) return;
    }
  }
}

template <class T>
void reduce_typed(ReduceOp op, const TensorArg& in, const TensorArg& out) {
  using A = acc_t<T>;
  Reducer<T> r{op};
  const T* src = static_cast<const T*>(in.data);
  T* dst = static_cast<T*>(out.data);
  if (in.numel == 0) {
    walk(std::vector<int64_t>(out.sizes, out.sizes + out.ndim),
         std::vector<int64_t>(out.strides, out.strides + out.ndim),
         [&](int64_t o) { dst[o] = static_cast<T>(r.identity()); });
    return;
  }
  if constexpr (std::is_floating_point_v<T>) {
    if (op == ReduceOp::Sum && in.contiguous && out.numel == 1 && in.numel >= 2 * kParallelGrain &&
        parallel_threads() > 1) {
      A acc = r.identity();
      acc += sum_contiguous_parallel(src, in.numel);
      dst[0] = static_cast<T>(acc);
      return;
    }
  }
  constexpr bool kMinMaxFast = !std::is_same_v<T, bool>;
  const bool minmax = op == ReduceOp::Max || op == ReduceOp::Min;
  if constexpr (kMinMaxFast) {
    if (minmax && in.contiguous && out.numel == 1) {
      dst[0] = minmax_blocked(src, in.numel, op == ReduceOp::Max);
      return;
    }
  }
  Geometry g = split_dims(in, out);
  const bool inner_contig = !g.red_sizes.empty() && g.red_strides.back() == 1;
  const bool kept_inner = !g.kept_sizes.empty() && g.kept_in_strides.back() == 1 &&
                          g.kept_out_strides.back() == 1 && !inner_contig;
  if (kept_inner) {
    // Accumulate whole rows: out[k] op= in[r, k] for the innermost kept run.
    const int64_t m = g.kept_sizes.back();
    std::vector<int64_t> outer_sizes(g.kept_sizes.begin(), g.kept_sizes.end() - 1);
    std::vector<int64_t> outer_in(g.kept_in_strides.begin(), g.kept_in_strides.end() - 1);
    std::vector<int64_t> outer_out(g.kept_out_strides.begin(), g.kept_out_strides.end() - 1);
    std::vector<A> acc(static_cast<size_t>(m));
    std::vector<int64_t> in_offsets, out_offsets;
    walk(outer_sizes, outer_in, [&](int64_t o) { in_offsets.push_back(o); });
    walk(outer_sizes, outer_out, [&](int64_t o) { out_offsets.push_back(o); });
    for (size_t k = 0; k < in_offsets.size(); ++k) {
      std::fill(acc.begin(), acc.end(), r.identity());
      const T* base = src + in_offsets[k];
      walk(g.red_sizes, g.red_strides, [&](int64_t ro) {
        const T* row = base + ro;
        if (op == ReduceOp::Sum) {
          for (int64_t j = 0; j < m; ++j) acc[j] = r.combine(acc[j], static_cast<A>(row[j]));
        } else {
          for (int64_t j = 0; j < m; ++j) acc[j] = r.combine(acc[j], static_cast<A>(row[j]));
        }
      });
      T* o = dst + out_offsets[k];
      for (int64_t j = 0; j < m; ++j) o[j] = static_cast<T>(acc[j]);
    }
    return;
  }
  std::vector<int64_t> red_outer_sizes = g.red_sizes, red_outer_strides = g.red_strides;
  int64_t inner_n = 1;
  if (inner_contig) {
    inner_n = red_outer_sizes.back();
    red_outer_sizes.pop_back();
    red_outer_strides.pop_back();
  }
  std::vector<int64_t> out_offsets, in_offsets;
  walk(g.kept_sizes, g.kept_out_strides, [&](int64_t o) { out_offsets.push_back(o); });
  walk(g.kept_sizes, g.kept_in_strides, [&](int64_t o) { in_offsets.push_back(o); });
  int64_t per_out = inner_n;
  for (int64_t s : red_outer_sizes) per_out *= s;
  // Each output is reduced by the same code whichever thread runs it, so the result does
  // not depend on the thread count.
  auto reduce_range = [&](int64_t kb, int64_t ke) {
    for (int64_t k = kb; k < ke; ++k) {
      const T* base = src + in_offsets[static_cast<size_t>(k)];
      A acc = r.identity();
      walk(red_outer_sizes, red_outer_strides, [&](int64_t ro) {
        const T* p = base + ro;
        if (!inner_contig) {
          acc = r.combine(acc, static_cast<A>(*p));
          return;
        }
        if constexpr (kMinMaxFast) {
          if (minmax && inner_n > 0) {
            acc = r.combine(acc, static_cast<A>(minmax_contiguous(p, inner_n, op == ReduceOp::Max)));
            return;
          }
        }
        if constexpr (std::is_floating_point_v<T>) {
          if (op == ReduceOp::Sum) { acc += sum_contiguous(p, inner_n); return; }
          if (op == ReduceOp::Prod) { acc *= prod_contiguous(p, inner_n); return; }
        }
        for (int64_t j = 0; j < inner_n; ++j) acc = r.combine(acc, static_cast<A>(p[j]));
      });
      dst[out_offsets[static_cast<size_t>(k)]] = static_cast<T>(acc);
    }
  };
  const int64_t outs = static_cast<int64_t>(in_offsets.size());
  if (inner_contig && outs > 1 && in.numel >= 2 * kParallelGrain)
    parallel_for(0, outs, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(per_out, 1)), reduce_range);
  else
    reduce_range(0, outs);
}

}  // namespace

void CpuBackend::reduce(ReduceOp op, const TensorArg& in, const TensorArg& out) {
  EMBER_ASSERT(in.dtype == out.dtype, "reduce needs matching dtypes");
  dispatch_dtype(in.dtype, "reduce", [&](auto t) { reduce_typed<decltype(t)>(op, in, out); });
}

void CpuBackend::arg_reduce(ArgReduceOp op, const TensorArg& in, int dim, const TensorArg& out) {
  dispatch_dtype(in.dtype, "argmax", [&](auto t) {
    using T = decltype(t);
    const T* src = static_cast<const T*>(in.data);
    int64_t* dst = static_cast<int64_t*>(out.data);
    const int64_t n = in.sizes[dim], stride = in.strides[dim];
    std::vector<int64_t> sizes, in_strides, out_strides;
    for (int d = 0; d < in.ndim; ++d) {
      if (d == dim) continue;
      sizes.push_back(in.sizes[d]);
      in_strides.push_back(in.strides[d]);
      out_strides.push_back(out.strides[d]);
    }
    std::vector<int64_t> out_offsets, in_offsets;
    walk(sizes, out_strides, [&](int64_t o) { out_offsets.push_back(o); });
    walk(sizes, in_strides, [&](int64_t o) { in_offsets.push_back(o); });
    const bool is_max = op == ArgReduceOp::ArgMax;
    auto one = [&](int64_t base) -> int64_t {
      if constexpr (!std::is_same_v<T, bool>) {
        if (stride == 1 && n > 1) {
          // The extremum by the vectorised pass, then its first position (the first NaN
          // when there is one): the index the scalar scan below gives.
          const T* row = src + base;
          const T m = minmax_contiguous(row, n, is_max);
          if constexpr (std::is_floating_point_v<T>) {
            if (std::isnan(m)) {
              for (int64_t i = 0; i < n; ++i)
                if (std::isnan(row[i])) return i;
            }
          }
          for (int64_t i = 0; i < n; ++i)
            if (row[i] == m) return i;
        }
      }
      int64_t best = 0;
      T bv = src[base];
      for (int64_t i = 1; i < n; ++i) {
        T v = src[base + i * stride];
        bool better;
        if constexpr (std::is_floating_point_v<T>) {
          if (std::isnan(bv)) break;
          better = std::isnan(v) || (is_max ? v > bv : v < bv);
        } else {
          better = is_max ? v > bv : v < bv;
        }
        if (better) { bv = v; best = i; }
      }
      return best;
    };
    const int64_t outs = static_cast<int64_t>(in_offsets.size());
    auto range = [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k)
        dst[out_offsets[static_cast<size_t>(k)]] = one(in_offsets[static_cast<size_t>(k)]);
    };
    if (outs > 1 && in.numel >= 2 * kParallelGrain)
      parallel_for(0, outs, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(n, 1)), range);
    else
      range(0, outs);
  });
}

}  // namespace ember::backend::cpu
