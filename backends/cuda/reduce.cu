// CUDA reductions (sum/prod/max/min/any/all) and argmax/argmin. `out` has `in`'s rank with
// size 1 on every reduced dim. The launch follows plan_reduce (backends/common/launch.h):
// a block per output with warp-shuffle folding, split over several blocks (and a second
// pass over the partials) when outputs are few and long; a thread per output when the
// reduced elements are strided and outputs are many (long columns split over several
// threads, with the same second pass). The accumulator is opmath_t of the
// element type: float for float, Half and BFloat16 (16-bit values are widened on load and
// the result rounded once on store, as libtorch's CUDA kernels), integers wrap.
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "backends/common/scalar_ops.h"
#include "backends/cuda/loops.cuh"

namespace ember::backend::cuda {
namespace {

template <class T>  // T: the accumulator type
struct Reducer {
  ReduceOp op;
  __device__ T identity() const {
    switch (op) {
      case ReduceOp::Sum: case ReduceOp::Any: return T(0);
      case ReduceOp::Prod: case ReduceOp::All: return T(1);
      case ReduceOp::Max:
        if constexpr (math::is_float_v<T>) return -std::numeric_limits<T>::infinity();
        else return std::numeric_limits<T>::lowest();
      default:
        if constexpr (math::is_float_v<T>) return std::numeric_limits<T>::infinity();
        else return std::numeric_limits<T>::max();
    }
  }
  __device__ T combine(T acc, T v) const {
    switch (op) {
      case ReduceOp::Sum: return math::add(acc, v);
      case ReduceOp::Prod: return math::mul(acc, v);
      case ReduceOp::Any: return (acc != T(0) || v != T(0)) ? T(1) : T(0);
      case ReduceOp::All: return (acc != T(0) && v != T(0)) ? T(1) : T(0);
      case ReduceOp::Max:
        if constexpr (math::is_float_v<T>) {
          if (acc != acc) return acc;
          if (v != v) return v;
        }
        return v > acc ? v : acc;
      default:
        if constexpr (math::is_float_v<T>) {
          if (acc != acc) return acc;
          if (v != v) return v;
        }
        return v < acc ? v : acc;
    }
  }
};

// One (or, with splits, a share of one) output per block. oc maps an output index to
// (out offset, in base offset); rc maps a reduction index to its in offset. In and Out are
// the element types read and written, A the accumulator; partials stay in A, so a split
// reduction of 16-bit values rounds once, at the end of the second pass.
// `works` = outputs * splits block-sized pieces of work; a grid smaller than that loops
// (the trip count is uniform over the block, so every thread reaches block_reduce).
template <class In, class Out, class A>
__global__ void reduce_block_kernel(const In* in, Out* out, A* partial, int64_t length, int64_t splits,
                                    int64_t works, OffsetCalculator<2> oc, OffsetCalculator<1> rc, Reducer<A> r) {
  for (int64_t w = blockIdx.x; w < works; w += gridDim.x) {
    const Share piece = share_of(w % splits, splits, length);
    const auto base = oc.get(w / splits);
    A acc = r.identity();
    for (int64_t j = piece.begin + threadIdx.x; j < piece.end; j += blockDim.x)
      acc = r.combine(acc, static_cast<A>(in[base.v[1] + rc.get(j).v[0]]));
    acc = block_reduce(acc, r);
    if (threadIdx.x == 0) {
      if (splits == 1) out[base.v[0]] = Out(acc);
      else partial[w] = acc;
    }
    __syncthreads();  // block_reduce's shared slots are reused by the next piece
  }
}

// Thread t folds share t / outputs of output t % outputs (neighbouring threads, neighbouring
// outputs: coalesced reads of strided columns); with splits > 1 the share goes to
// partial[output * splits + share], the layout the second pass reads.
template <class T, class A>
__global__ void reduce_thread_kernel(const T* in, T* out, A* partial, int64_t outputs, int64_t length,
                                     int64_t splits, OffsetCalculator<2> oc, OffsetCalculator<1> rc, Reducer<A> r) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; t < outputs * splits; t += stride) {
    const int64_t i = t % outputs, s = t / outputs;
    const Share piece = share_of(s, splits, length);
    const auto base = oc.get(i);
    A acc = r.identity();
    for (int64_t j = piece.begin; j < piece.end; ++j)
      acc = r.combine(acc, static_cast<A>(in[base.v[1] + rc.get(j).v[0]]));
    if (splits == 1) out[base.v[0]] = T(acc);
    else partial[i * splits + s] = acc;
  }
}

