// Custom differentiable Functions (ember::autograd::Function<T>) and AutogradContext:
// saved tensors and data, non-tensor arguments, mark_dirty, mark_non_differentiable,
// set_materialize_grads, needs_input_grad, and libtorch's errors.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <cmath>
#include <optional>

using namespace ember;
using ember::autograd::AutogradContext;
using ember::autograd::Function;
using ember::autograd::variable_list;

namespace {

TensorOptions f64() { return TensorOptions().dtype(kDouble); }
double at(const Tensor& t, int64_t i) { return t.reshape({-1})[i].item<double>(); }

bool g_forward_saw_grad_mode = true;

struct MyExp : Function<MyExp> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x) {
    g_forward_saw_grad_mode = autograd::GradMode::is_enabled();
    Tensor y = x.exp();
    ctx->save_for_backward({y});
    return y;
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    Tensor y = ctx->get_saved_variables()[0];
    return {g[0] * y};
  }
};

struct MulConst : Function<MulConst> {
  static Tensor forward(AutogradContext* ctx, Tensor x, double k) {
    ctx->saved_data["k"] = k;
    return x * k;
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    return {g[0] * ctx->saved_data["k"].toDouble(), Tensor()};  // none for k
  }
};

// Returns one gradient too few (k's entry is missing).
struct MissingGrad : Function<MissingGrad> {
  static Tensor forward(AutogradContext*, Tensor x, double k) { return x * k; }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0]}; }
};

// Returns one gradient too many; a trailing undefined one is accepted (as libtorch).
struct ExtraGrad : Function<ExtraGrad> {
  static bool defined_extra;
  static Tensor forward(AutogradContext*, Tensor x, double k) { return x * k; }
  static variable_list backward(AutogradContext*, variable_list g) {
    return {g[0], Tensor(), defined_extra ? g[0] : Tensor()};
  }
};
bool ExtraGrad::defined_extra = true;

// Returns a gradient for the double argument.
struct GradForDouble : Function<GradForDouble> {
  static Tensor forward(AutogradContext*, Tensor x, double k) { return x * k; }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0], g[0]}; }
};

// Returns a gradient of the wrong shape.
struct WrongShape : Function<WrongShape> {
  static Tensor forward(AutogradContext*, Tensor x) { return x * 2; }
  static variable_list backward(AutogradContext*, variable_list) { return {ember::ones({5}, TensorOptions().dtype(kDouble))}; }
};

// Doubles its input in place.
struct DoubleInPlace : Function<DoubleInPlace> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    x.mul_(2);
    ctx->mark_dirty({x});
    return x;
  }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0] * 2}; }
};

// Returns (2x, argmax(x)); the index output is not differentiable.
struct TwiceAndArgmax : Function<TwiceAndArgmax> {
  static bool materialize;
  static Tensor seen_index_grad;
  static variable_list forward(AutogradContext* ctx, Tensor x) {
    ctx->set_materialize_grads(materialize);
    Tensor a = x * 2;
    Tensor b = x.argmax();
    ctx->mark_non_differentiable({b});
    return {a, b};
  }
  static variable_list backward(AutogradContext*, variable_list g) {
    seen_index_grad = g[1];
    return {g[0] * 2};
  }
};
bool TwiceAndArgmax::materialize = true;
Tensor TwiceAndArgmax::seen_index_grad;

// a * b, asking which inputs need gradients.
struct Product : Function<Product> {
  static std::vector<bool> needs;
  static Tensor forward(AutogradContext* ctx, Tensor a, Tensor b) {
    ctx->save_for_backward({a, b});
    return a * b;
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    needs = {ctx->needs_input_grad(0), ctx->needs_input_grad(1), ctx->needs_input_grad({{0, 2}})};
    auto s = ctx->get_saved_variables();
    return {ctx->needs_input_grad(0) ? g[0] * s[1] : Tensor(), ctx->needs_input_grad(1) ? g[0] * s[0] : Tensor()};
  }
};
std::vector<bool> Product::needs;

// exp with a wrong derivative (off by 10%): gradcheck must catch it.
struct WrongExp : Function<WrongExp> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    Tensor y = x.exp();
    ctx->save_for_backward({y});
    return y;
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    return {g[0] * ctx->get_saved_variables()[0] * 1.1};
  }
};

