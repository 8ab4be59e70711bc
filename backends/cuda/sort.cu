// Sort, topk and the per-slice selections (kthvalue, median, mode) on CUDA, with the
// orders of backends/common/order_ops.h that the CPU kernels use; the orders are total, so
// the results equal the CPU's exactly. Two paths (sort_slices_by_radix in
// backends/common/launch.h):
// - many short slices: one thread per slice merge-sorts it, keyed by index, in scratch;
// - otherwise every element at once: a stable device-wide radix sort by radix_key (the
//   order as an unsigned key, complemented for descending), then a second stable one by
//   slice, which groups the slices and keeps each one's order; the elements are placed from
//   there in parallel. Selections then pick from each sorted slice on one thread.
#include <vector>

#include "backends/common/launch.h"
#include "backends/common/order_ops.h"
#include "backends/common/sorted_scatter.h"
#include "backends/cuda/loops.cuh"
#include "backends/cuda/radix_sort.cuh"

namespace ember::backend::cuda {
namespace {

using math::Keyed;

enum class Job : uint8_t { Sort, TopK, KthValue, Median, Mode };

// Sorts a[0, n) by cmp using b as scratch; returns the buffer holding the result.
template <class T, class Cmp>
__device__ Keyed<T>* merge_sort(Keyed<T>* a, Keyed<T>* b, int64_t n, const Cmp& cmp) {
  for (int64_t width = 1; width < n; width *= 2) {
    for (int64_t lo = 0; lo < n; lo += 2 * width) {
      const int64_t mid = lo + width < n ? lo + width : n;
      const int64_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      int64_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) b[k++] = cmp(a[j], a[i]) ? a[j++] : a[i++];
      while (i < mid) b[k++] = a[i++];
      while (j < hi) b[k++] = a[j++];
    }
    Keyed<T>* t = a;
    a = b;
    b = t;
  }
  return a;
}

// The element a selection returns from its sorted slice (ascending, ties by index).
template <class T>
__device__ Keyed<T> pick_sorted(const Keyed<T>* sorted, int64_t n, int64_t k, Job job) {
  Keyed<T> pick = sorted[0];
  if (job == Job::KthValue) {
    pick = sorted[k - 1];
  } else if (job == Job::Median) {
    // NaNs sort last in index order: the first of them is the slice's first NaN.
    int64_t first_nan = n;
    while (first_nan > 0 && math::is_nan_value(sorted[first_nan - 1].v)) --first_nan;
    pick = first_nan < n ? sorted[first_nan] : sorted[(n - 1) / 2];
  } else {  // Mode: the first longest run of equal values, and its last index.
    int64_t best = 0;
    for (int64_t i = 0; i < n;) {
      int64_t j = i + 1;
      while (j < n && math::same_value(sorted[j].v, sorted[i].v)) ++j;
      if (j - i > best) {
        best = j - i;
        pick = sorted[j - 1];
      }
      i = j;
    }
  }
  return pick;
}

template <class T>
struct SliceJob {
  const T* in;
  T* values;
  int64_t* indices;
  Keyed<T>* scratch;  // 2 * n per slice
  OffsetCalculator<3> calc;
  int64_t n, in_stride, v_stride, i_stride, k;
  Job job;
  bool descending;  // Sort: descending; TopK: largest

