// Forward values, dtypes, special gradients and errors of prod, cumsum, cumprod,
// logcumsumexp, var/std/var_mean/std_mean, norm and frobenius_norm. Expected numbers
// marked "libtorch" were computed with libtorch 1.13 on the same inputs; gradients in
// general are checked by the op table (ops_scan_rows.cpp).
#include <limits>

#include "scan_test_util.h"

using namespace scan_test;
using ember::Tensor;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

// The [2, 3, 4] input of the libtorch reference values below.
Tensor input_a() {
  return make({1.0, -2.0, 3.5, 0.25, 4.0, 0.5, -1.5, 2.0, -3.0, 1.25, 0.75, -0.5,
               2.5, 3.0, -4.0, 1.0, 0.0, -1.0, 2.25, 5.0, 1.5, -2.5, 0.5, 3.25},
              {2, 3, 4});
}

Tensor grad_of(const Tensor& x, const Tensor& y, const Tensor& weight) {
  return ember::autograd::grad({(y * weight).sum()}, {x})[0];
}

}  // namespace

TEST_CASE("prod: all elements, along a dim, keepdim and dtype", "[scan][prod]") {
  Tensor a = input_a();
  check_values(a.prod(), {}, {0.0});  // a has a zero
  check_values(a.prod(1), {2, 4}, {-12, -1.25, -3.9375, -0.25, 0, 7.5, -4.5, 16.25});  // libtorch
  check_values(a.prod(-1, true), {2, 3, 1}, {-1.75, -6, 1.40625, -30, 0, -6.09375});  // libtorch
  check_values(ember::prod(make({1.5, -2, 3, 0.5, 4, -1}, {2, 3})), {}, {18});  // by hand
  // Non-contiguous input: the transpose's rows are a's columns.
  Tensor m = make({1, 2, 3, 4, 5, 6}, {2, 3}).t();
  check_values(m.prod(1), {3}, {4, 10, 18});
  // Integers and bool widen to int64; dtype casts the input first (1.5 -> 1).
  Tensor i32 = ember::tensor({1, 2, 3}, ember::TensorOptions().dtype(ember::kInt));
  CHECK(i32.prod().dtype() == ember::kLong);
  CHECK(i32.prod().item<int64_t>() == 6);
  CHECK(ember::tensor({true, true}).prod().dtype() == ember::kLong);
  Tensor f = ember::tensor({1.5, 2.0, 3.0});
  Tensor pi = f.prod(0, true, ember::kInt);
  CHECK(pi.dtype() == ember::kInt);
  check_values(pi, {1}, {6});
  CHECK(i32.prod(0, false, ember::kDouble).dtype() == ember::kDouble);
  // Empty product is 1; a 0-dim input reduces over dim 0.
  check_values(ember::empty({0}).prod(), {}, {1});
  check_values(ember::scalar_tensor(2.5).prod(0), {}, {2.5});
  check_values(make({2, 3, 4, 5}, {2, 2}).prod(0, false, ember::kLong), {2}, {8, 15});
}

TEST_CASE("prod: gradient with one zero and with several zeros", "[scan][prod][grad]") {
  auto opts = ember::TensorOptions().dtype(ember::kDouble).requires_grad(true);
  Tensor x = ember::tensor({2.0, 0.0, 3.0, 4.0}, opts);
  x.prod().backward();
  check_values(x.grad(), {4}, {0, 24, 0, 0});  // libtorch
  Tensor y = ember::tensor({2.0, 0.0, 3.0, 0.0}, opts);
  y.prod().backward();
  check_values(y.grad(), {4}, {0, 0, 0, 0});  // libtorch
  Tensor z = make({2, 0, 3, 1, 2, 3, 0, 0, 5}, {3, 3}).requires_grad_(true);
  z.prod(1).sum().backward();
  check_values(z.grad(), {3, 3}, {0, 6, 0, 6, 3, 2, 0, 0, 0});  // libtorch
  // Along dim 0 of the transpose (non-contiguous), same numbers transposed.
  Tensor zt = make({2, 0, 3, 1, 2, 3, 0, 0, 5}, {3, 3}).requires_grad_(true);
  zt.t().prod(0).sum().backward();
  check_values(zt.grad(), {3, 3}, {0, 6, 0, 6, 3, 2, 0, 0, 0});
  // Second derivatives stay exact with zeros: d2/dx0 dx1 of x0*x1*x2*x3 at one and two zeros.
  using ember::autograd::gradgradcheck;
  for (std::vector<double> v : {std::vector<double>{2, 0, 3, 4}, std::vector<double>{2, 0, 3, 0},
                                std::vector<double>{0, 0, 0, 1.5}}) {
    Tensor w = make(v, {4}).requires_grad_(true);
    CHECK(gradgradcheck([](const ember::autograd::variable_list& in) {
      return ember::autograd::variable_list{in[0].prod()};
    }, {w}));
    Tensor w2 = make({2, 0, 3, 0, 1, 5}, {2, 3}).requires_grad_(true);
    CHECK(gradgradcheck([](const ember::autograd::variable_list& in) {
      return ember::autograd::variable_list{in[0].prod(1)};
    }, {w2}));
  }
}

