#pragma once
// Small helpers shared by the test files: tensor contents as plain vectors, checks of
// ember's error messages, and temporary file paths.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <unistd.h>

namespace core_test {

/// Values of t in row-major order, as doubles (any dtype, any strides).
inline std::vector<double> values(const ember::Tensor& t) {
  ember::NoGradGuard ng;
  ember::Tensor d = t.detach().to(ember::kDouble).contiguous();
  const double* p = d.data_ptr<double>();
  return std::vector<double>(p, p + d.numel());
}

/// Values of an integer or bool tensor as int64.
inline std::vector<int64_t> ivalues(const ember::Tensor& t) {
  ember::NoGradGuard ng;
  ember::Tensor d = t.detach().to(ember::kLong).contiguous();
  const int64_t* p = d.data_ptr<int64_t>();
  return std::vector<int64_t>(p, p + d.numel());
}

inline std::vector<int64_t> shape(const ember::Tensor& t) { return t.sizes().vec(); }

/// Element-wise comparison with a tolerance; NaN matches NaN.
inline bool close(const std::vector<double>& a, const std::vector<double>& b, double tol = 1e-6) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(b[i])) continue;
    if (std::isinf(a[i]) || std::isinf(b[i])) {
      if (a[i] != b[i]) return false;
      continue;
    }
    if (std::fabs(a[i] - b[i]) > tol * (1 + std::fabs(b[i]))) return false;
  }
  return true;
}

/// The message of the ember::Error `f` throws ("" when it throws nothing).
template <class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const ember::Error& e) {
    return e.what();
  }
  return "";
}

/// Runs f, which must throw ember::Error whose message contains every word.
inline void require_error(const std::function<void()>& f, std::initializer_list<std::string> words) {
  try {
    f();
    FAIL("no exception was raised");
  } catch (const ember::Error& e) {
    for (const auto& w : words) CHECK_THAT(e.what(), Catch::Contains(w));
  }
}

/// A path for `name` in a temporary directory of this test process.
inline std::string temp_path(const std::string& name) {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("ember_tests_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return (dir / name).string();
}

}  // namespace core_test

/// Requires `expr` to throw `Type` whose message starts with "[ember::op]" and contains
/// every one of the further strings.
#define REQUIRE_EMBER_ERROR(expr, Type, op, ...)                                      \
  do {                                                                               \
    REQUIRE_THROWS_AS(expr, Type);                                                   \
    const std::string ember_msg_ = ::core_test::error_message([&] { (void)(expr); }); \
    INFO("message: " << ember_msg_);                                                 \
    CHECK(ember_msg_.rfind(std::string("[ember::") + op + "]", 0) == 0);             \
    for (const char* part : std::initializer_list<const char*>{__VA_ARGS__})         \
      CHECK(ember_msg_.find(part) != std::string::npos);                             \
  } while (0)
