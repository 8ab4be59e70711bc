// CPU kernels of the sort and scan family: inclusive scans (cumsum, cumprod,
// logcumsumexp), sort, topk and per-slice selection (kthvalue, median, mode). Every kernel
// works on independent slices along one dim; slices are copied into a local buffer when
// they are sorted or selected from, so strided inputs cost one gather per slice.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "backends/common/order_ops.h"
#include "backends/common/scalar_ops.h"
#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/loops.h"
#include "ember/errors.h"

namespace ember::backend::cpu {
namespace {

using ScanOp = Backend::ScanOp;
using SliceSelect = Backend::SliceSelect;

// Calls f(offsets) for every slice along `dim`, where offsets[k] is the element offset of
// the slice's first element in operand k. Operand 0 gives the sizes of the other dims;
// the operands may differ in their size along dim only.
template <size_t N, class F>
void for_each_slice(const std::array<const TensorArg*, N>& ops, int dim, F&& f) {
  const TensorArg& a = *ops[0];
  std::vector<int64_t> sizes;
  std::vector<std::array<int64_t, N>> strides;
  for (int d = 0; d < a.ndim; ++d) {
    if (d == dim || a.sizes[d] == 1) continue;
    if (a.sizes[d] == 0) return;
    sizes.push_back(a.sizes[d]);
    std::array<int64_t, N> s;
    for (size_t k = 0; k < N; ++k) s[k] = ops[k]->strides[d];
    strides.push_back(s);
  }
  std::array<int64_t, N> off{};
  const size_t nd = sizes.size();
  std::vector<int64_t> idx(nd, 0);
  for (;;) {
    f(off);
    size_t d = nd;
    for (;;) {
      if (d == 0) return;
      --d;
      if (++idx[d] < sizes[d]) {
        for (size_t k = 0; k < N; ++k) off[k] += strides[d][k];
        break;
      }
      for (size_t k = 0; k < N; ++k) off[k] -= strides[d][k] * (sizes[d] - 1);
      idx[d] = 0;
    }
  }
}

// ---- scans ------------------------------------------------------------------------

// Floating scans accumulate in double and integer scans in int64, as libtorch's CPU
// kernels do; results are rounded to the output dtype on every store.
template <class T>
using scan_acc_t = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

using math::log_add_exp;

template <class T, class Step>
void scan_loop(const TensorArg& in, const TensorArg& out, int dim, Step step) {
  using A = scan_acc_t<T>;
  const T* src = static_cast<const T*>(in.data);
  T* dst = static_cast<T*>(out.data);
  const int64_t n = in.sizes[dim];
  if (in.numel == 0) return;
  if (in.contiguous && out.contiguous && dim != in.ndim - 1) {
    // [outer, n, inner]: carry one accumulator per inner position, so the inner loop runs
    // over contiguous memory.
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < dim; ++d) outer *= in.sizes[d];
    for (int d = dim + 1; d < in.ndim; ++d) inner *= in.sizes[d];
    std::vector<A> acc(static_cast<size_t>(inner));
    for (int64_t o = 0; o < outer; ++o) {
      const T* s = src + o * n * inner;
      T* t = dst + o * n * inner;
      for (int64_t j = 0; j < inner; ++j) {
        acc[j] = static_cast<A>(s[j]);
        t[j] = static_cast<T>(acc[j]);
      }
      for (int64_t i = 1; i < n; ++i) {
        const T* si = s + i * inner;
        T* ti = t + i * inner;
        for (int64_t j = 0; j < inner; ++j) {
          acc[j] = step(acc[j], static_cast<A>(si[j]));
          ti[j] = static_cast<T>(acc[j]);
        }
      }
    }
    return;
  }
  const int64_t is = in.strides[dim], os = out.strides[dim];
  for_each_slice<2>({&in, &out}, dim, [&](const std::array<int64_t, 2>& off) {
    const T* s = src + off[0];
    T* t = dst + off[1];
    if (n == 0) return;
    A acc = static_cast<A>(s[0]);
    t[0] = static_cast<T>(acc);
    for (int64_t i = 1; i < n; ++i) {
      acc = step(acc, static_cast<A>(s[i * is]));
      t[i * os] = static_cast<T>(acc);
    }
  });
}

// ---- ordering ---------------------------------------------------------------------

using math::Ascending;
using math::Descending;
using math::Keyed;
using math::same_value;

template <class T>
void load_slice(std::vector<Keyed<T>>& buf, const T* s, int64_t n, int64_t stride) {
  buf.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) buf[static_cast<size_t>(i)] = Keyed<T>{s[i * stride], i};
}

