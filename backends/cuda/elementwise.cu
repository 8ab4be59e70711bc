// CUDA elementwise kernels: copy with dtype conversion, fill, fill_range, unary, binary,
// where, for every dtype including Half and BFloat16; fill, unary and binary move whole
// 16-byte words when their operands are contiguous and aligned. One functor per (family, dtype)
// with the op switched at run time (uniform per launch, so it costs a branch, not
// divergence) keeps nvcc's instantiations few; the math is backends/common/scalar_ops.h,
// shared with the CPU tests.
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
  template <int V>
  __device__ void packed(int64_t j) const { fill_packed<V>(out, j, value); }
};

template <class T>
struct RangeOp {
  T* out;
  double start, step;
  __device__ void operator()(int64_t o, int64_t) const {
    out[o] = math::convert<T>(start + static_cast<double>(o) * step);
  }
  __device__ void operator()(const int64_t* off) const {}
};

// The kernels below take the storage type T and run the math in C = opmath_t<T>: for Half
// and BFloat16 every value is widened to float, the float functor runs, and the result is
// rounded once on store (math::StorageUnaryFn / StorageBinaryFn, checked on the CPU by
// tests/test_cuda_math.cpp); for the other dtypes C is T and the casts vanish.
template <class T>
struct UnaryKernel {
  T* out;
  const T* in;
  math::StorageUnaryFn<T> f;
  __device__ void operator()(int64_t o, int64_t i) const { out[o] = f(in[i]); }
  __device__ void operator()(const int64_t* off) const { out[off[0]] = f(in[off[1]]); }
  template <int V>
  __device__ void packed(int64_t j) const { map_packed<V>(out, in, j, f); }
};

template <class T>
struct PredicateKernel {
  using C = math::opmath_t<T>;
  bool* out;
  const T* in;
  UnaryOp op;
  __device__ void operator()(int64_t o, int64_t i) const { out[o] = math::unary_predicate(op, C(in[i])); }
  __device__ void operator()(const int64_t* off) const { out[off[0]] = math::unary_predicate(op, C(in[off[1]])); }
};

template <class T>
struct BinaryKernel {
  T* out;
  const T* a;
  const T* b;
  math::StorageBinaryFn<T> f;
  __device__ void operator()(int64_t o, int64_t i) const { out[o] = f(a[i], b[i]); }
  __device__ void operator()(const int64_t* off) const { out[off[0]] = f(a[off[1]], b[off[2]]); }
  template <int V>
  __device__ void packed(int64_t j) const { map_packed<V>(out, a, b, j, f); }
};

template <class T>
struct CompareKernel {
  using C = math::opmath_t<T>;
  bool* out;
  const T* a;
  const T* b;
  BinaryOp op;
  __device__ void operator()(int64_t o, int64_t i) const { out[o] = math::binary_predicate(op, C(a[i]), C(b[i])); }
  __device__ void operator()(const int64_t* off) const {
    out[off[0]] = math::binary_predicate(op, C(a[off[1]]), C(b[off[2]]));
  }
};

// where only moves values, so it runs on unsigned words of the element's width: four
// instantiations serve every dtype, the 16-bit ones included.
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
  dispatch_with_16bit(dst.dtype, "copy_", [&](auto d) {
    using D = decltype(d);
    dispatch_with_16bit(src.dtype, "copy_", [&](auto s) {
      using S = decltype(s);
      launch_elementwise<2>({&dst, &src}, ConvertOp<D, S>{static_cast<D*>(dst.data), static_cast<const S*>(src.data)});
    });
  });
}

void CudaBackend::fill(const TensorArg& dst, const Scalar& value) {
  dispatch_with_16bit(dst.dtype, "fill_", [&](auto d) {
    using D = decltype(d);
    D v;
    if constexpr (math::is_16bit_float_v<D>) v = D(value.to<float>());
    else v = value.to<D>();
    launch_elementwise_packed<D, 1>({&dst}, FillOp<D>{static_cast<D*>(dst.data), v});
  });
}

void CudaBackend::fill_range(const TensorArg& dst, double start, double step) {
  EMBER_ASSERT(dst.contiguous, "fill_range needs a contiguous output");
  dispatch_with_16bit(dst.dtype, "arange", [&](auto d) {
    using D = decltype(d);
    launch_elementwise<1>({&dst}, RangeOp<D>{static_cast<D*>(dst.data), start, step});
  });
}

void CudaBackend::unary(UnaryOp op, const TensorArg& in, const TensorArg& out, UnaryParams prm) {
  const bool pred = op == UnaryOp::LogicalNot || op == UnaryOp::IsNan || op == UnaryOp::IsInf ||
                    op == UnaryOp::IsFinite;
  dispatch_with_16bit(in.dtype, "unary", [&](auto t) {
    using T = decltype(t);
    using C = math::opmath_t<T>;
    if (pred) {
      launch_elementwise<2>({&out, &in}, PredicateKernel<T>{static_cast<bool*>(out.data),
                                                            static_cast<const T*>(in.data), op});
      return;
    }
    EMBER_CHECK(math::unary_supported<C>(op), NotImplementedError, "unary", "op ", static_cast<int>(op),
                " has no CUDA kernel for dtype ", in.dtype);
    const math::StorageUnaryFn<T> f{{op, math::saturate<C>(prm.p0), math::saturate<C>(prm.p1)}};
    launch_elementwise_packed<T, 2>({&out, &in},
                                    UnaryKernel<T>{static_cast<T*>(out.data), static_cast<const T*>(in.data), f});
  });
}

void CudaBackend::binary(BinaryOp op, const TensorArg& a, const TensorArg& b, const TensorArg& out,
                         const Scalar& alpha) {
  dispatch_with_16bit(a.dtype, "binary", [&](auto t) {
    using T = decltype(t);
    using C = math::opmath_t<T>;
    const T* pa = static_cast<const T*>(a.data);
    const T* pb = static_cast<const T*>(b.data);
    if (math::binary_to_bool(op)) {
      launch_elementwise<3>({&out, &a, &b}, CompareKernel<T>{static_cast<bool*>(out.data), pa, pb, op});
      return;
    }
    EMBER_CHECK(math::binary_supported<C>(op), NotImplementedError, "binary", "op ", static_cast<int>(op),
                " has no CUDA kernel for dtype ", a.dtype);
    const math::StorageBinaryFn<T> f{{op, alpha.to<C>()}};
    launch_elementwise_packed<T, 3>({&out, &a, &b}, BinaryKernel<T>{static_cast<T*>(out.data), pa, pb, f});
  });
}

void CudaBackend::where(const TensorArg& cond, const TensorArg& a, const TensorArg& b, const TensorArg& out) {
  EMBER_ASSERT(a.dtype == out.dtype && b.dtype == out.dtype, "where needs matching dtypes");
  dispatch_width(element_size(out.dtype), [&](auto w) {
    using W = decltype(w);
    launch_elementwise<4>({&out, &cond, &a, &b},
                          WhereKernel<W>{static_cast<W*>(out.data), static_cast<const bool*>(cond.data),
                                         static_cast<const W*>(a.data), static_cast<const W*>(b.data)});
  });
}

}  // namespace ember::backend::cuda
