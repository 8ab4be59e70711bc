// GEMM on OpenBLAS for float/double; a plain triple loop for integer types (libtorch
// supports integer matmul on CPU; it is not a fast path there either).
#include <cblas.h>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/loops.h"

namespace ember::backend::cpu {
namespace {

template <class T>
void gemm_naive(const GemmArgs& g) {
  for (int64_t bi = 0; bi < g.batch; ++bi) {
    const T* a = static_cast<const T*>(g.a) + bi * g.stride_a;
    const T* b = static_cast<const T*>(g.b) + bi * g.stride_b;
    T* c = static_cast<T*>(g.c) + bi * g.stride_c;
    for (int64_t i = 0; i < g.m; ++i)
      for (int64_t j = 0; j < g.n; ++j) {
        T acc = 0;
        for (int64_t p = 0; p < g.k; ++p) {
          T av = g.trans_a ? a[p * g.lda + i] : a[i * g.lda + p];
          T bv = g.trans_b ? b[j * g.ldb + p] : b[p * g.ldb + j];
          acc = wrap_add(acc, wrap_mul(av, bv));  // integer overflow wraps, as libtorch
        }
        T& out = c[i * g.ldc + j];
        out = static_cast<T>((g.beta == 0 ? T(0) : static_cast<T>(g.beta * out)) + static_cast<T>(g.alpha) * acc);
      }
  }
}

}  // namespace

void CpuBackend::gemm(const GemmArgs& g) {
  const auto ta = g.trans_a ? CblasTrans : CblasNoTrans;
  const auto tb = g.trans_b ? CblasTrans : CblasNoTrans;
  if (g.dtype == kFloat) {
    for (int64_t bi = 0; bi < g.batch; ++bi)
      cblas_sgemm(CblasRowMajor, ta, tb, static_cast<int>(g.m), static_cast<int>(g.n), static_cast<int>(g.k),
                  static_cast<float>(g.alpha), static_cast<const float*>(g.a) + bi * g.stride_a,
                  static_cast<int>(g.lda), static_cast<const float*>(g.b) + bi * g.stride_b,
                  static_cast<int>(g.ldb), static_cast<float>(g.beta),
                  static_cast<float*>(g.c) + bi * g.stride_c, static_cast<int>(g.ldc));
    return;
  }
  if (g.dtype == kDouble) {
    for (int64_t bi = 0; bi < g.batch; ++bi)
      cblas_dgemm(CblasRowMajor, ta, tb, static_cast<int>(g.m), static_cast<int>(g.n), static_cast<int>(g.k),
                  g.alpha, static_cast<const double*>(g.a) + bi * g.stride_a, static_cast<int>(g.lda),
                  static_cast<const double*>(g.b) + bi * g.stride_b, static_cast<int>(g.ldb), g.beta,
                  static_cast<double*>(g.c) + bi * g.stride_c, static_cast<int>(g.ldc));
    return;
  }
  dispatch_dtype(g.dtype, "mm", [&](auto t) {
    using T = decltype(t);
    if constexpr (std::is_same_v<T, bool>) {
      detail::throw_error<DTypeError>("mm", "not implemented for 'Bool'");
    } else {
      gemm_naive<T>(g);
    }
  });
}

}  // namespace ember::backend::cpu
