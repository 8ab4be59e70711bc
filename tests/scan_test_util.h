#pragma once
// Helpers of the reduction/scan/sort tests (test_scan.cpp, test_sort.cpp): literal
// tensors, value comparisons, and a slice view used by the per-dim reference checks.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <cmath>
#include <string>
#include <vector>

namespace scan_test {

using ember::Tensor;

/// A float64 tensor with the given values and shape.
inline Tensor make(std::vector<double> v, std::vector<int64_t> shape) {
  return ember::tensor(v, ember::TensorOptions().dtype(ember::kDouble)).reshape(shape);
}

/// Values of t (any dtype) in row-major order, as doubles.
inline std::vector<double> values(const Tensor& t) {
  Tensor c = t.detach().to(ember::kDouble).contiguous().reshape({-1});
  const double* p = c.data_ptr<double>();
  return std::vector<double>(p, p + c.numel());
}

/// Checks t's shape and values (NaN matches NaN) within tol.
inline void check_values(const Tensor& t, std::vector<int64_t> shape, std::vector<double> expected,
                         double tol = 1e-12) {
  INFO("shape " << t.sizes());
  REQUIRE(t.sizes() == shape);
  std::vector<double> got = values(t);
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i << ": got " << got[i] << ", expected " << expected[i]);
    if (std::isnan(expected[i])) CHECK(std::isnan(got[i]));
    else if (std::isinf(expected[i])) CHECK(got[i] == expected[i]);
    else CHECK(std::fabs(got[i] - expected[i]) <= tol * std::max(1.0, std::fabs(expected[i])));
  }
}

/// Rows of t along `dim`: the tensor with dim moved last, as contiguous rows. Built from
/// permute + contiguous (foundation ops), so it is independent of the ops under test.
inline std::vector<std::vector<double>> rows_along(const Tensor& t, int64_t dim) {
  std::vector<int64_t> perm;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (d != dim) perm.push_back(d);
  perm.push_back(dim);
  Tensor p = t.detach().permute(perm).contiguous();
  std::vector<double> v = values(p);
  const int64_t n = t.size(dim);
  std::vector<std::vector<double>> rows;
  for (size_t i = 0; n > 0 && i < v.size(); i += static_cast<size_t>(n))
    rows.emplace_back(v.begin() + static_cast<long>(i), v.begin() + static_cast<long>(i) + n);
  return rows;
}

/// A [3, 4, 5] float64 tensor and a non-contiguous tensor with the same values.
inline std::pair<Tensor, Tensor> test_pair(uint64_t seed) {
  ember::manual_seed(seed);
  Tensor x = ember::randn({3, 4, 5}, ember::TensorOptions().dtype(ember::kDouble));
  Tensor nc = x.permute({2, 0, 1}).contiguous().permute({1, 2, 0});
  return {x, nc};
}

/// Whether the message of `fn`'s exception names the op, e.g. "[ember::topk]".
template <class F>
std::string message_of(F&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace scan_test
