// Activations: forward values and first derivatives against libtorch (nn_reference.h),
// float32 and float64, stability for large |x|, in-place variants, errors.
#include "nn_test_util.h"

using namespace nn_test;
using ember::Tensor;

namespace {

struct ActCase {
  const char* name;
  std::function<Tensor(const Tensor&)> fn;
  const nn_ref::Ref* ref;
};

std::vector<ActCase> forward_cases() {
  namespace r = nn_ref;
  return {
      {"gelu", [](const Tensor& x) { return ember::gelu(x); }, &r::gelu},
      {"gelu tanh", [](const Tensor& x) { return ember::gelu(x, "tanh"); }, &r::gelu_tanh},
      {"silu", [](const Tensor& x) { return ember::silu(x); }, &r::silu},
      {"mish", [](const Tensor& x) { return ember::mish(x); }, &r::mish},
      {"leaky_relu", [](const Tensor& x) { return ember::leaky_relu(x); }, &r::leaky_relu},
      {"leaky_relu 0.2", [](const Tensor& x) { return ember::leaky_relu(x, 0.2); }, &r::leaky_relu_02},
      {"elu", [](const Tensor& x) { return ember::elu(x); }, &r::elu},
      {"elu custom", [](const Tensor& x) { return ember::elu(x, 1.5, 2.0, 0.5); }, &r::elu_custom},
      {"selu", [](const Tensor& x) { return ember::selu(x); }, &r::selu},
      {"celu", [](const Tensor& x) { return ember::celu(x, 0.7); }, &r::celu},
      {"softplus", [](const Tensor& x) { return ember::softplus(x); }, &r::softplus},
      {"softplus beta threshold", [](const Tensor& x) { return ember::softplus(x, 2, 5); }, &r::softplus_b2_t5},
      {"hardtanh", [](const Tensor& x) { return ember::hardtanh(x); }, &r::hardtanh},
      {"hardtanh -2 3", [](const Tensor& x) { return ember::hardtanh(x, -2, 3); }, &r::hardtanh_m2_3},
      {"relu6", [](const Tensor& x) { return ember::relu6(x); }, &r::relu6},
      {"hardsigmoid", [](const Tensor& x) { return ember::hardsigmoid(x); }, &r::hardsigmoid},
      {"hardswish", [](const Tensor& x) { return ember::hardswish(x); }, &r::hardswish},
      {"log_sigmoid", [](const Tensor& x) { return ember::log_sigmoid(x); }, &r::log_sigmoid},
      {"softsign", [](const Tensor& x) { return ember::softsign(x); }, &r::softsign},
  };
}

}  // namespace

TEST_CASE("activations: forward values match libtorch in float32 and float64", "[activation]") {
  for (auto dt : {ember::kFloat, ember::kDouble}) {
    Tensor x = act_x(dt);
    for (const auto& c : forward_cases()) {
      INFO(c.name << " " << ember::toString(dt));
      Tensor y = c.fn(x);
      CHECK(y.dtype() == dt);
      check_ref(y, *c.ref, tol_for(dt));
    }
  }
}

TEST_CASE("activations: non-contiguous and N-d inputs give the same values", "[activation]") {
  Tensor x = act_x().reshape({3, 4}).t();  // non-contiguous view
  REQUIRE_FALSE(x.is_contiguous());
  for (const auto& c : forward_cases()) {
    INFO(c.name);
    Tensor y = c.fn(x);
    CHECK(y.sizes() == x.sizes());
    check_ref(y.t().reshape({-1}), *c.ref);
  }
}

TEST_CASE("activations: large inputs stay finite and exact in float32", "[activation]") {
  Tensor big = ember::tensor({-1000.0, -100.0, 100.0, 1000.0});  // float32
  REQUIRE(big.dtype() == ember::kFloat);
  const Tol t{1e-6, 1e-30};
  check_ref(ember::log_sigmoid(big), nn_ref::big_log_sigmoid_f, t);
  check_ref(ember::softplus(big), nn_ref::big_softplus_f, {1e-6, 1e-44});
  check_ref(ember::mish(big), nn_ref::big_mish_f, {1e-5, 1e-43});
  check_ref(ember::silu(big), nn_ref::big_silu_f, t);
  check_ref(ember::gelu(big), nn_ref::big_gelu_f, t);
  check_ref(ember::elu(big), nn_ref::big_elu_f, t);
  check_ref(ember::selu(big), nn_ref::big_selu_f, t);
  // The gradients are finite too (no inf * 0).
  for (auto fn : {+[](const Tensor& x) { return ember::log_sigmoid(x); }, +[](const Tensor& x) { return ember::mish(x); },
                  +[](const Tensor& x) { return ember::softplus(x); }, +[](const Tensor& x) { return ember::silu(x); }}) {
    Tensor x = big.clone().requires_grad_(true);
    fn(x).sum().backward();
    CHECK(ember::isfinite(x.grad()).all().item<bool>());
  }
}

