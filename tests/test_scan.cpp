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
