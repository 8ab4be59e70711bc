#pragma once
// Small helpers for the join/index tests: flat values of a tensor and error-message checks.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <string>
#include <vector>

namespace shape_index_test {

/// The values of t in row-major order, as doubles.
inline std::vector<double> vals(const ember::Tensor& t) {
  ember::Tensor c = t.detach().to(ember::kDouble).contiguous().reshape({-1});
  const double* p = c.data_ptr<double>();
  return std::vector<double>(p, p + c.numel());
}

inline std::vector<int64_t> shape(const ember::Tensor& t) { return t.sizes().vec(); }

}  // namespace shape_index_test

/// Requires that expr throws E and that the message contains `text`.
#define REQUIRE_THROWS_WITH_TYPE(expr, E, text)                                   \
  do {                                                                            \
    REQUIRE_THROWS_AS(expr, E);                                                   \
    REQUIRE_THROWS_WITH(expr, Catch::Matchers::Contains(text));                   \
  } while (0)
