// autograd::grad and higher-order gradients: create_graph, retain_graph's default,
// allow_unused, grad_outputs, and second derivatives checked by finite differences.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <cmath>

using namespace ember;
using ember::autograd::variable_list;

namespace {

TensorOptions f64() { return TensorOptions().dtype(kDouble); }

// A deterministic float64 tensor of the given shape with values in about [-1, 1].
Tensor wave(std::vector<int64_t> shape, double phase) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return sin(arange(n, f64()) * 0.7 + phase).reshape(shape);
}

double at(const Tensor& t, int64_t i) { return t.reshape({-1})[i].item<double>(); }

}  // namespace

TEST_CASE("grad: d/dx and d2/dx2 of x^3 through create_graph", "[autograd][grad]") {
  Tensor x = ember::tensor({2.0, -1.5, 0.5}, f64().requires_grad(true));
  Tensor y = (x * x * x).sum();
  variable_list g = autograd::grad({y}, {x}, {}, std::nullopt, /*create_graph=*/true);
  REQUIRE(g.size() == 1);
  REQUIRE(g[0].requires_grad());  // differentiable again
  CHECK(at(g[0], 0) == Approx(12.0));   // 3x^2
  CHECK(at(g[0], 1) == Approx(6.75));
  CHECK(at(g[0], 2) == Approx(0.75));
  variable_list gg = autograd::grad({g[0].sum()}, {x}, {}, std::nullopt, /*create_graph=*/true);
  CHECK(at(gg[0], 0) == Approx(12.0));  // 6x
  CHECK(at(gg[0], 1) == Approx(-9.0));
  CHECK(at(gg[0], 2) == Approx(3.0));
  variable_list ggg = autograd::grad({gg[0].sum()}, {x});
  for (int i = 0; i < 3; ++i) CHECK(at(ggg[0], i) == Approx(6.0));
  CHECK_FALSE(ggg[0].requires_grad());  // create_graph=false: a plain tensor
  // grad() never accumulates into .grad().
  CHECK_FALSE(x.grad().defined());

  // The same through pow(x, 3): PowBackward's formula is differentiable too.
  Tensor p = ember::tensor({2.0}, f64().requires_grad(true));
  Tensor gp = autograd::grad({pow(p, 3)}, {p}, {}, std::nullopt, true)[0];
  CHECK(gp.item<double>() == Approx(12.0));
  CHECK(autograd::grad({gp}, {p})[0].item<double>() == Approx(12.0));
}

TEST_CASE("grad: retain_graph defaults to create_graph", "[autograd][grad]") {
  Tensor x = ember::tensor({1.5, 2.0}, f64().requires_grad(true));
  {
    Tensor y = (x * x).sum();  // MulBackward0 saves x twice
    autograd::grad({y}, {x}, {}, std::nullopt, /*create_graph=*/true);
    // The graph was kept: a second pass works and gives the same values.
    Tensor g2 = autograd::grad({y}, {x})[0];
    CHECK(at(g2, 0) == Approx(3.0));
    CHECK(at(g2, 1) == Approx(4.0));
    // That pass (create_graph=false, no retain_graph) freed it.
    try {
      autograd::grad({y}, {x});
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK_THAT(e.what(), Catch::Contains("Trying to backward through the graph a second time"));
    }
  }
  {
    Tensor y = (x * x).sum();
    autograd::grad({y}, {x}, {}, /*retain_graph=*/true);
    CHECK(at(autograd::grad({y}, {x})[0], 1) == Approx(4.0));
  }
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("grad: allow_unused, grad_outputs and errors", "[autograd][grad]") {
  Tensor u = ember::tensor({1.0, 2.0}, f64().requires_grad(true));
  Tensor v = ember::tensor({3.0}, f64().requires_grad(true));
  Tensor y = (u * 2).sum();
  try {
    autograd::grad({y}, {u, v}, {}, true);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("[ember::autograd::grad]"));
    CHECK_THAT(e.what(), Catch::Contains("One of the differentiated Tensors appears to not have been used in the graph"));
    CHECK_THAT(e.what(), Catch::Contains("allow_unused=true"));
    CHECK_THAT(e.what(), Catch::Contains("(input 1)"));
  }
  variable_list g = autograd::grad({y}, {u, v}, {}, true, false, /*allow_unused=*/true);
  REQUIRE(g.size() == 2);
  CHECK(at(g[0], 0) == 2.0);
  CHECK(at(g[0], 1) == 2.0);
  CHECK_FALSE(g[1].defined());

  // A vector-Jacobian product with explicit grad_outputs.
  Tensor z = u * u;  // dz/du = diag(2u)
  Tensor w = autograd::grad({z}, {u}, {ember::tensor({10.0, -1.0}, f64())})[0];
  CHECK(at(w, 0) == 20.0);
  CHECK(at(w, 1) == -4.0);

  // Several outputs: gradients add up.
  Tensor a = (u * 3).sum(), b = (u * u).sum();
  Tensor s = autograd::grad({a, b}, {u})[0];
  CHECK(at(s, 0) == Approx(5.0));
  CHECK(at(s, 1) == Approx(7.0));

  Tensor c = ember::tensor({1.0}, f64());
  CHECK_THROWS_WITH(autograd::grad({(u * 2).sum()}, {c}),
                    Catch::Contains("One of the differentiated Tensors does not require grad"));
  CHECK_THROWS_WITH(autograd::grad({u * 2}, {u}), Catch::Contains("grad can be implicitly created only for scalar outputs"));
  CHECK_THROWS_AS(autograd::grad({u * 2}, {u}, {ember::tensor({1.0}, f64())}), ShapeError);
  CHECK_THROWS_WITH(autograd::grad({u * 2}, {u}, {ember::tensor({1.0}, f64())}), Catch::Contains("Mismatch in shape"));
}

