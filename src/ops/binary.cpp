// Binary arithmetic with broadcasting and libtorch's type promotion, each op's backward
// formula beside its forward: add, sub, mul, div, pow, maximum, minimum, remainder.
#include <cmath>

#include "src/ops/elementwise_common.h"

namespace ember {
using namespace ops;

namespace {

// Integer true division and integer pow-by-float go to the default float type.
ScalarType float_result(ScalarType t) { return isFloatingType(t) ? t : get_default_dtype(); }

Scalar scalar_for(const Scalar& s, ScalarType t) {
  if (isFloatingType(t)) return s.toDouble();
  if (t == kBool) return s.toBool();
  return s.toLong();
}

Tensor wrap(const Scalar& s, ScalarType t, Device d) { return detail::scalar_to_tensor(scalar_for(s, t), t, d); }

void check_alpha(ScalarType t, const Scalar& alpha, const char* name) {
  EMBER_CHECK(isFloatingType(t) || !alpha.isFloatingPoint(), DTypeError, name,
              "for integral input tensors, argument alpha must not be a floating point number (got ",
              alpha, " for dtype ", t, ")");
  EMBER_CHECK(t != kBool || alpha.isBoolean() || alpha.toDouble() == 1, DTypeError, name,
              "boolean alpha only supported for Boolean results");
}

void check_sub_bool(const Tensor& a, const Tensor& b, const char* name) {
  EMBER_CHECK(a.dtype() != kBool || b.dtype() != kBool, DTypeError, name,
              "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
              "`logical_xor()` operator instead.");
}

// ---- recorders: one formula per op, shared by tensor, scalar and in-place forms ----

void record_add(Tensor& out, const Tensor& a, const Tensor& b, const Scalar& alpha, bool is_sub) {
  // The formula's captures are built before record() decides: skip them when not recording.
  if (!autograd::any_requires_grad({&a, &b})) return;
  if (auto* n = autograd::record(is_sub ? "SubBackward0" : "AddBackward0", {&a, &b},
                                 [as = DimVector(a.sizes()), bs = DimVector(b.sizes()), alpha, is_sub](Node& n, variable_list& g) {
                                   variable_list r(2);
                                   if (n.needs_input_grad(0)) r[0] = grad_for(g[0], as);
                                   if (n.needs_input_grad(1)) {
                                     double al = is_sub ? -alpha.toDouble() : alpha.toDouble();
                                     r[1] = grad_for(al == 1 ? g[0] : g[0] * al, bs);
                                   }
                                   return r;
                                 }))
    autograd::set_history(out, n);
}

// mul and div save an input only when the other input's gradient needs it, as libtorch:
// x.mul_(2) on a non-leaf then keeps no reference to the x it overwrites.
void record_mul(Tensor& out, const Tensor& a, const Tensor& b) {
  if (!autograd::any_requires_grad({&a, &b})) return;
  if (auto* n = autograd::record("MulBackward0", {&a, &b},
                                 [as = DimVector(a.sizes()), bs = DimVector(b.sizes())](Node& n, variable_list& g) {
                                   variable_list r(2);
                                   if (n.needs_input_grad(0)) r[0] = grad_for(g[0] * n.saved(1), as);
                                   if (n.needs_input_grad(1)) r[1] = grad_for(g[0] * n.saved(0), bs);
                                   return r;
                                 })) {
    n->save(n->needs_input_grad(1) ? a : Tensor());
    n->save(n->needs_input_grad(0) ? b : Tensor());
    autograd::set_history(out, n);
  }
}

void record_div(Tensor& out, const Tensor& a, const Tensor& b) {
  if (!autograd::any_requires_grad({&a, &b})) return;
  if (auto* n = autograd::record("DivBackward0", {&a, &b},
                                 [as = DimVector(a.sizes()), bs = DimVector(b.sizes())](Node& n, variable_list& g) {
                                   variable_list r(2);
                                   Tensor b = n.saved(1);
                                   if (n.needs_input_grad(0)) r[0] = grad_for(g[0] / b, as);
                                   if (n.needs_input_grad(1)) r[1] = grad_for(-g[0] * n.saved(0) / (b * b), bs);
                                   return r;
                                 })) {
    n->save(n->needs_input_grad(1) ? a : Tensor());
    n->save(b);
    autograd::set_history(out, n);
  }
}

// libtorch's names: PowBackward0 for (tensor, scalar), 1 for (tensor, tensor), 2 for
// (scalar, tensor).
void record_pow(Tensor& out, const Tensor& a, const Tensor& b, const char* node_name) {
  if (auto* n = autograd::record(node_name, {&a, &b}, [](Node& n, variable_list& g) {
        variable_list r(2);
        Tensor a = n.saved(0), b = n.saved(1);
        if (n.needs_input_grad(0)) {
          // d/da a^b = b * a^(b-1), defined as 0 where b == 0 (libtorch's rule).
          Tensor d = where(b == 0.0, zeros_like(g[0]), g[0] * b * pow(a, b - 1));
          r[0] = grad_for(d, a.sizes());
        }
        if (n.needs_input_grad(1)) {
          // d/db a^b = a^b * log(a), with 0 where a == 0 and b >= 0.
          Tensor d = g[0] * pow(a, b) * log(a);
          d = where((a == 0.0).logical_and(b >= 0.0), zeros_like(d), d);
          r[1] = grad_for(d, b.sizes());
        }
        return r;
      })) {
    n->save(a);
    n->save(b);
    autograd::set_history(out, n);
  }
}

// maximum/minimum: the gradient goes to the selected input, split in half on ties.
void record_extremum(Tensor& out, const Tensor& a, const Tensor& b, bool is_max) {
  if (auto* n = autograd::record(is_max ? "MaximumBackward0" : "MinimumBackward0", {&a, &b},
                                 [is_max](Node& n, variable_list& g) {
                                   variable_list r(2);
                                   Tensor a = n.saved(0), b = n.saved(1);
                                   Tensor a_wins = is_max ? a > b : a < b;
                                   Tensor tie = a == b;
                                   Tensor half = g[0] * 0.5;
                                   Tensor zero = zeros_like(g[0]);
                                   if (n.needs_input_grad(0))
                                     r[0] = grad_for(where(tie, half, where(a_wins, g[0], zero)), a.sizes());
                                   if (n.needs_input_grad(1))
                                     r[1] = grad_for(where(tie, half, where(a_wins, zero, g[0])), b.sizes());
                                   return r;
                                 })) {
    n->save(a);
    n->save(b);
    autograd::set_history(out, n);
  }
}

void record_remainder(Tensor& out, const Tensor& a, const Tensor& b) {
  if (auto* n = autograd::record("RemainderBackward0", {&a, &b}, [](Node& n, variable_list& g) {
        variable_list r(2);
        Tensor a = n.saved(0), b = n.saved(1);
        if (n.needs_input_grad(0)) r[0] = grad_for(g[0], a.sizes());
        if (n.needs_input_grad(1)) r[1] = grad_for(-g[0] * floor(a / b), b.sizes());
        return r;
      })) {
    n->save(a);
    n->save(b);
    autograd::set_history(out, n);
  }
}

// Out-of-place cores (tensor, tensor).
Tensor add_impl(const Tensor& a, const Tensor& b, const Scalar& alpha, bool is_sub) {
  EMBER_PROFILE_OP(is_sub ? "sub" : "add", a, b);
  const char* name = is_sub ? "sub" : "add";
  detail::check_defined(a, name);
  detail::check_defined(b, name, "other");
  if (is_sub) check_sub_bool(a, b, name);
  ScalarType t = result_type(a, b);
  check_alpha(t, alpha, name);
  Tensor out = binary_kernel(is_sub ? BinaryOp::Sub : BinaryOp::Add, a, b, t, t, scalar_for(alpha, t), name);
  record_add(out, a, b, alpha, is_sub);
  return out;
}

Tensor mul_impl(const Tensor& a, const Tensor& b) {
  EMBER_PROFILE_OP("mul", a, b);
  detail::check_defined(a, "mul");
  detail::check_defined(b, "mul", "other");
  ScalarType t = result_type(a, b);
  Tensor out = binary_kernel(BinaryOp::Mul, a, b, t, t, 1, "mul");
  record_mul(out, a, b);
  return out;
}

Tensor div_impl(const Tensor& a, const Tensor& b) {
  EMBER_PROFILE_OP("div", a, b);
  detail::check_defined(a, "div");
  detail::check_defined(b, "div", "other");
  ScalarType t = float_result(result_type(a, b));
  Tensor out = binary_kernel(BinaryOp::Div, a, b, t, t, 1, "div");
  record_div(out, a, b);
  return out;
}

// Integer tensors to negative integer powers raise only for a scalar exponent (pow(Tensor,
// Scalar) checks); with a tensor of exponents libtorch computes C-style integer powers
// (2^-1 == 0), and so does the kernel.
Tensor pow_impl(const Tensor& a, const Tensor& b, const char* node_name = "PowBackward1") {
  EMBER_PROFILE_OP("pow", a, b);
  detail::check_defined(a, "pow");
  detail::check_defined(b, "pow", "exponent");
  ScalarType t = result_type(a, b);
  Tensor out = binary_kernel(BinaryOp::Pow, a, b, t, t, 1, "pow");
  record_pow(out, a, b, node_name);
  return out;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) { return add_impl(a, b, alpha, false); }
Tensor add(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  detail::check_defined(a, "add");
  return add_impl(a, wrap(b, result_type(a, b), a.device()), alpha, false);
}
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha) { return add_impl(a, b, alpha, true); }
Tensor sub(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  detail::check_defined(a, "sub");
  return add_impl(a, wrap(b, result_type(a, b), a.device()), alpha, true);
}
Tensor rsub(const Tensor& a, const Tensor& b, const Scalar& alpha) { return add_impl(b, a, alpha, true); }
Tensor rsub(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  detail::check_defined(a, "rsub");
  return add_impl(wrap(b, result_type(a, b), a.device()), a, alpha, true);
}
Tensor mul(const Tensor& a, const Tensor& b) { return mul_impl(a, b); }
Tensor mul(const Tensor& a, const Scalar& b) {
  detail::check_defined(a, "mul");
  return mul_impl(a, wrap(b, result_type(a, b), a.device()));
}
Tensor div(const Tensor& a, const Tensor& b) { return div_impl(a, b); }
Tensor div(const Tensor& a, const Scalar& b) {
  detail::check_defined(a, "div");
  return div_impl(a, wrap(b, result_type(a, b), a.device()));
}
Tensor pow(const Tensor& a, const Tensor& b) { return pow_impl(a, b); }
Tensor pow(const Tensor& a, const Scalar& b) {
  detail::check_defined(a, "pow");
  ScalarType t = result_type(a, b);
  if (!isFloatingType(t) && b.toDouble() < 0)
    detail::throw_error<Error>("pow", "Integers to negative integer powers are not allowed.");
  return pow_impl(a, wrap(b, t, a.device()), "PowBackward0");
}
Tensor pow(const Scalar& a, const Tensor& b) {
  detail::check_defined(b, "pow", "exponent");
  ScalarType t = result_type(b, a);
  return pow_impl(wrap(a, t, b.device()), b, "PowBackward2");
}

Tensor maximum(const Tensor& a, const Tensor& b) {
  EMBER_PROFILE_OP("maximum", a, b);
  ScalarType t = result_type(a, b);
  Tensor out = binary_kernel(BinaryOp::Maximum, a, b, t, t, 1, "maximum");
  record_extremum(out, a, b, true);
  return out;
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  EMBER_PROFILE_OP("minimum", a, b);
  ScalarType t = result_type(a, b);
  Tensor out = binary_kernel(BinaryOp::Minimum, a, b, t, t, 1, "minimum");
  record_extremum(out, a, b, false);
  return out;
}

Tensor remainder(const Tensor& a, const Tensor& b) {
  EMBER_PROFILE_OP("remainder", a, b);
  ScalarType t = result_type(a, b);
  Tensor out = binary_kernel(BinaryOp::Remainder, a, b, t, t, 1, "remainder");
  record_remainder(out, a, b);
  return out;
}
Tensor remainder(const Tensor& a, const Scalar& b) {
  detail::check_defined(a, "remainder");
  return remainder(a, wrap(b, result_type(a, b), a.device()));
}

// ---- in-place ----------------------------------------------------------------------
namespace {
template <class OOP>
Tensor& binary_inplace(Tensor& self, const Tensor& other, BinaryOp op, const Scalar& alpha,
                       ScalarType result, const char* name, OOP&& oop) {
  EMBER_PROFILE_OP(name, self, other);
  detail::check_defined(other, name, "other");
  check_can_cast(result, self.dtype(), name);
  return inplace(self, name, {&other}, oop, [&] {
    std::vector<int64_t> shape = detail::broadcast_shapes(self.sizes(), other.sizes(), name);
    EMBER_CHECK(IntArrayRef(shape) == self.sizes(), ShapeError, name, "output with shape ", self.sizes(),
                " doesn't match the broadcast shape ", IntArrayRef(shape));
    detail::check_same_device(self, other, name);
    binary_kernel_into(self, op, self, other, self.dtype(), scalar_for(alpha, self.dtype()), name);
  });
}
}  // namespace

Tensor& Tensor::add_(const Tensor& o, const Scalar& alpha) const {
  detail::check_defined(*this, "add_");
  return binary_inplace(mut(), o, BinaryOp::Add, alpha, result_type(*this, o), "add_",
                        [&] { return ember::add(*this, o, alpha); });
}
Tensor& Tensor::add_(const Scalar& o, const Scalar& alpha) const {
  detail::check_defined(*this, "add_");
  // Checked before `o` is wrapped in self's dtype, which would silently truncate it.
  check_can_cast(result_type(*this, o), dtype(), "add_");
  return add_(wrap(o, dtype(), device()), alpha);
}
Tensor& Tensor::sub_(const Tensor& o, const Scalar& alpha) const {
  detail::check_defined(*this, "sub_");
  check_sub_bool(*this, o, "sub_");
  return binary_inplace(mut(), o, BinaryOp::Sub, alpha, result_type(*this, o), "sub_",
                        [&] { return ember::sub(*this, o, alpha); });
}
Tensor& Tensor::sub_(const Scalar& o, const Scalar& alpha) const {
  detail::check_defined(*this, "sub_");
  // Checked before `o` is wrapped in self's dtype, which would silently truncate it.
  check_can_cast(result_type(*this, o), dtype(), "sub_");
  return sub_(wrap(o, dtype(), device()), alpha);
}
Tensor& Tensor::mul_(const Tensor& o) const {
  detail::check_defined(*this, "mul_");
  return binary_inplace(mut(), o, BinaryOp::Mul, 1, result_type(*this, o), "mul_",
                        [&] { return ember::mul(*this, o); });
}
Tensor& Tensor::mul_(const Scalar& o) const {
  detail::check_defined(*this, "mul_");
  check_can_cast(result_type(*this, o), dtype(), "mul_");
  return mul_(wrap(o, dtype(), device()));
}
Tensor& Tensor::div_(const Tensor& o) const {
  detail::check_defined(*this, "div_");
  return binary_inplace(mut(), o, BinaryOp::Div, 1, float_result(result_type(*this, o)), "div_",
                        [&] { return ember::div(*this, o); });
}
Tensor& Tensor::div_(const Scalar& o) const {
  detail::check_defined(*this, "div_");
  check_can_cast(float_result(result_type(*this, o)), dtype(), "div_");
  return div_(wrap(o, dtype(), device()));
}
Tensor& Tensor::pow_(const Tensor& o) const {
  detail::check_defined(*this, "pow_");
  return binary_inplace(mut(), o, BinaryOp::Pow, 1, result_type(*this, o), "pow_",
                        [&] { return ember::pow(*this, o); });
}
Tensor& Tensor::pow_(const Scalar& o) const {
  detail::check_defined(*this, "pow_");
  check_can_cast(result_type(*this, o), dtype(), "pow_");
  return pow_(wrap(o, dtype(), device()));
}

// ---- out= ----------------------------------------------------------------------------
namespace {
template <class F>
Tensor& write_out(Tensor& out, const Tensor& a, const Tensor& b, const char* name, F&& compute) {
  autograd::check_out_arg(out, {&a, &b}, name);
  Tensor r = compute();
  check_can_cast(r.dtype(), out.dtype(), name);
  detail::resize_out(out, r.sizes(), name);
  out.copy_(r);
  return out;
}
}  // namespace

Tensor& add_out(Tensor& out, const Tensor& a, const Tensor& b, const Scalar& alpha) {
  return write_out(out, a, b, "add_out", [&] { return add(a, b, alpha); });
}
Tensor& sub_out(Tensor& out, const Tensor& a, const Tensor& b, const Scalar& alpha) {
  return write_out(out, a, b, "sub_out", [&] { return sub(a, b, alpha); });
}
Tensor& mul_out(Tensor& out, const Tensor& a, const Tensor& b) {
  return write_out(out, a, b, "mul_out", [&] { return mul(a, b); });
}
Tensor& div_out(Tensor& out, const Tensor& a, const Tensor& b) {
  return write_out(out, a, b, "div_out", [&] { return div(a, b); });
}
Tensor& pow_out(Tensor& out, const Tensor& a, const Tensor& b) {
  return write_out(out, a, b, "pow_out", [&] { return pow(a, b); });
}
Tensor& maximum_out(Tensor& out, const Tensor& a, const Tensor& b) {
  return write_out(out, a, b, "maximum_out", [&] { return maximum(a, b); });
}
Tensor& minimum_out(Tensor& out, const Tensor& a, const Tensor& b) {
  return write_out(out, a, b, "minimum_out", [&] { return minimum(a, b); });
}

// ---- operators -------------------------------------------------------------------------
Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator+(const Tensor& a, const Scalar& b) { return add(a, b); }
Tensor operator+(const Scalar& a, const Tensor& b) { return add(b, a); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator-(const Tensor& a, const Scalar& b) { return sub(a, b); }
Tensor operator-(const Scalar& a, const Tensor& b) { return rsub(b, a); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator*(const Tensor& a, const Scalar& b) { return mul(a, b); }
Tensor operator*(const Scalar& a, const Tensor& b) { return mul(b, a); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator/(const Tensor& a, const Scalar& b) { return div(a, b); }
Tensor operator/(const Scalar& a, const Tensor& b) {
  detail::check_defined(b, "div", "other");
  return div(wrap(a, result_type(b, a), b.device()), b);
}

}  // namespace ember
