// The tape: backward semantics (scalar roots, explicit gradients, retain_graph,
// accumulation), leaves and grad_fn, grad mode, version checks on saved tensors, and long
// graphs (iterative backward and iterative destruction).
#include <pthread.h>

#include <cmath>
#include <functional>
#include <thread>

#include "core_helpers.h"

using namespace ember;
using core_test::shape;
using core_test::values;

namespace {
using V = std::vector<double>;

// Runs f on a thread with a 512 KiB stack, so that recursion proportional to a graph's
// length fails here even where the main thread's stack would absorb it.
void on_small_stack(std::function<void()> f) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 512 * 1024);
  pthread_t th;
  auto run = [](void* p) -> void* {
    (*static_cast<std::function<void()>*>(p))();
    return nullptr;
  };
  REQUIRE(pthread_create(&th, &attr, run, &f) == 0);
  pthread_join(th, nullptr);
  pthread_attr_destroy(&attr);
}
}  // namespace

TEST_CASE("tape: backward from a scalar", "[tape]") {
  Tensor x = tensor({1.0, 2.0, 3.0}, requires_grad());
  Tensor y = (x * x).sum();
  CHECK(y.requires_grad());
  CHECK_FALSE(x.grad().defined());
  y.backward();
  REQUIRE(x.grad().defined());
  CHECK(values(x.grad()) == V{2, 4, 6});
  CHECK(x.grad().dtype() == kFloat);
  CHECK_FALSE(x.grad().requires_grad());
  // A one-element tensor of any shape counts as a scalar.
  Tensor w = ones({1, 1}, requires_grad());
  (w * 3).backward();
  CHECK(values(w.grad()) == V{3});
  // A leaf can be its own root.
  Tensor s = full({}, 2.0).requires_grad_();
  s.backward();
  CHECK(s.grad().item<float>() == 1);
}

TEST_CASE("tape: backward with an explicit gradient", "[tape]") {
  Tensor x = tensor({1.0, 2.0, 3.0}, requires_grad());
  Tensor y = x * 2;
  y.backward(tensor({1.0, 0.5, -2.0}));
  CHECK(values(x.grad()) == V{2, 1, -4});
  Tensor z = x * 2;
  // libtorch's message when the gradient cannot be implied.
  REQUIRE_EMBER_ERROR(z.backward(), Error, "backward", "grad can be implicitly created only for scalar outputs",
                      "[3]");
  REQUIRE_EMBER_ERROR(z.backward(ones({2})), ShapeError, "backward", "[2]", "[3]");
  REQUIRE_EMBER_ERROR(ones({2}).sum().backward(), Error, "backward", "does not require grad");
  autograd::backward({z.sum()}, {});
  CHECK(values(x.grad()) == V{4, 3, -2});
}

TEST_CASE("tape: retain_graph", "[tape]") {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  Tensor y = (x * x).sum();
  y.backward();
  // Saved tensors were freed: a second pass raises libtorch's error.
  REQUIRE_EMBER_ERROR(y.backward(), Error, "backward", "Trying to backward through the graph a second time",
                      "retain_graph=true");
  Tensor z = (x * x).sum();
  x.mutable_grad() = Tensor();
  z.backward({}, /*retain_graph=*/true);
  CHECK(values(x.grad()) == V{2, 4});
  z.backward({}, true);  // the graph is still there; gradients accumulate
  CHECK(values(x.grad()) == V{4, 8});
  z.backward();  // a last pass without retain_graph frees it
  CHECK(values(x.grad()) == V{6, 12});
  CHECK_THROWS_AS(z.backward(), Error);
}

