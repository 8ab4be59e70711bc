// Forward values of the first slice's elementwise ops: binary arithmetic, operators,
// in-place and out= forms, unary math, clamp. Comparisons and where are in
// test_compare.cpp.
#include <cmath>
#include <limits>

#include "core_helpers.h"

using namespace ember;
using core_test::close;
using core_test::ivalues;
using core_test::shape;
using core_test::values;

namespace {
using V = std::vector<double>;
using I = std::vector<int64_t>;
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();
}  // namespace

TEST_CASE("elementwise: add and sub with alpha and broadcasting", "[elementwise]") {
  Tensor a = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  Tensor b = tensor({10.0, 20.0, 30.0});
  CHECK(values(add(a, b)) == V{11, 22, 33, 14, 25, 36});
  CHECK(values(add(a, b, 0.5)) == V{6, 12, 18, 9, 15, 21});
  CHECK(values(a.add(2)) == V{3, 4, 5, 6, 7, 8});
  CHECK(values(a.add(2, 3)) == V{7, 8, 9, 10, 11, 12});
  CHECK(values(sub(a, b)) == V{-9, -18, -27, -6, -15, -24});
  CHECK(values(sub(a, b, 2)) == V{-19, -38, -57, -16, -35, -54});
  CHECK(values(a.sub(1.5)) == V{-0.5, 0.5, 1.5, 2.5, 3.5, 4.5});
  CHECK(values(rsub(a, 10)) == V{9, 8, 7, 6, 5, 4});
  CHECK(values(rsub(a, b, 2)) == V{8, 16, 24, 2, 10, 18});
  // Broadcasting both ways: [2,1] with [3] gives [2,3].
  Tensor col = tensor({{1.0}, {2.0}});
  Tensor s = col + tensor({0.5, 1.5, 2.5});
  CHECK(shape(s) == std::vector<int64_t>{2, 3});
  CHECK(values(s) == V{1.5, 2.5, 3.5, 2.5, 3.5, 4.5});
  // Integers stay integers; alpha must be integral for them.
  Tensor i = tensor({1, 2, 3});
  CHECK(ivalues(add(i, i, 3)) == I{4, 8, 12});
  CHECK(add(i, i, 3).dtype() == kLong);
  REQUIRE_EMBER_ERROR(add(i, i, 0.5), DTypeError, "add", "alpha", "Long");
  // bool + bool is logical or; bool - bool is an error (libtorch's message).
  Tensor t = tensor({true, false, false}), f = tensor({true, true, false});
  CHECK(ivalues(t + f) == I{1, 1, 0});
  REQUIRE_EMBER_ERROR(t - f, DTypeError, "sub", "two bool tensors", "logical_xor");
  // uint8 wraps around (libtorch: 1 - 2 = 255).
  CHECK(ivalues(tensor({1}, dtype(kByte)) - tensor({2}, dtype(kByte))) == I{255});
}

TEST_CASE("elementwise: mul, div, true division of integers", "[elementwise]") {
  Tensor a = tensor({1.5, -2.0, 4.0});
  CHECK(values(mul(a, a)) == V{2.25, 4, 16});
  CHECK(values(a.mul(2)) == V{3, -4, 8});
  CHECK(values(a.div(tensor({3.0, 4.0, -8.0}))) == V{0.5, -0.5, -0.5});
  CHECK(values(a / 0.0) == V{kInf, -kInf, kInf});
  CHECK(std::isnan(values(zeros({1}) / 0.0)[0]));
  // libtorch 1.13: {7, -7} / {2, 2} = {3.5, -3.5} as Float.
  Tensor q = tensor({7, -7}) / tensor({2, 2});
  CHECK(q.dtype() == kFloat);
  CHECK(values(q) == V{3.5, -3.5});
  CHECK(values(tensor({1, 2}) / 4) == V{0.25, 0.5});
  CHECK(values(tensor({1}) / tensor({0})) == V{kInf});
  CHECK(ivalues(tensor({3, -4}) * tensor({-2, 5})) == I{-6, -20});
  CHECK(ivalues(tensor({true, true}) * tensor({true, false})) == I{1, 0});
}