// Geometry of a reduction: kept dims (sizes, out strides, in strides) and reduced dims.
struct Split {
  std::vector<int64_t> kept_sizes, kept_out, kept_in, red_sizes, red_in;
};

Split split_dims(const TensorArg& in, const TensorArg& out, int only_dim) {
  Split s;
  for (int d = 0; d < in.ndim; ++d) {
    const bool reduced = only_dim >= 0 ? d == only_dim : (out.sizes[d] == 1 && in.sizes[d] != 1);
    if (reduced) {
      s.red_sizes.push_back(in.sizes[d]);
      s.red_in.push_back(in.strides[d]);
    } else {
      s.kept_sizes.push_back(in.sizes[d]);
      s.kept_out.push_back(out.strides[d]);
      s.kept_in.push_back(in.strides[d]);
    }
  }
  return s;
}

OffsetCalculator<2> kept_calc(const Split& s) {
  const int64_t* st[2] = {s.kept_out.data(), s.kept_in.data()};
  return make_offset_calculator<2>(static_cast<int>(s.kept_sizes.size()), s.kept_sizes.data(), st);
}
OffsetCalculator<1> reduced_calc(const Split& s) {
  const int64_t* st[1] = {s.red_in.data()};
  return make_offset_calculator<1>(static_cast<int>(s.red_sizes.size()), s.red_sizes.data(), st);
}

// Reduces `in` (elements of type T) into `out` (also T), accumulating in opmath_t<T>.
template <class T>
void reduce_typed(ReduceOp op, const TensorArg& in, const TensorArg& out) {
  using A = math::opmath_t<T>;
  const int64_t outputs = out.numel;
  if (outputs == 0) return;
  const Reducer<A> r{op};
  const Split sp = split_dims(in, out, -1);
  const int64_t length = in.numel / outputs;
  const auto oc = kept_calc(sp);
  const auto rc = reduced_calc(sp);
  const bool inner_contiguous = rc.ndim == 0 || rc.strides[0][0] == 1;
  const ReducePlan p = plan_reduce(outputs, length, inner_contiguous, sm_count());
  T* o = static_cast<T*>(out.data);
  const T* x = static_cast<const T*>(in.data);
  cudaStream_t stream = current_stream();
  const unsigned grid = static_cast<unsigned>(std::min(p.grid, kMaxReduceGrid));
  // Pass 1: out directly, or partials [outputs, splits]; pass 2 folds each row of partials.
  std::unique_ptr<Scratch> partial;
  if (p.splits > 1) partial = std::make_unique<Scratch>(static_cast<size_t>(outputs * p.splits) * sizeof(A));
  A* part = partial ? static_cast<A*>(partial->get()) : nullptr;
  if (p.thread_per_output) {
    reduce_thread_kernel<T, A><<<grid, p.block, 0, stream>>>(x, o, part, outputs, length, p.splits, oc, rc, r);
  } else {
    reduce_block_kernel<T, T, A>
        <<<grid, p.block, 0, stream>>>(x, o, part, length, p.splits, outputs * p.splits, oc, rc, r);
  }
  EMBER_CUDA_CHECK_LAUNCH();
  if (p.splits == 1) return;
  Split second;
  second.kept_sizes = sp.kept_sizes;
  second.kept_out = sp.kept_out;
  second.kept_in.resize(sp.kept_sizes.size());
  int64_t acc = p.splits;
  for (size_t i = sp.kept_sizes.size(); i-- > 0;) {
    second.kept_in[i] = acc;
    acc *= sp.kept_sizes[i];
  }
  second.red_sizes = {p.splits};
  second.red_in = {1};
  reduce_block_kernel<A, T, A><<<static_cast<unsigned>(std::min(outputs, kMaxReduceGrid)), fold_block(p.splits), 0,
                                 stream>>>(
      part, o, nullptr, p.splits, 1, outputs, kept_calc(second), reduced_calc(second), r);
  EMBER_CUDA_CHECK_LAUNCH();
}

