// Indexing on CUDA: the gather and the scatter of backends/backend.h (and nonzero), one thread per
// iteration element, with up to kMaxIndexDims int64 index operands that move the indexed
// tensor's offset. Every index is bounds-checked by a kernel first (one flag read back),
// so an error raises the CPU backend's IndexError and leaves the destination untouched.
// Scatters with repeated targets combine with atomics: sums may differ from the CPU's
// row-major order in the last bits, and which of several assignments wins is unspecified,
// as for libtorch's CUDA kernels. With deterministic algorithms on (and for 16-bit
// multiplies, which have no atomic) they go through sorted_scatter instead, which combines
// in the CPU's order. Gather and assignment move elements as unsigned words of their width,
// so they serve every dtype, Half and BFloat16 included.
#include <vector>

#include "backends/cuda/loops.cuh"
#include "backends/cuda/sorted_scatter.cuh"

namespace ember::backend::cuda {
namespace {

constexpr int kMaxIndexDims = 4;
constexpr int kOps = 2 + kMaxIndexDims;

struct IndexMove {
  const int64_t* idx[kMaxIndexDims];
  int64_t size[kMaxIndexDims];
  int64_t stride[kMaxIndexDims];
  int n;
  bool wrap;
  // Element offset the indices at operand offsets `off` add to the indexed tensor.
  __device__ int64_t at(const int64_t* off) const {
    int64_t o = 0;
    for (int k = 0; k < n; ++k) {
      int64_t v = idx[k][off[2 + k]];
      if (wrap && v < 0) v += size[k];
      o += v * stride[k];
    }
    return o;
  }
};

struct BoundsFlag {
  int bad;
  int64_t value;
};

struct CheckBounds {
  const int64_t* idx;
  int64_t lo, hi;
  BoundsFlag* flag;
  __device__ void operator()(const int64_t* off) const {
    const int64_t v = idx[off[0]];
    if ((v < lo || v >= hi) && atomicCAS(&flag->bad, 0, 1) == 0) flag->value = v;
  }
};

// Raises IndexError for an index outside [-size, size) (wrap) or [0, size), as the CPU's
// check does; broadcast (stride 0) dims of the index are visited once.
void check_bounds(const Backend::IndexDim& d, bool wrap, const char* op) {
  const TensorArg& ix = d.index;
  EMBER_ASSERT(ix.dtype == kLong, "index operands must be int64");
  int64_t sizes[kMaxIterDims * 2], numel = 1;
  EMBER_ASSERT(ix.ndim <= kMaxIterDims * 2);
  for (int i = 0; i < ix.ndim; ++i) {
    sizes[i] = ix.strides[i] == 0 ? 1 : ix.sizes[i];
    numel *= ix.sizes[i] == 0 ? 0 : sizes[i];
  }
  if (numel == 0) return;
  Scratch scratch(sizeof(BoundsFlag));
  auto* flag = static_cast<BoundsFlag*>(scratch.get());
  EMBER_CUDA_CHECK(cudaMemsetAsync(flag, 0, sizeof(BoundsFlag), current_stream()));
  const int64_t* strides[1] = {ix.strides};
  auto calc = make_offset_calculator<1>(ix.ndim, sizes, strides);
  const Launch1d l = elementwise_launch(numel, sm_count(), 1);
  strided_kernel<1><<<static_cast<unsigned>(l.grid), l.block, 0, current_stream()>>>(
      numel, calc, CheckBounds{static_cast<const int64_t*>(ix.data), wrap ? -d.size : 0, d.size, flag});
  EMBER_CUDA_CHECK_LAUNCH();
  BoundsFlag host{};
  EMBER_CUDA_CHECK(cudaMemcpyAsync(&host, flag, sizeof host, cudaMemcpyDeviceToHost, current_stream()));
  EMBER_CUDA_CHECK(cudaStreamSynchronize(current_stream()));
  if (host.bad)
    ::ember::detail::throw_error<IndexError>(op, "index ", host.value, " is out of bounds for dimension ", d.dim,
                                             " with size ", d.size);
}

IndexMove make_move(ArrayRef<Backend::IndexDim> dims, bool wrap) {
  EMBER_CHECK(dims.size() <= static_cast<size_t>(kMaxIndexDims), NotImplementedError, "index",
              "the CUDA indexing kernels take at most ", kMaxIndexDims, " indexed dimensions, got ", dims.size());
  IndexMove m{};
  m.n = static_cast<int>(dims.size());
  m.wrap = wrap;
  for (size_t k = 0; k < dims.size(); ++k) {
    m.idx[k] = static_cast<const int64_t*>(dims[k].index.data);
    m.size[k] = dims[k].size;
    m.stride[k] = dims[k].stride;
  }
  return m;
}

// The iteration over a's sizes with operands [a, b, index...].
OffsetCalculator<kOps> iteration(const TensorArg& a, const TensorArg& b, ArrayRef<Backend::IndexDim> dims) {
  const int64_t* strides[kOps];
  strides[0] = a.strides;
  strides[1] = b.strides;
  for (int k = 0; k < kMaxIndexDims; ++k)
    strides[2 + k] = k < static_cast<int>(dims.size()) ? dims[static_cast<size_t>(k)].index.strides : a.strides;
  return make_offset_calculator<kOps>(a.ndim, a.sizes, strides);
}

template <class F>
void launch(int64_t n, const OffsetCalculator<kOps>& calc, const F& f) {
  const Launch1d l = elementwise_launch(n, sm_count(), 1);
  strided_kernel<kOps><<<static_cast<unsigned>(l.grid), l.block, 0, current_stream()>>>(n, calc, f);
  EMBER_CUDA_CHECK_LAUNCH();
}

template <class T>
struct Gather {
  T* out;
  const T* src;
  IndexMove move;
  __device__ void operator()(const int64_t* off) const { out[off[0]] = src[off[1] + move.at(off)]; }
};

template <class T>
struct ScatterAssign {
  const T* values;
  T* dst;
  IndexMove move;
  __device__ void operator()(const int64_t* off) const { dst[off[1] + move.at(off)] = values[off[0]]; }
};

// Multiplication by compare-and-swap on the value's bits.
template <class T>
__device__ void atomic_mul(T* p, T v) {
  using U = std::conditional_t<sizeof(T) == 4, unsigned int, unsigned long long>;
  U* address = reinterpret_cast<U*>(p);
  U old = *address, assumed;
  do {
    assumed = old;
    T current;
    memcpy(&current, &assumed, sizeof(T));
    const T next = current * v;
    U next_bits;
    memcpy(&next_bits, &next, sizeof(T));
    old = atomicCAS(address, assumed, next_bits);
  } while (assumed != old);
}

template <class T, bool Multiply>
struct ScatterCombine {
  const T* values;
  T* dst;
  IndexMove move;
  __device__ void operator()(const int64_t* off) const {
    T* target = dst + off[1] + move.at(off);
    if constexpr (Multiply) atomic_mul(target, values[off[0]]);
    else atomic_add(target, values[off[0]]);
  }
};

// Pair i of the row-major iteration for sorted_scatter: its target in dst and its value.
template <class T, class A>
struct ScatterPairs {
  const T* values;
  IndexMove move;
  OffsetCalculator<kOps> calc;
  int64_t* targets;
  A* pair_values;
  __device__ void operator()(int64_t i, int64_t) const {
    const auto o = calc.get(i);
    targets[i] = o.v[1] + move.at(o.v);
    pair_values[i] = static_cast<A>(values[o.v[0]]);
  }
};

// One past the largest element offset a scatter can reach in dst.
int64_t scatter_extent(const TensorArg& dst, ArrayRef<Backend::IndexDim> dims) {
  int64_t top = 0;
  for (int d = 0; d < dst.ndim; ++d) top += (dst.sizes[d] - 1) * dst.strides[d];
  for (const auto& d : dims) top += (d.size - 1) * d.stride;
  return top + 1;
}

// The scatter as pairs combined by sorted_scatter, in A (opmath for arithmetic).
template <class T, class A>
void scatter_sorted(Backend::ScatterReduce reduce, const TensorArg& values, ArrayRef<Backend::IndexDim> dims,
                    const IndexMove& move, const OffsetCalculator<kOps>& calc, const TensorArg& dst) {
  const auto n = static_cast<size_t>(values.numel);
  Scratch targets(n * sizeof(int64_t)), pair_values(n * sizeof(A));
  launch_indexed(values.numel, ScatterPairs<T, A>{static_cast<const T*>(values.data), move, calc,
                                                  static_cast<int64_t*>(targets.get()),
                                                  static_cast<A*>(pair_values.get())});
  sorted_scatter<T, A>(reduce, static_cast<const int64_t*>(targets.get()), static_cast<const A*>(pair_values.get()),
                       values.numel, scatter_extent(dst, dims), static_cast<T*>(dst.data));
}

}  // namespace

void CudaBackend::index_gather(const TensorArg& src, ArrayRef<IndexDim> dims, bool wrap, const TensorArg& out,
                               const char* op) {
  EMBER_ASSERT(src.dtype == out.dtype && src.ndim == out.ndim);
  if (out.numel == 0) return;
  for (const auto& d : dims) check_bounds(d, wrap, op);
  const IndexMove move = make_move(dims, wrap);
  const auto calc = iteration(out, src, dims);
  dispatch_width(element_size(out.dtype), [&](auto w) {
    using T = decltype(w);
    launch(out.numel, calc, Gather<T>{static_cast<T*>(out.data), static_cast<const T*>(src.data), move});
  });
}

void CudaBackend::index_scatter(ScatterReduce reduce, const TensorArg& values, ArrayRef<IndexDim> dims, bool wrap,
                                const TensorArg& dst, const char* op) {
  EMBER_ASSERT(values.dtype == dst.dtype && values.ndim == dst.ndim);
  if (values.numel == 0) return;
  for (const auto& d : dims) check_bounds(d, wrap, op);
  const IndexMove move = make_move(dims, wrap);
  const auto calc = iteration(values, dst, dims);
  const bool sorted = deterministic_scatter();
  if (reduce == ScatterReduce::Assign) {
    dispatch_width(element_size(dst.dtype), [&](auto w) {
      using T = decltype(w);
      if (sorted) return scatter_sorted<T, T>(reduce, values, dims, move, calc, dst);
      launch(values.numel, calc, ScatterAssign<T>{static_cast<const T*>(values.data), static_cast<T*>(dst.data), move});
    });
    return;
  }
  auto run = [&](auto t) {
    using T = decltype(t);
    using A = math::opmath_t<T>;
    // A 16-bit value has no atomic multiply (and its atomic add rounds per add, as
    // libtorch's atomicAdd(__half*) does); sorted, it combines in float and rounds once.
    if (sorted || (math::is_16bit_float_v<T> && reduce == ScatterReduce::Multiply))
      return scatter_sorted<T, A>(reduce, values, dims, move, calc, dst);
    if constexpr (!math::is_16bit_float_v<T>)
      if (reduce == ScatterReduce::Multiply)
        return launch(values.numel, calc,
                      ScatterCombine<T, true>{static_cast<const T*>(values.data), static_cast<T*>(dst.data), move});
    launch(values.numel, calc,
           ScatterCombine<T, false>{static_cast<const T*>(values.data), static_cast<T*>(dst.data), move});
  };
  switch (dst.dtype) {
    case kFloat: return run(float{});
    case kDouble: return run(double{});
    case kLong: return run(int64_t{});
    case kInt: return run(int32_t{});
    case kHalf: return run(math::Half{});
    case kBFloat16: return run(math::BFloat16{});
    default:
      ::ember::detail::throw_error<NotImplementedError>(op, "accumulating scatter of dtype ", dst.dtype,
                                                        " is not supported on CUDA yet");
  }
}

}  // namespace ember::backend::cuda