TEST_CASE("tape: gradients accumulate", "[tape]") {
  Tensor x = tensor({1.0, -2.0}, requires_grad());
  // Used twice in one graph: d/dx (x*x + 3x) = 2x + 3.
  (x * x + 3 * x).sum().backward();
  CHECK(values(x.grad()) == V{5, -1});
  // A second graph adds to .grad.
  (x * 10).sum().backward();
  CHECK(values(x.grad()) == V{15, 9});
  // Reaching a tensor through several paths, including a view.
  Tensor a = tensor({1.0, 2.0, 3.0}, requires_grad());
  Tensor b = a * 2;
  (b + b[0] + b.sum()).sum().backward();  // db = 1 + [3,0,0] + 3 -> da = 2 * db
  CHECK(values(a.grad()) == V{14, 8, 8});
  // grad() of the mutable slot: zero it, or drop it.
  x.mutable_grad().zero_();
  CHECK(values(x.grad()) == V{0, 0});
  x.mutable_grad() = Tensor();
  CHECK_FALSE(x.grad().defined());
  (x * 1).sum().backward();
  CHECK(values(x.grad()) == V{1, 1});
  // A user-assigned gradient is accumulated into.
  x.mutable_grad() = full({2}, 100.0);
  (x * 1).sum().backward();
  CHECK(values(x.grad()) == V{101, 101});
}

TEST_CASE("tape: gradients are reduced to the input's shape after broadcasting", "[tape]") {
  Tensor a = tensor({{1.0}, {2.0}, {3.0}}, requires_grad());  // [3, 1]
  Tensor b = tensor({1.0, 10.0, 100.0, 1000.0}, requires_grad());  // [4]
  Tensor c = full({}, 2.0).requires_grad_();  // 0-dim
  (a * b + c).sum().backward();
  CHECK(shape(a.grad()) == std::vector<int64_t>{3, 1});
  CHECK(values(a.grad()) == V{1111, 1111, 1111});
  CHECK(shape(b.grad()) == std::vector<int64_t>{4});
  CHECK(values(b.grad()) == V{6, 6, 6, 6});
  CHECK(c.grad().dim() == 0);
  CHECK(c.grad().item<float>() == 12);
  // Through where/maximum/sub with broadcasting, and a double leaf mixed with float.
  Tensor d = tensor({1.0, 2.0}, dtype(kDouble).requires_grad(true));
  Tensor e = ones({3, 2}, requires_grad());
  (e - d).sum().backward();
  CHECK(d.grad().dtype() == kDouble);
  CHECK(values(d.grad()) == V{-3, -3});
  CHECK(values(e.grad()) == V(6, 1.0));
}