TEST_CASE("elementwise: pow in both orders", "[elementwise]") {
  // libtorch 1.13 values.
  CHECK(values(pow(tensor({4.0, 9.0}), 0.5)) == V{2, 3});
  CHECK(close(values(pow(2.0, tensor({-1.0, 0.5}))), V{0.5, 1.4142135381698608}));
  Tensor ii = pow(tensor({2, 3, -2}), tensor({3, 0, 3}));
  CHECK(ii.dtype() == kLong);
  CHECK(ivalues(ii) == I{8, 1, -8});
  CHECK(ivalues(pow(2, tensor({0, 1, 10}))) == I{1, 2, 1024});
  CHECK(values(tensor({1.5, 2.0}).pow(tensor({2.0, -1.0}))) == V{2.25, 0.5});
  CHECK(values(tensor({2, 3}).pow(2.0)) == V{4, 9});
  CHECK(std::isnan(values(tensor({-8.0}).pow(1.0 / 3))[0]));  // real pow of a negative base
  // Integer tensors to a negative integer scalar power: libtorch's error. A tensor of
  // exponents is computed like C integer pow (1 / 2 truncates to 0), as libtorch does.
  REQUIRE_EMBER_ERROR(pow(tensor({2}), -1), Error, "pow", "negative integer powers");
  CHECK(ivalues(pow(tensor({2, 1, -1}), tensor({-1, -3, -3}))) == I{0, 1, -1});
  CHECK(ivalues(pow(2, tensor({-1}))) == I{0});
  CHECK(values(pow(tensor({2}), -1.0)) == V{0.5});  // a float exponent promotes
}

TEST_CASE("elementwise: maximum and minimum propagate NaN", "[elementwise]") {
  // libtorch 1.13: {nan, nan, 3} and {nan, nan, 1}.
  Tensor a = tensor({1.0, kNaN, 3.0}), b = tensor({kNaN, 2.0, 1.0});
  CHECK(close(values(maximum(a, b)), V{kNaN, kNaN, 3}));
  CHECK(close(values(minimum(a, b)), V{kNaN, kNaN, 1}));
  CHECK(ivalues(maximum(tensor({1, 5}), tensor({3, 2}))) == I{3, 5});
  CHECK(ivalues(minimum(tensor({1, 5}), tensor({3, 2}))) == I{1, 2});
  CHECK(close(values(a.maximum(tensor({2.0}))), V{2, kNaN, 3}));
  CHECK(close(values(a.minimum(tensor({2.0}))), V{1, kNaN, 2}));
  CHECK(values(maximum(tensor({{1.0}, {4.0}}), tensor({2.0, 3.0}))) == V{2, 3, 4, 4});
}

TEST_CASE("elementwise: remainder has the divisor's sign", "[elementwise]") {
  // libtorch 1.13 values.
  CHECK(values(remainder(tensor({-3.0, 3.0, -3.5, 3.5, 0.0}), tensor({2.0, -2.0, 2.0, -2.0, -2.0}))) ==
        V{1, -1, 0.5, -0.5, 0});
  CHECK(ivalues(remainder(tensor({-7, 7, -7, 7, 6}), tensor({3, 3, -3, -3, 3}))) == I{2, 1, -1, -2, 0});
  CHECK(values(remainder(tensor({-1.25, 5.5}), 2)) == V{0.75, 1.5});
  CHECK(values(tensor({5.0}).remainder(tensor({1.5}))) == V{0.5});
  // Integer remainder by zero: libtorch raises ZeroDivisionError (a crash before).
  REQUIRE_EMBER_ERROR(remainder(tensor({5}), tensor({0})), Error, "remainder", "ZeroDivisionError");
  REQUIRE_EMBER_ERROR(remainder(tensor({5}, dtype(kInt)), 0), Error, "remainder", "ZeroDivisionError");
  CHECK(ivalues(remainder(tensor({std::numeric_limits<int64_t>::min()}), -1)) == I{0});
  CHECK(std::isnan(values(remainder(tensor({1.0}), 0.0))[0]));
}

