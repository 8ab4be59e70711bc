// Inclusive scans on CUDA (cumsum, cumprod, logcumsumexp): one thread per slice along
// dim, accumulating in double (float, double), float (float16, bfloat16) or int64
// (integers) and rounding on every store, as the CPU kernel does, so results agree with it
// exactly. Slices run in parallel;
// a single very long slice runs on one thread.
#include <vector>

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
struct ScanSlices {
  const T* in;
  T* out;
  int64_t n, in_stride, out_stride;
  Backend::ScanOp op;
  __device__ void operator()(const int64_t* off) const {
    using A = acc_t<T>;
    const T* s = in + off[1];
    T* d = out + off[0];
    A acc = static_cast<A>(s[0]);
    d[0] = static_cast<T>(acc);
    for (int64_t i = 1; i < n; ++i) {
      const A v = static_cast<A>(s[i * in_stride]);
      if (op == Backend::ScanOp::CumSum) acc = static_cast<A>(acc + v);
      else if (op == Backend::ScanOp::CumProd) acc = static_cast<A>(acc * v);
      else if constexpr (kFloating<T>) acc = static_cast<A>(math::log_add_exp(acc, v));
      d[i * out_stride] = static_cast<T>(acc);
    }
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
    const Launch1d l = elementwise_launch(slices, sm_count(), 1);
    strided_kernel<2><<<static_cast<unsigned>(l.grid), l.block, 0, current_stream()>>>(
        slices, calc,
        ScanSlices<T>{static_cast<const T*>(in.data), static_cast<T*>(out.data), in.sizes[dim], in.strides[dim],
                      out.strides[dim], op});
    EMBER_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace ember::backend::cuda