// (value, index) pairs: NaN beats numbers, then the larger (smaller) value, then the lower
// index, which makes the fold order-independent and equal to the CPU's first-hit scan.
template <class T>
struct ArgPair {
  T v;
  int64_t i;
};

template <class T>
struct ArgReducer {
  bool is_max;
  __device__ ArgPair<T> identity() const { return {T(0), -1}; }
  __device__ ArgPair<T> combine(ArgPair<T> a, ArgPair<T> b) const {
    if (a.i < 0) return b;
    if (b.i < 0) return a;
    if constexpr (math::is_float_v<T>) {
      const bool an = a.v != a.v, bn = b.v != b.v;
      if (an || bn) {
        if (an && bn) return a.i < b.i ? a : b;
        return an ? a : b;
      }
    }
    if (a.v == b.v) return a.i < b.i ? a : b;
    return (is_max ? a.v > b.v : a.v < b.v) ? a : b;
  }
};

template <class T>
__device__ ArgPair<T> shfl_down(ArgPair<T> p, int offset) {
  return {::ember::backend::cuda::shfl_down(p.v, offset), __shfl_down_sync(0xffffffffu, p.i, offset)};
}

// Values compare in opmath_t<T> (16-bit values widen exactly, so the order is theirs).
// Piece w is share w % splits of output w / splits (splits > 1: into partial[w], folded by
// arg_fold_kernel; indices are positions in the whole row, so the fold needs no offsets).
template <class T>
__global__ void arg_block_kernel(const T* in, int64_t* out, ArgPair<math::opmath_t<T>>* partial, int64_t works,
                                 int64_t length, int64_t splits, int64_t stride, OffsetCalculator<2> oc,
                                 ArgReducer<math::opmath_t<T>> r) {
  using C = math::opmath_t<T>;
  for (int64_t w = blockIdx.x; w < works; w += gridDim.x) {  // uniform trip count over the block
    const Share piece = share_of(w % splits, splits, length);
    const auto base = oc.get(w / splits);
    ArgPair<C> acc = r.identity();
    for (int64_t j = piece.begin + threadIdx.x; j < piece.end; j += blockDim.x)
      acc = r.combine(acc, {static_cast<C>(in[base.v[1] + j * stride]), j});
    acc = block_reduce(acc, r);
    if (threadIdx.x == 0) {
      if (splits == 1) out[base.v[0]] = acc.i;
      else partial[w] = acc;
    }
    __syncthreads();  // block_reduce's shared slots are reused by the next piece
  }
}

template <class C>
__global__ void arg_fold_kernel(const ArgPair<C>* partial, int64_t* out, int64_t outputs, int64_t splits,
                                OffsetCalculator<2> oc, ArgReducer<C> r) {
  for (int64_t o = blockIdx.x; o < outputs; o += gridDim.x) {
    ArgPair<C> acc = r.identity();
    for (int64_t s = threadIdx.x; s < splits; s += blockDim.x) acc = r.combine(acc, partial[o * splits + s]);
    acc = block_reduce(acc, r);
    if (threadIdx.x == 0) out[oc.get(o).v[0]] = acc.i;
    __syncthreads();
  }
}

