// Differentiable views: in-place ops through a view rebase the viewed tensor's history
// (libtorch's CopySlices), views of leaves refuse in-place ops, views made stale by an
// in-place write elsewhere regenerate their history; in-place methods are callable on a
// const Tensor; factories start at version 0. Expected gradients were computed with
// libtorch 1.13 on this machine (the same programs, double precision).
#include "core_helpers.h"

using namespace ember;
using core_test::close;
using core_test::values;

namespace {

// a = [[1, 2, 3], [4, 5, 6]] (double), a leaf requiring grad.
Tensor leaf_a() {
  return tensor(std::vector<double>{1, 2, 3, 4, 5, 6}, kDouble).view({2, 3}).detach().requires_grad_();
}
Tensor weights_c() { return tensor(std::vector<double>{1, -2, 3, 0.5, 2, -1}, kDouble).view({2, 3}); }

}  // namespace

TEST_CASE("autograd views: in-place methods are callable on a const Tensor", "[autograd][views]") {
  Tensor p = ones({3}, TensorOptions().requires_grad(true));
  (p * p).sum().backward();
  REQUIRE(values(p.grad()) == std::vector<double>{2, 2, 2});
  const Tensor& g = p.grad();  // grad() returns const Tensor&, as libtorch
  g.zero_();
  CHECK(values(p.grad()) == std::vector<double>{0, 0, 0});
  const Tensor c = zeros({2});
  c.add_(1).mul_(3);
  c.fill_(2);
  c.sub_(ones({2}), 0.5).exp_().copy_(full({2}, 4.0));
  CHECK(values(c) == std::vector<double>{4, 4});
  const Tensor r = ones({2});
  CHECK(r.requires_grad_().requires_grad());
}

TEST_CASE("autograd views: factories start at version 0", "[autograd][views]") {
  // libtorch 1.13 gives 0 for each of these except torch::tensor (2: it fills through
  // recorded copies); a fresh tensor that nothing wrote in place is at version 0 here.
  CHECK(zeros({2})._version() == 0);
  CHECK(ones({2})._version() == 0);
  CHECK(full({2}, 3.0)._version() == 0);
  CHECK(eye(3)._version() == 0);
  CHECK(linspace(0, 1, 5)._version() == 0);
  CHECK(tensor({1.0, 2.0})._version() == 0);
  CHECK(arange(5)._version() == 0);
  CHECK(rand({2})._version() == 0);
  CHECK(randn({2})._version() == 0);
  CHECK(randint(5, {3})._version() == 0);
  Tensor z = zeros({2});
  z.add_(1);
  CHECK(z._version() == 1);
}

TEST_CASE("autograd views: in-place on a view of a leaf that requires grad", "[autograd][views]") {
  Tensor a = leaf_a();
  try {
    a[0].mul_(2);
    FAIL("no error");
  } catch (const Error& e) {
    const std::string m = e.what();
    INFO(m);
    CHECK(m.rfind("[ember::mul_]", 0) == 0);
    CHECK(m.find("a view of a leaf Variable that requires grad is being used in an in-place operation.") !=
          std::string::npos);
  }
  CHECK_THROWS_AS(a.narrow(1, 0, 2).copy_(zeros({2, 2}, kDouble)), Error);
  CHECK_THROWS_AS(a.t().zero_(), Error);
  CHECK(values(a) == std::vector<double>{1, 2, 3, 4, 5, 6});  // nothing was written
  {
    NoGradGuard ng;  // allowed without recording, as in libtorch
    a[0].mul_(2);
  }
  CHECK(values(a) == std::vector<double>{2, 4, 6, 4, 5, 6});
  // A detached alias is not a differentiable view: writing through it is allowed.
  a.detach()[1].zero_();
  CHECK(values(a) == std::vector<double>{2, 4, 6, 0, 0, 0});
}