// x * scale where scale is optional.
struct MaybeScale : Function<MaybeScale> {
  static Tensor forward(AutogradContext* ctx, Tensor x, std::optional<Tensor> scale) {
    ctx->saved_data["scaled"] = scale.has_value();
    if (scale) ctx->save_for_backward({*scale});
    return scale ? x * *scale : x.clone();
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    if (!ctx->saved_data["scaled"].toBool()) return {g[0], Tensor()};
    return {g[0] * ctx->get_saved_variables()[0], Tensor()};
  }
};

}  // namespace

TEST_CASE("custom Function: a custom exp", "[autograd][custom]") {
  Tensor x = ember::tensor({0.0, 1.0, -2.0}, f64().requires_grad(true));
  g_forward_saw_grad_mode = true;
  Tensor y = MyExp::apply(x);
  CHECK_FALSE(g_forward_saw_grad_mode);  // forward runs with grad mode off
  CHECK(autograd::GradMode::is_enabled());
  REQUIRE(y.requires_grad());
  REQUIRE(y.grad_fn() != nullptr);
  CHECK_THAT(y.grad_fn()->name(), Catch::StartsWith("ember::autograd::CppNode<") && Catch::Contains("MyExp>"));
  CHECK(at(y, 1) == Approx(std::exp(1.0)));
  y.sum().backward();
  CHECK(at(x.grad(), 0) == Approx(1.0));
  CHECK(at(x.grad(), 1) == Approx(std::exp(1.0)));
  CHECK(at(x.grad(), 2) == Approx(std::exp(-2.0)));

  // Its saved output is re-attached to the node: second derivatives run backward again.
  auto fn = [](const variable_list& in) { return variable_list{MyExp::apply(in[0])}; };
  Tensor z = ember::tensor({0.3, -0.7}, f64().requires_grad(true));
  CHECK(autograd::gradcheck(fn, {z}));
  CHECK(autograd::gradgradcheck(fn, {z}));

  // Nothing to record: no node, no grad.
  Tensor c = MyExp::apply(ember::tensor({1.0}, f64()));
  CHECK_FALSE(c.requires_grad());
  CHECK(c.grad_fn() == nullptr);
  {
    NoGradGuard ng;
    CHECK_FALSE(MyExp::apply(x).requires_grad());
  }
}

TEST_CASE("custom Function: a non-tensor argument gets no gradient", "[autograd][custom]") {
  Tensor x = ember::tensor({1.0, -3.0}, f64().requires_grad(true));
  Tensor y = MulConst::apply(x, 2.5);
  CHECK(at(y, 1) == Approx(-7.5));
  y.sum().backward();
  CHECK(at(x.grad(), 0) == Approx(2.5));
  CHECK(at(x.grad(), 1) == Approx(2.5));
  auto fn = [](const variable_list& in) { return variable_list{MulConst::apply(in[0], -0.5)}; };
  CHECK(autograd::gradcheck(fn, {ember::tensor({0.2, 0.4}, f64().requires_grad(true))}));
}

TEST_CASE("custom Function: wrong gradient counts raise libtorch's error", "[autograd][custom]") {
  Tensor x = ember::tensor({1.0}, f64().requires_grad(true));
  try {
    MissingGrad::apply(x, 2.0).sum().backward();
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("MissingGrad") &&
                             Catch::Contains("returned an incorrect number of gradients (expected 2, got 1)"));
  }
  ExtraGrad::defined_extra = true;
  CHECK_THROWS_WITH(ExtraGrad::apply(x, 2.0).sum().backward(),
                    Catch::Contains("returned an incorrect number of gradients (expected 2, got 3)"));
  ExtraGrad::defined_extra = false;
  Tensor x1 = ember::tensor({1.0}, f64().requires_grad(true));
  ExtraGrad::apply(x1, 2.0).sum().backward();
  CHECK(x1.grad().item<double>() == 1.0);
  CHECK_THROWS_WITH(GradForDouble::apply(x, 2.0).sum().backward(),
                    Catch::Contains("the corresponding forward input was not a Variable"));
  Tensor x2 = ember::tensor({1.0, 2.0}, f64().requires_grad(true));
  CHECK_THROWS_AS(WrongShape::apply(x2).sum().backward(), ShapeError);
  CHECK_THROWS_WITH(WrongShape::apply(x2).sum().backward(),
                    Catch::Contains("WrongShape") && Catch::Contains("returned an invalid gradient at index 0 - got [5]"));
}