template <class T>
void store_slice(const std::vector<Keyed<T>>& buf, int64_t count, T* v, int64_t vs, int64_t* ix, int64_t xs) {
  for (int64_t j = 0; j < count; ++j) {
    v[j * vs] = buf[static_cast<size_t>(j)].v;
    ix[j * xs] = buf[static_cast<size_t>(j)].i;
  }
}

template <class T>
void sort_typed(const TensorArg& in, const TensorArg& values, const TensorArg& indices, int dim,
                bool descending) {
  const T* src = static_cast<const T*>(in.data);
  T* vals = static_cast<T*>(values.data);
  int64_t* idx = static_cast<int64_t*>(indices.data);
  const int64_t n = in.sizes[dim];
  std::vector<Keyed<T>> buf;
  for_each_slice<3>({&in, &values, &indices}, dim, [&](const std::array<int64_t, 3>& off) {
    load_slice(buf, src + off[0], n, in.strides[dim]);
    if (descending) std::sort(buf.begin(), buf.end(), Descending<T>{});
    else std::sort(buf.begin(), buf.end(), Ascending<T>{});
    store_slice(buf, n, vals + off[1], values.strides[dim], idx + off[2], indices.strides[dim]);
  });
}

// The first k of buf in `cmp` order, sorted: a selection pass, then a sort of the k.
template <class T, class Cmp>
void select_first_k(std::vector<Keyed<T>>& buf, int64_t k, Cmp cmp) {
  if (k <= 0) return;
  if (k < static_cast<int64_t>(buf.size())) std::nth_element(buf.begin(), buf.begin() + (k - 1), buf.end(), cmp);
  std::sort(buf.begin(), buf.begin() + k, cmp);
}

// The first k of a slice in `cmp` order, sorted, for k much smaller than the slice: one
// pass keeping a heap of the k best (its top is the worst of them), without copying the
// whole slice.
template <class T, class Cmp>
void heap_first_k(std::vector<Keyed<T>>& heap, const T* s, int64_t n, int64_t stride, int64_t k, Cmp cmp) {
  heap.clear();
  for (int64_t i = 0; i < k; ++i) heap.push_back(Keyed<T>{s[i * stride], i});
  std::make_heap(heap.begin(), heap.end(), cmp);
  for (int64_t i = k; i < n; ++i) {
    const Keyed<T> e{s[i * stride], i};
    if (cmp(e, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), cmp);
      heap.back() = e;
      std::push_heap(heap.begin(), heap.end(), cmp);
    }
  }
  std::sort_heap(heap.begin(), heap.end(), cmp);
}

template <class T>
void topk_typed(const TensorArg& in, const TensorArg& values, const TensorArg& indices, int64_t k, int dim,
                bool largest) {
  const T* src = static_cast<const T*>(in.data);
  T* vals = static_cast<T*>(values.data);
  int64_t* idx = static_cast<int64_t*>(indices.data);
  const int64_t n = in.sizes[dim];
  if (k == 0) return;
  std::vector<Keyed<T>> buf;
  const bool use_heap = k * 16 <= n;
  for_each_slice<3>({&in, &values, &indices}, dim, [&](const std::array<int64_t, 3>& off) {
    if (use_heap) {
      if (largest) heap_first_k(buf, src + off[0], n, in.strides[dim], k, Descending<T>{});
      else heap_first_k(buf, src + off[0], n, in.strides[dim], k, Ascending<T>{});
    } else {
      load_slice(buf, src + off[0], n, in.strides[dim]);
      if (largest) select_first_k(buf, k, Descending<T>{});
      else select_first_k(buf, k, Ascending<T>{});
    }
    store_slice(buf, k, vals + off[1], values.strides[dim], idx + off[2], indices.strides[dim]);
  });
}