TEST_CASE("elementwise: operators, both orders with scalars", "[elementwise]") {
  Tensor a = tensor({1.0, 2.0, 4.0});
  CHECK(values(a + a) == V{2, 4, 8});
  CHECK(values(a + 1) == V{2, 3, 5});
  CHECK(values(1 + a) == V{2, 3, 5});
  CHECK(values(a - 1) == V{0, 1, 3});
  CHECK(values(1 - a) == V{0, -1, -3});
  CHECK(values(a * 0.5) == V{0.5, 1, 2});
  CHECK(values(0.5 * a) == V{0.5, 1, 2});
  CHECK(values(a / 2) == V{0.5, 1, 2});
  CHECK(values(2 / a) == V{2, 1, 0.5});
  CHECK(values(a - a * a / a) == V{0, 0, 0});
  CHECK(values(-a) == V{-1, -2, -4});
  CHECK(ivalues(-tensor({3, -4})) == I{-3, 4});
  CHECK(values(1 / tensor({2, 4})) == V{0.5, 0.25});  // integer tensor, true division
  CHECK((1 / tensor({2, 4})).dtype() == kFloat);
  CHECK(ivalues(10 - tensor({3, 4})) == I{7, 6});
  REQUIRE_EMBER_ERROR(-tensor({true}), DTypeError, "neg", "`~`");
}

TEST_CASE("elementwise: in-place forms", "[elementwise]") {
  Tensor a = tensor({1.0, 2.0, 3.0});
  a.add_(tensor({1.0, 1.0, 1.0}), 2);
  CHECK(values(a) == V{3, 4, 5});
  a.sub_(1);
  CHECK(values(a) == V{2, 3, 4});
  a.mul_(tensor({2.0, 0.5, 1.0}));
  CHECK(values(a) == V{4, 1.5, 4});
  a.div_(2);
  CHECK(values(a) == V{2, 0.75, 2});
  a.pow_(2);
  CHECK(values(a) == V{4, 0.5625, 4});
  a.clamp_(1, 3);
  CHECK(values(a) == V{3, 1, 3});
  a += 1;
  a -= tensor({1.0});
  a *= 3;
  a /= tensor({3.0, 1.0, 3.0});
  CHECK(values(a) == V{3, 3, 3});
  // In-place with broadcasting of the other operand, into a non-contiguous self.
  Tensor m = zeros({2, 3});
  Tensor mt = m.t();
  mt.add_(tensor({1.0, 2.0}));
  CHECK(values(m) == V{1, 1, 1, 2, 2, 2});
  // Integer self: the result type must be castable to Long (libtorch's message).
  Tensor i = tensor({1, 2});
  i.add_(3);
  i.mul_(tensor({2, 2}));
  CHECK(ivalues(i) == I{8, 10});
  i.sub_(tensor({true, false}));
  CHECK(ivalues(i) == I{7, 10});
  REQUIRE_EMBER_ERROR(i.add_(2.5), DTypeError, "add_", "result type Float can't be cast to the desired output type Long");
  REQUIRE_EMBER_ERROR(i.sub_(0.5), DTypeError, "sub_", "Float", "Long");
  REQUIRE_EMBER_ERROR(i.mul_(2.5), DTypeError, "mul_", "Float", "Long");
  REQUIRE_EMBER_ERROR(i.div_(2), DTypeError, "div_", "Float", "Long");
  REQUIRE_EMBER_ERROR(i.div_(tensor({2})), DTypeError, "div_", "Float", "Long");
  REQUIRE_EMBER_ERROR(i.mul_(tensor({1.5})), DTypeError, "mul_", "Float", "Long");
  REQUIRE_EMBER_ERROR(i.pow_(0.5), DTypeError, "pow_", "Float", "Long");
  REQUIRE_EMBER_ERROR(i.clamp_(0.5), DTypeError, "clamp_", "Float", "Long");
  REQUIRE_EMBER_ERROR(i.exp_(), DTypeError, "exp", "Float", "Long");
  CHECK(ivalues(i) == I{7, 10});  // failed in-place ops leave self untouched
  Tensor b = tensor({true});
  REQUIRE_EMBER_ERROR(b.add_(1), DTypeError, "add_", "Long can't be cast to the desired output type Bool");
  // The result must keep self's shape.
  REQUIRE_EMBER_ERROR(tensor({1.0}).add_(tensor({1.0, 2.0})), ShapeError, "add_", "[1]", "[2]");
  // A float self accepts a double operand (same kind).
  Tensor f = tensor({1.0f});
  f.add_(tensor({0.5}, dtype(kDouble)));
  CHECK(f.dtype() == kFloat);
  CHECK(values(f) == V{1.5});
}

