// Comparisons, logic, predicates, where and masked_fill (forward values).
#include <cmath>
#include <limits>

#include "core_helpers.h"

using namespace ember;
using core_test::ivalues;
using core_test::shape;
using core_test::values;

namespace {
using I = std::vector<int64_t>;
using V = std::vector<double>;
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();
}  // namespace

TEST_CASE("compare: eq, ne, lt, le, gt, ge and their operators", "[compare]") {
  Tensor a = tensor({1.0, 2.0, 3.0}), b = tensor({3.0, 2.0, 1.0});
  CHECK(eq(a, b).dtype() == kBool);
  CHECK(ivalues(eq(a, b)) == I{0, 1, 0});
  CHECK(ivalues(ne(a, b)) == I{1, 0, 1});
  CHECK(ivalues(lt(a, b)) == I{1, 0, 0});
  CHECK(ivalues(le(a, b)) == I{1, 1, 0});
  CHECK(ivalues(gt(a, b)) == I{0, 0, 1});
  CHECK(ivalues(ge(a, b)) == I{0, 1, 1});
  CHECK(ivalues(a == b) == I{0, 1, 0});
  CHECK(ivalues(a != b) == I{1, 0, 1});
  CHECK(ivalues(a < b) == I{1, 0, 0});
  CHECK(ivalues(a <= b) == I{1, 1, 0});
  CHECK(ivalues(a > b) == I{0, 0, 1});
  CHECK(ivalues(a >= b) == I{0, 1, 1});
  CHECK(ivalues(a > 1.5) == I{0, 1, 1});
  CHECK(ivalues(a.le(2)) == I{1, 1, 0});
  CHECK(ivalues(a.eq(b)) == I{0, 1, 0});
  CHECK(ivalues(a.ne(2)) == I{1, 0, 1});
  CHECK(ivalues(a.lt(b)) == I{1, 0, 0});
  CHECK(ivalues(a.ge(3)) == I{0, 0, 1});
  CHECK(ivalues(a.gt(b)) == I{0, 0, 1});
  // Mixed dtypes compare in the promoted type: int {2, 3} == 2.5 is all false (libtorch).
  CHECK(ivalues(tensor({2, 3}) == 2.5) == I{0, 0});
  CHECK(ivalues(tensor({2, 3}) < tensor({2.5, 2.5})) == I{1, 0});
  // Broadcasting, and NaN compares unequal to everything.
  CHECK(ivalues(tensor({{1}, {2}}) == tensor({1, 2, 3})) == I{1, 0, 0, 0, 1, 0});
  Tensor n = tensor({kNaN});
  CHECK(ivalues(n == n) == I{0});
  CHECK(ivalues(n != n) == I{1});
  CHECK(ivalues(n < 1) == I{0});
  REQUIRE_EMBER_ERROR(a == tensor({1.0, 2.0}), ShapeError, "eq", "[3]", "[2]");
}

TEST_CASE("compare: logical and bitwise ops", "[compare]") {
  Tensor p = tensor({true, true, false, false}), q = tensor({true, false, true, false});
  CHECK(ivalues(logical_and(p, q)) == I{1, 0, 0, 0});
  CHECK(ivalues(logical_or(p, q)) == I{1, 1, 1, 0});
  CHECK(ivalues(logical_xor(p, q)) == I{0, 1, 1, 0});
  CHECK(ivalues(logical_not(p)) == I{0, 0, 1, 1});
  CHECK(ivalues(p && q) == I{1, 0, 0, 0});
  CHECK(ivalues(p || q) == I{1, 1, 1, 0});
  CHECK(ivalues(p.logical_and(q)) == I{1, 0, 0, 0});
  CHECK(ivalues(p.logical_or(q)) == I{1, 1, 1, 0});
  CHECK(ivalues(p.logical_not()) == I{0, 0, 1, 1});
  CHECK(ivalues(~p) == I{0, 0, 1, 1});
  // Non-bool inputs count non-zero as true (libtorch: xor({0,1,2}, {0,0,5}) = {0,1,0}).
  Tensor x = logical_xor(tensor({0.0, 1.0, 2.0}), tensor({0, 0, 5}));
  CHECK(x.dtype() == kBool);
  CHECK(ivalues(x) == I{0, 1, 0});
  CHECK(ivalues(logical_not(tensor({0.0, -2.5}))) == I{1, 0});
  CHECK(ivalues(tensor({12, 10}) & tensor({10, 6})) == I{8, 2});
  CHECK(ivalues(tensor({12, 10}) | tensor({10, 6})) == I{14, 14});
  CHECK(ivalues(tensor({12, 10}) ^ tensor({10, 6})) == I{6, 12});
  CHECK(ivalues(~tensor({0, 5})) == I{-1, -6});
  CHECK(ivalues(p ^ q) == I{0, 1, 1, 0});
  REQUIRE_EMBER_ERROR(tensor({1.0}) & tensor({1.0}), DTypeError, "bitwise_and", "Float");
}

TEST_CASE("compare: isnan, isinf, isfinite", "[compare]") {
  Tensor x = tensor({1.0, kNaN, kInf, -kInf, 0.0});
  CHECK(ivalues(isnan(x)) == I{0, 1, 0, 0, 0});
  CHECK(ivalues(isinf(x)) == I{0, 0, 1, 1, 0});
  CHECK(ivalues(isfinite(x)) == I{1, 0, 0, 0, 1});
  CHECK(ivalues(x.isnan()) == I{0, 1, 0, 0, 0});
  CHECK(ivalues(x.isinf()) == I{0, 0, 1, 1, 0});
  CHECK(ivalues(x.isfinite()) == I{1, 0, 0, 0, 1});
  Tensor i = tensor({1, 2});
  CHECK(ivalues(isnan(i)) == I{0, 0});
  CHECK(ivalues(isinf(i)) == I{0, 0});
  CHECK(ivalues(isfinite(i)) == I{1, 1});
  CHECK(isnan(i).dtype() == kBool);
}

