// Unary math with each backward formula beside its forward. Float-valued ops promote
// integer inputs to the default float dtype (as libtorch); sign/abs/neg/square/relu and
// the rounding ops keep the input dtype.
#include <cmath>
#include <limits>

#include "src/ops/elementwise_common.h"

namespace ember {
using namespace ops;

namespace {

enum class Kind { FloatValued, KeepsDtype, NoGrad };

// A unary op: kernel enum, dtype rule, and its derivative. `deriv` maps (grad, input,
// output) to the input gradient, written in ember ops.
using Deriv = Tensor (*)(const Tensor& g, const Tensor& x, const Tensor& y);

struct UnarySpec {
  const char* name;
  const char* node_name;
  UnaryOp op;
  Kind kind;
  Deriv deriv;
  bool needs_input;   // whether deriv reads x (else x is not saved)
  bool needs_output;  // whether deriv reads y
};

constexpr double kLn2 = 0.69314718055994530942;
constexpr double kLn10 = 2.30258509299404568402;
constexpr double kTwoOverSqrtPi = 1.12837916709551257390;

Tensor zero_grad(const Tensor& g, const Tensor&, const Tensor&) { return zeros_like(g); }

const UnarySpec kNeg{"neg", "NegBackward0", UnaryOp::Neg, Kind::KeepsDtype,
                     [](const Tensor& g, const Tensor&, const Tensor&) { return -g; }, false, false};
const UnarySpec kExp{"exp", "ExpBackward0", UnaryOp::Exp, Kind::FloatValued,
                     [](const Tensor& g, const Tensor&, const Tensor& y) { return g * y; }, false, true};
const UnarySpec kLog{"log", "LogBackward0", UnaryOp::Log, Kind::FloatValued,
                     [](const Tensor& g, const Tensor& x, const Tensor&) { return g / x; }, true, false};
const UnarySpec kLog1p{"log1p", "Log1PBackward0", UnaryOp::Log1p, Kind::FloatValued,
                       [](const Tensor& g, const Tensor& x, const Tensor&) { return g / (x + 1); }, true, false};
const UnarySpec kExpm1{"expm1", "Expm1Backward0", UnaryOp::Expm1, Kind::FloatValued,
                       [](const Tensor& g, const Tensor&, const Tensor& y) { return g * (y + 1); }, false, true};
const UnarySpec kSqrt{"sqrt", "SqrtBackward0", UnaryOp::Sqrt, Kind::FloatValued,
                      [](const Tensor& g, const Tensor&, const Tensor& y) { return g / (2 * y); }, false, true};
const UnarySpec kRsqrt{"rsqrt", "RsqrtBackward0", UnaryOp::Rsqrt, Kind::FloatValued,
                       [](const Tensor& g, const Tensor&, const Tensor& y) { return -0.5 * g * y * y * y; }, false, true};
const UnarySpec kAbs{"abs", "AbsBackward0", UnaryOp::Abs, Kind::KeepsDtype,
                     [](const Tensor& g, const Tensor& x, const Tensor&) { return g * sign(x); }, true, false};
const UnarySpec kSign{"sign", "SignBackward0", UnaryOp::Sign, Kind::KeepsDtype, zero_grad, false, false};
const UnarySpec kSin{"sin", "SinBackward0", UnaryOp::Sin, Kind::FloatValued,
                     [](const Tensor& g, const Tensor& x, const Tensor&) { return g * cos(x); }, true, false};
const UnarySpec kCos{"cos", "CosBackward0", UnaryOp::Cos, Kind::FloatValued,
                     [](const Tensor& g, const Tensor& x, const Tensor&) { return -g * sin(x); }, true, false};
const UnarySpec kTan{"tan", "TanBackward0", UnaryOp::Tan, Kind::FloatValued,
                     [](const Tensor& g, const Tensor&, const Tensor& y) { return g * (1 + y * y); }, false, true};
const UnarySpec kTanh{"tanh", "TanhBackward0", UnaryOp::Tanh, Kind::FloatValued,
                      [](const Tensor& g, const Tensor&, const Tensor& y) { return g * (1 - y * y); }, false, true};
const UnarySpec kSigmoid{"sigmoid", "SigmoidBackward0", UnaryOp::Sigmoid, Kind::FloatValued,
                         [](const Tensor& g, const Tensor&, const Tensor& y) { return g * y * (1 - y); }, false, true};
const UnarySpec kRelu{"relu", "ReluBackward0", UnaryOp::Relu, Kind::KeepsDtype,
                      [](const Tensor& g, const Tensor&, const Tensor& y) { return where(y <= 0, 0, g); },
                      false, true};
const UnarySpec kSquare{"square", "PowBackward0", UnaryOp::Square, Kind::KeepsDtype,
                        [](const Tensor& g, const Tensor& x, const Tensor&) { return 2 * x * g; }, true, false};
const UnarySpec kReciprocal{"reciprocal", "ReciprocalBackward0", UnaryOp::Reciprocal, Kind::FloatValued,
                            [](const Tensor& g, const Tensor&, const Tensor& y) { return -g * y * y; }, false, true};
const UnarySpec kFloor{"floor", "FloorBackward0", UnaryOp::Floor, Kind::KeepsDtype, zero_grad, false, false};
const UnarySpec kCeil{"ceil", "CeilBackward0", UnaryOp::Ceil, Kind::KeepsDtype, zero_grad, false, false};
const UnarySpec kRound{"round", "RoundBackward0", UnaryOp::Round, Kind::KeepsDtype, zero_grad, false, false};
const UnarySpec kTrunc{"trunc", "TruncBackward0", UnaryOp::Trunc, Kind::KeepsDtype, zero_grad, false, false};
const UnarySpec kLog2{"log2", "Log2Backward0", UnaryOp::Log2, Kind::FloatValued,
                      [](const Tensor& g, const Tensor& x, const Tensor&) { return g / (x * kLn2); }, true, false};
const UnarySpec kLog10{"log10", "Log10Backward0", UnaryOp::Log10, Kind::FloatValued,
                       [](const Tensor& g, const Tensor& x, const Tensor&) { return g / (x * kLn10); }, true, false};
const UnarySpec kErf{"erf", "ErfBackward0", UnaryOp::Erf, Kind::FloatValued,
                     [](const Tensor& g, const Tensor& x, const Tensor&) { return g * kTwoOverSqrtPi * exp(-x * x); },
                     true, false};

ScalarType out_dtype(const UnarySpec& s, ScalarType in) {
  if (s.kind == Kind::FloatValued && !isFloatingType(in)) return get_default_dtype();
  return in;
}

Tensor unary_forward(const UnarySpec& s, const Tensor& x) {
  EMBER_PROFILE_OP(s.name, x);
  detail::check_defined(x, s.name);
  if (s.op == UnaryOp::Neg)
    EMBER_CHECK(x.dtype() != kBool, DTypeError, s.name,
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                "invert a mask, use the `~` or `logical_not()` operator instead.");
  Tensor y = unary_kernel(s.op, x, out_dtype(s, x.dtype()));
  if (auto* n = autograd::record(s.node_name, {&x}, [&s](Node& n, variable_list& g) {
        Tensor xs = s.needs_input ? n.saved(0) : Tensor();
        Tensor ys = s.needs_output ? n.saved(s.needs_input ? 1 : 0) : Tensor();
        return variable_list{s.deriv(g[0], xs, ys)};
      })) {
    autograd::set_history(y, n);
    if (s.needs_input) n->save(x);
    if (s.needs_output) n->save(y, /*is_output=*/true);
  }
  return y;
}

Tensor& unary_inplace(const UnarySpec& s, Tensor& self) {
  detail::check_defined(self, s.name);
  check_can_cast(out_dtype(s, self.dtype()), self.dtype(), s.name);
  return inplace(self, s.name, {}, [&] { return unary_forward(s, self); }, [&] {
    Tensor in = self.is_contiguous() ? self : self.clone();
    detail::backend_of(self)->unary(s.op, detail::arg(in), detail::arg(self), {});
  });
}

Tensor& unary_out(const UnarySpec& s, Tensor& out, const Tensor& self) {
  autograd::check_out_arg(out, {&self}, s.name);
  Tensor r = unary_forward(s, self);
  check_can_cast(r.dtype(), out.dtype(), s.name);
  detail::resize_out(out, r.sizes(), s.name);
  out.copy_(r);
  return out;
}

}  // namespace

#define EMBER_UNARY_DEF(fn, spec)                                                          \
  Tensor fn(const Tensor& self) { return unary_forward(spec, self); }                     \
  Tensor& fn##_(Tensor& self) { return unary_inplace(spec, self); }                       \
  Tensor& fn##_out(Tensor& out, const Tensor& self) { return unary_out(spec, out, self); } \
  Tensor Tensor::fn() const { return ember::fn(*this); }                                  \
  Tensor& Tensor::fn##_() const { return unary_inplace(spec, mut()); }
EMBER_UNARY_DEF(neg, kNeg) EMBER_UNARY_DEF(exp, kExp) EMBER_UNARY_DEF(log, kLog)
EMBER_UNARY_DEF(log1p, kLog1p) EMBER_UNARY_DEF(expm1, kExpm1) EMBER_UNARY_DEF(sqrt, kSqrt)
EMBER_UNARY_DEF(rsqrt, kRsqrt) EMBER_UNARY_DEF(abs, kAbs) EMBER_UNARY_DEF(sign, kSign)
EMBER_UNARY_DEF(sin, kSin) EMBER_UNARY_DEF(cos, kCos) EMBER_UNARY_DEF(tan, kTan)
EMBER_UNARY_DEF(tanh, kTanh) EMBER_UNARY_DEF(sigmoid, kSigmoid) EMBER_UNARY_DEF(relu, kRelu)
EMBER_UNARY_DEF(square, kSquare) EMBER_UNARY_DEF(reciprocal, kReciprocal)
EMBER_UNARY_DEF(floor, kFloor) EMBER_UNARY_DEF(ceil, kCeil) EMBER_UNARY_DEF(round, kRound)
EMBER_UNARY_DEF(trunc, kTrunc) EMBER_UNARY_DEF(log2, kLog2) EMBER_UNARY_DEF(log10, kLog10)
EMBER_UNARY_DEF(erf, kErf)
#undef EMBER_UNARY_DEF

Tensor negative(const Tensor& self) { return neg(self); }
Tensor Tensor::operator-() const { return ember::neg(*this); }

// ---- clamp ------------------------------------------------------------------------
namespace {
backend::UnaryParams clamp_params(const std::optional<Scalar>& lo, const std::optional<Scalar>& hi) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  return {lo ? lo->toDouble() : -inf, hi ? hi->toDouble() : inf};
}
ScalarType clamp_dtype(const Tensor& x, const std::optional<Scalar>& lo, const std::optional<Scalar>& hi) {
  ScalarType t = x.dtype();
  if (lo) t = result_type(x, *lo);
  if (hi) t = promote_types(t, result_type(x, *hi));
  return t;
}
}  // namespace