TEST_CASE("elementwise: out= variants", "[elementwise]") {
  Tensor a = tensor({1.0, 2.0}), b = tensor({3.0, 5.0});
  Tensor out = empty({2});
  add_out(out, a, b, 2);
  CHECK(values(out) == V{7, 12});
  sub_out(out, a, b);
  CHECK(values(out) == V{-2, -3});
  mul_out(out, a, b);
  CHECK(values(out) == V{3, 10});
  div_out(out, b, a);
  CHECK(values(out) == V{3, 2.5});
  pow_out(out, a, tensor({2.0, 3.0}));
  CHECK(values(out) == V{1, 8});
  maximum_out(out, a, tensor({1.5, 1.5}));
  CHECK(values(out) == V{1.5, 2});
  minimum_out(out, a, tensor({1.5, 1.5}));
  CHECK(values(out) == V{1, 1.5});
  exp_out(out, zeros({2}));
  CHECK(values(out) == V{1, 1});
  // out is resized to the result's shape and keeps its dtype.
  Tensor o2 = empty({0}, dtype(kDouble));
  add_out(o2, tensor({{1.0}, {2.0}}), a);
  CHECK(shape(o2) == std::vector<int64_t>{2, 2});
  CHECK(o2.dtype() == kDouble);
  CHECK(values(o2) == V{2, 3, 3, 4});
  // An out= tensor of a narrower kind is an error; a wider one is fine.
  Tensor ol = empty({2}, dtype(kLong));
  REQUIRE_EMBER_ERROR(div_out(ol, tensor({1, 2}), tensor({2, 2})), DTypeError, "div_out", "Float", "Long");
  Tensor od = empty({2}, dtype(kDouble));
  add_out(od, tensor({1, 2}), tensor({3, 4}));
  CHECK(values(od) == V{4, 6});
  Tensor x = ones({2}, requires_grad());
  REQUIRE_EMBER_ERROR(add_out(out, x, a), Error, "add_out", "automatic differentiation");
}

