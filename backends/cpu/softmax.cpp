// CPU softmax / log_softmax and their backward along one dim of a contiguous tensor,
// viewed as (outer, n, inner). The max is subtracted before exp, so large inputs do not
// overflow. inner == 1 (the last dim, the common case) runs row by row in cache; inner > 1
// works on an (n, inner) block with inner-length accumulators so loads stay unit-stride.
#include <cmath>
#include <limits>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/loops.h"
#include "backends/cpu/parallel.h"
#include "backends/cpu/vec_math.h"

namespace ember::backend::cpu {
namespace {

struct Geometry {
  int64_t outer = 1, n = 1, inner = 1;
};

Geometry geometry(const TensorArg& t, int dim) {
  Geometry g;
  for (int d = 0; d < t.ndim; ++d) {
    if (d < dim) g.outer *= t.sizes[d];
    else if (d == dim) g.n = t.sizes[d];
    else g.inner *= t.sizes[d];
  }
  return g;
}

using vec::exp_of;

// Row reductions with kLanes independent accumulators: the compiler vectorises them
// (a single accumulator would be a serial dependency it may not reorder). NaN inputs
// are skipped by the max but reach the sum through exp, so a NaN row stays NaN.
constexpr int kLanes = 16;

template <class T>
T row_max(const T* x, int64_t n) {
  T acc[kLanes];
  for (int j = 0; j < kLanes; ++j) acc[j] = -std::numeric_limits<T>::infinity();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] = acc[j] < x[i + j] ? x[i + j] : acc[j];
  T m = -std::numeric_limits<T>::infinity();
  for (; i < n; ++i) m = m < x[i] ? x[i] : m;
  for (int j = 0; j < kLanes; ++j) m = m < acc[j] ? acc[j] : m;
  return m;
}

template <class T>
T row_sum(const T* x, int64_t n) {
  T acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] += x[i + j];
  T s = 0;
  for (; i < n; ++i) s += x[i];
  for (int j = 0; j < kLanes; ++j) s += acc[j];
  return s;
}

template <class T>
T row_dot(const T* x, const T* y, int64_t n) {
  T acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] += x[i + j] * y[i + j];
  T s = 0;
  for (; i < n; ++i) s += x[i] * y[i];
  for (int j = 0; j < kLanes; ++j) s += acc[j];
  return s;
}

template <class T>
void softmax_row(const T* x, T* y, int64_t n, bool log) {
  const T m = row_max(x, n);
  // exp(x - m) goes to y first (one vectorised pass), then the sum.
  for (int64_t i = 0; i < n; ++i) y[i] = exp_of(x[i] - m);
  const T s = row_sum(y, n);
  if (log) {
    // (x - m) - log(s), not x - (m + log(s)): the latter rounds log(s) away for large m.
    const T ls = std::log(s);
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - m) - ls;
  } else {
    const T inv = T(1) / s;
    for (int64_t i = 0; i < n; ++i) y[i] *= inv;
  }
}

template <class T>
void softmax_block(const T* x, T* y, int64_t n, int64_t inner, bool log, std::vector<T>& m, std::vector<T>& s) {
  m.assign(static_cast<size_t>(inner), -std::numeric_limits<T>::infinity());
  s.assign(static_cast<size_t>(inner), T(0));
  for (int64_t i = 0; i < n; ++i) {
    const T* r = x + i * inner;
    for (int64_t j = 0; j < inner; ++j) m[j] = std::max(m[j], r[j]);
  }
  for (int64_t i = 0; i < n; ++i) {
    const T* r = x + i * inner;
    T* o = y + i * inner;
    for (int64_t j = 0; j < inner; ++j) {
      const T e = exp_of(r[j] - m[j]);
      if (!log) o[j] = e;
      s[j] += e;
    }
  }
  if (log) {
    for (int64_t j = 0; j < inner; ++j) s[j] = std::log(s[j]);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < inner; ++j) y[i * inner + j] = (x[i * inner + j] - m[j]) - s[j];
  } else {
    for (int64_t j = 0; j < inner; ++j) s[j] = T(1) / s[j];
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < inner; ++j) y[i * inner + j] *= s[j];
  }
}

// softmax:     gi = y * (g - sum(g * y))
// log_softmax: gi = g - exp(y) * sum(g)
template <class T>
void backward_row(const T* g, const T* y, T* gi, int64_t n, bool log) {
  if (log) {
    const T s = row_sum(g, n);
    for (int64_t i = 0; i < n; ++i) gi[i] = g[i] - exp_of(y[i]) * s;
  } else {
    const T s = row_dot(g, y, n);
    for (int64_t i = 0; i < n; ++i) gi[i] = y[i] * (g[i] - s);
  }
}

