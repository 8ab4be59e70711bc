#pragma once
// Helpers of the module tests that compare with libtorch 1.13: the deterministic parameter
// fill and inputs the reference program used, and a shape + value comparison.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "ember/ember.h"
#include "ember/nn.h"

namespace nn_ref_util {

using ember::Tensor;

/// Parameter k (in named_parameters order) gets scale * sin(0.37 j + 1.3 k), j = 0, 1, ...
inline void fill(ember::nn::Module& m, double scale = 0.3) {
  ember::NoGradGuard g;
  int k = 0;
  for (auto& p : m.named_parameters()) {
    Tensor t = p.value();
    std::vector<float> vals(static_cast<size_t>(t.numel()));
    for (size_t j = 0; j < vals.size(); ++j) vals[j] = static_cast<float>(scale * std::sin(0.37 * j + 1.3 * k));
    t.copy_(ember::tensor(vals).view(t.sizes()).to(t.dtype()));
    ++k;
  }
}

/// float tensor of the given shape with values sin(a j + 0.1), j = 0, 1, ... row-major.
inline Tensor seqt(std::vector<int64_t> s, double a) {
  int64_t n = 1;
  for (auto d : s) n *= d;
  std::vector<float> vals(static_cast<size_t>(n));
  for (size_t j = 0; j < vals.size(); ++j) vals[j] = static_cast<float>(std::sin(a * j + 0.1));
  return ember::tensor(vals).view(s);
}

/// Checks shape and values (float tolerance) against a reference.
inline void expect_ref(const Tensor& got, std::vector<int64_t> shape, std::vector<double> want,
                       double rtol = 1e-4, double atol = 2e-5) {
  REQUIRE(got.defined());
  INFO("got shape " << got.sizes() << ", expected " << ember::IntArrayRef(shape));
  REQUIRE(got.sizes() == ember::IntArrayRef(shape));
  Tensor d = got.detach().to(ember::kDouble).contiguous().reshape({-1});
  const double* p = d.data_ptr<double>();
  int bad = 0;
  std::ostringstream os;
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::fabs(p[i] - want[i]) > atol + rtol * std::fabs(want[i]) && bad++ < 5)
      os << "  [" << i << "] got " << p[i] << " expected " << want[i] << "\n";
  }
  INFO("mismatches (" << bad << "):\n" << os.str());
  CHECK(bad == 0);
}

/// "name[shape] name[shape] ..." of named_parameters (or buffers), in order.
inline std::string names_of(const ember::OrderedDict<std::string, Tensor>& d) {
  std::ostringstream os;
  for (auto& p : d) os << (os.tellp() > 0 ? " " : "") << p.key() << p.value().sizes();
  return os.str();
}

/// The module as `std::cout << *m` prints it.
inline std::string printed(const ember::nn::Module& m) {
  std::ostringstream os;
  os << m;
  return os.str();
}

}  // namespace nn_ref_util

/// Checks that expr throws ErrorType with a message containing each of the given words.
#define CHECK_THROWS_NAMING(expr, ErrorType, ...)                                   \
  do {                                                                              \
    bool thrown_ = false;                                                           \
    try {                                                                           \
      (void)(expr);                                                                 \
    } catch (const ErrorType& e_) {                                                 \
      thrown_ = true;                                                               \
      const std::string m_ = e_.what();                                             \
      for (const char* w_ : {__VA_ARGS__}) {                                        \
        INFO("message: " << m_ << "\nmissing: " << w_);                             \
        CHECK(m_.find(w_) != std::string::npos);                                    \
      }                                                                             \
    }                                                                               \
    INFO(#expr " did not throw " #ErrorType);                                       \
    CHECK(thrown_);                                                                 \
  } while (0)