TEST_CASE("elementwise: unary math", "[elementwise]") {
  const V xs = {0.25, 0.5, 1.0, 2.0};
  Tensor x = tensor({0.25, 0.5, 1.0, 2.0}, dtype(kDouble));
  auto map = [&](double (*f)(double)) {
    V r;
    for (double v : xs) r.push_back(f(v));
    return r;
  };
  CHECK(close(values(exp(x)), map([](double v) { return std::exp(v); }), 1e-12));
  CHECK(close(values(log(x)), map([](double v) { return std::log(v); }), 1e-12));
  CHECK(close(values(log1p(x)), map([](double v) { return std::log1p(v); }), 1e-12));
  CHECK(close(values(expm1(x)), map([](double v) { return std::expm1(v); }), 1e-12));
  CHECK(close(values(sqrt(x)), V{0.5, std::sqrt(0.5), 1, std::sqrt(2.0)}, 1e-12));
  CHECK(close(values(rsqrt(x)), V{2, std::sqrt(2.0), 1, 1 / std::sqrt(2.0)}, 1e-12));
  CHECK(close(values(sin(x)), map([](double v) { return std::sin(v); }), 1e-12));
  CHECK(close(values(cos(x)), map([](double v) { return std::cos(v); }), 1e-12));
  CHECK(close(values(tan(x)), map([](double v) { return std::tan(v); }), 1e-12));
  CHECK(close(values(tanh(x)), map([](double v) { return std::tanh(v); }), 1e-12));
  CHECK(close(values(sigmoid(x)), map([](double v) { return 1 / (1 + std::exp(-v)); }), 1e-12));
  CHECK(close(values(reciprocal(x)), V{4, 2, 1, 0.5}, 1e-12));
  CHECK(close(values(log2(x)), V{-2, -1, 0, 1}, 1e-12));
  CHECK(close(values(log10(tensor({0.01, 1000.0}))), V{-2, 3}, 1e-6));
  CHECK(close(values(erf(x)), map([](double v) { return std::erf(v); }), 1e-12));
  CHECK(values(square(x)) == V{0.0625, 0.25, 1, 4});
  Tensor y = tensor({-2.5, -0.0, 0.0, 3.0});
  CHECK(values(abs(y)) == V{2.5, 0, 0, 3});
  CHECK(values(sign(y)) == V{-1, 0, 0, 1});
  CHECK(values(relu(y)) == V{0, 0, 0, 3});
  CHECK(values(neg(y)) == V{2.5, 0, 0, -3});
  CHECK(values(negative(y)) == V{2.5, 0, 0, -3});
  CHECK(std::isnan(values(log(tensor({-1.0})))[0]));
  CHECK(values(log(tensor({0.0}))) == V{-kInf});
  // Integer inputs: math ops give the default float dtype, the others keep the dtype.
  Tensor i = tensor({-2, 0, 3});
  CHECK(exp(i).dtype() == kFloat);
  CHECK(close(values(exp(i)), V{std::exp(-2.0), 1, std::exp(3.0)}));
  CHECK(abs(i).dtype() == kLong);
  CHECK(ivalues(abs(i)) == I{2, 0, 3});
  CHECK(ivalues(sign(i)) == I{-1, 0, 1});
  CHECK(ivalues(relu(i)) == I{0, 0, 3});
  CHECK(ivalues(square(i)) == I{4, 0, 9});
  // Method and in-place forms.
  Tensor z = tensor({1.0, 4.0});
  CHECK(values(z.sqrt()) == V{1, 2});
  z.sqrt_();
  CHECK(values(z) == V{1, 2});
  z.neg_().abs_().log_();
  CHECK(close(values(z), V{0, std::log(2.0)}));
}

TEST_CASE("elementwise: rounding", "[elementwise]") {
  // libtorch 1.13: round is half to even.
  Tensor x = tensor({0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001});
  CHECK(values(round(x)) == V{0, 2, 2, -0.0, -2, -2, 2, 3});
  CHECK(std::signbit(values(round(tensor({-0.5})))[0]));
  Tensor y = tensor({-2.5, -1.2, 1.2, 2.5});
  CHECK(values(floor(y)) == V{-3, -2, 1, 2});
  CHECK(values(ceil(y)) == V{-2, -1, 2, 3});
  CHECK(values(trunc(y)) == V{-2, -1, 1, 2});
  Tensor i = tensor({-3, 7});
  CHECK(round(i).dtype() == kLong);
  CHECK(ivalues(floor(i)) == I{-3, 7});
  Tensor z = tensor({2.5, 3.5});
  z.round_();
  CHECK(values(z) == V{2, 4});
}

