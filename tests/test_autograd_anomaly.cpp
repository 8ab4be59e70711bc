// Anomaly mode: a NaN/Inf produced by a backward formula raises an Error naming the
// node, the forward op, this file's line of the forward call, and the input shapes.
// (The test binary is built with line tables, -g1, for the file:line.)
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <string>

using namespace ember;
using ember::autograd::AutogradContext;
using ember::autograd::variable_list;

namespace {

std::string here(int line) { return "test_autograd_anomaly.cpp:" + std::to_string(line); }

// Backward divides by zero where the input is zero.
struct InvGrad : autograd::Function<InvGrad> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    ctx->save_for_backward({x});
    return x * 1;
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    return {g[0] / ctx->get_saved_variables()[0]};
  }
};

// A helper between the test and the op: the report names the op's caller, this line.
[[gnu::noinline]] Tensor helper_log(const Tensor& t) {
  Tensor r = log(t);  // the forward call the report names
  return r * 1;
}
const int kHelperLine = __LINE__ - 3;

}  // namespace

TEST_CASE("anomaly mode: NaN/Inf in backward names the node, op, file:line and shapes", "[autograd][anomaly]") {
  Tensor x = ember::tensor({0.0f, 1.0f}, TensorOptions().requires_grad(true));
  {
    // Off: the infinite gradient passes silently, and nodes carry no record.
    Tensor y = sqrt(x);
    CHECK(y.grad_fn()->anomaly_metadata() == nullptr);
    CHECK_NOTHROW(y.sum().backward());
    CHECK(std::isinf(x.grad()[0].item<float>()));
  }
  autograd::DetectAnomalyGuard guard;
  CHECK(autograd::AnomalyMode::is_enabled());
  Tensor y = sqrt(x); const int line = __LINE__;
  REQUIRE(y.grad_fn()->anomaly_metadata() != nullptr);
  Tensor loss = (y * 3).sum();
  try {
    loss.backward();
    FAIL("expected an anomaly error");
  } catch (const Error& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK_THAT(msg, Catch::StartsWith("[ember::autograd::anomaly]"));
    CHECK_THAT(msg, Catch::Contains("Function 'SqrtBackward0' returned nan/inf values in its 0th output"));
    CHECK_THAT(msg, Catch::Contains("ember::sqrt("));   // the forward op the user called
    CHECK_THAT(msg, Catch::Contains(here(line)));       // and where
    CHECK_THAT(msg, Catch::Contains("with inputs of shapes [2]"));
  }
}

TEST_CASE("anomaly mode: Tensor methods, helpers and custom Functions", "[autograd][anomaly]") {
  autograd::DetectAnomalyGuard guard;
  {
    Tensor x = ember::tensor({{4.0, 0.0, 1.0}}, TensorOptions().dtype(kDouble).requires_grad(true));
    Tensor y = x.sqrt(); const int line = __LINE__;
    try {
      y.sum().backward();
      FAIL("expected an anomaly error");
    } catch (const Error& e) {
      INFO(e.what());
      CHECK_THAT(e.what(), Catch::Contains("ember::Tensor::sqrt()") && Catch::Contains(here(line)) &&
                               Catch::Contains("shapes [1, 3]"));
    }
  }
  {
    Tensor x = ember::tensor({0.0, 2.0}, TensorOptions().dtype(kDouble).requires_grad(true));
    Tensor y = helper_log(x); const int caller_line = __LINE__;
    try {
      y.sum().backward();
      FAIL("expected an anomaly error");
    } catch (const Error& e) {
      INFO(e.what());
      CHECK_THAT(e.what(), Catch::Contains("LogBackward0") && Catch::Contains("ember::log("));
      CHECK_THAT(e.what(), Catch::Contains(here(kHelperLine)));
      CHECK_THAT(e.what(), Catch::Contains("helper_log"));
      // The rest of the user's stack follows: the test's call of the helper.
      CHECK_THAT(e.what(), Catch::Contains(here(caller_line)));
    }
  }
  {
    Tensor x = ember::tensor({0.0, 2.0}, TensorOptions().dtype(kDouble).requires_grad(true));
    Tensor y = InvGrad::apply(x); const int line = __LINE__;
    try {
      y.sum().backward();
      FAIL("expected an anomaly error");
    } catch (const Error& e) {
      INFO(e.what());
      CHECK_THAT(e.what(), Catch::Contains("CppNode<") && Catch::Contains("InvGrad>"));
      CHECK_THAT(e.what(), Catch::Contains(here(line)));
    }
  }
}

TEST_CASE("anomaly mode: errors raised in backward name the forward call", "[autograd][anomaly]") {
  autograd::DetectAnomalyGuard guard;
  Tensor a = ember::tensor({1.0f, 2.0f}, TensorOptions().requires_grad(true));
  Tensor b = a * 1;
  Tensor c = b * b; const int line = __LINE__;
  b.add_(1);
  try {
    c.sum().backward();
    FAIL("expected an error");
  } catch (const Error& e) {
    INFO(e.what());
    CHECK_THAT(e.what(), Catch::Contains("is at version 1; expected version 0 instead"));
    CHECK_THAT(e.what(), Catch::Contains("Error detected in MulBackward0") && Catch::Contains(here(line)));
  }
}

TEST_CASE("anomaly mode: finite gradients pass and the guard restores the mode", "[autograd][anomaly]") {
  REQUIRE_FALSE(autograd::AnomalyMode::is_enabled());
  {
    autograd::DetectAnomalyGuard guard;
    Tensor x = ember::tensor({1.0, 4.0}, TensorOptions().dtype(kDouble).requires_grad(true));
    sqrt(x).sum().backward();
    CHECK(x.grad()[1].item<double>() == Approx(0.25));
    {
      autograd::DetectAnomalyGuard nested;
    }
    CHECK(autograd::AnomalyMode::is_enabled());
  }
  CHECK_FALSE(autograd::AnomalyMode::is_enabled());
}
