// Error paths: each raises the ember error subclass that names the problem, with a
// message that starts with "[ember::<op>]" and names the offending shapes or dtypes.
#include "core_helpers.h"

using namespace ember;

TEST_CASE("errors: the hierarchy", "[errors]") {
  // Every subclass is an ember::Error, which is a std::runtime_error.
  CHECK_THROWS_AS(zeros({2}) + zeros({3}), Error);
  CHECK_THROWS_AS(zeros({2}) + zeros({3}), std::runtime_error);
  try {
    zeros({2}).view({3});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(dynamic_cast<const ShapeError*>(&e) != nullptr);
    CHECK(dynamic_cast<const DTypeError*>(&e) == nullptr);
  }
}

TEST_CASE("errors: shape mismatch in binary ops", "[errors]") {
  Tensor a = zeros({2, 3}), b = zeros({4, 3});
  REQUIRE_EMBER_ERROR(a + b, ShapeError, "add", "[2, 3]", "[4, 3]");
  REQUIRE_EMBER_ERROR(a - b, ShapeError, "sub", "[2, 3]", "[4, 3]");
  REQUIRE_EMBER_ERROR(a * b, ShapeError, "mul", "[2, 3]", "[4, 3]");
  REQUIRE_EMBER_ERROR(a / b, ShapeError, "div", "[2, 3]", "[4, 3]");
  REQUIRE_EMBER_ERROR(pow(a, b), ShapeError, "pow", "[2, 3]", "[4, 3]");
  REQUIRE_EMBER_ERROR(maximum(a, zeros({2})), ShapeError, "maximum", "[2, 3]", "[2]");
  REQUIRE_EMBER_ERROR(remainder(a, zeros({5})), ShapeError, "remainder", "[5]");
  REQUIRE_EMBER_ERROR(a < b, ShapeError, "lt", "[2, 3]", "[4, 3]");
  REQUIRE_EMBER_ERROR(logical_and(a, b), ShapeError, "logical_and", "[4, 3]");
  REQUIRE_EMBER_ERROR(where(a > 0, a, b), ShapeError, "where", "[2, 3]", "[4, 3]");
  // In-place forms name the in-place op, for incompatible and for growing shapes.
  REQUIRE_EMBER_ERROR(a.add_(b), ShapeError, "add_", "[2, 3]", "[4, 3]");
  REQUIRE_EMBER_ERROR(a.mul_(zeros({2, 2, 3})), ShapeError, "mul_", "[2, 3]", "[2, 2, 3]");
  REQUIRE_EMBER_ERROR(a.copy_(b), ShapeError, "copy_", "[4, 3]", "[2, 3]");
  REQUIRE_EMBER_ERROR(a.masked_fill_(zeros({4, 3}, dtype(kBool)), 1), ShapeError, "masked_fill", "[4, 3]");
  Tensor out = empty({0});
  REQUIRE_EMBER_ERROR(add_out(out, a, b), ShapeError, "add", "[2, 3]", "[4, 3]");
}

TEST_CASE("errors: shape mismatch in matrix products", "[errors]") {
  REQUIRE_EMBER_ERROR(mm(zeros({2, 3}), zeros({4, 5})), ShapeError, "mm", "cannot multiply [2, 3] by [4, 5]",
                      "inner sizes 3 and 4 differ");
  REQUIRE_EMBER_ERROR(mm(zeros({2, 3, 1}), zeros({1, 5})), ShapeError, "mm", "[2, 3, 1]");
  REQUIRE_EMBER_ERROR(matmul(zeros({2, 3}), zeros({4})), ShapeError, "mv", "2x3", "(4)");
  REQUIRE_EMBER_ERROR(matmul(zeros({5, 2, 3}), zeros({4, 3, 2})), ShapeError, "matmul", "[5]", "[4]");
  REQUIRE_EMBER_ERROR(matmul(zeros({3}), zeros({4, 2})), ShapeError, "mm", "[1, 3]", "[4, 2]");
  REQUIRE_EMBER_ERROR(bmm(zeros({2, 2, 3}), zeros({2, 4, 2})), ShapeError, "bmm", "[2, 2, 3]", "[2, 4, 2]");
  REQUIRE_EMBER_ERROR(mm(zeros({2, 2}), zeros({2, 2}, dtype(kDouble))), DTypeError, "mm", "Float", "Double");
  REQUIRE_EMBER_ERROR(mm(zeros({2, 2}, dtype(kBool)), zeros({2, 2}, dtype(kBool))), DTypeError, "mm", "Bool");
}