  __device__ void operator()(int64_t slice, int64_t) const {
    const auto off = calc.get(slice);
    Keyed<T>* a = scratch + slice * 2 * n;
    Keyed<T>* b = a + n;
    const T* s = in + off.v[0];
    for (int64_t i = 0; i < n; ++i) a[i] = {s[i * in_stride], i};
    const bool desc = (job == Job::Sort || job == Job::TopK) && descending;
    Keyed<T>* sorted = desc ? merge_sort(a, b, n, math::Descending<T>{}) : merge_sort(a, b, n, math::Ascending<T>{});
    T* v = values + off.v[1];
    int64_t* x = indices + off.v[2];
    if (job == Job::Sort || job == Job::TopK) {
      const int64_t count = job == Job::Sort ? n : k;
      for (int64_t j = 0; j < count; ++j) {
        v[j * v_stride] = sorted[j].v;
        x[j * i_stride] = sorted[j].i;
      }
      return;
    }
    const Keyed<T> pick = pick_sorted(sorted, n, k, job);
    v[0] = pick.v;
    x[0] = pick.i;
  }
};

// Radix path. Element e is position e % n of slice e / n.
template <class T>
struct RadixKeys {
  const T* in;
  OffsetCalculator<3> calc;
  int64_t n, in_stride;
  bool descending;
  math::radix_key_t<T>* keys;
  int64_t* elements;
  __device__ void operator()(int64_t e, int64_t) const {
    const auto key = math::radix_key(in[calc.get(e / n).v[0] + (e % n) * in_stride]);
    keys[e] = descending ? static_cast<math::radix_key_t<T>>(~key) : key;
    elements[e] = e;
  }
};

struct SliceOf {
  const int64_t* elements;
  int64_t n;
  int64_t* slices;
  __device__ void operator()(int64_t p, int64_t) const { slices[p] = elements[p] / n; }
};

// Position p of the sorted whole is position p % n of slice p / n, holding element
// order[p]: sort and topk write it out; selections collect their slice in `keyed`.
template <class T>
struct PlaceSorted {
  const T* in;
  const int64_t* order;
  T* values;
  int64_t* indices;
  Keyed<T>* keyed;
  OffsetCalculator<3> calc;
  int64_t n, in_stride, v_stride, i_stride, k;
  Job job;
  __device__ void operator()(int64_t p, int64_t) const {
    const int64_t slice = p / n, j = p % n, i = order[p] % n;
    const auto off = calc.get(slice);
    const T value = in[off.v[0] + i * in_stride];
    if (job == Job::Sort || job == Job::TopK) {
      if (job == Job::TopK && j >= k) return;
      values[off.v[1] + j * v_stride] = value;
      indices[off.v[2] + j * i_stride] = i;
    } else {
      keyed[p] = {value, i};
    }
  }
};

template <class T>
struct PickSlice {
  const Keyed<T>* keyed;
  T* values;
  int64_t* indices;
  OffsetCalculator<3> calc;
  int64_t n, k;
  Job job;
  __device__ void operator()(int64_t slice, int64_t) const {
    const Keyed<T> pick = pick_sorted(keyed + slice * n, n, k, job);
    const auto off = calc.get(slice);
    values[off.v[1]] = pick.v;
    indices[off.v[2]] = pick.i;
  }
};

template <class T>
void radix_run(Job job, const TensorArg& in, const TensorArg& values, const TensorArg& indices, int64_t k, int dim,
               bool descending, int64_t slices, const OffsetCalculator<3>& calc) {
  using U = math::radix_key_t<T>;
  const int64_t n = in.sizes[dim], total = slices * n;
  const auto count = static_cast<size_t>(total);
  const bool desc = (job == Job::Sort || job == Job::TopK) && descending;
  Scratch keys_buf(count * sizeof(U) * 2), elements_buf(count * sizeof(int64_t)), order_buf(count * sizeof(int64_t));
  U* keys = static_cast<U*>(keys_buf.get());
  auto* elements = static_cast<int64_t*>(elements_buf.get());
  auto* order = static_cast<int64_t*>(order_buf.get());
  const T* x = static_cast<const T*>(in.data);
  launch_indexed(total, RadixKeys<T>{x, calc, n, in.strides[dim], desc, keys, elements});
  radix_sort_pairs(keys, keys + total, static_cast<const int64_t*>(elements), order, total,
                   static_cast<int>(sizeof(U) * 8));
  if (slices > 1) {  // group by slice, each slice's elements kept in key order
    Scratch slice_buf(count * sizeof(int64_t) * 2);
    auto* slice_keys = static_cast<int64_t*>(slice_buf.get());
    launch_indexed(total, SliceOf{order, n, slice_keys});
    radix_sort_pairs(static_cast<const int64_t*>(slice_keys), slice_keys + total, static_cast<const int64_t*>(order),
                     elements, total, sorted_scatter::target_bits(slices));  // the bits slice ids use
    order = elements;
  }
  T* v = static_cast<T*>(values.data);
  auto* ix = static_cast<int64_t*>(indices.data);
  if (job == Job::Sort || job == Job::TopK) {
    launch_indexed(total, PlaceSorted<T>{x, order, v, ix, nullptr, calc, n, in.strides[dim], values.strides[dim],
                                         indices.strides[dim], k, job});
    return;
  }
  Scratch keyed_buf(count * sizeof(Keyed<T>));
  auto* keyed = static_cast<Keyed<T>*>(keyed_buf.get());
  launch_indexed(total, PlaceSorted<T>{x, order, v, ix, keyed, calc, n, in.strides[dim], values.strides[dim],
                                       indices.strides[dim], k, job});
  launch_indexed(slices, PickSlice<T>{keyed, v, ix, calc, n, k, job});
}

void run(Job job, const TensorArg& in, const TensorArg& values, const TensorArg& indices, int64_t k, int dim,
         bool descending, const char* name) {
  EMBER_ASSERT(dim >= 0 && dim < in.ndim && in.dtype == values.dtype && indices.dtype == kLong,
               "sort/topk/select kernels need a dim in range and int64 indices");
  const int64_t n = in.sizes[dim];
  if (in.numel == 0 || n == 0 || values.numel == 0) return;
  const int64_t slices = in.numel / n;
  std::vector<int64_t> sizes(in.sizes, in.sizes + in.ndim);
  sizes[static_cast<size_t>(dim)] = 1;
  const int64_t* strides[3] = {in.strides, values.strides, indices.strides};
  const auto calc = make_offset_calculator<3>(in.ndim, sizes.data(), strides);
  dispatch_with_16bit(in.dtype, name, [&](auto t) {
    using T = decltype(t);
    if (sort_slices_by_radix(slices, n, sm_count()))
      return radix_run<T>(job, in, values, indices, k, dim, descending, slices, calc);
    Scratch scratch(static_cast<size_t>(slices) * 2 * static_cast<size_t>(n) * sizeof(Keyed<T>));
    const SliceJob<T> f{static_cast<const T*>(in.data), static_cast<T*>(values.data),
                        static_cast<int64_t*>(indices.data), static_cast<Keyed<T>*>(scratch.get()), calc, n,
                        in.strides[dim], values.strides[dim], indices.strides[dim], k, job, descending};
    launch_indexed(slices, f);
  });
}

}  // namespace

void CudaBackend::sort(const TensorArg& in, const TensorArg& values, const TensorArg& indices, int dim,
                       bool descending, bool /*stable: always*/) {
  run(Job::Sort, in, values, indices, 0, dim, descending, "sort");
}

void CudaBackend::topk(const TensorArg& in, const TensorArg& values, const TensorArg& indices, int64_t k, int dim,
                       bool largest, bool /*sorted: always*/) {
  EMBER_ASSERT(k >= 0 && k <= in.sizes[dim], "topk kernel needs 0 <= k <= size");
  if (k == 0) return;
  run(Job::TopK, in, values, indices, k, dim, largest, "topk");
}

void CudaBackend::slice_select(SliceSelect op, const TensorArg& in, const TensorArg& values,
                               const TensorArg& indices, int64_t k, int dim) {
  EMBER_ASSERT(op != SliceSelect::KthValue || (k >= 1 && k <= in.sizes[dim]), "kthvalue kernel needs 1 <= k <= size");
  const Job job = op == SliceSelect::KthValue ? Job::KthValue : op == SliceSelect::Median ? Job::Median : Job::Mode;
  run(job, in, values, indices, k, dim, false, "slice_select");
}

}  // namespace ember::backend::cuda
