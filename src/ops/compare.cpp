// Comparisons and logic (bool results, no gradient), where() and masked_fill.
#include <cmath>

#include "src/ops/elementwise_common.h"

namespace ember {
using namespace ops;

namespace {

Tensor compare(BinaryOp op, const Tensor& a, const Tensor& b, const char* name) {
  EMBER_PROFILE_OP(name, a, b);
  detail::check_defined(a, name);
  detail::check_defined(b, name, "other");
  return binary_kernel(op, a, b, result_type(a, b), kBool, 1, name);
}
Tensor compare(BinaryOp op, const Tensor& a, const Scalar& b, const char* name) {
  EMBER_PROFILE_OP(name, a);
  detail::check_defined(a, name);
  ScalarType t = result_type(a, b);
  return binary_kernel(op, a, detail::scalar_to_tensor(b, t, a.device()), t, kBool, 1, name);
}

Tensor bitwise(BinaryOp op, const Tensor& a, const Tensor& b, const char* name) {
  detail::check_defined(a, name);
  detail::check_defined(b, name, "other");
  ScalarType t = result_type(a, b);
  EMBER_CHECK(!isFloatingType(t), DTypeError, name, "\"", name, "_cpu\" not implemented for '", t,
              "' (bitwise ops need integer or bool tensors)");
  return binary_kernel(op, a, b, t, t, 1, name);
}

}  // namespace

#define EMBER_CMP_DEF(fn, OP)                                                                  \
  Tensor fn(const Tensor& a, const Tensor& b) { return compare(BinaryOp::OP, a, b, #fn); }     \
  Tensor fn(const Tensor& a, const Scalar& b) { return compare(BinaryOp::OP, a, b, #fn); }     \
  Tensor Tensor::fn(const Tensor& o) const { return ember::fn(*this, o); }                     \
  Tensor Tensor::fn(const Scalar& o) const { return ember::fn(*this, o); }
EMBER_CMP_DEF(eq, Eq) EMBER_CMP_DEF(ne, Ne) EMBER_CMP_DEF(lt, Lt)
EMBER_CMP_DEF(le, Le) EMBER_CMP_DEF(gt, Gt) EMBER_CMP_DEF(ge, Ge)
#undef EMBER_CMP_DEF

Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator==(const Tensor& a, const Scalar& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator!=(const Tensor& a, const Scalar& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<(const Tensor& a, const Scalar& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator<=(const Tensor& a, const Scalar& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>(const Tensor& a, const Scalar& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator>=(const Tensor& a, const Scalar& b) { return ge(a, b); }

Tensor logical_and(const Tensor& a, const Tensor& b) { return compare(BinaryOp::LogicalAnd, a, b, "logical_and"); }
Tensor logical_or(const Tensor& a, const Tensor& b) { return compare(BinaryOp::LogicalOr, a, b, "logical_or"); }
Tensor logical_xor(const Tensor& a, const Tensor& b) { return compare(BinaryOp::LogicalXor, a, b, "logical_xor"); }
Tensor logical_not(const Tensor& a) {
  detail::check_defined(a, "logical_not");
  return unary_kernel(UnaryOp::LogicalNot, a, kBool);
}
Tensor bitwise_and(const Tensor& a, const Tensor& b) { return bitwise(BinaryOp::BitAnd, a, b, "bitwise_and"); }
Tensor bitwise_or(const Tensor& a, const Tensor& b) { return bitwise(BinaryOp::BitOr, a, b, "bitwise_or"); }
Tensor bitwise_xor(const Tensor& a, const Tensor& b) { return bitwise(BinaryOp::BitXor, a, b, "bitwise_xor"); }
Tensor bitwise_not(const Tensor& a) {
  detail::check_defined(a, "bitwise_not");
  if (a.dtype() == kBool) return logical_not(a);
  EMBER_CHECK(!a.is_floating_point(), DTypeError, "bitwise_not",
              "\"bitwise_not_cpu\" not implemented for '", a.dtype(), "'");
  return bitwise_xor(a, full_like(a, -1));
}
Tensor Tensor::logical_and(const Tensor& o) const { return ember::logical_and(*this, o); }
Tensor Tensor::logical_or(const Tensor& o) const { return ember::logical_or(*this, o); }
Tensor Tensor::logical_xor(const Tensor& o) const { return ember::logical_xor(*this, o); }
Tensor Tensor::logical_not() const { return ember::logical_not(*this); }
Tensor Tensor::operator~() const { return ember::bitwise_not(*this); }
Tensor operator&&(const Tensor& a, const Tensor& b) { return logical_and(a, b); }
Tensor operator||(const Tensor& a, const Tensor& b) { return logical_or(a, b); }
Tensor operator&(const Tensor& a, const Tensor& b) { return bitwise_and(a, b); }
Tensor operator|(const Tensor& a, const Tensor& b) { return bitwise_or(a, b); }
Tensor operator^(const Tensor& a, const Tensor& b) { return bitwise_xor(a, b); }

Tensor isnan(const Tensor& a) {
  detail::check_defined(a, "isnan");
  return unary_kernel(UnaryOp::IsNan, a, kBool);
}
Tensor isinf(const Tensor& a) {
  detail::check_defined(a, "isinf");
  return unary_kernel(UnaryOp::IsInf, a, kBool);
}
Tensor isfinite(const Tensor& a) {
  detail::check_defined(a, "isfinite");
  return unary_kernel(UnaryOp::IsFinite, a, kBool);
}
Tensor Tensor::isnan() const { return ember::isnan(*this); }
Tensor Tensor::isinf() const { return ember::isinf(*this); }
Tensor Tensor::isfinite() const { return ember::isfinite(*this); }

bool equal(const Tensor& a, const Tensor& b) {
  detail::check_defined(a, "equal");
  detail::check_defined(b, "equal", "other");
  detail::check_same_device(a, b, "equal");
  if (a.sizes() != b.sizes()) return false;
  NoGradGuard ng;
  return eq(a, b).all().item<bool>();
}
bool Tensor::equal(const Tensor& o) const { return ember::equal(*this, o); }

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  EMBER_CHECK(a.dtype() == b.dtype(), DTypeError, "isclose", a.dtype(), " did not match ", b.dtype());
  NoGradGuard ng;
  Tensor close = eq(a, b);
  if (a.is_floating_point()) {
    Tensor diff = abs(a - b);
    Tensor tol = atol + rtol * abs(b);
    close = close.logical_or(isfinite(diff).logical_and(diff <= tol));
    if (equal_nan) close = close.logical_or(isnan(a).logical_and(isnan(b)));
  }
  return close;
}
bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  return isclose(a, b, rtol, atol, equal_nan).all().item<bool>();
}
bool Tensor::allclose(const Tensor& o, double rtol, double atol, bool equal_nan) const {
  return ember::allclose(*this, o, rtol, atol, equal_nan);
}

// ---- where / masked_fill ----------------------------------------------------------
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  EMBER_PROFILE_OP("where", cond, a, b);
  detail::check_defined(cond, "where", "condition");
  detail::check_defined(a, "where");
  detail::check_defined(b, "where", "other");
  EMBER_CHECK(cond.dtype() == kBool || cond.dtype() == kByte, DTypeError, "where",
              "expected condition to be a boolean tensor, but got a tensor with dtype ", cond.dtype());
  detail::check_same_device(cond, a, "where");
  detail::check_same_device(a, b, "where");
  std::vector<int64_t> shape =
      detail::broadcast_shapes(detail::broadcast_shapes(cond.sizes(), a.sizes(), "where"), b.sizes(), "where");
  ScalarType t = result_type(a, b);
  Tensor out = detail::make_tensor(shape, t, a.device());
  Tensor c = detail::cast(cond, kBool), ac = detail::cast(a, t), bc = detail::cast(b, t);
  auto ca = detail::broadcast_arg(c, shape), x = detail::broadcast_arg(ac, shape),
       y = detail::broadcast_arg(bc, shape);
  detail::backend_of(out)->where(ca.arg, x.arg, y.arg, detail::arg(out));
  if (auto* n = autograd::record("WhereBackward0", {&a, &b},
                                 [as = DimVector(a.sizes()), bs = DimVector(b.sizes())](Node& n, variable_list& g) {
                                   variable_list r(2);
                                   Tensor c = n.saved(0);
                                   Tensor z = zeros_like(g[0]);
                                   if (n.needs_input_grad(0)) r[0] = grad_for(where(c, g[0], z), as);
                                   if (n.needs_input_grad(1)) r[1] = grad_for(where(c, z, g[0]), bs);
                                   return r;
                                 })) {
    autograd::set_history(out, n);
    n->save(c);
  }
  return out;
}
Tensor where(const Tensor& cond, const Scalar& a, const Tensor& b) {
  detail::check_defined(b, "where", "other");
  return where(cond, detail::scalar_to_tensor(a, result_type(b, a), b.device()), b);
}
Tensor where(const Tensor& cond, const Tensor& a, const Scalar& b) {
  detail::check_defined(a, "where");
  return where(cond, a, detail::scalar_to_tensor(b, result_type(a, b), a.device()));
}
Tensor where(const Tensor& cond, const Scalar& a, const Scalar& b) {
  detail::check_defined(cond, "where", "condition");
  ScalarType t = (a.isFloatingPoint() || b.isFloatingPoint()) ? get_default_dtype() : promote_types(a.type(), b.type());
  return where(cond, detail::scalar_to_tensor(a, t, cond.device()), detail::scalar_to_tensor(b, t, cond.device()));
}
Tensor Tensor::where(const Tensor& cond, const Tensor& other) const { return ember::where(cond, *this, other); }

Tensor masked_fill(const Tensor& self, const Tensor& mask, const Scalar& value) {
  detail::check_defined(self, "masked_fill");
  return masked_fill(self, mask, detail::scalar_to_tensor(value, self.dtype(), self.device()));
}
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value) {
  detail::check_defined(self, "masked_fill");
  detail::check_defined(mask, "masked_fill", "mask");
  EMBER_CHECK(mask.dtype() == kBool, DTypeError, "masked_fill",
              "expected mask dtype to be Bool but got ", mask.dtype());
  EMBER_CHECK(value.dim() == 0, ShapeError, "masked_fill",
              "only supports a 0-dimensional value tensor, but got tensor with ", value.dim(), " dimension(s)");
  std::vector<int64_t> shape = detail::broadcast_shapes(self.sizes(), mask.sizes(), "masked_fill");
  EMBER_CHECK(IntArrayRef(shape) == self.sizes(), ShapeError, "masked_fill", "mask of shape ", mask.sizes(),
              " cannot be broadcast to the input's shape ", self.sizes());
  return where(mask, value.to(self.dtype()), self);
}
Tensor Tensor::masked_fill(const Tensor& mask, const Scalar& v) const { return ember::masked_fill(*this, mask, v); }
Tensor Tensor::masked_fill(const Tensor& mask, const Tensor& v) const { return ember::masked_fill(*this, mask, v); }
Tensor& Tensor::masked_fill_(const Tensor& mask, const Scalar& v) const {
  return inplace(mut(), "masked_fill_", {}, [&] { return ember::masked_fill(*this, mask, v); },
                 [&] { copy_(ember::masked_fill(*this, mask, v)); });
}
Tensor& Tensor::masked_fill_(const Tensor& mask, const Tensor& v) const {
  return inplace(mut(), "masked_fill_", {&v}, [&] { return ember::masked_fill(*this, mask, v); },
                 [&] { copy_(ember::masked_fill(*this, mask, v)); });
}

}  // namespace ember