TEST_CASE("tape: leaves, grad_fn and requires_grad_", "[tape]") {
  Tensor x = ones({2, 2}, requires_grad());
  Tensor p = zeros({2});
  CHECK(x.is_leaf());
  CHECK(p.is_leaf());
  CHECK(x.grad_fn() == nullptr);
  Tensor y = x * 2;
  CHECK_FALSE(y.is_leaf());
  REQUIRE(y.grad_fn() != nullptr);
  CHECK(y.detach().is_leaf());
  CHECK((p * 2).is_leaf());  // no input requires grad: nothing recorded
  CHECK((p * 2).grad_fn() == nullptr);
  CHECK_FALSE((p + x).is_leaf());

  // libtorch 1.13's names.
  CHECK((x + x).grad_fn()->name() == "AddBackward0");
  CHECK((x - x).grad_fn()->name() == "SubBackward0");
  CHECK((x * x).grad_fn()->name() == "MulBackward0");
  CHECK((x / x).grad_fn()->name() == "DivBackward0");
  CHECK((2 - x).grad_fn()->name() == "SubBackward0");
  CHECK((-x).grad_fn()->name() == "NegBackward0");
  CHECK(x.sum().grad_fn()->name() == "SumBackward0");
  CHECK(x.sum(0).grad_fn()->name() == "SumBackward1");
  CHECK(x.mean().grad_fn()->name() == "MeanBackward0");
  CHECK(x.mean(0).grad_fn()->name() == "MeanBackward1");
  CHECK(x.pow(2).grad_fn()->name() == "PowBackward0");
  CHECK(x.pow(x).grad_fn()->name() == "PowBackward1");
  CHECK(pow(2, x).grad_fn()->name() == "PowBackward2");
  CHECK(x.max().grad_fn()->name() == "MaxBackward1");
  CHECK(std::get<0>(x.max(0)).grad_fn()->name() == "MaxBackward0");
  CHECK(x.amax(0).grad_fn()->name() == "AmaxBackward0");
  CHECK(x.exp().grad_fn()->name() == "ExpBackward0");
  CHECK(x.relu().grad_fn()->name() == "ReluBackward0");
  CHECK(x.square().grad_fn()->name() == "PowBackward0");
  CHECK(x.clamp(0).grad_fn()->name() == "ClampBackward1");
  CHECK(where(x > 0, x, x).grad_fn()->name() == "WhereBackward0");
  CHECK(x.mm(x).grad_fn()->name() == "MmBackward0");
  CHECK(x.matmul(x).grad_fn()->name() == "MmBackward0");
  CHECK(addmm(x, x, x).grad_fn()->name() == "AddmmBackward0");
  CHECK(x.view({4}).grad_fn()->name() == "ViewBackward0");
  CHECK(x[0].grad_fn()->name() == "SelectBackward0");
  CHECK(x.slice(0, 0, 1).grad_fn()->name() == "SliceBackward0");
  CHECK(x.clone().grad_fn()->name() == "CloneBackward0");
  CHECK(x[0].expand({3, 2}).grad_fn()->name() == "ExpandBackward0");
  CHECK(x.unsqueeze(0).grad_fn()->name() == "UnsqueezeBackward0");
  CHECK(x.permute({1, 0}).grad_fn()->name() == "PermuteBackward0");
  CHECK(x.transpose(0, 1).grad_fn()->name() == "TransposeBackward0");
  CHECK(x.to(kDouble).grad_fn()->name() == "ToCopyBackward0");
  CHECK(x.add(1).grad_fn()->next_edges()[0].function->name() == "torch::autograd::AccumulateGrad");

  // requires_grad_ accepts floating leaves only, and can't be turned off on a non-leaf.
  REQUIRE_EMBER_ERROR(ones({2}, dtype(kLong)).requires_grad_(), DTypeError, "requires_grad_", "Long");
  REQUIRE_EMBER_ERROR(zeros({2}, dtype(kBool)).requires_grad_(true), DTypeError, "requires_grad_", "Bool");
  CHECK_NOTHROW(ones({2}, dtype(kLong)).requires_grad_(false));
  REQUIRE_EMBER_ERROR(y.requires_grad_(false), Error, "requires_grad_", "leaf variables");
  CHECK(ones({1}, dtype(kDouble)).requires_grad_().requires_grad());
  // Integer results of differentiable inputs do not require grad.
  CHECK_FALSE(x.argmax().requires_grad());
  CHECK_FALSE((x > 0).requires_grad());
  CHECK_FALSE(x.to(kLong).requires_grad());
}

TEST_CASE("tape: detach stops gradients", "[tape]") {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  Tensor y = x * x;
  Tensor z = y.detach() * x;  // d/dx = y (a constant here), not 3x^2
  z.sum().backward();
  CHECK(values(x.grad()) == V{1, 4});
}

TEST_CASE("tape: NoGradGuard and AutoGradMode", "[tape]") {
  Tensor x = ones({2}, requires_grad());
  CHECK(autograd::GradMode::is_enabled());
  {
    NoGradGuard ng;
    CHECK_FALSE(autograd::GradMode::is_enabled());
    Tensor y = x * 2;
    CHECK_FALSE(y.requires_grad());
    CHECK(y.grad_fn() == nullptr);
    {
      AutoGradMode on(true);
      CHECK((x * 2).requires_grad());
      {
        AutoGradMode off(false);
        CHECK_FALSE((x * 2).requires_grad());
      }
      CHECK(autograd::GradMode::is_enabled());
    }
    CHECK_FALSE(autograd::GradMode::is_enabled());
    // In-place updates of leaves are allowed without grad (an optimizer step).
    x.sub_(ones({2}), 0.5);
    CHECK(values(x) == V{0.5, 0.5});
    CHECK(x.is_leaf());
  }
  CHECK(autograd::GradMode::is_enabled());
  CHECK((x * 2).requires_grad());
}

