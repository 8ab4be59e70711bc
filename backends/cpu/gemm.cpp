// GEMM on OpenBLAS for float/double; a plain triple loop for integer types (libtorch
// supports integer matmul on CPU; it is not a fast path there either).
#include <cblas.h>

#include <algorithm>
#include <type_traits>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/loops.h"
#include "backends/cpu/parallel.h"

extern "C" void openblas_set_num_threads(int num_threads);

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

// One OpenBLAS call on a block of one batch entry. OpenBLAS is held at one thread and
// ember's pool splits the work, so OpenBLAS's spinning workers never compete with ember's
// threads for the cores (2 threads would otherwise be slower than 1 on the CNN).
template <class T>
void blas_gemm(const GemmArgs& g, int64_t bi, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  const auto ta = g.trans_a ? CblasTrans : CblasNoTrans;
  const auto tb = g.trans_b ? CblasTrans : CblasNoTrans;
  // Rows m0.. of op(A) and columns n0.. of op(B), wherever the transposes put them.
  const T* a = static_cast<const T*>(g.a) + bi * g.stride_a + (g.trans_a ? m0 : m0 * g.lda);
  const T* b = static_cast<const T*>(g.b) + bi * g.stride_b + (g.trans_b ? n0 * g.ldb : n0);
  T* c = static_cast<T*>(g.c) + bi * g.stride_c + m0 * g.ldc + n0;
  const int m = static_cast<int>(m1 - m0), n = static_cast<int>(n1 - n0), k = static_cast<int>(g.k);
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, static_cast<float>(g.alpha), a, static_cast<int>(g.lda), b,
                static_cast<int>(g.ldb), static_cast<float>(g.beta), c, static_cast<int>(g.ldc));
  } else {
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, g.alpha, a, static_cast<int>(g.lda), b, static_cast<int>(g.ldb),
                g.beta, c, static_cast<int>(g.ldc));
  }
}

// Products smaller than this (m * n * k) run on one thread, as OpenBLAS itself decides.
constexpr int64_t kGemmParallelWork = int64_t(1) << 18;

// Splits a batch of products over the pool: whole batch entries when there are enough of
// them, otherwise n (or m, when n is short) of each product. Every element of C comes from
// one call over the full k, but OpenBLAS's edge kernels may round a block's last bits
// differently from one whole call, so split products can differ in the last bits.
template <class T>
void parallel_gemm(const GemmArgs& g) {
  static const bool blas_single_threaded = (openblas_set_num_threads(1), true);
  (void)blas_single_threaded;
  const int threads = g.batch * g.m * g.n * g.k >= kGemmParallelWork ? parallel_threads() : 1;
  if (threads <= 1 || g.batch >= threads) {
    parallel_for(0, g.batch, threads <= 1 ? g.batch : 1, [&](int64_t b0, int64_t b1) {
      for (int64_t bi = b0; bi < b1; ++bi) blas_gemm<T>(g, bi, 0, g.m, 0, g.n);
    });
    return;
  }
  // Splitting n keeps OpenBLAS's packing work the same in total (each call packs its own
  // columns of B, and A is packed per column block anyway); splitting m would have every
  // call pack all of B. So n, unless it is too short to share out.
  const bool split_m = g.n < 64 * threads && g.m > g.n;
  const int64_t len = split_m ? g.m : g.n;
  for (int64_t bi = 0; bi < g.batch; ++bi) {
    parallel_for(0, len, std::max<int64_t>(1, len / threads), [&](int64_t lo, int64_t hi) {
      if (split_m) blas_gemm<T>(g, bi, lo, hi, 0, g.n);
      else blas_gemm<T>(g, bi, 0, g.m, lo, hi);
    });
  }
}

}  // namespace

void CpuBackend::gemm(const GemmArgs& g) {
  if (g.m == 0 || g.n == 0 || g.batch == 0) return;
  if (g.dtype == kFloat) return parallel_gemm<float>(g);
  if (g.dtype == kDouble) return parallel_gemm<double>(g);
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