template <class T>
void select_typed(SliceSelect op, const TensorArg& in, const TensorArg& values, const TensorArg& indices,
                  int64_t k, int dim) {
  const T* src = static_cast<const T*>(in.data);
  T* vals = static_cast<T*>(values.data);
  int64_t* idx = static_cast<int64_t*>(indices.data);
  const int64_t n = in.sizes[dim], stride = in.strides[dim];
  if (n == 0) return;
  std::vector<Keyed<T>> buf;
  for_each_slice<3>({&in, &values, &indices}, dim, [&](const std::array<int64_t, 3>& off) {
    const T* s = src + off[0];
    Keyed<T> pick{};
    if (op == SliceSelect::Median) {
      int64_t nan_at = -1;
      if constexpr (std::is_floating_point_v<T>)
        for (int64_t i = 0; i < n && nan_at < 0; ++i)
          if (std::isnan(s[i * stride])) nan_at = i;
      if (nan_at >= 0) {
        pick = Keyed<T>{s[nan_at * stride], nan_at};
      } else {
        load_slice(buf, s, n, stride);
        const int64_t m = (n - 1) / 2;
        std::nth_element(buf.begin(), buf.begin() + m, buf.end(), Ascending<T>{});
        pick = buf[static_cast<size_t>(m)];
      }
    } else if (op == SliceSelect::KthValue) {
      load_slice(buf, s, n, stride);
      std::nth_element(buf.begin(), buf.begin() + (k - 1), buf.end(), Ascending<T>{});
      pick = buf[static_cast<size_t>(k - 1)];
    } else {  // Mode: runs of equal values in ascending order; the first longest run wins.
      load_slice(buf, s, n, stride);
      std::sort(buf.begin(), buf.end(), Ascending<T>{});
      int64_t best = 0;
      for (size_t i = 0; i < buf.size();) {
        size_t j = i + 1;
        while (j < buf.size() && same_value(buf[j].v, buf[i].v)) ++j;
        if (static_cast<int64_t>(j - i) > best) {
          best = static_cast<int64_t>(j - i);
          pick = buf[j - 1];  // equal values are in index order: the last occurrence
        }
        i = j;
      }
    }
    vals[off[1]] = pick.v;
    idx[off[2]] = pick.i;
  });
}

void check_dim(const TensorArg& in, int dim, const char* op) {
  EMBER_ASSERT(in.ndim >= 1 && dim >= 0 && dim < in.ndim, "the ", op, " kernel needs a dim in range (got ", dim,
               " for ", in.ndim, " dims)");
}

}  // namespace

void CpuBackend::scan(ScanOp op, const TensorArg& in, const TensorArg& out, int dim) {
  check_dim(in, dim, "scan");
  EMBER_ASSERT(in.dtype == out.dtype, "scan needs matching dtypes");
  dispatch_dtype(in.dtype, "scan", [&](auto t) {
    using T = decltype(t);
    using A = scan_acc_t<T>;
    switch (op) {
      case ScanOp::CumSum: scan_loop<T>(in, out, dim, [](A a, A b) { return A(a + b); }); break;
      case ScanOp::CumProd: scan_loop<T>(in, out, dim, [](A a, A b) { return A(a * b); }); break;
      case ScanOp::LogCumSumExp:
        if constexpr (std::is_floating_point_v<T>) {
          scan_loop<T>(in, out, dim, [](A a, A b) { return log_add_exp(a, b); });
        } else {
          detail::throw_error<DTypeError>("logcumsumexp", "\"logcumsumexp_out_cpu\" not implemented for '",
                                          in.dtype, "'");
        }
        break;
    }
  });
}

void CpuBackend::sort(const TensorArg& in, const TensorArg& values, const TensorArg& indices, int dim,
                      bool descending, bool /*stable: always*/) {
  check_dim(in, dim, "sort");
  dispatch_dtype(in.dtype, "sort", [&](auto t) { sort_typed<decltype(t)>(in, values, indices, dim, descending); });
}

void CpuBackend::topk(const TensorArg& in, const TensorArg& values, const TensorArg& indices, int64_t k,
                      int dim, bool largest, bool /*sorted: always*/) {
  check_dim(in, dim, "topk");
  EMBER_ASSERT(k >= 0 && k <= in.sizes[dim], "topk kernel needs 0 <= k <= size");
  dispatch_dtype(in.dtype, "topk", [&](auto t) { topk_typed<decltype(t)>(in, values, indices, k, dim, largest); });
}

void CpuBackend::slice_select(SliceSelect op, const TensorArg& in, const TensorArg& values,
                              const TensorArg& indices, int64_t k, int dim) {
  check_dim(in, dim, "slice_select");
  EMBER_ASSERT(op != SliceSelect::KthValue || (k >= 1 && k <= in.sizes[dim]), "kthvalue kernel needs 1 <= k <= size");
  dispatch_dtype(in.dtype, "slice_select", [&](auto t) { select_typed<decltype(t)>(op, in, values, indices, k, dim); });
}

}  // namespace ember::backend::cpu