TEST_CASE("custom Function: mark_dirty rebases the modified input", "[autograd][custom]") {
  // libtorch 1.13: same tensor returned, version 0 -> 2, grad_fn the custom node, l.grad == [2, 2].
  Tensor leaf = ember::tensor({1.0, 2.0}, f64().requires_grad(true));
  CHECK_THROWS_WITH(DoubleInPlace::apply(leaf),
                    Catch::Contains("a leaf Variable that requires grad has been used in an in-place operation."));

  Tensor l = ember::tensor({1.0, 2.0}, f64().requires_grad(true));
  Tensor m = l * 1;
  const uint32_t v0 = m._version();
  Tensor r = DoubleInPlace::apply(m);
  CHECK(r.is_same(m));
  CHECK(m._version() == v0 + 2);
  REQUIRE(m.grad_fn() != nullptr);
  CHECK_THAT(m.grad_fn()->name(), Catch::Contains("CppNode<") && Catch::Contains("DoubleInPlace>"));
  CHECK(at(m, 1) == 4.0);
  r.sum().backward();
  CHECK(at(l.grad(), 0) == 2.0);
  CHECK(at(l.grad(), 1) == 2.0);

  // A node that saved m before the in-place change notices it.
  Tensor p = l * 1;
  Tensor sq = p * p;
  DoubleInPlace::apply(p);
  CHECK_THROWS_WITH(sq.sum().backward(), Catch::Contains("modified by an inplace operation") &&
                                             Catch::Contains("is at version 2; expected version 0 instead"));

  // Without grad mode the input is modified but nothing is recorded.
  Tensor q = ember::tensor({3.0}, f64());
  Tensor out = DoubleInPlace::apply(q);
  CHECK(q.item<double>() == 6.0);
  CHECK_FALSE(out.requires_grad());
}

TEST_CASE("custom Function: mark_non_differentiable and set_materialize_grads", "[autograd][custom]") {
  Tensor x = ember::tensor({1.0, 3.0, 2.0}, f64().requires_grad(true));
  for (bool materialize : {true, false}) {
    TwiceAndArgmax::materialize = materialize;
    TwiceAndArgmax::seen_index_grad = Tensor();
    variable_list outs = TwiceAndArgmax::apply(x);
    REQUIRE(outs.size() == 2);
    CHECK(outs[0].requires_grad());
    CHECK_FALSE(outs[1].requires_grad());
    CHECK(outs[1].item<int64_t>() == 1);
    outs[0].sum().backward();
    if (materialize) {
      REQUIRE(TwiceAndArgmax::seen_index_grad.defined());  // zeros of the index output
      CHECK(TwiceAndArgmax::seen_index_grad.dtype() == kLong);
      CHECK(TwiceAndArgmax::seen_index_grad.item<int64_t>() == 0);
    } else {
      CHECK_FALSE(TwiceAndArgmax::seen_index_grad.defined());
    }
  }
  CHECK(at(x.grad(), 0) == 4.0);  // two backward passes of 2 each
}

TEST_CASE("custom Function: needs_input_grad and saved inputs", "[autograd][custom]") {
  Tensor a = ember::tensor({2.0, 3.0}, f64().requires_grad(true));
  Tensor b = ember::tensor({5.0, 7.0}, f64());
  Product::apply(a, b).sum().backward();
  CHECK(Product::needs == std::vector<bool>{true, false, true});
  CHECK(at(a.grad(), 0) == 5.0);
  CHECK(at(a.grad(), 1) == 7.0);

  // A saved input modified after forward.
  Tensor c = ember::ones({2}, f64());
  Tensor y = Product::apply(a, c);
  c.add_(1);
  CHECK_THROWS_WITH(y.sum().backward(), Catch::Contains("is at version 1; expected version 0 instead"));
}

