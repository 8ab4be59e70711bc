#pragma once
// Shared helpers of the nn op tests (activation, softmax, loss, norm, dropout, linalg
// extras): deterministic inputs, comparison with the libtorch reference values of
// nn_reference.h, gradients of weighted sums, and error checks.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "nn_reference.h"

namespace nn_test {

using ember::Tensor;

/// Values sin(k * 0.37 + seed) * 2 for k = 0, 1, ... in row-major order: the formula the
/// reference program used, so both sides see the same inputs.
inline Tensor seq(std::vector<int64_t> shape, double seed, ember::ScalarType dt = ember::kDouble) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) v[static_cast<size_t>(k)] = std::sin(static_cast<double>(k) * 0.37 + seed) * 2.0;
  return ember::tensor(v, ember::kDouble).reshape(shape).to(dt);
}

/// The activation test input (also used by the reference program).
inline Tensor act_x(ember::ScalarType dt = ember::kDouble) {
  return ember::tensor({-30.0, -3.5, -2.1, -1.0, -0.3, 0.0, 0.4, 1.2, 2.5, 3.7, 6.5, 30.0},
                       ember::TensorOptions().dtype(ember::kDouble))
      .to(dt);
}

struct Tol {
  double rtol, atol;
};
/// Tolerance for results computed in dtype dt against float64 references.
inline Tol tol_for(ember::ScalarType dt) { return dt == ember::kFloat ? Tol{2e-5, 2e-6} : Tol{1e-9, 1e-12}; }

/// Checks sizes and values of t against a reference (NaN matches NaN, inf matches inf).
inline void check_ref(const Tensor& t, const nn_ref::Ref& r, Tol tol = {1e-9, 1e-12}) {
  REQUIRE(t.defined());
  INFO("sizes " << t.sizes() << " vs reference " << ember::IntArrayRef(r.sizes));
  REQUIRE(t.sizes() == ember::IntArrayRef(r.sizes));
  Tensor d = t.detach().to(ember::kDouble).contiguous().reshape({-1});
  const double* p = d.data_ptr<double>();
  int bad = 0;
  std::ostringstream os;
  os.precision(17);
  for (size_t i = 0; i < r.values.size(); ++i) {
    const double a = p[i], e = r.values[i];
    bool ok;
    if (std::isnan(e)) ok = std::isnan(a);
    else if (std::isinf(e)) ok = a == e;
    else ok = std::fabs(a - e) <= tol.atol + tol.rtol * std::fabs(e);
    if (!ok && bad++ < 5) os << "  [" << i << "] got " << a << " expected " << e << "\n";
  }
  INFO("mismatches (" << bad << "):\n" << os.str());
  CHECK(bad == 0);
}

/// Gradient of sum(f(x) * seq(shape of f(x), 0.5)) w.r.t. x: the weighting the reference
/// program used. create_graph selects the differentiable path of the backward formulas.
template <class F>
Tensor weighted_grad(F&& f, const Tensor& x0, bool create_graph = false) {
  Tensor x = x0.detach().clone().requires_grad_(true);
  Tensor y = f(x);
  Tensor w = seq(y.sizes().vec(), 0.5, y.dtype());
  auto g = ember::autograd::grad({(y * w).sum()}, {x}, {}, std::nullopt, create_graph);
  return g[0];
}

/// Checks the exception type and that its message names the op ("[ember::op]") and
/// contains `words`.
template <class E, class F>
void check_error(F&& f, const std::string& op, const std::string& words = "") {
  bool thrown = false;
  try {
    f();
  } catch (const E& e) {
    thrown = true;
    const std::string m = e.what();
    INFO("message: " << m);
    CHECK(m.find("[ember::" + op + "]") != std::string::npos);
    if (!words.empty()) CHECK(m.find(words) != std::string::npos);
  }
  INFO("expected an exception from " << op);
  CHECK(thrown);
}

}  // namespace nn_test

/// REQUIRE_THROWS_AS plus a check that the message names the op and holds `words`.
#define CHECK_OP_ERROR(expr, ErrorType, op, words)                        \
  do {                                                                    \
    REQUIRE_THROWS_AS(expr, ErrorType);                                   \
    nn_test::check_error<ErrorType>([&] { (void)(expr); }, op, words);    \
  } while (0)
