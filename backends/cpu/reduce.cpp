// CPU reductions. `out` has `in`'s rank with size 1 on every reduced dim. Three shapes of
// loop: reduced dims innermost and contiguous (one dot-like pass per output), kept dim
// innermost and contiguous (rows accumulated into a vector), and the general strided walk.
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/loops.h"
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
template <class T>
double sum_contiguous(const T* p, int64_t n) {
  constexpr int L = 16;
  constexpr int64_t kBlock = 4096;
  double total = 0;
  for (int64_t b = 0; b < n; b += kBlock) {
    const int64_t e = std::min(n, b + kBlock);
    T lanes[L] = {};
    int64_t i = b;
    for (; i + L <= e; i += L)
      for (int l = 0; l < L; ++l) lanes[l] += p[i + l];
    T tail = 0;
    for (; i < e; ++i) tail += p[i];
    T s = tail;
    for (int l = 0; l < L; ++l) s += lanes[l];
    total += static_cast<double>(s);
  }
  return total;
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
  std::vector<int64_t> out_offsets;
  walk(g.kept_sizes, g.kept_out_strides, [&](int64_t o) { out_offsets.push_back(o); });
  size_t k = 0;
  walk(g.kept_sizes, g.kept_in_strides, [&](int64_t base_off) {
    const T* base = src + base_off;
    A acc = r.identity();
    walk(red_outer_sizes, red_outer_strides, [&](int64_t ro) {
      const T* p = base + ro;
      if (!inner_contig) {
        acc = r.combine(acc, static_cast<A>(*p));
      } else if constexpr (std::is_floating_point_v<T>) {
        if (op == ReduceOp::Sum) { acc += sum_contiguous(p, inner_n); return; }
        for (int64_t j = 0; j < inner_n; ++j) acc = r.combine(acc, static_cast<A>(p[j]));
      } else {
        for (int64_t j = 0; j < inner_n; ++j) acc = r.combine(acc, static_cast<A>(p[j]));
      }
    });
    dst[out_offsets[k++]] = static_cast<T>(acc);
  });
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
    std::vector<int64_t> out_offsets;
    walk(sizes, out_strides, [&](int64_t o) { out_offsets.push_back(o); });
    size_t k = 0;
    const bool is_max = op == ArgReduceOp::ArgMax;
    walk(sizes, in_strides, [&](int64_t base) {
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
      dst[out_offsets[k++]] = best;
    });
  });
}

}  // namespace ember::backend::cpu