TEST_CASE("cumsum and cumprod: values along every dim, contiguous or not", "[scan][cumsum]") {
  auto [x, nc] = test_pair(3);
  for (int64_t d = 0; d < 3; ++d) {
    for (const Tensor& in : {x, nc}) {
      INFO("dim " << d << (in.is_contiguous() ? "" : " (non-contiguous)"));
      auto rows = rows_along(in, d);
      auto sums = rows_along(in.cumsum(d), d);
      auto prods = rows_along(in.cumprod(d - 3), d);  // negative dim
      for (size_t r = 0; r < rows.size(); ++r) {
        double s = 0, p = 1;
        for (size_t i = 0; i < rows[r].size(); ++i) {
          s += rows[r][i];
          p *= rows[r][i];
          CHECK(sums[r][i] == Approx(s).epsilon(1e-12).margin(1e-12));
          CHECK(prods[r][i] == Approx(p).epsilon(1e-12).margin(1e-12));
        }
      }
    }
  }
  Tensor a = input_a();
  check_values(a.cumsum(2), {2, 3, 4}, {1, -1, 2.5, 2.75, 4, 4.5, 3, 5, -3, -1.75, -1, -1.5,
                                        2.5, 5.5, 1.5, 2.5, 0, -1, 1.25, 6.25, 1.5, -1, -0.5, 2.75});  // libtorch
  check_values(a.cumprod(1), {2, 3, 4}, {1, -2, 3.5, 0.25, 4, -1, -5.25, 0.5, -12, -1.25, -3.9375, -0.25,
                                         2.5, 3, -4, 1, 0, -3, -9, 5, 0, 7.5, -4.5, 16.25});  // libtorch
}

TEST_CASE("cumsum and cumprod: dtypes and 0-dim inputs", "[scan][cumsum]") {
  Tensor i32 = ember::tensor({1, 2, 3}, ember::TensorOptions().dtype(ember::kInt));
  CHECK(i32.cumsum(0).dtype() == ember::kLong);
  check_values(i32.cumsum(0), {3}, {1, 3, 6});
  Tensor b = ember::tensor({true, true, false});
  CHECK(b.cumsum(0).dtype() == ember::kLong);
  check_values(b.cumsum(0), {3}, {1, 2, 2});
  Tensor f = ember::tensor({1.5, 2.0, 3.0});
  CHECK(f.cumsum(0, ember::kInt).dtype() == ember::kInt);
  check_values(f.cumsum(0, ember::kInt), {3}, {1, 3, 6});  // libtorch: the input is cast first
  check_values(f.cumprod(0, ember::kDouble), {3}, {1.5, 3, 9});
  check_values(ember::tensor({5, 3, 9, 3, 1, 7}).reshape({2, 3}).cumsum(0), {2, 3}, {5, 3, 9, 8, 4, 16});
  check_values(ember::tensor({1, 2}).cumprod(0), {2}, {1, 2});
  CHECK(ember::tensor({1, 2}).cumprod(0).dtype() == ember::kLong);
  Tensor s = ember::scalar_tensor(3.0);
  check_values(s.cumsum(0), {}, {3});
  check_values(s.cumsum(-1), {}, {3});
  check_values(ember::empty({2, 0}).cumsum(1), {2, 0}, {});
  // float32 accumulates in double: 1 + 1e8 copies of 1 would lose increments in float.
  Tensor big = ember::ones({3}) * 1e8f;
  check_values(big.cumsum(0), {3}, {1e8, 2e8, 3e8});
}