TEST_CASE("tape: grad mode is thread-local", "[tape]") {
  Tensor x = ones({2}, requires_grad());
  NoGradGuard ng;
  bool other_enabled = false, other_records = false;
  std::thread t([&] {
    other_enabled = autograd::GradMode::is_enabled();
    other_records = (x * 2).requires_grad();
    NoGradGuard inner;  // does not leak back into the main thread
  });
  t.join();
  CHECK(other_enabled);
  CHECK(other_records);
  CHECK_FALSE(autograd::GradMode::is_enabled());
  CHECK_FALSE((x * 2).requires_grad());
}

TEST_CASE("tape: in-place changes to saved tensors are caught at backward", "[tape]") {
  Tensor x = ones({2}, requires_grad());
  Tensor y = x * 2;
  Tensor z = y * y;  // saves y at version 0
  y.add_(1);
  CHECK(y._version() == 1);
  REQUIRE_EMBER_ERROR(z.sum().backward(), Error, "backward",
                      "one of the variables needed for gradient computation has been modified by an inplace operation",
                      "[2]", "is at version 1; expected version 0 instead", "MulBackward0");
  // A saved output (exp saves its result) is checked too.
  Tensor e = x.exp();
  Tensor s = e.sum();
  e.mul_(2);
  REQUIRE_EMBER_ERROR(s.backward(), Error, "backward", "output 0 of", "version");
  // In-place ops on a non-leaf without saved uses are fine and take over the history.
  Tensor a = ones({2}, requires_grad());
  Tensor b = a * 2;
  b.mul_(3);
  CHECK(b.grad_fn()->name() == "MulBackward0");
  b.add_(a);
  b.sum().backward();
  CHECK(values(a.grad()) == V{7, 7});
}

TEST_CASE("tape: in-place ops on non-leaves that save self", "[tape]") {
  // Gradients computed with libtorch 1.13 for the same programs.
  auto x_ = [] { return ones({2}, requires_grad()); };
  {
    Tensor x = x_(), y = x * 2;
    y.mul_(3);
    y.sum().backward();
    CHECK(values(x.grad()) == V{6, 6});
  }
  {
    Tensor x = x_(), w = full({2}, 3.0).requires_grad_(), y = x * 2;
    y.mul_(w);  // the gradient for w needs y's value before the write
    y.sum().backward();
    CHECK(values(x.grad()) == V{6, 6});
    CHECK(values(w.grad()) == V{2, 2});
  }
  {
    Tensor x = x_(), w = full({2}, 4.0).requires_grad_(), y = x * 2;
    y.div_(w);
    y.sum().backward();
    CHECK(values(x.grad()) == V{0.5, 0.5});
    CHECK(values(w.grad()) == V{-0.125, -0.125});
  }
  {
    Tensor x = x_(), y = x * 2;
    y.pow_(2);
    y.sum().backward();
    CHECK(values(x.grad()) == V{8, 8});
  }
  {
    Tensor x = x_(), y = x * 2;
    y.sin_();
    y.sum().backward();
    CHECK(core_test::close(values(x.grad()), V{2 * std::cos(2.0), 2 * std::cos(2.0)}));
  }
  {
    Tensor x = x_(), y = x * 2;
    y.clamp_(0, 1.5).relu_().exp_();
    CHECK(core_test::close(values(y), V{std::exp(1.5), std::exp(1.5)}));
    y.sum().backward();
    CHECK(values(x.grad()) == V{0, 0});  // clamped: no gradient
  }
  {
    // A plain tensor multiplied in place by one that requires grad.
    Tensor buf = full({2}, 5.0), w = full({2}, 2.0).requires_grad_();
    buf.mul_(w);
    CHECK(values(buf) == V{10, 10});
    buf.sum().backward();
    CHECK(values(w.grad()) == V{5, 5});
  }
}