template <class T>
void backward_block(const T* g, const T* y, T* gi, int64_t n, int64_t inner, bool log, std::vector<T>& s) {
  s.assign(static_cast<size_t>(inner), T(0));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < inner; ++j) s[j] += log ? g[i * inner + j] : g[i * inner + j] * y[i * inner + j];
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < inner; ++j) {
      const int64_t k = i * inner + j;
      gi[k] = log ? g[k] - exp_of(y[k]) * s[j] : y[k] * (g[k] - s[j]);
    }
}

// log(sum(exp(x))) of one row; an infinite max is replaced by 0 (as libtorch), so a row of
// -inf gives -inf and a row holding +inf gives +inf instead of NaN.
template <class T>
T logsumexp_row(const T* x, int64_t n) {
  T m = row_max(x, n);
  if (std::isinf(m)) m = T(0);
  T acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] += exp_of(x[i + j] - m);
  T s = 0;
  for (; i < n; ++i) s += exp_of(x[i] - m);
  for (int j = 0; j < kLanes; ++j) s += acc[j];
  return std::log(s) + m;
}

template <class T>
void logsumexp_block(const T* x, T* y, int64_t n, int64_t inner, std::vector<T>& m, std::vector<T>& s) {
  m.assign(static_cast<size_t>(inner), -std::numeric_limits<T>::infinity());
  s.assign(static_cast<size_t>(inner), T(0));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < inner; ++j) m[j] = std::max(m[j], x[i * inner + j]);
  for (int64_t j = 0; j < inner; ++j)
    if (std::isinf(m[j])) m[j] = T(0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < inner; ++j) s[j] += exp_of(x[i * inner + j] - m[j]);
  for (int64_t j = 0; j < inner; ++j) y[j] = std::log(s[j]) + m[j];
}

// Runs body(o_begin, o_end) over the outer index, on the thread pool when the tensor is
// large. Each outer slice is computed by the same code whichever thread runs it, so the
// results do not depend on the thread count.
template <class F>
void over_outer(const Geometry& geo, F&& body) {
  const int64_t block = geo.n * geo.inner;
  if (geo.outer > 1 && geo.outer * block >= 2 * kParallelGrain)
    parallel_for(0, geo.outer, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(block, 1)), body);
  else
    body(int64_t(0), geo.outer);
}

template <class F>
void dispatch_float(ScalarType t, const char* name, F&& f) {
  if (t == kFloat) return f(float{});
  if (t == kDouble) return f(double{});
  detail::throw_error<DTypeError>(name, "expected a floating point tensor, got ", t);
}

}  // namespace

void CpuBackend::softmax(const TensorArg& in, int dim, bool log, const TensorArg& out) {
  if (in.numel == 0) return;
  const Geometry geo = geometry(in, dim);
  dispatch_float(in.dtype, log ? "log_softmax" : "softmax", [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in.data);
    T* y = static_cast<T*>(out.data);
    const int64_t block = geo.n * geo.inner;
    over_outer(geo, [&](int64_t ob, int64_t oe) {
      if (geo.inner == 1) {
        for (int64_t o = ob; o < oe; ++o) softmax_row(x + o * block, y + o * block, geo.n, log);
        return;
      }
      std::vector<T> m, s;
      for (int64_t o = ob; o < oe; ++o) softmax_block(x + o * block, y + o * block, geo.n, geo.inner, log, m, s);
    });
  });
}

void CpuBackend::softmax_backward(const TensorArg& grad, const TensorArg& out, int dim, bool log,
                                  const TensorArg& grad_in) {
  if (out.numel == 0) return;
  const Geometry geo = geometry(out, dim);
  dispatch_float(out.dtype, log ? "log_softmax_backward" : "softmax_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* g = static_cast<const T*>(grad.data);
    const T* y = static_cast<const T*>(out.data);
    T* gi = static_cast<T*>(grad_in.data);
    const int64_t block = geo.n * geo.inner;
    over_outer(geo, [&](int64_t ob, int64_t oe) {
      if (geo.inner == 1) {
        for (int64_t o = ob; o < oe; ++o) backward_row(g + o * block, y + o * block, gi + o * block, geo.n, log);
        return;
      }
      std::vector<T> s;
      for (int64_t o = ob; o < oe; ++o)
        backward_block(g + o * block, y + o * block, gi + o * block, geo.n, geo.inner, log, s);
    });
  });
}

void CpuBackend::logsumexp(const TensorArg& in, int dim, const TensorArg& out) {
  if (out.numel == 0) return;
  const Geometry geo = geometry(in, dim);
  dispatch_float(in.dtype, "logsumexp", [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in.data);
    T* y = static_cast<T*>(out.data);
    const int64_t block = geo.n * geo.inner;
    over_outer(geo, [&](int64_t ob, int64_t oe) {
      if (geo.inner == 1) {
        for (int64_t o = ob; o < oe; ++o) y[o] = logsumexp_row(x + o * block, geo.n);
        return;
      }
      std::vector<T> m, s;
      for (int64_t o = ob; o < oe; ++o) logsumexp_block(x + o * block, y + o * geo.inner, geo.n, geo.inner, m, s);
    });
  });
}

}  // namespace ember::backend::cpu
