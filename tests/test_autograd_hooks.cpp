// Tensor hooks (register_hook / remove_hook) on leaves and non-leaves, and retain_grad,
// including their lifetimes: a hook's captures are freed with the graph, and a retained
// tensor that dies before backward leaves nothing dangling (checked under ASan).
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <memory>
#include <string>
#include <vector>

using namespace ember;
using ember::autograd::variable_list;

namespace {
TensorOptions f32g() { return TensorOptions().dtype(kFloat).requires_grad(true); }
std::vector<float> values(const Tensor& t) {
  Tensor c = t.detach().contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}
}  // namespace

TEST_CASE("hooks: non-leaf hooks replace or observe, in registration order", "[autograd][hooks]") {
  // Values as libtorch 1.13 gives them for the same program.
  Tensor x = ember::tensor({1.0f, 2.0f}, f32g());
  Tensor y = x * 2;
  std::vector<std::string> order;
  Tensor seen_by_h2;
  y.register_hook([&](const Tensor& g) {
    order.push_back("h1");
    return g * 10;
  });
  y.retain_grad();
  y.register_hook([&](const Tensor& g) {  // returns void: observes only
    order.push_back("h2");
    seen_by_h2 = g.clone();
  });
  y.sum().backward();
  CHECK(order == std::vector<std::string>{"h1", "h2"});
  CHECK(values(seen_by_h2) == std::vector<float>{10, 10});
  CHECK(values(y.grad()) == std::vector<float>{10, 10});
  CHECK(values(x.grad()) == std::vector<float>{20, 20});
}

TEST_CASE("hooks: leaf hooks chain and can be removed", "[autograd][hooks]") {
  // libtorch 1.13: A sees 3, B sees 4, C sees 40, a.grad == 40; without B, 4.
  Tensor a = ember::tensor({1.0f}, f32g());
  std::vector<float> seen;
  a.register_hook([&](const Tensor& g) {
    seen.push_back(g.item<float>());
    return g + 1;
  });
  unsigned hb = a.register_hook([&](const Tensor& g) {
    seen.push_back(g.item<float>());
    return g * 10;
  });
  a.register_hook([&](const Tensor& g) { seen.push_back(g.item<float>()); });
  (a * 3).backward();
  CHECK(seen == std::vector<float>{3, 4, 40});
  CHECK(a.grad().item<float>() == 40);

  a.remove_hook(hb);
  a.mutable_grad().zero_();
  seen.clear();
  (a * 3).backward();
  CHECK(seen == std::vector<float>{3, 4});
  CHECK(a.grad().item<float>() == 4);
}

TEST_CASE("hooks: remove_hook on a non-leaf", "[autograd][hooks]") {
  Tensor x = ember::tensor({1.0f, -1.0f}, f32g());
  Tensor y = x * 4;
  int calls = 0;
  unsigned h = y.register_hook([&](const Tensor& g) {
    ++calls;
    return g * 0;
  });
  y.remove_hook(h);
  (y * y).sum().backward();
  CHECK(calls == 0);
  CHECK(values(x.grad()) == std::vector<float>{32, -32});  // 2y * 4
}

TEST_CASE("hooks: errors name the op", "[autograd][hooks]") {
  Tensor t = ember::ones({2});
  CHECK_THROWS_AS(t.register_hook([](const Tensor& g) { return g; }), Error);
  CHECK_THROWS_WITH(t.register_hook([](const Tensor&) {}),
                    Catch::Contains("[ember::register_hook]") &&
                        Catch::Contains("cannot register a hook on a variable that doesn't require gradient"));
  CHECK_THROWS_WITH(t.retain_grad(), Catch::Contains("[ember::retain_grad]") &&
                                         Catch::Contains("can't retain_grad on Tensor that has requires_grad=False"));
}

