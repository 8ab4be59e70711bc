#pragma once
// Elementwise kernels over the thread pool: splitting a kernel's operands into per-chunk
// pieces (flat chunks, or slabs along the first dim), and the contiguous loop the pieces
// end in. Shared by the elementwise and activation kernels.
#include <algorithm>
#include <array>
#include <cstdint>
#include <type_traits>

#include "backends/backend.h"
#include "backends/cpu/parallel.h"

namespace ember::backend::cpu {

// The contiguous loop as a function of its own: inlined into the big dispatching
// functions GCC leaves it scalar (seen with the vec_math exp), on its own it vectorises.
// In place (o == a) gets a single-pointer loop, which needs no runtime alias check.
template <class Out, class In, class F>
[[gnu::noinline]] void map_contiguous(Out* o, const In* a, int64_t n, F f) {
  if constexpr (std::is_same_v<Out, In>) {
    if (o == a) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(o[i]);
      return;
    }
  }
  for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
}

// How an operand of out's sizes runs over out's elements: 1 when contiguous (row-major
// over the dims of size > 1), 0 when one value broadcast to all (strides 0), -1 otherwise.
inline int flat_kind(const TensorArg& t, const TensorArg& out) {
  if (t.ndim != out.ndim) return t.numel == 1 ? 0 : -1;
  bool zero = true, contig = true;
  int64_t expected = 1;
  for (int d = t.ndim - 1; d >= 0; --d) {
    if (t.sizes[d] != out.sizes[d]) return -1;
    if (t.sizes[d] == 1) continue;
    if (t.strides[d] != 0) zero = false;
    if (t.strides[d] != expected) contig = false;
    expected *= t.sizes[d];
  }
  return contig ? 1 : zero ? 0 : -1;
}

// Splits a large elementwise kernel whose operands are not all flat (a broadcast bias, a
// transposed view) along the output's first dim of size > 1, when every operand has the
// output's sizes (broadcast operands carry stride 0): body gets the operands of one slab.
template <size_t N, class Body>
bool split_outer(const std::array<const TensorArg*, N>& ops, Body&& body) {
  const TensorArg& out = *ops[0];
  int d = 0;
  while (d < out.ndim && out.sizes[d] == 1) ++d;
  if (d == out.ndim || out.ndim > 8 || out.sizes[d] < 2) return false;
  for (size_t k = 0; k < N; ++k) {
    if (ops[k]->ndim != out.ndim) return false;
    for (int i = 0; i < out.ndim; ++i)
      if (ops[k]->sizes[i] != out.sizes[i]) return false;
  }
  const int64_t rows = out.sizes[d], per_row = out.numel / rows;
  parallel_for(0, rows, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(per_row, 1)), [&](int64_t b, int64_t e) {
    int64_t sizes[8];
    std::copy(out.sizes, out.sizes + out.ndim, sizes);
    sizes[d] = e - b;
    std::array<TensorArg, N> part;
    for (size_t k = 0; k < N; ++k) {
      const TensorArg& t = *ops[k];
      char* base = static_cast<char*>(t.data) + t.strides[d] * b * static_cast<int64_t>(element_size(t.dtype));
      part[k] = TensorArg{base, t.dtype, t.ndim, sizes, t.strides, per_row * (e - b), false};
    }
    body(part);
  });
  return true;
}

// Splits a large elementwise kernel over the thread pool when every operand is flat (see
// flat_kind): body gets 1-D operands for one chunk. Returns false (nothing done) when the
// kernel should run whole.
template <size_t N, class Body>
bool split_flat(const std::array<const TensorArg*, N>& ops, Body&& body) {
  const TensorArg& out = *ops[0];
  const int64_t n = out.numel;
  if (n < 2 * kParallelGrain || parallel_threads() <= 1) return false;
  std::array<int64_t, N> stride;
  bool flat = true;
  for (size_t k = 0; k < N; ++k) {
    const int kind = flat_kind(*ops[k], out);
    if (kind < 0 || (k == 0 && kind != 1)) flat = false;
    stride[k] = kind;
  }
  if (!flat) return split_outer<N>(ops, body);
  parallel_for(0, n, kParallelGrain, [&](int64_t b, int64_t e) {
    const int64_t len = e - b;
    std::array<TensorArg, N> part;
    for (size_t k = 0; k < N; ++k) {
      const TensorArg& t = *ops[k];
      char* base = static_cast<char*>(t.data) + stride[k] * b * static_cast<int64_t>(element_size(t.dtype));
      part[k] = TensorArg{base, t.dtype, 1, &len, &stride[k], len, stride[k] == 1};
    }
    body(part);
  });
  return true;
}

}  // namespace ember::backend::cpu