TEST_CASE("cumprod: gradient with zeros, first and second order", "[scan][cumprod][grad]") {
  Tensor w = make({2, 0, 3, 0, 5}, {5}).requires_grad_(true);
  Tensor g = make({1, 2, 3, 4, 5}, {5});
  check_values(grad_of(w, w.cumprod(0), g), {5}, {1, 22, 0, 0, 0});  // libtorch
  // One zero, zero first, zero last, along dim 1 of a 2-D input.
  Tensor m = make({0, 2, 3, 4, 1, 2, 0, 3, 2, 3, 4, 0}, {3, 4}).requires_grad_(true);
  Tensor gm = make({1, -1, 2, 0.5, 3, 1, -2, 1, 1, 1, 1, 1}, {3, 4});
  // By hand: row 0 (zero first): d/dx0 = 1 + (-1)*2 + 2*6 + 0.5*24 = 23, others 0.
  // Row 1 (zero at 2): d/dx0 = 3 + 1*2 = 5, d/dx1 = 1*x0 = 1, d/dx2 = 1*2*(-2 + 1*3) = 2, d/dx3 = 0.
  // Row 2 (zero last): d/dx0 = 1 + 3 + 12 = 16, d/dx1 = 2*(1 + 4) = 10, d/dx2 = 6*1 = 6, d/dx3 = 24.
  check_values(grad_of(m, m.cumprod(1), gm), {3, 4}, {23, 0, 0, 0, 5, 1, 2, 0, 16, 10, 6, 24});
  using ember::autograd::gradgradcheck;
  Tensor w2 = make({2, 0, 3, 0, 5, 0.5, 0, 1.5}, {2, 4}).requires_grad_(true);
  for (int64_t d : {0, 1}) {
    CHECK(gradgradcheck([d](const ember::autograd::variable_list& in) {
      return ember::autograd::variable_list{in[0].cumprod(d)};
    }, {w2}));
  }
}

TEST_CASE("logcumsumexp: values without overflow, dtype check", "[scan][logcumsumexp]") {
  check_values(ember::tensor({1.0, -1e30, 3.0}, ember::TensorOptions().dtype(ember::kDouble)).logcumsumexp(0), {3},
               {1, 1, 3.126928011042972});  // libtorch: 3 + log1p(exp(-2))
  check_values(make({1000, 1000}, {2}).logcumsumexp(0), {2}, {1000, 1000 + std::log(2.0)});
  check_values(make({-kInf, -kInf, 0}, {3}).logcumsumexp(0), {3}, {-kInf, -kInf, 0});
  check_values(make({1, kNaN, 2}, {3}).logcumsumexp(0), {3}, {1, kNaN, kNaN});
  Tensor a = input_a();
  check_values(a.logcumsumexp(2), {2, 3, 4},
               {1, 1.0485873515737421, 3.5826593766494619, 3.6177350148537006, 4, 4.0297504182726209,
                4.0337095496098883, 4.1566784293155941, -3, 1.264163456931505, 1.732916703977724, 1.8347647908988185,
                2.5, 3.4740769841801065, 3.4746444325892147, 3.555480291353486, 0, 0.31326168751822286,
                2.3846824832098688, 5.0705931800002428, 1.5, 1.5181499279178097, 1.8265626412674705,
                3.4658245006515447},
               1e-14);  // libtorch
  check_values(a.logcumsumexp(0).select(0, 1), {3, 4},
               {2.7014132779827524, 3.0067153484891183, 3.5005529314753607, 1.3868710061148999, 4.0181499279178094,
                0.70141327798275244, 2.2732454643724251, 5.0485873515737421, 1.5110477448485937, 1.2732454643724251,
                1.3259394198788437, 3.2732454643724251},
               1e-14);  // libtorch
  Tensor x = input_a().requires_grad_(true);
  Tensor w = ember::arange(24, ember::TensorOptions().dtype(ember::kDouble)).reshape({2, 3, 4}) * 0.1 - 1;
  check_values(grad_of(x, x.logcumsumexp(2), w), {2, 3, 4},
               {-1.9688524852146931, -0.048236324919758815, -1.3587838575175402, -0.024127332348007968,
                -1.7285784844523329, -0.034080117217186214, -0.0026287527908089802, -0.03471264553967076,
                -0.20061150693650276, -0.042869945936387849, 0.033798127281771867, 0.0096833255911188965,
                0.63820541535082631, 0.72247858922489161, 0.00048853236448921904, 0.038827463059793323,
                1.1910864094321225, 0.21744853798592362, 0.75280823669197927, 0.83865681588997509,
                3.1279466784790242, 0.038974702937503151, 0.38543888218951494, 1.0476397363939576},
               1e-12);  // libtorch
  REQUIRE_THROWS_AS(ember::tensor({1, 2}).logcumsumexp(0), ember::DTypeError);
  CHECK_THAT(message_of([] { ember::tensor({1, 2}).logcumsumexp(0); }), Catch::Contains("[ember::logcumsumexp]"));
}

