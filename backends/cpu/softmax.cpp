// CPU softmax / log_softmax and their backward along one dim of a contiguous tensor,
// viewed as (outer, n, inner). The max is subtracted before exp, so large inputs do not
// overflow. inner == 1 (the last dim, the common case) runs row by row in cache; inner > 1
// works on an (n, inner) block with inner-length accumulators so loads stay unit-stride.
#include <cmath>
#include <limits>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/loops.h"

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

template <class T>
void softmax_row(const T* x, T* y, int64_t n, bool log) {
  T m = -std::numeric_limits<T>::infinity();
  for (int64_t i = 0; i < n; ++i) m = std::max(m, x[i]);
  if (log) {
    T s = 0;
    for (int64_t i = 0; i < n; ++i) s += std::exp(x[i] - m);
    // (x - m) - log(s), not x - (m + log(s)): the latter rounds log(s) away for large m.
    const T ls = std::log(s);
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - m) - ls;
  } else {
    T s = 0;
    for (int64_t i = 0; i < n; ++i) {
      const T e = std::exp(x[i] - m);
      y[i] = e;
      s += e;
    }
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
      const T e = std::exp(r[j] - m[j]);
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
  T s = 0;
  if (log) {
    for (int64_t i = 0; i < n; ++i) s += g[i];
    for (int64_t i = 0; i < n; ++i) gi[i] = g[i] - std::exp(y[i]) * s;
  } else {
    for (int64_t i = 0; i < n; ++i) s += g[i] * y[i];
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
      gi[k] = log ? g[k] - std::exp(y[k]) * s[j] : y[k] * (g[k] - s[j]);
    }
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
    if (geo.inner == 1) {
      for (int64_t o = 0; o < geo.outer; ++o) softmax_row(x + o * block, y + o * block, geo.n, log);
      return;
    }
    std::vector<T> m, s;
    for (int64_t o = 0; o < geo.outer; ++o) softmax_block(x + o * block, y + o * block, geo.n, geo.inner, log, m, s);
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
    if (geo.inner == 1) {
      for (int64_t o = 0; o < geo.outer; ++o) backward_row(g + o * block, y + o * block, gi + o * block, geo.n, log);
      return;
    }
    std::vector<T> s;
    for (int64_t o = 0; o < geo.outer; ++o)
      backward_block(g + o * block, y + o * block, gi + o * block, geo.n, geo.inner, log, s);
  });
}

}  // namespace ember::backend::cpu