Tensor clamp(const Tensor& x, const std::optional<Scalar>& lo, const std::optional<Scalar>& hi) {
  EMBER_PROFILE_OP("clamp", x);
  detail::check_defined(x, "clamp");
  EMBER_CHECK(lo || hi, Error, "clamp", "At least one of 'min' or 'max' must not be None");
  EMBER_CHECK(x.dtype() != kBool, DTypeError, "clamp", "is not supported for Bool tensors");
  Tensor y = unary_kernel(UnaryOp::Clamp, x, clamp_dtype(x, lo, hi), clamp_params(lo, hi));
  if (auto* n = autograd::record("ClampBackward1", {&x}, [lo, hi](Node& n, variable_list& g) {
        Tensor xs = n.saved(0);
        Tensor mask = ones_like(xs, TensorOptions().dtype(kBool));
        if (lo) mask = mask.logical_and(xs >= *lo);
        if (hi) mask = mask.logical_and(xs <= *hi);
        return variable_list{where(mask, g[0], zeros_like(g[0]))};
      })) {
    autograd::set_history(y, n);
    n->save(x);
  }
  return y;
}
Tensor& clamp_(Tensor& self, const std::optional<Scalar>& lo, const std::optional<Scalar>& hi) {
  detail::check_defined(self, "clamp_");
  check_can_cast(clamp_dtype(self, lo, hi), self.dtype(), "clamp_");
  return inplace(self, "clamp_", {}, [&] { return clamp(self, lo, hi); }, [&] {
    EMBER_CHECK(lo || hi, Error, "clamp_", "At least one of 'min' or 'max' must not be None");
    Tensor in = self.is_contiguous() ? self : self.clone();
    detail::backend_of(self)->unary(UnaryOp::Clamp, detail::arg(in), detail::arg(self), clamp_params(lo, hi));
  });
}
Tensor clamp_min(const Tensor& x, const Scalar& lo) { return clamp(x, lo, std::nullopt); }
Tensor clamp_max(const Tensor& x, const Scalar& hi) { return clamp(x, std::nullopt, hi); }
Tensor clip(const Tensor& x, const std::optional<Scalar>& lo, const std::optional<Scalar>& hi) {
  return clamp(x, lo, hi);
}
Tensor Tensor::clamp(std::optional<Scalar> lo, std::optional<Scalar> hi) const { return ember::clamp(*this, lo, hi); }
Tensor& Tensor::clamp_(std::optional<Scalar> lo, std::optional<Scalar> hi) const { return ember::clamp_(mut(), lo, hi); }
Tensor Tensor::clamp_min(const Scalar& lo) const { return ember::clamp_min(*this, lo); }
Tensor Tensor::clamp_max(const Scalar& hi) const { return ember::clamp_max(*this, hi); }

}  // namespace ember