TEST_CASE("scans: errors name the op", "[scan][errors]") {
  Tensor x = ember::ones({2, 2});
  REQUIRE_THROWS_AS(x.cumsum(2), ember::IndexError);
  CHECK_THAT(message_of([&] { x.cumsum(2); }), Catch::Contains("[ember::cumsum]") && Catch::Contains("out of range"));
  REQUIRE_THROWS_AS(x.cumprod(-3), ember::IndexError);
  CHECK_THAT(message_of([&] { x.cumprod(-3); }), Catch::Contains("[ember::cumprod]"));
  REQUIRE_THROWS_AS(x.prod(5), ember::IndexError);
  CHECK_THAT(message_of([&] { x.prod(5); }), Catch::Contains("[ember::prod]"));
  REQUIRE_THROWS_AS(x.logcumsumexp(2), ember::IndexError);
}

TEST_CASE("var and std: overloads, dims, correction, keepdim", "[scan][var]") {
  Tensor a = input_a();
  check_values(a.var(), {}, {5.2471693840579707});                               // libtorch
  check_values(a.var({0, 2}, /*unbiased=*/false, /*keepdim=*/true), {1, 3, 1},
               {5.7646484375, 4.7177734375, 3.8115234374999996});                 // libtorch
  check_values(a.var(1), {2, 4}, {12.333333333333334, 2.8958333333333335, 6.270833333333333, 1.6458333333333335,
                                  1.5833333333333333, 8.0833333333333321, 10.395833333333334, 4.020833333333333});
  check_values(ember::var(a, {-1}, std::optional<int64_t>(2)), {2, 3},
               {7.7109375000000009, 8.125, 5.40625, 15.34375, 10.6484375, 8.7109375});  // libtorch
  check_values(ember::var(a, std::nullopt, std::optional<int64_t>(0), true), {1, 1, 1}, {5.0285373263888884});
  check_values(a.var(std::vector<int64_t>{}), {}, {5.2471693840579707});  // an empty list means all dims
  check_values(a.std({1, 2}), {2}, {2.0874580380467678, 2.551366241245991});  // libtorch
  check_values(ember::std(a, {0}, false, false), {3, 4},
               {0.75, 2.5, 3.75, 0.375, 2, 0.75, 1.875, 1.5, 2.25, 1.875, 0.125, 1.875});  // libtorch
  check_values(a.std(0, std::optional<int64_t>(0)), {3, 4},
               {0.75, 2.5, 3.75, 0.375, 2, 0.75, 1.875, 1.5, 2.25, 1.875, 0.125, 1.875});
  check_values(a.std(false), {}, {std::sqrt(5.0285373263888884)});
  // Non-contiguous input: var over dim 1 of a transposed view.
  Tensor at = a.transpose(0, 2);
  check_values(at.var(1), {4, 2}, {12.333333333333334, 1.5833333333333333, 2.8958333333333335, 8.0833333333333321,
                                   6.270833333333333, 10.395833333333334, 1.6458333333333335, 4.020833333333333});
  // One element with Bessel's correction, and an empty input, give NaN (libtorch).
  check_values(ember::ones({1}, ember::TensorOptions().dtype(ember::kDouble)).var(), {}, {kNaN});
  check_values(ember::empty({0}).var(), {}, {kNaN});
  check_values(ember::empty({2, 0}).var(1), {2}, {kNaN, kNaN});
  // float32 stays float32.
  CHECK(ember::ones({3}).var().dtype() == ember::kFloat);
}