TEST_CASE("activations: gradients match libtorch, fused and create_graph paths", "[activation]") {
  namespace r = nn_ref;
  Tensor x = act_x();
  Tensor relu6_x = ember::tensor({-1.0, 0.0, 3.0, 6.0, 7.0}, ember::TensorOptions().dtype(ember::kDouble));
  Tensor hswish_x = ember::tensor({-4.0, -3.0, -1.0, 0.0, 2.0, 3.0, 4.0}, ember::TensorOptions().dtype(ember::kDouble));
  struct G {
    const char* name;
    std::function<Tensor(const Tensor&)> fn;
    Tensor x;
    const nn_ref::Ref* ref;
  };
  std::vector<G> cases{
      {"gelu", [](const Tensor& t) { return ember::gelu(t); }, x, &r::g_gelu},
      {"gelu tanh", [](const Tensor& t) { return ember::gelu(t, "tanh"); }, x, &r::g_gelu_tanh},
      {"silu", [](const Tensor& t) { return ember::silu(t); }, x, &r::g_silu},
      {"mish", [](const Tensor& t) { return ember::mish(t); }, x, &r::g_mish},
      {"leaky_relu", [](const Tensor& t) { return ember::leaky_relu(t, 0.2); }, x, &r::g_leaky_relu_02},
      {"elu", [](const Tensor& t) { return ember::elu(t, 1.5, 2.0, 0.5); }, x, &r::g_elu_custom},
      {"selu", [](const Tensor& t) { return ember::selu(t); }, x, &r::g_selu},
      {"celu", [](const Tensor& t) { return ember::celu(t, 0.7); }, x, &r::g_celu},
      {"softplus", [](const Tensor& t) { return ember::softplus(t, 2, 5); }, x, &r::g_softplus_b2_t5},
      {"hardtanh", [](const Tensor& t) { return ember::hardtanh(t, -2, 3); }, x, &r::g_hardtanh_m2_3},
      {"relu6 at the kinks", [](const Tensor& t) { return ember::relu6(t); }, relu6_x, &r::g_relu6},
      {"hardsigmoid", [](const Tensor& t) { return ember::hardsigmoid(t); }, x, &r::g_hardsigmoid},
      {"hardswish at the kinks", [](const Tensor& t) { return ember::hardswish(t); }, hswish_x, &r::g_hardswish},
      {"log_sigmoid", [](const Tensor& t) { return ember::log_sigmoid(t); }, x, &r::g_log_sigmoid},
      {"softsign", [](const Tensor& t) { return ember::softsign(t); }, x, &r::g_softsign},
  };
  // libtorch's CPU backward kernels use single-precision constants in a few formulas
  // (hardsigmoid's 1/6, elu's input scale), hence the relative tolerance of 1e-6.
  const Tol t{1e-6, 1e-12};
  for (const auto& c : cases) {
    INFO(c.name);
    check_ref(weighted_grad(c.fn, c.x, false), *c.ref, t);
    check_ref(weighted_grad(c.fn, c.x, true), *c.ref, t);
  }
}