// Thread t folds share t / outputs of output t % outputs, as reduce_thread_kernel; with
// splits > 1 into partial[output * splits + share], folded by arg_fold_kernel.
template <class T>
__global__ void arg_thread_kernel(const T* in, int64_t* out, ArgPair<math::opmath_t<T>>* partial, int64_t outputs,
                                  int64_t length, int64_t splits, int64_t stride, OffsetCalculator<2> oc,
                                  ArgReducer<math::opmath_t<T>> r) {
  using C = math::opmath_t<T>;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; t < outputs * splits; t += step) {
    const int64_t i = t % outputs, s = t / outputs;
    const Share piece = share_of(s, splits, length);
    const auto base = oc.get(i);
    ArgPair<C> acc = r.identity();
    for (int64_t j = piece.begin; j < piece.end; ++j)
      acc = r.combine(acc, {static_cast<C>(in[base.v[1] + j * stride]), j});
    if (splits == 1) out[base.v[0]] = acc.i;
    else partial[i * splits + s] = acc;
  }
}

}  // namespace

void CudaBackend::reduce(ReduceOp op, const TensorArg& in, const TensorArg& out) {
  EMBER_ASSERT(in.dtype == out.dtype, "reduce needs matching dtypes");
  if (in.numel == 0) {  // empty reductions give the identity (the front-end rejects max/min)
    const bool one = op == ReduceOp::Prod || op == ReduceOp::All;
    return fill(out, Scalar(one ? 1 : 0));
  }
  dispatch_with_16bit(in.dtype, "reduce", [&](auto t) { reduce_typed<decltype(t)>(op, in, out); });
}

namespace {

// |x|^p (or the indicator x != 0 for p = 0), the first step of a p-norm, written in
// opmath_t<T> so 16-bit inputs are summed in float.
template <class T>
struct NormMap {
  using C = math::opmath_t<T>;
  C* out;
  const T* in;
  double p;
  __device__ C map(C v) const {
    if (p == 0) return v != C(0) ? C(1) : C(0);
    const C a = v < C(0) ? -v : v;
    if (p == 1 || isinf(p)) return a;  // NaN stays NaN
    if (p == 2) return v * v;
    return pow(a, static_cast<C>(p));
  }
  __device__ void operator()(int64_t o, int64_t i) const { out[o] = map(static_cast<C>(in[i])); }
  __device__ void operator()(const int64_t* off) const { out[off[0]] = map(static_cast<C>(in[off[1]])); }
};

// acc^(1/p), the last step of a p-norm, from the opmath_t<T> accumulator into T (the
// only rounding of a 16-bit norm); in place when the two types agree.
template <class T>
struct NormRoot {
  using C = math::opmath_t<T>;
  T* out;
  const C* acc;
  double p;
  __device__ C root(C v) const {
    if (p == 0 || p == 1 || isinf(p)) return v;
    return p == 2 ? sqrt(v) : pow(v, static_cast<C>(1.0 / p));
  }
  __device__ void operator()(int64_t o, int64_t i) const { out[o] = T(root(acc[i])); }
  __device__ void operator()(const int64_t* off) const { out[off[0]] = T(root(acc[off[1]])); }
};

// Row-major strides of `sizes`.
std::vector<int64_t> dense_strides(int ndim, const int64_t* sizes) {
  std::vector<int64_t> strides(static_cast<size_t>(ndim));
  int64_t step = 1;
  for (int d = ndim - 1; d >= 0; --d) {
    strides[static_cast<size_t>(d)] = step;
    step *= sizes[d];
  }
  return strides;
}

}  // namespace

