// CUDA elementwise kernels: copy with dtype conversion, fill, fill_range, unary, binary,
// where. One functor per (family, dtype) with the op switched at run time (uniform per
// launch, so it costs a branch, not divergence) keeps nvcc's instantiations few; the math
// is backends/common/scalar_ops.h, shared with the CPU tests.
#include "backends/common/scalar_ops.h"
#include "backends/cuda/loops.cuh"

namespace ember::backend::cuda {
namespace {

template <class D, class S>
struct ConvertOp {
  D* out;
  const S* in;
  __device__ void operator()(int64_t o, int64_t i) const { out[o] = math::convert<D>(in[i]); }
  __device__ void operator()(const int64_t* off) const { out[off[0]] = math::convert<D>(in[off[1]]); }
};

template <class T>
struct FillOp {
  T* out;
  T value;
  __device__ void operator()(int64_t o, int64_t) const { out[o] = value; }
  __device__ void operator()(const int64_t* off) const { out[off[0]] = value; }
};

template <class T>
struct RangeOp {
  T* out;
  double start, step;
  __device__ void operator()(int64_t o, int64_t) const {
    out[o] = static_cast<T>(start + static_cast<double>(o) * step);
  }
  __device__ void operator()(const int64_t* off) const {}
};

template <class T>
struct UnaryKernel {
  T* out;
  const T* in;
  math::UnaryFn<T> f;
  __device__ void operator()(int64_t o, int64_t i) const { out[o] = f(in[i]); }
  __device__ void operator()(const int64_t* off) const { out[off[0]] = f(in[off[1]]); }
};

template <class T>
struct PredicateKernel {
  bool* out;
  const T* in;
  UnaryOp op;
  __device__ void operator()(int64_t o, int64_t i) const { out[o] = math::unary_predicate(op, in[i]); }
  __device__ void operator()(const int64_t* off) const { out[off[0]] = math::unary_predicate(op, in[off[1]]); }
};

template <class T>
struct BinaryKernel {
  T* out;
  const T* a;
  const T* b;
  math::BinaryFn<T> f;
  __device__ void operator()(int64_t o, int64_t i) const { out[o] = f(a[i], b[i]); }
  __device__ void operator()(const int64_t* off) const { out[off[0]] = f(a[off[1]], b[off[2]]); }
};

template <class T>
struct CompareKernel {
  bool* out;
  const T* a;
  const T* b;
  BinaryOp op;
  __device__ void operator()(int64_t o, int64_t i) const { out[o] = math::binary_predicate(op, a[i], b[i]); }
  __device__ void operator()(const int64_t* off) const {
    out[off[0]] = math::binary_predicate(op, a[off[1]], b[off[2]]);
  }
};

template <class T>
struct WhereKernel {
  T* out;
  const bool* cond;
  const T* a;
  const T* b;
  __device__ void operator()(int64_t o, int64_t i) const { out[o] = cond[i] ? a[i] : b[i]; }
  __device__ void operator()(const int64_t* off) const { out[off[0]] = cond[off[1]] ? a[off[2]] : b[off[3]]; }
};

}  // namespace

void CudaBackend::copy(const TensorArg& src, const TensorArg& dst) {
  if (dst.numel == 0) return;
  if (src.dtype == dst.dtype && src.contiguous && dst.contiguous && src.numel == dst.numel) {
    if (src.data != dst.data)
      EMBER_CUDA_CHECK(cudaMemcpyAsync(dst.data, src.data, static_cast<size_t>(dst.numel) * element_size(dst.dtype),
                                       cudaMemcpyDeviceToDevice, current_stream()));
    return;
  }
  dispatch_storage(dst.dtype, "copy_", [&](auto d) {
    using D = decltype(d);
    dispatch_storage(src.dtype, "copy_", [&](auto s) {
      using S = decltype(s);
      launch_elementwise<2>({&dst, &src}, ConvertOp<D, S>{static_cast<D*>(dst.data), static_cast<const S*>(src.data)});
    });
  });
}

void CudaBackend::fill(const TensorArg& dst, const Scalar& value) {
  dispatch_storage(dst.dtype, "fill_", [&](auto d) {
    using D = decltype(d);
    D v;
    if constexpr (math::is_16bit_float_v<D>) v = D(value.to<float>());
    else v = value.to<D>();
    launch_elementwise<1>({&dst}, FillOp<D>{static_cast<D*>(dst.data), v});
  });
}

void CudaBackend::fill_range(const TensorArg& dst, double start, double step) {
  EMBER_ASSERT(dst.contiguous, "fill_range needs a contiguous output");
  dispatch(dst.dtype, "arange", [&](auto d) {
    using D = decltype(d);
    launch_elementwise<1>({&dst}, RangeOp<D>{static_cast<D*>(dst.data), start, step});
  });
}

void CudaBackend::unary(UnaryOp op, const TensorArg& in, const TensorArg& out, UnaryParams prm) {
  const bool pred = op == UnaryOp::LogicalNot || op == UnaryOp::IsNan || op == UnaryOp::IsInf ||
                    op == UnaryOp::IsFinite;
  dispatch(in.dtype, "unary", [&](auto t) {
    using T = decltype(t);
    if (pred) {
      launch_elementwise<2>({&out, &in}, PredicateKernel<T>{static_cast<bool*>(out.data),
                                                            static_cast<const T*>(in.data), op});
      return;
    }
    EMBER_CHECK(math::unary_supported<T>(op), NotImplementedError, "unary", "op ", static_cast<int>(op),
                " has no CUDA kernel for dtype ", in.dtype);
    math::UnaryFn<T> f{op, math::saturate<T>(prm.p0), math::saturate<T>(prm.p1)};
    launch_elementwise<2>({&out, &in}, UnaryKernel<T>{static_cast<T*>(out.data), static_cast<const T*>(in.data), f});
  });
}

void CudaBackend::binary(BinaryOp op, const TensorArg& a, const TensorArg& b, const TensorArg& out,
                         const Scalar& alpha) {
  dispatch(a.dtype, "binary", [&](auto t) {
    using T = decltype(t);
    const T* pa = static_cast<const T*>(a.data);
    const T* pb = static_cast<const T*>(b.data);
    if (math::binary_to_bool(op)) {
      launch_elementwise<3>({&out, &a, &b}, CompareKernel<T>{static_cast<bool*>(out.data), pa, pb, op});
      return;
    }
    EMBER_CHECK(math::binary_supported<T>(op), NotImplementedError, "binary", "op ", static_cast<int>(op),
                " has no CUDA kernel for dtype ", a.dtype);
    math::BinaryFn<T> f{op, alpha.to<T>()};
    launch_elementwise<3>({&out, &a, &b}, BinaryKernel<T>{static_cast<T*>(out.data), pa, pb, f});
  });
}

void CudaBackend::where(const TensorArg& cond, const TensorArg& a, const TensorArg& b, const TensorArg& out) {
  dispatch(out.dtype, "where", [&](auto t) {
    using T = decltype(t);
    launch_elementwise<4>({&out, &cond, &a, &b},
                          WhereKernel<T>{static_cast<T*>(out.data), static_cast<const bool*>(cond.data),
                                         static_cast<const T*>(a.data), static_cast<const T*>(b.data)});
  });
}

}  // namespace ember::backend::cuda