TEST_CASE("activations: node names and in-place variants", "[activation]") {
  Tensor x = act_x().requires_grad_(true);
  CHECK(ember::gelu(x).grad_fn()->name() == "GeluBackward0");
  CHECK(ember::leaky_relu(x).grad_fn()->name() == "LeakyReluBackward0");
  CHECK(ember::relu6(x).grad_fn()->name() == "HardtanhBackward0");

  using InPlace = std::function<Tensor&(Tensor&)>;
  using OutOfPlace = std::function<Tensor(const Tensor&)>;
  std::vector<std::tuple<const char*, InPlace, OutOfPlace>> ops{
      {"gelu_", [](Tensor& t) -> Tensor& { return ember::gelu_(t, "tanh"); }, [](const Tensor& t) { return ember::gelu(t, "tanh"); }},
      {"silu_", [](Tensor& t) -> Tensor& { return ember::silu_(t); }, [](const Tensor& t) { return ember::silu(t); }},
      {"mish_", [](Tensor& t) -> Tensor& { return ember::mish_(t); }, [](const Tensor& t) { return ember::mish(t); }},
      {"leaky_relu_", [](Tensor& t) -> Tensor& { return ember::leaky_relu_(t, 0.3); },
       [](const Tensor& t) { return ember::leaky_relu(t, 0.3); }},
      {"elu_", [](Tensor& t) -> Tensor& { return ember::elu_(t, 1.2); }, [](const Tensor& t) { return ember::elu(t, 1.2); }},
      {"selu_", [](Tensor& t) -> Tensor& { return ember::selu_(t); }, [](const Tensor& t) { return ember::selu(t); }},
      {"celu_", [](Tensor& t) -> Tensor& { return ember::celu_(t, 2.0); }, [](const Tensor& t) { return ember::celu(t, 2.0); }},
      {"hardtanh_", [](Tensor& t) -> Tensor& { return ember::hardtanh_(t, -0.5, 2); },
       [](const Tensor& t) { return ember::hardtanh(t, -0.5, 2); }},
      {"relu6_", [](Tensor& t) -> Tensor& { return ember::relu6_(t); }, [](const Tensor& t) { return ember::relu6(t); }},
      {"hardsigmoid_", [](Tensor& t) -> Tensor& { return ember::hardsigmoid_(t); },
       [](const Tensor& t) { return ember::hardsigmoid(t); }},
      {"hardswish_", [](Tensor& t) -> Tensor& { return ember::hardswish_(t); },
       [](const Tensor& t) { return ember::hardswish(t); }},
  };
  for (auto& [name, ip, oop] : ops) {
    INFO(name);
    Tensor base = seq({3, 4}, 0.4) * 2;
    // Without autograd: written in place, version bumped, same values as out-of-place.
    Tensor y = base.clone();
    const auto v0 = y._version();
    Tensor& r = ip(y);
    CHECK(r.is_same(y));
    CHECK(y._version() > v0);
    CHECK(ember::allclose(y, oop(base)));
    // On a non-leaf that requires grad: the gradient equals the out-of-place one.
    Tensor leaf = base.clone().requires_grad_(true);
    Tensor h = leaf * 1.0;
    ip(h);
    (h * seq({3, 4}, 0.5)).sum().backward();
    Tensor leaf2 = base.clone().requires_grad_(true);
    (oop(leaf2) * seq({3, 4}, 0.5)).sum().backward();
    CHECK(ember::allclose(leaf.grad(), leaf2.grad()));
    // On a leaf that requires grad: libtorch's error.
    Tensor l = base.clone().requires_grad_(true);
    CHECK_THROWS_AS(ip(l), ember::Error);
  }
}

TEST_CASE("activations: errors name the op", "[activation]") {
  Tensor i = ember::arange(5);  // int64
  CHECK_OP_ERROR(ember::gelu(i), ember::DTypeError, "gelu", "floating point");
  CHECK_OP_ERROR(ember::silu(i), ember::DTypeError, "silu", "Long");
  CHECK_OP_ERROR(ember::softplus(i), ember::DTypeError, "softplus", "Long");
  Tensor xi = i.clone();
  CHECK_OP_ERROR(ember::leaky_relu_(xi), ember::DTypeError, "leaky_relu_", "Long");
  // hardtanh and relu6 clamp integer tensors (as libtorch) instead of raising.
  CHECK(ember::equal(ember::relu6(ember::tensor({-3, 2, 9})), ember::tensor({0, 2, 6})));
  Tensor hi = ember::tensor({-3, 0, 5});
  ember::hardtanh_(hi, -1, 1);
  CHECK(ember::equal(hi, ember::tensor({-1, 0, 1})));
  CHECK_OP_ERROR(ember::hardtanh(ember::tensor({true, false})), ember::DTypeError, "hardtanh", "Bool");
  Tensor x = act_x();
  CHECK_OP_ERROR(ember::gelu(x, "fast"), ember::Error, "gelu", "none or tanh");
  CHECK_OP_ERROR(ember::hardtanh(x, 2, 1), ember::Error, "hardtanh", "max_val");
  CHECK_OP_ERROR(ember::celu(x, 0), ember::Error, "celu", "alpha");
  CHECK_OP_ERROR(ember::gelu(Tensor()), ember::Error, "gelu", "");
}