TEST_CASE("autograd views: mul_ on a row of a non-leaf rebases the base (CopySlices)", "[autograd][views]") {
  Tensor a = leaf_a();
  Tensor w = tensor(std::vector<double>{0.5, -1, 2}, kDouble).requires_grad_();
  Tensor y = a * 2;
  Tensor v = y.select(0, 1);
  v.mul_(w);
  CHECK(y.grad_fn()->name() == "torch::autograd::CopySlices");
  CHECK(v.grad_fn()->name() == "AsStridedBackward0");
  CHECK(values(y) == std::vector<double>{2, 4, 6, 4, -10, 24});
  (y.pow(2) * weights_c()).sum().backward();
  // libtorch 1.13: A a.grad / A w.grad
  CHECK(close(values(a.grad()), std::vector<double>{8, -32, 72, 4, 80, -192}));
  CHECK(close(values(w.grad()), std::vector<double>{32, -400, -576}));
}

TEST_CASE("autograd views: in-place through a view of a view", "[autograd][views]") {
  Tensor a = leaf_a();
  Tensor y = a * 1.5;
  y.narrow(1, 1, 2).select(0, 0).exp_();
  (y * weights_c()).sum().backward();
  CHECK(close(values(a.grad()), std::vector<double>{1.5, -60.25661077, 405.0770909, 0.75, 3, -1.5}));  // libtorch 1.13
}

TEST_CASE("autograd views: a view made stale by an in-place op on its base", "[autograd][views]") {
  Tensor a = leaf_a();
  Tensor y = a * 2;
  Tensor v1 = y[0];
  y.mul_(3);
  CHECK(values(v1) == std::vector<double>{6, 12, 18});
  (v1 * weights_c()[0]).sum().backward();
  CHECK(close(values(a.grad()), std::vector<double>{6, -12, 18, 0, 0, 0}));  // libtorch 1.13
}

TEST_CASE("autograd views: overlapping views, written through one and read through the other",
          "[autograd][views]") {
  Tensor a = leaf_a();
  Tensor y = a.sin();
  Tensor v1 = y[0];
  Tensor v2 = y.select(1, 0);
  v1.add_(1.0);
  v1.mul_(v1.detach() + 0.0);
  ((v2 * v2).sum() + (y * weights_c()).sum()).backward();
  CHECK(close(values(a.grad()), std::vector<double>{7.742739452, 1.589096168, -3.389100737, 0.6625364362, 0.5673243709, -0.9601702867}));  // libtorch 1.13
}

TEST_CASE("autograd views: copy_ into a view of a non-leaf", "[autograd][views]") {
  Tensor a = leaf_a();
  Tensor b = tensor(std::vector<double>{7, 8, 9}, kDouble).requires_grad_();
  Tensor y = a * 1;
  y[0].copy_(b);
  (y * y * weights_c()).sum().backward();
  CHECK(close(values(a.grad()), std::vector<double>{0, 0, 0, 4, 20, -12}));  // libtorch 1.13
  CHECK(close(values(b.grad()), std::vector<double>{14, -32, 54}));
}

TEST_CASE("autograd views: masked_fill_ through a transposed view", "[autograd][views]") {
  Tensor a = leaf_a();
  Tensor y = a.sin();
  Tensor mask = tensor({true, false, false, true, true, false}).view({3, 2});
  y.t().masked_fill_(mask, 0.25);
  (y * weights_c()).sum().backward();
  CHECK(close(values(a.grad()), std::vector<double>{0, 0.8322936731, 0, -0.3268218104, 0, -0.9601702867}));  // libtorch 1.13
}

TEST_CASE("autograd views: mul_ on a slice, then an in-place op on the base", "[autograd][views]") {
  Tensor a = leaf_a();
  Tensor y = a - 3.5;
  y.slice(1, 0, 2).mul_(2);
  y.mul_(y.detach() + 1);
  (y * weights_c()).sum().backward();
  CHECK(close(values(a.grad()), std::vector<double>{-8, 8, 1.5, 2, 16, -3.5}));  // libtorch 1.13
}

TEST_CASE("autograd views: gradcheck through an in-place op on a view", "[autograd][views]") {
  auto f = [](const std::vector<Tensor>& in) {
    Tensor y = in[0] * 1;
    y.narrow(0, 1, 2).mul_(in[1]);
    return std::vector<Tensor>{y.sin()};
  };
  Tensor x = randn({4, 3}, TensorOptions().dtype(kDouble).requires_grad(true));
  Tensor s = randn({2, 3}, TensorOptions().dtype(kDouble).requires_grad(true));
  CHECK(autograd::gradcheck(f, {x, s}));
}
