// CPU indexing kernels: one gather and one scatter walk over an iteration space whose
// operands are strided views, with any number of int64 index operands that move the
// indexed tensor's pointer. Every index is bounds-checked first, so an error leaves the
// destination untouched. Scatters visit the iteration in row-major order on one thread,
// which makes accumulation and "last write wins" deterministic.
#include <array>
#include <cstring>
#include <type_traits>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/loops.h"
#include "ember/errors.h"

namespace ember::backend::cpu {
namespace {

constexpr int kMaxDims = 16;
constexpr int kMaxOps = 2 + kMaxDims;

// for_each_row with a run-time operand count: all operands have ops[0]'s sizes; dims
// that are contiguous for every operand merge; inner(ptrs, byte_strides, n) per row.
template <class Inner>
void for_each_row_dyn(int nops, const TensorArg* const* ops, Inner&& inner) {
  const TensorArg& o0 = *ops[0];
  if (o0.numel == 0) return;
  EMBER_CHECK(o0.ndim <= kMaxDims, ShapeError, "index", "at most ", kMaxDims,
              " dimensions are supported by the CPU indexing kernels, got ", o0.ndim);
  int64_t sizes[kMaxDims];
  int64_t strides[kMaxOps][kMaxDims];
  int nd = 0;
  for (int d = 0; d < o0.ndim; ++d) {
    if (o0.sizes[d] == 1) continue;
    bool merge = nd > 0;
    for (int k = 0; k < nops && merge; ++k) {
      const int64_t s = ops[k]->strides[d] * static_cast<int64_t>(element_size(ops[k]->dtype));
      merge = strides[k][nd - 1] == s * o0.sizes[d];
    }
    for (int k = 0; k < nops; ++k) {
      const int64_t s = ops[k]->strides[d] * static_cast<int64_t>(element_size(ops[k]->dtype));
      strides[k][merge ? nd - 1 : nd] = s;
    }
    if (merge) sizes[nd - 1] *= o0.sizes[d];
    else sizes[nd++] = o0.sizes[d];
  }
  char* p[kMaxOps];
  int64_t in_strides[kMaxOps];
  for (int k = 0; k < nops; ++k) p[k] = static_cast<char*>(ops[k]->data);
  if (nd == 0) {
    for (int k = 0; k < nops; ++k) in_strides[k] = 0;
    inner(p, in_strides, int64_t(1));
    return;
  }
  for (int k = 0; k < nops; ++k) in_strides[k] = strides[k][nd - 1];
  const int64_t n = sizes[nd - 1];
  int64_t idx[kMaxDims] = {0};
  for (;;) {
    inner(p, in_strides, n);
    int d = nd - 2;
    for (; d >= 0; --d) {
      if (++idx[d] < sizes[d]) {
        for (int k = 0; k < nops; ++k) p[k] += strides[k][d];
        break;
      }
      for (int k = 0; k < nops; ++k) p[k] -= strides[k][d] * (sizes[d] - 1);
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

// Raises IndexError for the first index outside [-size, size) (wrap) or [0, size).
// Broadcast (stride 0) dims of the index are visited once.
void check_bounds(const Backend::IndexDim& d, bool wrap, const char* op) {
  const TensorArg& ix = d.index;
  EMBER_ASSERT(ix.dtype == kLong, "index operands must be int64");
  EMBER_ASSERT(ix.ndim <= kMaxDims);
  int64_t sz[kMaxDims], st[kMaxDims];
  int64_t numel = 1;
  for (int i = 0; i < ix.ndim; ++i) {
    sz[i] = ix.strides[i] == 0 ? 1 : ix.sizes[i];
    st[i] = ix.strides[i];
    numel *= ix.sizes[i] == 0 ? 0 : sz[i];
  }
  if (numel == 0) return;
  TensorArg t{ix.data, kLong, ix.ndim, sz, st, numel, false};
  const int64_t lo = wrap ? -d.size : 0, hi = d.size;
  for_each_row<1>({&t}, [&](std::array<char*, 1> p, std::array<int64_t, 1> s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const int64_t v = *reinterpret_cast<const int64_t*>(p[0] + i * s[0]);
      if (v < lo || v >= hi) [[unlikely]]
        detail::throw_error<IndexError>(op, "index ", v, " is out of bounds for dimension ", d.dim,
                                        " with size ", d.size);
    }
  });
}

// Byte offset that the indices at iteration position (p + i * s) add to the indexed pointer.
struct Offsets {
  int nidx;
  int64_t size[kMaxDims];
  int64_t stride_bytes[kMaxDims];
  bool wrap;
  int64_t at(char* const* p, const int64_t* s, int64_t i) const {
    int64_t off = 0;
    for (int k = 0; k < nidx; ++k) {
      int64_t v = *reinterpret_cast<const int64_t*>(p[2 + k] + i * s[2 + k]);
      if (wrap && v < 0) v += size[k];
      off += v * stride_bytes[k];
    }
    return off;
  }
  bool constant_in_row(const int64_t* s) const {
    for (int k = 0; k < nidx; ++k)
      if (s[2 + k] != 0) return false;
    return true;
  }
};

Offsets make_offsets(ArrayRef<Backend::IndexDim> dims, bool wrap, size_t elsize) {
  EMBER_CHECK(dims.size() <= static_cast<size_t>(kMaxDims), ShapeError, "index", "at most ", kMaxDims,
              " indexed dimensions are supported, got ", dims.size());
  Offsets o;
  o.nidx = static_cast<int>(dims.size());
  o.wrap = wrap;
  for (size_t k = 0; k < dims.size(); ++k) {
    o.size[k] = dims[k].size;
    o.stride_bytes[k] = dims[k].stride * static_cast<int64_t>(elsize);
  }
  return o;
}

// Unsigned integer of the given byte width: gathers and plain scatters only move bits.
template <size_t N>
using Bits = std::conditional_t<N == 1, uint8_t, std::conditional_t<N == 2, uint16_t,
             std::conditional_t<N == 4, uint32_t, uint64_t>>>;

template <class F>
void dispatch_width(size_t n, F&& f) {
  switch (n) {
    case 1: f(Bits<1>{}); return;
    case 2: f(Bits<2>{}); return;
    case 4: f(Bits<4>{}); return;
    case 8: f(Bits<8>{}); return;
    default: EMBER_ASSERT(false, "unsupported element size ", n);
  }
}

// Operand list [a, b, index...] for for_each_row_dyn.
struct OperandList {
  const TensorArg* ops[kMaxOps];
  int n;
  OperandList(const TensorArg& a, const TensorArg& b, ArrayRef<Backend::IndexDim> dims) {
    ops[0] = &a;
    ops[1] = &b;
    n = 2;
    for (const auto& d : dims) ops[n++] = &d.index;
  }
};

}  // namespace

void CpuBackend::index_gather(const TensorArg& src, ArrayRef<IndexDim> dims, bool wrap, const TensorArg& out,
                              const char* op) {
  EMBER_ASSERT(src.dtype == out.dtype && src.ndim == out.ndim);
  if (out.numel == 0) return;
  for (const auto& d : dims) check_bounds(d, wrap, op);
  const size_t es = element_size(out.dtype);
  const Offsets offs = make_offsets(dims, wrap, es);
  OperandList l(out, src, dims);
  dispatch_width(es, [&](auto w) {
    using T = decltype(w);
    for_each_row_dyn(l.n, l.ops, [&](char* const* p, const int64_t* s, int64_t n) {
      if (offs.constant_in_row(s)) {
        const char* in = p[1] + offs.at(p, s, 0);
        if (s[0] == sizeof(T) && s[1] == sizeof(T)) {
          std::memcpy(p[0], in, static_cast<size_t>(n) * sizeof(T));
        } else {
          for (int64_t i = 0; i < n; ++i)
            *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const T*>(in + i * s[1]);
        }
      } else {
        for (int64_t i = 0; i < n; ++i)
          *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const T*>(p[1] + i * s[1] + offs.at(p, s, i));
      }
    });
  });
}

void CpuBackend::index_scatter(ScatterReduce reduce, const TensorArg& values, ArrayRef<IndexDim> dims, bool wrap,
                               const TensorArg& dst, const char* op) {
  EMBER_ASSERT(values.dtype == dst.dtype && values.ndim == dst.ndim);
  if (values.numel == 0) return;
  for (const auto& d : dims) check_bounds(d, wrap, op);
  const size_t es = element_size(dst.dtype);
  const Offsets offs = make_offsets(dims, wrap, es);
  OperandList l(values, dst, dims);
  auto run = [&](auto tag, auto combine) {
    using T = decltype(tag);
    for_each_row_dyn(l.n, l.ops, [&](char* const* p, const int64_t* s, int64_t n) {
      const bool constant = offs.constant_in_row(s);
      const int64_t c = constant ? offs.at(p, s, 0) : 0;
      for (int64_t i = 0; i < n; ++i) {
        T* d = reinterpret_cast<T*>(p[1] + i * s[1] + (constant ? c : offs.at(p, s, i)));
        combine(*d, *reinterpret_cast<const T*>(p[0] + i * s[0]));
      }
    });
  };
  if (reduce == ScatterReduce::Assign) {
    dispatch_width(es, [&](auto w) { run(w, [](auto& d, auto v) { d = v; }); });
    return;
  }
  dispatch_dtype(dst.dtype, op, [&](auto t) {
    using T = decltype(t);
    if (reduce == ScatterReduce::Add) {
      if constexpr (std::is_same_v<T, bool>) run(t, [](bool& d, bool v) { d = d || v; });
      else run(t, [](T& d, T v) { d = static_cast<T>(d + v); });
    } else {
      if constexpr (std::is_same_v<T, bool>) run(t, [](bool& d, bool v) { d = d && v; });
      else run(t, [](T& d, T v) { d = static_cast<T>(d * v); });
    }
  });
}

void CpuBackend::nonzero(const TensorArg& in, const TensorArg& out) {
  EMBER_ASSERT(out.dtype == kLong && out.contiguous);
  if (in.numel == 0) return;
  int64_t* o = static_cast<int64_t*>(out.data);
  const int nd = in.ndim;
  EMBER_CHECK(nd <= kMaxDims, ShapeError, "nonzero", "at most ", kMaxDims, " dimensions are supported, got ", nd);
  dispatch_dtype(in.dtype, "nonzero", [&](auto t) {
    using T = decltype(t);
    const T* base = static_cast<const T*>(in.data);
    if (nd == 0) return;  // a 0-dim input gives [count, 0]: nothing to write
    int64_t idx[kMaxDims] = {0};
    const int last = nd - 1;
    const int64_t n = in.sizes[last], st = in.strides[last];
    int64_t off = 0;  // element offset of idx with idx[last] = 0
    for (;;) {
      for (int64_t i = 0; i < n; ++i) {
        if (base[off + i * st] != T(0)) {
          for (int d = 0; d < last; ++d) *o++ = idx[d];
          *o++ = i;
        }
      }
      int d = last - 1;
      for (; d >= 0; --d) {
        if (++idx[d] < in.sizes[d]) {
          off += in.strides[d];
          break;
        }
        off -= in.strides[d] * (in.sizes[d] - 1);
        idx[d] = 0;
      }
      if (d < 0) return;
    }
  });
}

}  // namespace ember::backend::cpu
