// Inclusive scans on CUDA (cumsum, cumprod, logcumsumexp), accumulating in double (float,
// double), float (float16, bfloat16) or int64 (integers) and rounding on every store, as
// the CPU kernel does. When the slices fill the GPU, one thread runs each slice along dim,
// in the CPU's order, so results agree with it exactly. Few long slices are cut into
// chunks (scan_chunks in backends/common/launch.h) and scanned in three passes: each
// chunk's total, a scan of the totals per slice, then each chunk again from its prefix; the
// sums then group differently from the CPU's, in the accumulator's precision.
#include <vector>

#include "backends/common/launch.h"
#include "backends/common/scalar_ops.h"
#include "backends/cuda/loops.cuh"

namespace ember::backend::cuda {
namespace {

template <class T>
constexpr bool kFloating = std::is_floating_point_v<T> || math::is_16bit_float_v<T>;
// 16-bit values accumulate in float (libtorch's accumulate type), so each output rounds
// once, float to 16 bits.
template <class T>
using acc_t = std::conditional_t<math::is_16bit_float_v<T>, float, std::conditional_t<kFloating<T>, double, int64_t>>;

template <class T>
__device__ acc_t<T> combine(Backend::ScanOp op, acc_t<T> acc, acc_t<T> v) {
  using A = acc_t<T>;
  if (op == Backend::ScanOp::CumSum) return static_cast<A>(acc + v);
  if (op == Backend::ScanOp::CumProd) return static_cast<A>(acc * v);
  if constexpr (kFloating<T>) return static_cast<A>(math::log_add_exp(acc, v));
  return acc;  // logcumsumexp of integers is refused before any launch
}

// Scans in[begin, end) of one slice, starting from *prefix when given, storing every
// output when out is set; returns the running value.
template <class T>
__device__ acc_t<T> scan_range(Backend::ScanOp op, const T* in, int64_t in_stride, T* out, int64_t out_stride,
                               int64_t begin, int64_t end, const acc_t<T>* prefix) {
  using A = acc_t<T>;
  A acc = prefix ? combine<T>(op, *prefix, static_cast<A>(in[begin * in_stride])) : static_cast<A>(in[begin * in_stride]);
  if (out) out[begin * out_stride] = static_cast<T>(acc);
  for (int64_t i = begin + 1; i < end; ++i) {
    acc = combine<T>(op, acc, static_cast<A>(in[i * in_stride]));
    if (out) out[i * out_stride] = static_cast<T>(acc);
  }
  return acc;
}

template <class T>
struct ScanSlices {
  const T* in;
  T* out;
  int64_t n, in_stride, out_stride;
  Backend::ScanOp op;
  __device__ void operator()(const int64_t* off) const {
    scan_range<T>(op, in + off[1], in_stride, out + off[0], out_stride, 0, n, nullptr);
  }
};

// The chunked passes; work item w is chunk w % chunks of slice w / chunks.
template <class T>
struct ScanChunks {
  const T* in;
  T* out;  // null in the first pass
  acc_t<T>* totals;  // [slices, chunks]: chunk totals, then (after the second pass) inclusive prefixes
  OffsetCalculator<2> calc;
  int64_t n, chunks, in_stride, out_stride;
  Backend::ScanOp op;
  __device__ void operator()(int64_t w, int64_t) const {
    const int64_t slice = w / chunks, c = w % chunks;
    const Share piece = share_of(c, chunks, n);
    if (piece.begin >= piece.end) return;
    const auto off = calc.get(slice);
    if (!out) {
      totals[w] = scan_range<T>(op, in + off.v[1], in_stride, nullptr, 0, piece.begin, piece.end, nullptr);
      return;
    }
    scan_range<T>(op, in + off.v[1], in_stride, out + off.v[0], out_stride, piece.begin, piece.end,
                  c > 0 ? &totals[w - 1] : nullptr);
  }
};

// The second pass: one thread turns a slice's chunk totals into inclusive prefixes.
template <class T>
struct ScanTotals {
  acc_t<T>* totals;
  int64_t n, chunks;
  Backend::ScanOp op;
  __device__ void operator()(int64_t slice, int64_t) const {
    acc_t<T>* t = totals + slice * chunks;
    for (int64_t c = 1; c < chunks && share_of(c, chunks, n).begin < n; ++c) t[c] = combine<T>(op, t[c - 1], t[c]);
  }
};

}  // namespace

void CudaBackend::scan(ScanOp op, const TensorArg& in, const TensorArg& out, int dim) {
  EMBER_ASSERT(in.dtype == out.dtype && dim >= 0 && dim < in.ndim, "scan kernel needs matching dtypes and a dim in range");
  if (in.numel == 0) return;
  // One iteration element per slice: dim's size becomes 1.
  std::vector<int64_t> sizes(in.sizes, in.sizes + in.ndim);
  sizes[static_cast<size_t>(dim)] = 1;
  const int64_t slices = in.numel / in.sizes[dim];
  const int64_t* strides[2] = {out.strides, in.strides};
  const auto calc = make_offset_calculator<2>(in.ndim, sizes.data(), strides);
  dispatch_with_16bit(in.dtype, "scan", [&](auto t) {
    using T = decltype(t);
    if constexpr (!kFloating<T>) {
      if (op == ScanOp::LogCumSumExp)
        ::ember::detail::throw_error<DTypeError>("logcumsumexp", "not implemented for '", in.dtype, "'");
    }
    const int64_t n = in.sizes[dim], chunks = scan_chunks(slices, n, sm_count());
    if (chunks > 1) {
      Scratch totals(static_cast<size_t>(slices * chunks) * sizeof(acc_t<T>));
      ScanChunks<T> pass{static_cast<const T*>(in.data), nullptr, static_cast<acc_t<T>*>(totals.get()), calc, n, chunks,
                         in.strides[dim], out.strides[dim], op};
      launch_indexed(slices * chunks, pass);
      launch_indexed(slices, ScanTotals<T>{pass.totals, n, chunks, op});
      pass.out = static_cast<T*>(out.data);
      launch_indexed(slices * chunks, pass);
      return;
    }
    const Launch1d l = elementwise_launch(slices, sm_count(), 1);
    strided_kernel<2><<<static_cast<unsigned>(l.grid), l.block, 0, current_stream()>>>(
        slices, calc,
        ScanSlices<T>{static_cast<const T*>(in.data), static_cast<T*>(out.data), in.sizes[dim], in.strides[dim],
                      out.strides[dim], op});
    EMBER_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace ember::backend::cuda