TEST_CASE("var_mean and std_mean return (var or std, mean)", "[scan][var]") {
  Tensor a = input_a();
  auto [v, m] = ember::var_mean(a, {2});
  check_values(v, {2, 3}, {5.1406250000000009, 5.416666666666667, 3.6041666666666665, 10.229166666666666,
                           7.098958333333333, 5.807291666666667});  // libtorch
  check_values(m, {2, 3}, {0.6875, 1.25, -0.375, 0.625, 1.5625, 0.6875});
  auto [s, m2] = ember::std_mean(a, {0, 1}, false, false);
  check_values(s, {4}, {2.179449471770337, 1.9134937505341725, 2.4494897427831779, 1.8577914008006629});
  check_values(m2, {4}, {1, -0.12500000000000006, 0.24999999999999986, 1.8333333333333335});
  auto [s0, m0] = ember::std_mean(a);
  check_values(s0, {}, {std::sqrt(5.2471693840579707)});
  check_values(m0, {}, {17.75 / 24});
  auto [v1, m1] = ember::var_mean(a, 1);
  CHECK(v1.sizes() == std::vector<int64_t>{2, 4});
  CHECK(m1.sizes() == std::vector<int64_t>{2, 4});
  auto [vk, mk] = ember::var_mean(a, {1}, std::optional<int64_t>(0), true);
  CHECK(vk.sizes() == std::vector<int64_t>{2, 1, 4});
  CHECK(mk.sizes() == std::vector<int64_t>{2, 1, 4});
}

TEST_CASE("var and std: gradients at constant input and libtorch values", "[scan][var][grad]") {
  // std of a constant vector has gradient 0 (not NaN), as libtorch.
  Tensor c = ember::ones({3}, ember::TensorOptions().dtype(ember::kDouble)).requires_grad_(true);
  c.std().backward();
  check_values(c.grad(), {3}, {0, 0, 0});
  Tensor x = input_a().requires_grad_(true);
  Tensor w = ember::arange(24, ember::TensorOptions().dtype(ember::kDouble)).reshape({2, 3, 4}) * 0.1 - 1;
  check_values(grad_of(x, x.std(1), w.select(1, 0)), {2, 3, 4},
               {-0.047457899787624949, 0.50684168061499557, -0.41264616189662756, 0.090939772344628328,
                -0.47457899787624946, -0.15425616366543343, 0.38602382887103859, -0.38649403246467029,
                0.5220368976638744, -0.35258551694956208, 0.026622333025588866, 0.2955542601200421,
                0.09271726499455317, 0.16706995880175654, -0.22227342986040982, -0.25974113591355713,
                -0.1059625885652036, -0.043965778632041201, 0.16541278501239798, 0.23896184504047252,
                0.013245323570650457, -0.12310418016971536, 0.056860644848011815, 0.020779290873084551});  // libtorch
}