TEST_CASE("hooks: tensor hooks do not change what grad() captures (libtorch 1.13)", "[autograd][hooks]") {
  Tensor x = ember::tensor({1.0f, 2.0f}, f32g());
  Tensor y = x * 2;
  y.retain_grad();
  Tensor z = (y * y).sum();
  autograd::grad({z}, {x}, {}, /*retain_graph=*/true);
  // grad() runs y's node, so its retain_grad hook filled y.grad(); x.grad() stays empty.
  REQUIRE(y.grad().defined());
  CHECK(values(y.grad()) == std::vector<float>{4, 8});
  CHECK_FALSE(x.grad().defined());

  y.register_hook([](const Tensor& g) { return g * 100; });
  x.register_hook([](const Tensor& g) { return g * 1000; });
  variable_list g = autograd::grad({z}, {y, x}, {}, true);
  CHECK(values(g[0]) == std::vector<float>{4, 8});       // captured before y's own hook
  CHECK(values(g[1]) == std::vector<float>{800, 1600});  // y's hook applies upstream; x's leaf hook does not run
}

TEST_CASE("retain_grad: leaves and non-leaves", "[autograd][hooks]") {
  Tensor x = ember::tensor({3.0f}, f32g());
  x.retain_grad();  // no-op on a leaf
  CHECK_FALSE(x.retains_grad());
  Tensor y = x * x;
  CHECK_FALSE(y.retains_grad());
  y.retain_grad();
  y.retain_grad();  // twice is once
  CHECK(y.retains_grad());
  Tensor z = y * 5;
  z.backward();
  CHECK(y.grad().item<float>() == 5);
  CHECK(x.grad().item<float>() == 30);
  // Without retain_grad a non-leaf keeps no gradient.
  Tensor q = x * 2;
  (q * 1).sum().backward();
  CHECK_FALSE(q.grad().defined());
}

TEST_CASE("retain_grad follows an in-place op", "[autograd][hooks]") {
  // libtorch 1.13: r.grad == [12, 24], q.grad == [72, 144].
  Tensor q = ember::tensor({1.0f, 2.0f}, f32g());
  Tensor r = q * 2;
  r.retain_grad();
  r.mul_(3);
  (r * r).sum().backward();
  CHECK(values(r.grad()) == std::vector<float>{12, 24});
  CHECK(values(q.grad()) == std::vector<float>{72, 144});
}

TEST_CASE("retain_grad: the tensor may die before backward", "[autograd][hooks]") {
  Tensor x = ember::tensor({1.0f, 2.0f}, f32g());
  Tensor loss, loss2;
  {
    Tensor y = x * 2;
    y.retain_grad();
    loss = (y * y).sum();
  }  // y's impl is gone; its hook must be gone from the node too
  loss.backward();
  CHECK(values(x.grad()) == std::vector<float>{8, 16});
  {
    Tensor r = x * 2;
    r.retain_grad();
    r.mul_(3);  // the hook moved to the in-place node; dying must remove it there
    loss2 = (r * r).sum();
  }
  x.mutable_grad().zero_();
  loss2.backward();
  CHECK(values(x.grad()) == std::vector<float>{72, 144});
  {
    Tensor d = x * 2;
    d.retain_grad();
    Tensor keep = d * 1;
    d.detach_();  // detach_ drops the registration as well
    CHECK_FALSE(d.retains_grad());
    CHECK_FALSE(d.requires_grad());
  }
}

TEST_CASE("hooks: captured state is released with the graph", "[autograd][hooks]") {
  auto token = std::make_shared<int>(7);
  Tensor x = ember::tensor({1.0f}, f32g());
  {
    Tensor y = x * 2;
    y.register_hook([token](const Tensor& g) { return g * *token; });
    CHECK(token.use_count() == 2);
    (y * 1).backward();
    CHECK(x.grad().item<float>() == 14);
  }
  CHECK(token.use_count() == 1);  // the node and its hook are gone
  // A leaf's hooks live as long as the leaf.
  {
    Tensor leaf = ember::tensor({1.0f}, f32g());
    leaf.register_hook([token](const Tensor&) {});
    CHECK(token.use_count() == 2);
  }
  CHECK(token.use_count() == 1);
}
