#pragma once
// Strided index math shared by the CUDA kernels and their CPU unit tests: a linear
// iteration index becomes one element offset per operand. Dims that are size 1 are
// dropped and dims that are contiguous for every operand merged on the host, so most
// iterations need one or two divisions per element.
#include <cstdint>

#include "ember/errors.h"

#include "backends/common/host_device.h"

namespace ember::backend {

/// Most dims an iteration keeps after collapsing (each left has size >= 2).
constexpr int kMaxIterDims = 12;

template <int N>
struct OffsetCalculator {
  struct Offsets {
    int64_t v[N];
  };
  int ndim = 0;
  int64_t sizes[kMaxIterDims] = {};       // innermost dim first
  int64_t strides[kMaxIterDims][N] = {};  // in elements, per operand

  /// Element offsets of iteration index `linear` (row-major over the original sizes).
  EMBER_HD Offsets get(int64_t linear) const {
    Offsets o;
    for (int k = 0; k < N; ++k) o.v[k] = 0;
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
    for (int d = 0; d < kMaxIterDims; ++d) {
      if (d == ndim) break;
      if (d == ndim - 1) {  // the outermost dim needs no division
        for (int k = 0; k < N; ++k) o.v[k] += linear * strides[d][k];
        break;
      }
      const int64_t q = linear / sizes[d];
      const int64_t i = linear - q * sizes[d];
      linear = q;
      for (int k = 0; k < N; ++k) o.v[k] += i * strides[d][k];
    }
    return o;
  }
};

/// Builds the calculator for an iteration over `sizes` (ndim dims, row-major) where
/// operand k has element strides strides[k]. Raises NotImplementedError when more than
/// kMaxIterDims dims remain after collapsing.
template <int N>
OffsetCalculator<N> make_offset_calculator(int ndim, const int64_t* sizes, const int64_t* const (&strides)[N]) {
  OffsetCalculator<N> c;
  // Walk from the innermost dim outwards, merging a dim into the previous (inner) one
  // when every operand steps over it exactly as if the two were one dim.
  for (int d = ndim - 1; d >= 0; --d) {
    if (sizes[d] == 1) continue;
    if (c.ndim > 0) {
      bool merge = true;
      for (int k = 0; k < N && merge; ++k)
        merge = strides[k][d] == c.strides[c.ndim - 1][k] * c.sizes[c.ndim - 1];
      if (merge) {
        c.sizes[c.ndim - 1] *= sizes[d];
        continue;
      }
    }
    EMBER_CHECK(c.ndim < kMaxIterDims, NotImplementedError, "cuda", "an elementwise iteration over ", ndim,
                " dims keeps more than ", kMaxIterDims, " dims after collapsing; make the operands contiguous");
    c.sizes[c.ndim] = sizes[d];
    for (int k = 0; k < N; ++k) c.strides[c.ndim][k] = strides[k][d];
    ++c.ndim;
  }
  return c;
}

}  // namespace ember::backend