TEST_CASE("custom Function: saved variables are freed by backward", "[autograd][custom]") {
  Tensor x = ember::tensor({0.5}, f64().requires_grad(true));
  Tensor y = MyExp::apply(x);
  const auto* storage = y.unsafeGetTensorImpl()->storage();
  CHECK(storage->use_count() == 2);  // y and the node's saved copy of it
  y.backward({}, /*retain_graph=*/true);
  CHECK(storage->use_count() == 2);
  y.backward();
  CHECK(storage->use_count() == 1);
  CHECK(x.grad().item<double>() == Approx(2 * std::exp(0.5)));
  CHECK_THROWS_WITH(y.backward(), Catch::Contains("Trying to backward through the graph a second time"));
}

TEST_CASE("custom Function: optional tensor arguments", "[autograd][custom]") {
  Tensor x = ember::tensor({1.0, 2.0}, f64().requires_grad(true));
  Tensor s = ember::tensor({3.0, 4.0}, f64().requires_grad(true));
  MaybeScale::apply(x, std::optional<Tensor>(s)).sum().backward();
  CHECK(at(x.grad(), 1) == 4.0);
  CHECK_FALSE(s.grad().defined());  // backward returned none for it
  MaybeScale::apply(x, std::optional<Tensor>()).sum().backward();
  CHECK(at(x.grad(), 1) == 5.0);
}

TEST_CASE("gradcheck catches a wrong custom backward", "[autograd][custom][gradcheck]") {
  auto fn = [](const variable_list& in) { return variable_list{WrongExp::apply(in[0])}; };
  variable_list in{ember::tensor({0.1, -0.4}, f64().requires_grad(true))};
  CHECK_FALSE(autograd::gradcheck(fn, in, 1e-6, 1e-5, 1e-3, /*raise_exception=*/false));
  CHECK_THROWS_WITH(autograd::gradcheck(fn, in),
                    Catch::Contains("[ember::autograd::gradcheck]") && Catch::Contains("Jacobian mismatch"));
  // The defaults are libtorch's: eps 1e-6, atol 1e-5, rtol 1e-3. A 1e-4 relative error passes
  // rtol 1e-3, so the check is about the 10% error, not noise.
  auto good = [](const variable_list& v) { return variable_list{MyExp::apply(v[0])}; };
  CHECK(autograd::gradcheck(good, in));
}

TEST_CASE("IValue: saved_data holds tensors, numbers, strings and lists", "[autograd][custom]") {
  AutogradContext ctx;
  ctx.saved_data["t"] = ember::ones({2});
  ctx.saved_data["d"] = 2.5;
  ctx.saved_data["i"] = 7;
  ctx.saved_data["i64"] = int64_t(1) << 40;
  ctx.saved_data["b"] = true;
  ctx.saved_data["s"] = "mean";
  ctx.saved_data["l"] = std::vector<int64_t>{2, 3};
  ctx.saved_data["sizes"] = ember::zeros({4, 5}).sizes();
  ctx.saved_data["scalar"] = Scalar(1.5);
  CHECK(ctx.saved_data["t"].isTensor());
  CHECK(ctx.saved_data["t"].toTensor().sum().item<float>() == 2);
  CHECK(ctx.saved_data["d"].toDouble() == 2.5);
  CHECK(ctx.saved_data["i"].toInt() == 7);
  CHECK(ctx.saved_data["i64"].toInt() == (int64_t(1) << 40));
  CHECK(ctx.saved_data["b"].toBool());
  CHECK(ctx.saved_data["s"].toStringRef() == "mean");
  CHECK(ctx.saved_data["l"].toIntVector() == std::vector<int64_t>{2, 3});
  CHECK(ctx.saved_data["sizes"].toIntVector() == std::vector<int64_t>{4, 5});
  CHECK(ctx.saved_data["scalar"].isDouble());
  CHECK(ctx.saved_data["scalar"].toScalar().toDouble() == 1.5);
  CHECK(ctx.saved_data["missing"].isNone());
  CHECK_THROWS_AS(ctx.saved_data["d"].toInt(), Error);
  CHECK_THROWS_WITH(ctx.saved_data["d"].toInt(), Catch::Contains("[ember::IValue] Expected Int but got Double"));
  CHECK_THROWS_WITH(ctx.saved_data["s"].toTensor(), Catch::Contains("Expected Tensor but got String"));
}