TEST_CASE("tape: in-place ops on a leaf that requires grad are rejected", "[tape]") {
  Tensor x = ones({2}, requires_grad());
  REQUIRE_EMBER_ERROR(x.add_(1), Error, "add_", "a leaf Variable that requires grad is being used in an in-place operation");
  REQUIRE_EMBER_ERROR(x.mul_(x), Error, "mul_", "leaf Variable");
  REQUIRE_EMBER_ERROR(x.exp_(), Error, "exp", "leaf Variable");
  REQUIRE_EMBER_ERROR(x.clamp_(0), Error, "clamp_", "leaf Variable");
  REQUIRE_EMBER_ERROR(x.fill_(1), Error, "fill_", "leaf Variable");
  REQUIRE_EMBER_ERROR(x.zero_(), Error, "fill_", "leaf Variable");
  REQUIRE_EMBER_ERROR(x.copy_(zeros({2})), Error, "copy_", "leaf Variable");
  CHECK(values(x) == V{1, 1});
  CHECK(x._version() == 0);
}

TEST_CASE("tape: grad and create_graph", "[tape]") {
  Tensor x = tensor({2.0, -1.0}, requires_grad());
  Tensor y = (x * x * x).sum();
  auto g = autograd::grad({y}, {x}, {}, std::nullopt, /*create_graph=*/true);
  CHECK(values(g[0]) == V{12, 3});
  CHECK(g[0].requires_grad());
  CHECK_FALSE(x.grad().defined());  // grad() does not touch .grad
  g[0].sum().backward();
  CHECK(values(x.grad()) == V{12, -6});  // d/dx 3x^2 = 6x
  Tensor u = ones({1}, requires_grad());
  REQUIRE_EMBER_ERROR(autograd::grad({(x * 2).sum()}, {u}), Error, "autograd::grad", "not have been used");
  CHECK_FALSE(autograd::grad({(x * 2).sum()}, {u}, {}, std::nullopt, false, /*allow_unused=*/true)[0].defined());
}

TEST_CASE("tape: long chains run backward and are freed without deep recursion", "[tape]") {
  constexpr int kLen = 100000;
  {
    Tensor x = ones({2}, requires_grad()), w = ones({2}, requires_grad());
    Tensor y = x;
    for (int i = 0; i < kLen; ++i) y = (i % 2) ? y + 1.0 : y * w;  // mul saves y and w
    CHECK(values(y) == V(2, 1.0 + kLen / 2));
    bool done = false;
    on_small_stack([&] {
      y.sum().backward();
      y = Tensor();  // the graph dies here, on the small stack
      done = true;
    });
    CHECK(done);
    CHECK(values(x.grad()) == V{1, 1});
    CHECK(w.grad().defined());
  }
  {
    // Never run backward: edges and saved tensors link the whole chain when it dies.
    Tensor x = ones({2}, requires_grad()), w = ones({2}, requires_grad());
    Tensor y = x;
    for (int i = 0; i < kLen; ++i) y = y * w;
    CHECK(y.requires_grad());
    on_small_stack([&] { y = Tensor(); });
  }
  {
    // A chain kept alive only through a leaf's gradient graph (create_graph).
    Tensor x = ones({1}, requires_grad()), w = ones({1}, requires_grad());
    Tensor y = x;
    for (int i = 0; i < kLen / 10; ++i) y = y * w;
    y.sum().backward({}, std::nullopt, /*create_graph=*/true);
    CHECK(x.grad().requires_grad());  // d/dx depends on w
    CHECK(values(x.grad()) == V{1});
    // As in libtorch, a gradient graph that reaches back to its own leaf is a reference
    // cycle (leaf -> .grad -> graph -> AccumulateGrad -> leaf): clearing .grad frees it.
    on_small_stack([&] {
      x.mutable_grad() = Tensor();
      w.mutable_grad() = Tensor();
    });
  }
  SUCCEED("no stack overflow");
}
