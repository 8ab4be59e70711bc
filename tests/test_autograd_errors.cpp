// libtorch's autograd errors: backward twice, in-place changes to saved tensors and to
// leaves, roots that do not require grad, integer tensors that would require grad.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <string>

using namespace ember;

namespace {
TensorOptions f32g() { return TensorOptions().dtype(kFloat).requires_grad(true); }

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("errors: backward twice without retain_graph", "[autograd][errors]") {
  Tensor x = ember::tensor({1.0f, 2.0f}, f32g());
  Tensor y = (x * x).sum();
  y.backward();
  const std::string msg = message_of([&] { y.backward(); });
  CHECK_THAT(msg, Catch::StartsWith("[ember::backward]"));
  CHECK_THAT(msg, Catch::Contains("Trying to backward through the graph a second time"));
  CHECK_THAT(msg, Catch::Contains("retain_graph=true"));

  // With retain_graph the second pass works and accumulates.
  Tensor x2 = ember::tensor({1.0f, 2.0f}, f32g());
  Tensor y2 = (x2 * x2).sum();
  y2.backward({}, /*retain_graph=*/true);
  y2.backward();
  CHECK(x2.grad()[1].item<float>() == 8);  // 2 * 2x
}

TEST_CASE("errors: a saved tensor modified in place", "[autograd][errors]") {
  Tensor a = ember::tensor({1.0f, 2.0f}, f32g());
  Tensor b = a * 1;
  Tensor c = b * b;  // saves b at version 0
  b.mul_(2);
  std::string msg = message_of([&] { c.sum().backward(); });
  CHECK_THAT(msg, Catch::Contains("one of the variables needed for gradient computation has been modified by an "
                                  "inplace operation"));
  CHECK_THAT(msg, Catch::Contains("[CPUFloatType [2]]"));
  CHECK_THAT(msg, Catch::Contains("is at version 1; expected version 0 instead"));

  // A saved output: libtorch names the node that produced it.
  Tensor e = b.exp();
  e.add_(1);
  msg = message_of([&] { e.sum().backward(); });
  CHECK_THAT(msg, Catch::Contains("which is output 0 of ExpBackward0, is at version 1; expected version 0 instead"));

  // The in-place op itself records correctly: its formula keeps the value it overwrote.
  Tensor p = ember::tensor({1.0f, 2.0f}, f32g());
  Tensor q = p * 2;
  q.mul_(q);  // q := q^2, d/dp = 2q * 2
  q.sum().backward();
  CHECK(p.grad()[0].item<float>() == 8);
  CHECK(p.grad()[1].item<float>() == 16);
}

TEST_CASE("errors: in-place on a leaf that requires grad", "[autograd][errors]") {
  Tensor a = ember::tensor({1.0f, 2.0f}, f32g());
  const std::string msg = message_of([&] { a.mul_(2); });
  CHECK_THAT(msg, Catch::StartsWith("[ember::mul_]"));
  CHECK_THAT(msg, Catch::Contains("a leaf Variable that requires grad is being used in an in-place operation."));
  CHECK(a[1].item<float>() == 2);  // untouched
  {
    NoGradGuard ng;  // allowed without grad mode (optimizer updates)
    a.mul_(2);
  }
  CHECK(a[1].item<float>() == 4);
  CHECK(a.is_leaf());
  CHECK(a.requires_grad());
}

TEST_CASE("errors: backward of a tensor without grad_fn", "[autograd][errors]") {
  Tensor z = ember::ones({2});
  const std::string msg = message_of([&] { z.sum().backward(); });
  CHECK_THAT(msg, Catch::StartsWith("[ember::backward]"));
  CHECK_THAT(msg, Catch::Contains("element 0 of tensors does not require grad and does not have a grad_fn"));
  Tensor x = ember::ones({2}, f32g());
  Tensor detached = (x * 2).detach();
  CHECK_THAT(message_of([&] { detached.sum().backward(); }),
             Catch::Contains("element 0 of tensors does not require grad"));
  Tensor y;
  {
    NoGradGuard ng;
    y = x * 2;
  }
  CHECK_FALSE(y.requires_grad());
  CHECK_THAT(message_of([&] { y.sum().backward(); }), Catch::Contains("does not have a grad_fn"));
}

TEST_CASE("errors: only floating point tensors can require grad", "[autograd][errors]") {
  CHECK_THROWS_AS(ember::ones({2}, TensorOptions().dtype(kLong)).requires_grad_(), DTypeError);
  const std::string msg = message_of([] { ember::ones({2}, TensorOptions().dtype(kLong)).requires_grad_(); });
  CHECK_THAT(msg, Catch::StartsWith("[ember::requires_grad_]"));
  CHECK_THAT(msg, Catch::Contains("only Tensors of floating point dtype can require gradients"));
  CHECK_THROWS_AS(ember::zeros({1}, TensorOptions().dtype(kInt).requires_grad(true)), DTypeError);
  CHECK_THROWS_AS(ember::ones({1}, TensorOptions().dtype(kBool)).requires_grad_(), DTypeError);
  CHECK_NOTHROW(ember::ones({1}, TensorOptions().dtype(kLong)).requires_grad_(false));
}

TEST_CASE("errors: requires_grad_(false) on a non-leaf, shape of grad_outputs", "[autograd][errors]") {
  Tensor x = ember::ones({2}, f32g());
  Tensor y = x * 2;
  CHECK_THAT(message_of([&] { y.requires_grad_(false); }),
             Catch::Contains("you can only change requires_grad flags of leaf variables"));
  CHECK_THAT(message_of([&] { y.backward(); }), Catch::Contains("grad can be implicitly created only for scalar outputs"));
  CHECK_THROWS_AS(y.backward(ember::ones({3})), ShapeError);
  y.backward(ember::ones({2}));
  CHECK(x.grad()[0].item<float>() == 2);
}

TEST_CASE("grad mode is thread-local and scoped", "[autograd][errors]") {
  Tensor x = ember::ones({1}, f32g());
  CHECK(autograd::GradMode::is_enabled());
  {
    NoGradGuard ng;
    CHECK_FALSE((x * 2).requires_grad());
    {
      AutoGradMode on(true);
      CHECK((x * 2).requires_grad());
    }
    CHECK_FALSE(autograd::GradMode::is_enabled());
  }
  CHECK(autograd::GradMode::is_enabled());
}