TEST_CASE("errors: bad dim", "[errors]") {
  Tensor a = zeros({2, 3});
  REQUIRE_EMBER_ERROR(a.sum(2), IndexError, "sum", "[-2, 1]", "got 2");
  REQUIRE_EMBER_ERROR(a.sum(-3), IndexError, "sum", "got -3");
  REQUIRE_EMBER_ERROR(a.max(5), IndexError, "max", "got 5");
  REQUIRE_EMBER_ERROR(a.argmax(2), IndexError, "argmax", "got 2");
  REQUIRE_EMBER_ERROR(a.mean({4}), IndexError, "mean", "got 4");
  REQUIRE_EMBER_ERROR(a.transpose(0, 2), IndexError, "transpose", "got 2");
  REQUIRE_EMBER_ERROR(a.select(2, 0), IndexError, "select", "got 2");
  REQUIRE_EMBER_ERROR(a.size(2), IndexError, "size", "got 2");
  REQUIRE_EMBER_ERROR(a.unbind(-3), IndexError, "unbind", "got -3");
  REQUIRE_EMBER_ERROR(a.chunk(2, 3), IndexError, "chunk", "got 3");
}

TEST_CASE("errors: bad dtype for an op", "[errors]") {
  REQUIRE_EMBER_ERROR(ones({2}, dtype(kLong)).mean(), DTypeError, "mean", "Long");
  REQUIRE_EMBER_ERROR(ones({2}, dtype(kInt)).requires_grad_(), DTypeError, "requires_grad_", "Int",
                      "floating point");
  REQUIRE_EMBER_ERROR(ones({2}, dtype(kLong)).exp_(), DTypeError, "exp", "Float", "Long");
  REQUIRE_EMBER_ERROR(rand({2}, dtype(kBool)), DTypeError, "rand", "Bool");
  REQUIRE_EMBER_ERROR(ones({2}) | ones({2}), DTypeError, "bitwise_or", "Float");
  REQUIRE_EMBER_ERROR(where(ones({2}), ones({2}), ones({2})), DTypeError, "where", "Float");
  REQUIRE_EMBER_ERROR(ones({2}).data_ptr<int64_t>(), DTypeError, "data_ptr", "Long", "Float");
  REQUIRE_EMBER_ERROR(ones({2}, dtype(kBool)) - ones({2}, dtype(kBool)), DTypeError, "sub", "bool");
  REQUIRE_EMBER_ERROR(-ones({2}, dtype(kBool)), DTypeError, "neg", "bool");
}

TEST_CASE("errors: out-of-range indices", "[errors]") {
  Tensor a = arange(6).view({2, 3});
  REQUIRE_EMBER_ERROR(a.select(1, 3), IndexError, "select", "index 3", "dimension 1", "size 3", "[2, 3]");
  REQUIRE_EMBER_ERROR(a.select(0, -3), IndexError, "select", "index -3");
  REQUIRE_EMBER_ERROR(a[2], IndexError, "select", "index 2");
  REQUIRE_EMBER_ERROR(a.narrow(1, 1, 3), IndexError, "narrow", "start (1) + length (3)", "[2, 3]");
  REQUIRE_EMBER_ERROR(a.narrow(0, -3, 1), IndexError, "narrow", "start (-3)");
  REQUIRE_EMBER_ERROR(a.as_strided({2, 3}, {3, 2}), IndexError, "as_strided", "storage");
}

TEST_CASE("errors: views on incompatible strides", "[errors]") {
  Tensor t = zeros({4, 6}).t();
  REQUIRE_EMBER_ERROR(t.view({24}), ShapeError, "view", "[6, 4]", "[1, 6]", "[24]");
  REQUIRE_EMBER_ERROR(zeros({4, 6}).slice(1, 0, 4).view({16}), ShapeError, "view", "[4, 4]", "[6, 1]");
  CHECK(zeros({4, 6}).slice(1, 0, 6, 2).view({12}).stride(0) == 2);  // one uniform stride: viewable
  REQUIRE_EMBER_ERROR(zeros({4, 6}).view({5, 5}), ShapeError, "view", "[5, 5]", "24");
  REQUIRE_EMBER_ERROR(zeros({4, 6}).reshape({7, -1}), ShapeError, "reshape", "[7, -1]", "24");
  REQUIRE_EMBER_ERROR(zeros({2}).expand({3}), ShapeError, "expand", "[3]", "[2]");
}

TEST_CASE("errors: item on a tensor that is not one element", "[errors]") {
  REQUIRE_EMBER_ERROR(zeros({2}).item<float>(), ShapeError, "item", "2 elements", "[2]");
  REQUIRE_EMBER_ERROR(zeros({0}).item(), ShapeError, "item", "0 elements", "[0]");
  REQUIRE_EMBER_ERROR(zeros({2, 2}).item<double>(), ShapeError, "item", "4 elements", "[2, 2]");
  REQUIRE_EMBER_ERROR(Tensor().item<float>(), Error, "item", "undefined");
}

TEST_CASE("errors: undefined tensors are reported by name", "[errors]") {
  REQUIRE_EMBER_ERROR(add(Tensor(), ones({1})), Error, "add", "self", "undefined");
  REQUIRE_EMBER_ERROR(mul(ones({1}), Tensor()), Error, "mul", "other", "undefined");
  REQUIRE_EMBER_ERROR(exp(Tensor()), Error, "exp", "undefined");
  REQUIRE_EMBER_ERROR(sum(Tensor()), Error, "sum", "undefined");
  REQUIRE_EMBER_ERROR(ones({1}).copy_(Tensor()), Error, "copy_", "src");
}