// ---- nonzero ----------------------------------------------------------------------
// Two passes over fixed chunks of the row-major iteration: count each chunk's non-zeros,
// prefix-sum the counts on the host, then write each chunk's coordinates from its start,
// so the coordinates come out in row-major order as on the CPU.

namespace ember::backend::cuda {
namespace {

constexpr int64_t kNonzeroChunk = 256;
constexpr int kMaxNonzeroDims = 16;

template <class T>
struct CountChunks {
  const T* in;
  OffsetCalculator<1> calc;
  int64_t numel;
  int64_t* counts;
  __device__ void operator()(int64_t c, int64_t) const {
    const int64_t end = (c + 1) * kNonzeroChunk < numel ? (c + 1) * kNonzeroChunk : numel;
    int64_t count = 0;
    for (int64_t i = c * kNonzeroChunk; i < end; ++i) count += in[calc.get(i).v[0]] != T(0);
    counts[c] = count;
  }
};

template <class T>
struct WriteChunks {
  const T* in;
  OffsetCalculator<1> calc;
  int64_t numel;
  const int64_t* starts;
  int64_t* out;
  int nd;
  int64_t sizes[kMaxNonzeroDims];
  __device__ void operator()(int64_t c, int64_t) const {
    const int64_t end = (c + 1) * kNonzeroChunk < numel ? (c + 1) * kNonzeroChunk : numel;
    int64_t* o = out + starts[c] * nd;
    for (int64_t i = c * kNonzeroChunk; i < end; ++i) {
      if (in[calc.get(i).v[0]] == T(0)) continue;
      int64_t rest = i;
      for (int d = nd - 1; d >= 0; --d) {
        o[d] = rest % sizes[d];
        rest /= sizes[d];
      }
      o += nd;
    }
  }
};

}  // namespace

void CudaBackend::nonzero(const TensorArg& in, const TensorArg& out) {
  EMBER_ASSERT(out.dtype == kLong && out.contiguous);
  if (in.numel == 0 || in.ndim == 0) return;
  EMBER_CHECK(in.ndim <= kMaxNonzeroDims, ShapeError, "nonzero", "at most ", kMaxNonzeroDims,
              " dimensions are supported, got ", in.ndim);
  const int64_t chunks = (in.numel + kNonzeroChunk - 1) / kNonzeroChunk;
  const int64_t* strides[1] = {in.strides};
  const auto calc = make_offset_calculator<1>(in.ndim, in.sizes, strides);
  dispatch_with_16bit(in.dtype, "nonzero", [&](auto t) {
    using T = decltype(t);
    Scratch counts(static_cast<size_t>(chunks) * sizeof(int64_t));
    launch_indexed(chunks, CountChunks<T>{static_cast<const T*>(in.data), calc, in.numel,
                                          static_cast<int64_t*>(counts.get())});
    std::vector<int64_t> starts(static_cast<size_t>(chunks));
    EMBER_CUDA_CHECK(cudaMemcpyAsync(starts.data(), counts.get(), starts.size() * sizeof(int64_t),
                                     cudaMemcpyDeviceToHost, current_stream()));
    EMBER_CUDA_CHECK(cudaStreamSynchronize(current_stream()));
    int64_t total = 0;
    for (auto& s : starts) {
      const int64_t c = s;
      s = total;
      total += c;
    }
    EMBER_CUDA_CHECK(cudaMemcpyAsync(counts.get(), starts.data(), starts.size() * sizeof(int64_t),
                                     cudaMemcpyHostToDevice, current_stream()));
    WriteChunks<T> w{static_cast<const T*>(in.data), calc, in.numel, static_cast<const int64_t*>(counts.get()),
                     static_cast<int64_t*>(out.data), in.ndim, {}};
    for (int d = 0; d < in.ndim; ++d) w.sizes[d] = in.sizes[d];
    launch_indexed(chunks, w);
  });
}

}  // namespace ember::backend::cuda