TEST_CASE("elementwise: clamp", "[elementwise]") {
  Tensor x = tensor({-2.0, 0.5, 3.0});
  // libtorch 1.13 values.
  CHECK(values(x.clamp(0.0)) == V{0, 0.5, 3});
  CHECK(values(x.clamp(std::nullopt, 1.0)) == V{-2, 0.5, 1});
  CHECK(values(clamp(x, -1, 1)) == V{-1, 0.5, 1});
  CHECK(values(clamp(x, 2.0, 1.0)) == V{1, 1, 1});  // min > max gives max
  CHECK(values(clamp_min(x, 1)) == V{1, 1, 3});
  CHECK(values(clamp_max(x, 0)) == V{-2, 0, 0});
  CHECK(values(x.clamp_min(1)) == V{1, 1, 3});
  CHECK(values(x.clamp_max(0)) == V{-2, 0, 0});
  CHECK(values(clip(x, -1, 1)) == V{-1, 0.5, 1});
  CHECK(std::isnan(values(clamp(tensor({kNaN}), 0, 1))[0]));
  // Integers: integral bounds keep the dtype; a float bound promotes (libtorch 1.13).
  Tensor i = tensor({1, 2, 5});
  CHECK(ivalues(i.clamp(2, 4)) == I{2, 2, 4});
  CHECK(i.clamp(2).dtype() == kLong);
  Tensor p = i.clamp(1.5);
  CHECK(p.dtype() == kFloat);
  CHECK(values(p) == V{1.5, 2, 5});
  REQUIRE_EMBER_ERROR(x.clamp(), Error, "clamp", "At least one of 'min' or 'max'");
  REQUIRE_EMBER_ERROR(tensor({true}).clamp(0), DTypeError, "clamp", "Bool");
}

TEST_CASE("elementwise: integer arithmetic wraps around like libtorch", "[elementwise]") {
  // Two's-complement wrap-around (what libtorch's kernels produce), without relying on
  // undefined signed overflow in ember's kernels.
  const int64_t mx = std::numeric_limits<int64_t>::max(), mn = std::numeric_limits<int64_t>::min();
  CHECK(ivalues(tensor({mx}) + 1) == I{mn});
  CHECK(ivalues(tensor({mn}) - 1) == I{mx});
  CHECK(ivalues(tensor({mn}) - tensor({1}) * 2) == I{mx - 1});
  CHECK(ivalues(add(tensor({mx}), tensor({mx}), 2)) == I{mx - 2});  // mx + 2 * mx = 3 * mx
  CHECK(ivalues(-tensor({mn})) == I{mn});
  CHECK(ivalues(abs(tensor({mn}))) == I{mn});
  CHECK(ivalues(tensor({int64_t(1) << 62}) * 4) == I{0});
  CHECK(ivalues(square(tensor({int64_t(1) << 32}))) == I{0});
  CHECK(ivalues(pow(tensor({2}), 62)) == I{int64_t(1) << 62});
  CHECK(ivalues(pow(tensor({2}), 64)) == I{0});
  uint64_t p3 = 1;
  for (int i = 0; i < 41; ++i) p3 *= 3;
  CHECK(ivalues(pow(tensor({3}), 41)) == I{static_cast<int64_t>(p3)});
  CHECK(ivalues(tensor({std::numeric_limits<int32_t>::max()}, dtype(kInt)) + 1) ==
        I{std::numeric_limits<int32_t>::min()});
  CHECK(ivalues(tensor({65536}, dtype(kInt)) * tensor({65536}, dtype(kInt))) == I{0});
  CHECK(tensor({mx, int64_t(1)}).sum().item<int64_t>() == mn);
  CHECK(ivalues(tensor({{mx, mx}, {int64_t(2), int64_t(2)}}).sum(0)) == I{mn + 1, mn + 1});
  CHECK(ivalues(tensor({250, 10}, dtype(kByte)) + tensor({10, 250}, dtype(kByte))) == I{4, 4});
}