// Three passes (map into scratch, reduce, root) over the reduction kernels above; the
// CPU fuses them, the results agree to rounding. 16-bit inputs map into a float scratch,
// reduce into a float scratch of out's sizes, and round once in the root pass.
void CudaBackend::norm_reduce(const TensorArg& in, const TensorArg& out, double p) {
  EMBER_ASSERT(in.dtype == out.dtype && in.ndim == out.ndim, "norm kernel needs matching dtypes and ranks");
  if (in.numel == 0) return fill(out, Scalar(std::isinf(p) && p < 0 ? INFINITY : 0.0));
  dispatch_floating_with_16bit(in.dtype, "norm", [&](auto t) {
    using T = decltype(t);
    using C = math::opmath_t<T>;
    const ScalarType acc_dtype = std::is_same_v<C, float> ? kFloat : kDouble;
    Scratch scratch(static_cast<size_t>(in.numel) * sizeof(C));
    const std::vector<int64_t> strides = dense_strides(in.ndim, in.sizes);
    const TensorArg mapped{scratch.get(), acc_dtype, in.ndim, in.sizes, strides.data(), in.numel, true};
    launch_elementwise<2>({&mapped, &in}, NormMap<T>{static_cast<C*>(scratch.get()), static_cast<const T*>(in.data), p});
    const ReduceOp op = std::isinf(p) ? (p > 0 ? ReduceOp::Max : ReduceOp::Min) : ReduceOp::Sum;
    if constexpr (std::is_same_v<C, T>) {
      reduce_typed<C>(op, mapped, out);
      if (p != 0 && p != 1 && !std::isinf(p))
        launch_elementwise<2>({&out, &out}, NormRoot<T>{static_cast<T*>(out.data), static_cast<const C*>(out.data), p});
    } else {
      Scratch acc(static_cast<size_t>(out.numel) * sizeof(C));
      const std::vector<int64_t> out_strides = dense_strides(out.ndim, out.sizes);
      const TensorArg reduced{acc.get(), acc_dtype, out.ndim, out.sizes, out_strides.data(), out.numel, true};
      reduce_typed<C>(op, mapped, reduced);
      launch_elementwise<2>({&out, &reduced},
                            NormRoot<T>{static_cast<T*>(out.data), static_cast<const C*>(acc.get()), p});
    }
  });
}

void CudaBackend::arg_reduce(ArgReduceOp op, const TensorArg& in, int dim, const TensorArg& out) {
  if (out.numel == 0) return;
  dispatch_with_16bit(in.dtype, "argmax", [&](auto t) {
    using T = decltype(t);
    const Split sp = split_dims(in, out, dim);
    const auto oc = kept_calc(sp);
    const int64_t length = in.sizes[dim], stride = in.strides[dim];
    const ArgReducer<math::opmath_t<T>> r{op == ArgReduceOp::ArgMax};
    const ReducePlan p = plan_reduce(out.numel, length, stride == 1, sm_count());
    const T* x = static_cast<const T*>(in.data);
    int64_t* o = static_cast<int64_t*>(out.data);
    // As the reductions: a thread per strided output or blocks per output, either split
    // over several when the outputs are few and long, with (value, index) pairs folded after.
    using C = math::opmath_t<T>;
    const int64_t works = out.numel * p.splits;
    std::unique_ptr<Scratch> partial;
    if (p.splits > 1) partial = std::make_unique<Scratch>(static_cast<size_t>(works) * sizeof(ArgPair<C>));
    auto* part = partial ? static_cast<ArgPair<C>*>(partial->get()) : nullptr;
    const unsigned grid = static_cast<unsigned>(std::min(p.grid, kMaxReduceGrid));
    if (p.thread_per_output) {
      arg_thread_kernel<T><<<grid, p.block, 0, current_stream()>>>(x, o, part, out.numel, length, p.splits, stride, oc,
                                                                   r);
    } else {
      arg_block_kernel<T><<<grid, p.block, 0, current_stream()>>>(x, o, part, works, length, p.splits, stride, oc, r);
    }
    if (p.splits > 1) {
      EMBER_CUDA_CHECK_LAUNCH();
      arg_fold_kernel<C><<<static_cast<unsigned>(std::min(out.numel, kMaxReduceGrid)), fold_block(p.splits), 0,
                           current_stream()>>>(part, o, out.numel, p.splits, oc, r);
    }
    EMBER_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace ember::backend::cuda