TEST_CASE("grad: a captured non-leaf gets its incoming gradient", "[autograd][grad]") {
  Tensor x = ember::tensor({1.0, -2.0}, f64().requires_grad(true));
  Tensor h = x * 3;
  Tensor y = (h * h).sum();
  variable_list g = autograd::grad({y}, {h, x});
  CHECK(at(g[0], 0) == Approx(6.0));    // 2h
  CHECK(at(g[0], 1) == Approx(-12.0));
  CHECK(at(g[1], 0) == Approx(18.0));   // 2h * 3
  CHECK(at(g[1], 1) == Approx(-36.0));
}

TEST_CASE("backward(inputs=...) accumulates only into the listed tensors", "[autograd][grad]") {
  Tensor a = ember::tensor({2.0}, f64().requires_grad(true));
  Tensor b = ember::tensor({5.0}, f64().requires_grad(true));
  Tensor h = a * b;
  Tensor y = h * h;
  y.backward({}, std::nullopt, false, std::vector<Tensor>{a, h});
  CHECK(a.grad().item<double>() == Approx(2 * 10.0 * 5.0));  // 2ab * b
  CHECK_FALSE(b.grad().defined());
  REQUIRE(h.grad().defined());
  CHECK(h.grad().item<double>() == Approx(20.0));  // 2h
}

TEST_CASE("backward with create_graph: .grad() is differentiable", "[autograd][grad]") {
  Tensor x = ember::tensor({3.0}, f64().requires_grad(true));
  (x * x * x).backward({}, std::nullopt, /*create_graph=*/true);
  Tensor g = x.grad();
  CHECK(g.item<double>() == Approx(27.0));
  REQUIRE(g.requires_grad());
  Tensor gg = autograd::grad({g}, {x})[0];
  CHECK(gg.item<double>() == Approx(18.0));
  // x.grad()'s graph ends in x's accumulator, which does not own x: no reference cycle
  // (libtorch has one here), so nothing leaks when x goes (checked under ASan).
}

namespace {

// A two-layer tanh MLP with a scalar output.
struct Mlp {
  Tensor w1, b1, w2, b2;
  Tensor operator()(const Tensor& x) const {
    Tensor h = tanh(matmul(x, w1) + b1);
    return tanh(matmul(h, w2) + b2).sum();
  }
};

Mlp make_mlp(bool requires_grad) {
  Mlp m{wave({3, 4}, 0.1), wave({4}, 0.5), wave({4, 2}, 1.3), wave({2}, 2.1)};
  if (requires_grad)
    for (Tensor* t : {&m.w1, &m.b1, &m.w2, &m.b2}) t->requires_grad_(true);
  return m;
}

// The first gradient of the MLP w.r.t. x, computed without create_graph.
Tensor first_grad(const Mlp& m, const Tensor& x) {
  Tensor xx = x.detach().clone().requires_grad_(true);
  return autograd::grad({m(xx)}, {xx})[0];
}

}  // namespace

TEST_CASE("grad: second derivative of a tanh MLP matches finite differences of the first", "[autograd][grad]") {
  const Mlp m = make_mlp(/*requires_grad=*/true);
  Tensor x = wave({2, 3}, 0.3).requires_grad_(true);
  Tensor v = wave({2, 3}, 4.0);  // direction

  // Hessian-vector product: d/dx <grad_x f, v>.
  Tensor g = autograd::grad({m(x)}, {x}, {}, std::nullopt, /*create_graph=*/true)[0];
  REQUIRE(g.requires_grad());
  Tensor hv = autograd::grad({(g * v).sum()}, {x})[0];

  const double eps = 1e-5;
  Tensor fd = (first_grad(m, x + v * eps) - first_grad(m, x - v * eps)) / (2 * eps);
  REQUIRE(hv.sizes() == fd.sizes());
  for (int64_t i = 0; i < hv.numel(); ++i) CHECK(at(hv, i) == Approx(at(fd, i)).margin(1e-7));
  // Non-trivial: the MLP is curved at x.
  CHECK(hv.abs().max().item<double>() > 1e-2);

  // A gradient penalty: d/dw1 of |grad_x f|^2, against a finite difference along d.
  Tensor penalty_grad;
  {
    Tensor gx = autograd::grad({m(x)}, {x}, {}, std::nullopt, true)[0];
    penalty_grad = autograd::grad({(gx * gx).sum()}, {m.w1})[0];
  }
  Tensor d = wave({3, 4}, 2.5);
  auto penalty = [&](const Tensor& w1) {
    Mlp p = make_mlp(false);
    p.w1 = w1;
    Tensor gx = first_grad(p, x);
    return (gx * gx).sum().item<double>();
  };
  const double directional = (penalty(m.w1.detach() + d * eps) - penalty(m.w1.detach() - d * eps)) / (2 * eps);
  CHECK((penalty_grad * d).sum().item<double>() == Approx(directional).epsilon(1e-6));
}

TEST_CASE("gradgradcheck: tanh MLP, all parameters", "[autograd][grad][gradcheck]") {
  auto fn = [](const variable_list& in) {
    Tensor h = tanh(matmul(in[0], in[1]) + in[2]);
    return variable_list{tanh(matmul(h, in[3]))};
  };
  variable_list in{wave({2, 3}, 0.2), wave({3, 4}, 0.1), wave({4}, 0.5), wave({4, 2}, 1.3)};
  for (auto& t : in) t.requires_grad_(true);
  CHECK(autograd::gradcheck(fn, in));
  CHECK(autograd::gradgradcheck(fn, in));
}
