#pragma once
// Shared by the conv/pool/resample tests: deterministic inputs that a libtorch program
// reproduces exactly, and a comparison of an output against libtorch's fingerprint of it
// (shape, plain sum, a sum weighted by an integer pattern, and the first elements).
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <cmath>
#include <string>
#include <vector>

namespace conv_ref {

/// Values ((i * 37 + seed * 11) mod 101) / 50 - 1: exact in float64 and without ties in
/// any window narrower than 101 elements.
inline ember::Tensor inp(std::vector<int64_t> shape, int seed, ember::ScalarType dt = ember::kDouble) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = double((i * 37 + seed * 11) % 101) / 50.0 - 1.0;
  return ember::tensor(v, ember::kDouble).reshape(shape).to(dt);
}

struct Ref {
  std::string name;
  std::vector<int64_t> shape;
  double sum, weighted;
  std::vector<double> first;
};

/// Checks y against a reference row (relative tolerance tol).
inline void check(const ember::Tensor& y0, const Ref& r, double tol = 1e-10) {
  INFO(r.name);
  REQUIRE(y0.sizes() == ember::IntArrayRef(r.shape));
  ember::Tensor y = y0.detach().to(ember::kDouble).contiguous().reshape({-1});
  const double* a = y.data_ptr<double>();
  double s1 = 0, s2 = 0;
  for (int64_t i = 0; i < y.numel(); ++i) {
    s1 += a[i];
    s2 += a[i] * double((i * 13) % 17 - 8);
  }
  const double scale = 1 + std::fabs(r.sum) + std::fabs(r.weighted);
  CHECK(std::fabs(s1 - r.sum) <= tol * scale);
  CHECK(std::fabs(s2 - r.weighted) <= tol * scale);
  for (size_t i = 0; i < r.first.size(); ++i) CHECK(std::fabs(a[i] - r.first[i]) <= tol * (1 + std::fabs(r.first[i])));
}

/// Runs f and requires an ember::ShapeError whose message names op.
template <class F>
void require_shape_error(F&& f, const std::string& op, const std::string& words = "") {
  try {
    f();
    FAIL("expected an ember::ShapeError from " << op);
  } catch (const ember::ShapeError& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find("[ember::" + op + "]") == 0);
    if (!words.empty()) CHECK(msg.find(words) != std::string::npos);
  }
}

}  // namespace conv_ref