TEST_CASE("compare: any and all", "[compare]") {
  Tensor m = tensor({{true, false, false}, {true, true, true}});
  CHECK(m.dtype() == kBool);
  CHECK(ivalues(m) == I{1, 0, 0, 1, 1, 1});
  CHECK(m.any().item<bool>());
  CHECK_FALSE(m.all().item<bool>());
  CHECK(m.any().dim() == 0);
  CHECK(ivalues(m.all(1)) == I{0, 1});
  CHECK(ivalues(m.any(0)) == I{1, 1, 1});
  CHECK(ivalues(m.all(0)) == I{1, 0, 0});
  CHECK(shape(m.all(1, true)) == std::vector<int64_t>{2, 1});
  CHECK(ivalues(any(m, -1)) == I{1, 1});
  CHECK(all(tensor({1.0, -2.0})).item<bool>());
  CHECK_FALSE(all(tensor({1.0, 0.0})).item<bool>());
  CHECK_FALSE(any(zeros({3})).item<bool>());
  // Empty tensors: any is false, all is true.
  CHECK_FALSE(zeros({0}).any().item<bool>());
  CHECK(zeros({0}).all().item<bool>());
  // Non-contiguous input.
  CHECK(ivalues(m.t().all(1)) == I{1, 0, 0});
  REQUIRE_EMBER_ERROR(m.any(2), IndexError, "any", "got 2");
}

TEST_CASE("compare: where with broadcasting", "[compare]") {
  Tensor c = tensor({{true}, {false}});
  Tensor a = tensor({1.0, 2.0, 3.0});
  Tensor b = tensor({{-1.0, -2.0, -3.0}, {-4.0, -5.0, -6.0}});
  Tensor w = where(c, a, b);
  CHECK(shape(w) == std::vector<int64_t>{2, 3});
  CHECK(values(w) == V{1, 2, 3, -4, -5, -6});
  CHECK(values(where(tensor({true, false}), 7.0, tensor({1.0, 2.0}))) == V{7, 2});
  CHECK(values(where(tensor({true, false}), tensor({1.0, 2.0}), 0)) == V{1, 0});
  CHECK(ivalues(where(tensor({true, false}), 1, 0)) == I{1, 0});
  CHECK(values(a.where(a > 1.5, zeros({1}))) == V{0, 2, 3});
  // Mixed dtypes promote; a uint8 condition is accepted.
  Tensor wm = where(tensor({1, 0}, dtype(kByte)), tensor({1, 2}), tensor({0.5, 0.5}));
  CHECK(wm.dtype() == kFloat);
  CHECK(values(wm) == V{1, 0.5});
  REQUIRE_EMBER_ERROR(where(tensor({1.0}), a, a), DTypeError, "where", "Float");
  REQUIRE_EMBER_ERROR(where(tensor({true, false}), a, a), ShapeError, "where", "[2]", "[3]");
}

TEST_CASE("compare: masked_fill", "[compare]") {
  Tensor x = tensor({{1.0, 2.0}, {3.0, 4.0}});
  Tensor mask = tensor({true, false});  // broadcast over rows
  CHECK(values(x.masked_fill(mask, -1)) == V{-1, 2, -1, 4});
  CHECK(values(masked_fill(x, x > 2.5, full({}, 0.5))) == V{1, 2, 0.5, 0.5});
  CHECK(values(x) == V{1, 2, 3, 4});  // out of place
  x.masked_fill_(x < 2, 9);
  CHECK(values(x) == V{9, 2, 3, 4});
  x.masked_fill_(tensor({false, true}), full({}, 8.0));
  CHECK(values(x) == V{9, 8, 3, 8});
  // An integer tensor keeps its dtype: 2.5 becomes 2 (libtorch 1.13).
  Tensor i = tensor({1, 2});
  Tensor mi = i.masked_fill(tensor({true, true}), 2.5);
  CHECK(mi.dtype() == kLong);
  CHECK(ivalues(mi) == I{2, 2});
  REQUIRE_EMBER_ERROR(x.masked_fill(tensor({1, 0}), 0), DTypeError, "masked_fill", "Long");
  REQUIRE_EMBER_ERROR(x.masked_fill(mask, ones({2})), ShapeError, "masked_fill", "0-dimensional");
  REQUIRE_EMBER_ERROR(tensor({1.0}).masked_fill(mask, 0), ShapeError, "masked_fill", "[2]", "[1]");
}

TEST_CASE("compare: equal and allclose", "[compare]") {
  CHECK(equal(tensor({1, 2}), tensor({1, 2})));
  CHECK_FALSE(equal(tensor({1, 2}), tensor({1, 3})));
  CHECK_FALSE(equal(tensor({1, 2}), tensor({1, 2, 3})));
  CHECK(tensor({1.0}).equal(tensor({1.0})));
  CHECK(allclose(tensor({1.0, 2.0}), tensor({1.0 + 1e-7, 2.0})));
  CHECK_FALSE(allclose(tensor({1.0}), tensor({1.01})));
  CHECK(tensor({1.0}).allclose(tensor({1.01}), 0.1));
  CHECK_FALSE(allclose(tensor({kNaN}), tensor({kNaN})));
  CHECK(allclose(tensor({kNaN}), tensor({kNaN}), 1e-5, 1e-8, true));
  CHECK(allclose(tensor({kInf}), tensor({kInf})));
  CHECK(ivalues(isclose(tensor({1.0, 2.0}), tensor({1.0, 2.5}))) == I{1, 0});
}