TEST_CASE("norm: p = 2, 1, inf, -inf, 0, 3, 0.5 over dims", "[scan][norm]") {
  Tensor b = make({3, -4, 0, 1}, {2, 2});
  check_values(b.norm(), {}, {std::sqrt(26.0)});
  check_values(b.norm(1), {}, {8});
  check_values(b.norm(kInf), {}, {4});
  check_values(b.norm(-kInf), {}, {0});
  check_values(b.norm(0), {}, {3});
  check_values(b.norm(3), {}, {4.514357435474001});  // (27 + 64 + 1)^(1/3), libtorch 4.51436
  check_values(b.norm(2, {1}), {2}, {5, 1});
  check_values(b.norm(1, {0}, true), {1, 2}, {3, 5});
  check_values(ember::norm(b, std::nullopt, {1}), {2}, {5, 1});  // nullopt means 2
  Tensor a = input_a();
  check_values(a.norm(), {}, {11.567735301259274});  // libtorch
  check_values(a.norm(1, {2}), {2, 3}, {6.75, 8, 5.5, 10.5, 8.25, 7.75});
  check_values(a.norm(kInf, {0, 1}), {4}, {4, 3, 4, 5});
  check_values(a.norm(-kInf, {2}, true), {2, 3, 1}, {0.25, 0.5, 0.5, 1, 0, 0.5});
  check_values(a.norm(0, {1}), {2, 4}, {3, 3, 3, 3, 2, 3, 3, 3});
  check_values(a.norm(3, {2}), {2, 3}, {3.7298923749514423, 4.2265140518600797, 3.0898733029328218,
                                        4.7566849549530525, 5.1600316610640693, 3.7669602150248038},
               1e-14);  // libtorch
  check_values(a.norm(0.5, {0}), {3, 4}, {6.6622776601683809, 9.8989794855663575, 14.98331477354788, 2.25, 4,
                                          2.9142135623730949, 7.4242346141747664, 13.324555320336758,
                                          8.7426406871192839, 7.2855339059327395, 2.4747448713915894,
                                          6.2995097567963931},
               1e-14);  // libtorch
  check_values(a.transpose(0, 2).norm(1, {0}), {3, 2}, {6.75, 10.5, 8, 8.25, 5.5, 7.75});  // non-contiguous
  check_values(ember::frobenius_norm(a, {1, 2}), {2}, {7.1545440106270926, 9.0898294813489215});  // libtorch
  check_values(ember::frobenius_norm(b), {}, {std::sqrt(26.0)});
  check_values(ember::frobenius_norm(b, {1}, true), {2, 1}, {5, 1});
  check_values(make({1, kNaN, 3}, {3}).norm(kInf), {}, {kNaN});
  check_values(ember::empty({0}).norm(), {}, {0});
  check_values(ember::empty({2, 0}).norm(1, {1}), {2}, {0, 0});
  check_values(ember::ones({1 << 20}).norm(), {}, {1024});  // float32 input, accumulated in double
  check_values(ember::ones({1 << 20}).norm(0), {}, {1 << 20});
  REQUIRE_THROWS_AS(ember::empty({0}).norm(kInf), ember::IndexError);
  CHECK_THAT(message_of([] { ember::empty({2, 0}).norm(-kInf, {1}); }), Catch::Contains("[ember::norm]"));
  // dtype: computes in the given dtype, and accepts integer inputs then (libtorch).
  CHECK(ember::norm(b, 2, ember::kFloat).dtype() == ember::kFloat);
  check_values(ember::norm(b.to(ember::kFloat), 2, {1}, false, ember::kDouble), {2}, {5, 1});
  Tensor i = ember::tensor({1, 2});
  check_values(ember::norm(i, 2, {0}, false, ember::kFloat), {}, {std::sqrt(5.0)}, 1e-7);
  CHECK(ember::ones({2}).norm().dtype() == ember::kFloat);
}

TEST_CASE("norm: gradients at zero and at ties", "[scan][norm][grad]") {
  auto opts = ember::TensorOptions().dtype(ember::kDouble).requires_grad(true);
  Tensor z = ember::zeros({3}, opts);
  z.norm().backward();
  check_values(z.grad(), {3}, {0, 0, 0});  // 0, not NaN, as libtorch
  Tensor zr = make({0, 0, 3, 4}, {2, 2}).requires_grad_(true);
  zr.norm(2, {1}).sum().backward();
  check_values(zr.grad(), {2, 2}, {0, 0, 0.6, 0.8});
  Tensor t = ember::tensor({3.0, -3.0, 1.0}, opts);
  t.norm(kInf).backward();
  check_values(t.grad(), {3}, {0.5, -0.5, 0});  // libtorch: shared among ties
  Tensor one = ember::tensor({3.0, 0.0, -1.0}, opts);
  one.norm(1).backward();
  check_values(one.grad(), {3}, {1, 0, -1});
  Tensor p0 = ember::tensor({3.0, 0.0, 1.0}, opts);
  Tensor n0 = p0.norm(0);
  CHECK(n0.requires_grad());
  n0.backward();
  CHECK_FALSE(p0.grad().defined());  // libtorch: no gradient for p = 0
  Tensor x = input_a().requires_grad_(true);
  Tensor w = ember::arange(24, ember::TensorOptions().dtype(ember::kDouble)).reshape({2, 3, 4}) * 0.1 - 1;
  check_values(grad_of(x, x.norm(3, {2}), w.select(2, 0)), {2, 3, 4},
               {-0.071879889189067264, 0.28751955675626906, -0.88052864256607399, -0.004492493074316704,
                -0.53741105824975866, -0.008397047785152479, 0.075573430066372307, -0.13435276456243966,
                0.18853464221285013, -0.032731708717508703, -0.011783415138303133, 0.0052370733948013922,
                0.055246050580174871, 0.079554312835451821, -0.14142988948524768, 0.0088393680928279799, 0,
                -0.022534426906045752, 0.11408053621185663, 0.56336067265114376, 0.15856248785839577,
                -0.44045135516221046, 0.017618054206488418, 0.74436279022413565},
               1e-12);  // libtorch
  check_values(grad_of(x, x.norm(kInf, {2}), w.select(2, 0)), {2, 3, 4},
               {0, 0, -1, 0, -0.6, 0, 0, 0, 0.2, 0, 0, 0, 0, 0, -0.2, 0, 0, 0, 0, 0.6, 0, 0, 0, 1});  // libtorch
  check_values(grad_of(x, x.norm(0.5, {0}), w.select(0, 0)), {2, 3, 4},
               {-2.58113883008419, 2.0022703842524301, -1.6552359741197582, -2.0999999999999996, -0.6,
                -1.2071067811865475, 0.88989794855663551, -0.77434164902525671, 0.34142135623730946,
                -0.24142135623730945, 0, -0.35495097567963951, -1.6324555320336762, -1.6348469228349538,
                1.5483314773547883, -1.0499999999999998, 0, 0.85355339059327373, -0.72659863237109024,
                -0.48973665961010271, -0.48284271247461891, 0.17071067811865473, 0, 0.13922322702763695},
               1e-12);  // libtorch
}

TEST_CASE("var, std, norm: errors name the op", "[scan][errors]") {
  Tensor i = ember::tensor({1, 2, 3});
  REQUIRE_THROWS_AS(i.var(), ember::DTypeError);
  CHECK_THAT(message_of([&] { i.var(); }), Catch::Contains("[ember::var]") && Catch::Contains("floating point"));
  REQUIRE_THROWS_AS(i.std(), ember::DTypeError);
  CHECK_THAT(message_of([&] { i.std(); }), Catch::Contains("[ember::std]"));
  REQUIRE_THROWS_AS(ember::var_mean(i), ember::DTypeError);
  REQUIRE_THROWS_AS(i.norm(), ember::DTypeError);
  CHECK_THAT(message_of([&] { i.norm(); }), Catch::Contains("[ember::norm]") && Catch::Contains("Long"));
  REQUIRE_THROWS_AS(ember::frobenius_norm(i), ember::DTypeError);
  Tensor x = ember::ones({2, 3});
  REQUIRE_THROWS_AS(x.var(2), ember::IndexError);
  CHECK_THAT(message_of([&] { x.var(2); }), Catch::Contains("[ember::var]"));
  REQUIRE_THROWS_AS(x.std({0, -3}), ember::IndexError);
  REQUIRE_THROWS_AS(x.norm(2, {5}), ember::IndexError);
  CHECK_THAT(message_of([&] { x.norm(2, {5}); }), Catch::Contains("[ember::norm]") && Catch::Contains("out of range"));
  REQUIRE_THROWS_AS(x.var({0, 0}), ember::Error);
  CHECK_THAT(message_of([&] { x.var({0, 0}); }), Catch::Contains("multiple times"));
  REQUIRE_THROWS_AS(ember::frobenius_norm(ember::ones({2, 2, 2}), {0, 1, 2}), ember::ShapeError);
  CHECK_THAT(message_of([] { ember::frobenius_norm(ember::ones({2, 2, 2}), {0, 1, 2}); }),
             Catch::Contains("[ember::frobenius_norm]") && Catch::Contains("at most 2"));
}
