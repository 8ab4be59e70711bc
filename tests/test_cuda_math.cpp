// The elementwise math the CUDA kernels run (backends/common/scalar_ops.h), evaluated on
// the CPU and compared with the CPU backend's results for the same ops, so the device
// formulas are checked on every build.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <limits>
#include <type_traits>
#include <vector>

#include "backends/common/activation_ops.h"
#include "backends/common/order_ops.h"
#include "backends/common/scalar_ops.h"

using namespace ember;
using ember::backend::BinaryOp;
using ember::backend::UnaryOp;
namespace math = ember::backend::math;

namespace {

// A deque, not a vector: std::vector<bool> holds bits, not bools.
template <class T>
std::deque<T> contents(const Tensor& t) {
  Tensor c = t.contiguous();
  const T* p = c.data_ptr<T>();
  return std::deque<T>(p, p + c.numel());
}

// Equal values (floating: within a few ulps, so a vectorised CPU exp still matches), or
// both NaN, or the same infinity.
template <class T>
bool same(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) && std::isnan(b)) return true;
    if (std::isinf(a) || std::isinf(b)) return a == b;
    const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-14;
    return std::fabs(static_cast<double>(a) - static_cast<double>(b)) <= tol * (1 + std::fabs(static_cast<double>(b)));
  }
  return a == b;
}

template <class T>
Tensor make(const std::vector<double>& v, ScalarType dt) {
  return tensor(v, TensorOptions().dtype(kDouble)).to(dt);
}

template <class T>
void check_unary(UnaryOp op, Tensor (*f)(const Tensor&), const std::vector<double>& xs, ScalarType dt) {
  Tensor x = make<T>(xs, dt);
  Tensor y = f(x);
  REQUIRE(y.dtype() == dt);
  auto in = contents<T>(x), out = contents<T>(y);
  math::UnaryFn<T> fn{op, T(0), T(0)};
  for (size_t i = 0; i < in.size(); ++i) {
    INFO("op " << static_cast<int>(op) << " dtype " << dt << " x " << static_cast<double>(in[i]));
    CHECK(same(fn(in[i]), out[i]));
  }
}

template <class T>
void check_binary(BinaryOp op, Tensor (*f)(const Tensor&, const Tensor&), const std::vector<double>& xs,
                  const std::vector<double>& ys, ScalarType dt) {
  Tensor x = make<T>(xs, dt), y = make<T>(ys, dt);
  Tensor z = f(x, y);
  auto a = contents<T>(x), b = contents<T>(y);
  if (math::binary_to_bool(op)) {
    auto out = contents<bool>(z);
    for (size_t i = 0; i < a.size(); ++i) CHECK(math::binary_predicate(op, a[i], b[i]) == out[i]);
    return;
  }
  REQUIRE(z.dtype() == dt);
  auto out = contents<T>(z);
  math::BinaryFn<T> fn{op, T(1)};
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("op " << static_cast<int>(op) << " dtype " << dt << " x " << static_cast<double>(a[i]) << " y "
               << static_cast<double>(b[i]));
    CHECK(same(fn(a[i], b[i]), out[i]));
  }
}

Tensor add_fn(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor sub_fn(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor mul_fn(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor div_fn(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor pow_fn(const Tensor& a, const Tensor& b) { return pow(a, b); }
Tensor max_fn(const Tensor& a, const Tensor& b) { return maximum(a, b); }
Tensor min_fn(const Tensor& a, const Tensor& b) { return minimum(a, b); }
Tensor rem_fn(const Tensor& a, const Tensor& b) { return remainder(a, b); }
Tensor lt_fn(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor ne_fn(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor band_fn(const Tensor& a, const Tensor& b) { return bitwise_and(a, b); }
Tensor bxor_fn(const Tensor& a, const Tensor& b) { return bitwise_xor(a, b); }

const std::vector<double> kXs = {-7.5, -2.0, -0.5, 0.0, 0.25, 1.0, 2.5, 3.0, 100.0, -0.0};
const std::vector<double> kYs = {2.0, -3.0, 0.75, 1.5, -0.25, 4.0, 2.5, -1.0, 7.0, 3.0};

}  // namespace

TEST_CASE("cuda math: float unary functors equal the CPU kernels", "[cuda][math]") {
  using F = Tensor (*)(const Tensor&);
  const std::vector<std::pair<UnaryOp, F>> ops = {
      {UnaryOp::Neg, [](const Tensor& t) { return neg(t); }},     {UnaryOp::Abs, [](const Tensor& t) { return abs(t); }},
      {UnaryOp::Sign, [](const Tensor& t) { return sign(t); }},   {UnaryOp::Exp, [](const Tensor& t) { return exp(t); }},
      {UnaryOp::Tanh, [](const Tensor& t) { return tanh(t); }},   {UnaryOp::Sigmoid, [](const Tensor& t) { return sigmoid(t); }},
      {UnaryOp::Relu, [](const Tensor& t) { return relu(t); }},   {UnaryOp::Floor, [](const Tensor& t) { return floor(t); }},
      {UnaryOp::Round, [](const Tensor& t) { return round(t); }}, {UnaryOp::Trunc, [](const Tensor& t) { return trunc(t); }},
      {UnaryOp::Sin, [](const Tensor& t) { return sin(t); }},     {UnaryOp::Erf, [](const Tensor& t) { return erf(t); }},
      {UnaryOp::Square, [](const Tensor& t) { return square(t); }},
      {UnaryOp::Log, [](const Tensor& t) { return log(t); }},     {UnaryOp::Sqrt, [](const Tensor& t) { return sqrt(t); }},
      {UnaryOp::Reciprocal, [](const Tensor& t) { return reciprocal(t); }},
  };
  for (auto& [op, f] : ops) {
    check_unary<float>(op, f, kXs, kFloat);
    check_unary<double>(op, f, kXs, kDouble);
  }
}

TEST_CASE("cuda math: integer unary functors equal the CPU kernels", "[cuda][math]") {
  const std::vector<double> xs = {-9, -1, 0, 1, 7, 127};
  check_unary<int64_t>(UnaryOp::Neg, [](const Tensor& t) { return neg(t); }, xs, kLong);
  check_unary<int32_t>(UnaryOp::Abs, [](const Tensor& t) { return abs(t); }, xs, kInt);
  check_unary<int64_t>(UnaryOp::Sign, [](const Tensor& t) { return sign(t); }, xs, kLong);
  check_unary<uint8_t>(UnaryOp::Sign, [](const Tensor& t) { return sign(t); }, {0, 1, 200}, kByte);
  check_unary<int32_t>(UnaryOp::Square, [](const Tensor& t) { return square(t); }, xs, kInt);
  // Clamp with saturated integer bounds, as the CPU.
  Tensor x = make<int32_t>(xs, kInt);
  const int64_t lo = -2, hi = int64_t(1) << 40;  // hi saturates to INT32_MAX
  Tensor clamped = clamp(x, Scalar(lo), Scalar(hi));
  REQUIRE(clamped.dtype() == kInt);
  auto out = contents<int32_t>(clamped);
  math::UnaryFn<int32_t> fn{UnaryOp::Clamp, math::saturate<int32_t>(static_cast<double>(lo)),
                            math::saturate<int32_t>(static_cast<double>(hi))};
  auto in = contents<int32_t>(x);
  for (size_t i = 0; i < in.size(); ++i) CHECK(fn(in[i]) == out[i]);
  math::UnaryFn<float> fc{UnaryOp::Clamp, 1.0f, -1.0f};  // lo > hi gives hi, as std::min(std::max())
  CHECK(fc(5.0f) == -1.0f);
  CHECK(std::isnan(fc(NAN)));
}

TEST_CASE("cuda math: binary functors equal the CPU kernels", "[cuda][math]") {
  using F = Tensor (*)(const Tensor&, const Tensor&);
  const std::vector<std::pair<BinaryOp, F>> fops = {
      {BinaryOp::Add, add_fn}, {BinaryOp::Sub, sub_fn},     {BinaryOp::Mul, mul_fn}, {BinaryOp::Div, div_fn},
      {BinaryOp::Pow, pow_fn}, {BinaryOp::Maximum, max_fn}, {BinaryOp::Minimum, min_fn},
      {BinaryOp::Remainder, rem_fn}, {BinaryOp::Lt, lt_fn}, {BinaryOp::Ne, ne_fn}};
  std::vector<double> ys_nan = kYs;
  ys_nan[2] = std::numeric_limits<double>::quiet_NaN();
  for (auto& [op, f] : fops) {
    check_binary<float>(op, f, kXs, ys_nan, kFloat);
    check_binary<double>(op, f, kXs, ys_nan, kDouble);
  }
  const std::vector<double> a = {-9, -7, 0, 5, 12, 100, 2147483647.0}, b = {4, -3, 3, 2, -5, 7, 2};
  const std::vector<std::pair<BinaryOp, F>> iops = {
      {BinaryOp::Add, add_fn}, {BinaryOp::Sub, sub_fn},     {BinaryOp::Mul, mul_fn}, {BinaryOp::Pow, pow_fn},
      {BinaryOp::Maximum, max_fn}, {BinaryOp::Remainder, rem_fn}, {BinaryOp::BitAnd, band_fn},
      {BinaryOp::BitXor, bxor_fn}, {BinaryOp::Lt, lt_fn}};
  for (auto& [op, f] : iops) {
    check_binary<int64_t>(op, f, a, b, kLong);
    check_binary<int32_t>(op, f, a, b, kInt);  // 2^31-1 * 2 and friends wrap as on the CPU
  }
  check_binary<uint8_t>(BinaryOp::Mul, mul_fn, {3, 200, 16}, {5, 2, 16}, kByte);
  check_binary<uint8_t>(BinaryOp::Remainder, rem_fn, {3, 200, 16}, {5, 7, 16}, kByte);
  check_binary<bool>(BinaryOp::Add, add_fn, {0, 1, 1, 0}, {0, 0, 1, 1}, kBool);
  check_binary<bool>(BinaryOp::Mul, mul_fn, {0, 1, 1, 0}, {0, 0, 1, 1}, kBool);
}

TEST_CASE("cuda math: dtype conversion equals the CPU's copy", "[cuda][math]") {
  const std::vector<double> xs = {-3.75, -1.0, 0.0, 0.5, 2.9, 255.0, 300.5};
  Tensor f = make<float>(xs, kFloat);
  auto in = contents<float>(f);
  auto as_int = contents<int32_t>(f.to(kInt));
  auto as_bool = contents<bool>(f.to(kBool));
  auto as_long = contents<int64_t>(f.to(kLong));
  for (size_t i = 0; i < in.size(); ++i) {
    CHECK(math::convert<int32_t>(in[i]) == as_int[i]);
    CHECK(math::convert<bool>(in[i]) == as_bool[i]);
    CHECK(math::convert<int64_t>(in[i]) == as_long[i]);
  }
  CHECK_FALSE(math::unary_supported<int64_t>(UnaryOp::Exp));
  CHECK(math::unary_supported<double>(UnaryOp::Exp));
  CHECK_FALSE(math::binary_supported<float>(BinaryOp::BitAnd));
  CHECK_FALSE(math::binary_supported<int32_t>(BinaryOp::Div));
  CHECK(math::binary_supported<bool>(BinaryOp::Eq));
}

TEST_CASE("cuda math: activation functors equal the CPU activations, forward and backward", "[cuda][math]") {
  using Op = ember::backend::Backend::ActivationOp;
  struct Case {
    Op op;
    double a, b, c;
    Tensor (*f)(const Tensor&);
  };
  // Parameters as the front-ends pass them (leaky slope; elu alpha*scale, scale, input
  // scale; softplus beta, threshold; hardtanh bounds).
  const std::vector<Case> cases = {
      {Op::Gelu, 0, 0, 0, [](const Tensor& t) { return gelu(t); }},
      {Op::GeluTanh, 0, 0, 0, [](const Tensor& t) { return gelu(t, "tanh"); }},
      {Op::Silu, 0, 0, 0, [](const Tensor& t) { return silu(t); }},
      {Op::Mish, 0, 0, 0, [](const Tensor& t) { return mish(t); }},
      {Op::LeakyRelu, 0.01, 0, 0, [](const Tensor& t) { return leaky_relu(t); }},
      {Op::Elu, 1, 1, 1, [](const Tensor& t) { return elu(t); }},
      {Op::Softplus, 1, 20, 0, [](const Tensor& t) { return softplus(t); }},
      {Op::Hardtanh, -1, 1, 0, [](const Tensor& t) { return hardtanh(t); }},
      {Op::Hardsigmoid, 0, 0, 0, [](const Tensor& t) { return hardsigmoid(t); }},
      {Op::Hardswish, 0, 0, 0, [](const Tensor& t) { return hardswish(t); }},
      {Op::LogSigmoid, 0, 0, 0, [](const Tensor& t) { return log_sigmoid(t); }},
      {Op::Softsign, 0, 0, 0, [](const Tensor& t) { return softsign(t); }},
  };
  const std::vector<double> xs = {-30.0, -4.0, -2.9, -1.2, -0.3, 0.2, 0.9, 2.5, 3.5, 25.0};
  for (const auto& k : cases) {
    Tensor x = tensor(xs, TensorOptions().dtype(kDouble)).requires_grad_(true);
    Tensor y = k.f(x);
    y.sum().backward();
    auto out = contents<double>(y.detach());
    auto grad = contents<double>(x.grad());
    ember::backend::math::Activation<double> fn{k.op, k.a, k.b, k.c};
    for (size_t i = 0; i < xs.size(); ++i) {
      INFO("activation " << static_cast<int>(k.op) << " at " << xs[i]);
      CHECK(same(fn.forward(xs[i]), out[i]));
      CHECK(same(fn.backward(1.0, xs[i]), grad[i]));
    }
    // float: the same formulas in single precision.
    Tensor xf = tensor(xs, TensorOptions().dtype(kFloat));
    auto outf = contents<float>(k.f(xf));
    ember::backend::math::Activation<float> ff{k.op, static_cast<float>(k.a), static_cast<float>(k.b),
                                               static_cast<float>(k.c)};
    for (size_t i = 0; i < xs.size(); ++i) CHECK(same(ff.forward(static_cast<float>(xs[i])), outf[i]));
  }
}

namespace {

// Same 16-bit value: equal bits, or both NaN.
template <class H>
bool same_bits(H a, H b) {
  const float fa = static_cast<float>(a), fb = static_cast<float>(b);
  if (std::isnan(fa) || std::isnan(fb)) return std::isnan(fa) && std::isnan(fb);
  return a.bits == b.bits;
}

// The opmath path of the CUDA kernels on storage type H against widening by hand, the
// float functor, and one rounding.
template <class H>
void check_opmath_path(const std::vector<float>& values) {
  const std::vector<UnaryOp> unary = {UnaryOp::Neg, UnaryOp::Exp, UnaryOp::Square, UnaryOp::Sigmoid,
                                      UnaryOp::Sqrt, UnaryOp::Reciprocal, UnaryOp::Round, UnaryOp::Clamp};
  const std::vector<BinaryOp> binary = {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div,
                                        BinaryOp::Pow, BinaryOp::Maximum, BinaryOp::Remainder};
  for (UnaryOp op : unary) {
    const math::UnaryFn<float> ff{op, -2.0f, 70000.0f};
    const math::StorageUnaryFn<H> fh{ff};
    for (float v : values) {
      const H x(v);
      INFO("unary op " << static_cast<int>(op) << " x " << static_cast<float>(x));
      CHECK(same_bits(fh(x), H(ff(static_cast<float>(x)))));
    }
  }
  for (BinaryOp op : binary) {
    const math::BinaryFn<float> ff{op, 2.0f};
    const math::StorageBinaryFn<H> fh{ff};
    for (float v : values) {
      for (float w : values) {
        const H x(v), y(w);
        INFO("binary op " << static_cast<int>(op) << " x " << static_cast<float>(x) << " y " << static_cast<float>(y));
        CHECK(same_bits(fh(x, y), H(ff(static_cast<float>(x), static_cast<float>(y)))));
      }
    }
  }
  for (float v : values) {
    const H x(v);
    const float f = static_cast<float>(x);
    CHECK(math::unary_predicate(UnaryOp::IsNan, f) == std::isnan(f));
    CHECK(math::unary_predicate(UnaryOp::IsInf, f) == std::isinf(f));
  }
}

}  // namespace

TEST_CASE("cuda math: Half and BFloat16 compute in float and round once (opmath)", "[cuda][math]") {
  static_assert(std::is_same_v<math::opmath_t<math::Half>, float>);
  static_assert(std::is_same_v<math::opmath_t<math::BFloat16>, float>);
  static_assert(std::is_same_v<math::opmath_t<double>, double>);
  static_assert(std::is_same_v<math::opmath_t<int32_t>, int32_t>);
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const float sub = std::ldexp(1.0f, -24);  // the smallest Half subnormal
  const std::vector<float> values = {0.0f,  -0.0f, 1.0f / 3.0f, -2.5f, 3.0f,   11.0f,   300.0f, 65504.0f,
                                     -65504.0f, sub, 3 * sub,   1e-5f, 1e-30f, 1e30f, inf,    -inf,
                                     nan};
  check_opmath_path<math::Half>(values);
  check_opmath_path<math::BFloat16>(values);

  using H = math::Half;
  using B = math::BFloat16;
  auto un = [](UnaryOp op, auto x) {
    using T = decltype(x);
    return static_cast<float>(math::StorageUnaryFn<T>{{op, 0.0f, 0.0f}}(x));
  };
  auto bin = [](BinaryOp op, auto x, auto y) {
    using T = decltype(x);
    return static_cast<float>(math::StorageBinaryFn<T>{{op, 1.0f}}(x, y));
  };
  // Values worked out by hand.
  CHECK(bin(BinaryOp::Add, H(65504.0f), H(15.0f)) == 65504.0f);  // below the halfway point 65520
  CHECK(bin(BinaryOp::Add, H(65504.0f), H(16.0f)) == inf);       // 65520 ties to even: 65536, past the range
  CHECK(bin(BinaryOp::Mul, H(65504.0f), H(-2.0f)) == -inf);
  CHECK(bin(BinaryOp::Add, B(65504.0f), B(16.0f)) == 65536.0f);  // bfloat16 keeps float's range
  CHECK(un(UnaryOp::Square, H(300.0f)) == inf);                  // 90000 overflows Half
  CHECK(un(UnaryOp::Square, B(300.0f)) == 90112.0f);             // 90000 to 8 bits: 176 * 512
  CHECK(un(UnaryOp::Exp, H(11.0f)) == 59872.0f);                 // exp(11) = 59874.14, Half step 32
  CHECK(un(UnaryOp::Exp, H(12.0f)) == inf);                      // 162754.8
  CHECK(bin(BinaryOp::Div, H(1.0f), H(3.0f)) == 0.333251953125f);  // 0x3555
  CHECK(bin(BinaryOp::Div, B(1.0f), B(3.0f)) == 0.333984375f);     // 0x3eab
  // Subnormals: 2^-25 ties to even (zero); 1.5 * 2^-24 ties to even (2 * 2^-24).
  CHECK(bin(BinaryOp::Mul, H(sub), H(0.5f)) == 0.0f);
  CHECK(bin(BinaryOp::Mul, H(3 * sub), H(0.5f)) == 2 * sub);
  CHECK(bin(BinaryOp::Mul, H(sub), H(1024.0f)) == std::ldexp(1.0f, -14));  // the smallest normal
  CHECK(un(UnaryOp::Neg, H(sub)) == -sub);
  // NaN stays NaN through arithmetic; maximum propagates it.
  CHECK(std::isnan(bin(BinaryOp::Add, H(nan), H(1.0f))));
  CHECK(std::isnan(bin(BinaryOp::Maximum, H(1.0f), H(nan))));
  CHECK(std::isnan(un(UnaryOp::Sqrt, B(-1.0f))));
  CHECK(std::isnan(un(UnaryOp::Exp, B(nan))));
  // One rounding, not one per step: alpha * y stays in float inside the add, so
  // 2048 + 3 * 1 = 2051 ties to even (2052) and 2048 + 0.5 * 1 = 2048.5 rounds to 2048
  // (Half's step at 2048 is 2).
  CHECK(bin(BinaryOp::Sub, H(2048.0f), H(1.0f)) == 2047.0f);
  CHECK(static_cast<float>(math::StorageBinaryFn<H>{{BinaryOp::Add, 3.0f}}(H(2048.0f), H(1.0f))) == 2052.0f);
  CHECK(static_cast<float>(math::StorageBinaryFn<H>{{BinaryOp::Add, 0.5f}}(H(2048.0f), H(1.0f))) == 2048.0f);
  // Integer and float types pass through unchanged.
  CHECK(math::StorageBinaryFn<int32_t>{{BinaryOp::Add, 1}}(2147483647, 1) == -2147483647 - 1);
  CHECK(math::StorageUnaryFn<float>{{UnaryOp::Exp, 0.0f, 0.0f}}(1.0f) == std::exp(1.0f));
}

TEST_CASE("cuda math: the sort orders rank float16 and bfloat16 NaN largest, ties by index", "[cuda][math]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto check = [&](auto zero) {
    using T = decltype(zero);
    using K = math::Keyed<T>;
    CHECK(math::is_nan_value(T(nan)));
    CHECK_FALSE(math::is_nan_value(T(std::numeric_limits<float>::infinity())));
    const math::Ascending<T> up;
    const math::Descending<T> down;
    CHECK(up(K{T(-2.0f), 5}, K{T(1.0f), 0}));
    CHECK(up(K{T(1.0f), 0}, K{T(nan), 1}));  // NaN after every number
    CHECK_FALSE(up(K{T(nan), 0}, K{T(1.0f), 1}));
    CHECK(up(K{T(nan), 0}, K{T(nan), 1}));   // NaNs by index
    CHECK(up(K{T(3.0f), 1}, K{T(3.0f), 2}));  // ties by index
    CHECK(down(K{T(nan), 3}, K{T(1.0f), 0}));  // NaN first when descending
    CHECK(down(K{T(2.0f), 1}, K{T(1.0f), 0}));
    CHECK(down(K{T(2.0f), 1}, K{T(2.0f), 4}));
    CHECK(math::same_value(T(nan), T(nan)));
    CHECK_FALSE(math::same_value(T(nan), T(0.0f)));
    CHECK(math::same_value(T(-0.0f), T(0.0f)));
  };
  check(math::Half{});
  check(math::BFloat16{});
}

namespace {
// Values of T with the awkward cases: both zeros, infinities, NaNs (both signs), ties.
template <class T>
std::vector<T> order_samples() {
  std::vector<T> v;
  if constexpr (std::is_same_v<T, bool>) {
    v = {true, false, false, true, true};
  } else if constexpr (std::is_integral_v<T>) {
    v = {T(3), std::numeric_limits<T>::max(), T(0), std::numeric_limits<T>::lowest(), T(3), T(1), T(0)};
    if constexpr (std::is_signed_v<T>) v.insert(v.end(), {T(-1), T(-7), T(-1)});
  } else {
    const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
    for (float f : {2.5f, -0.0f, nan, 0.0f, -inf, 1.0f, -nan, inf, -2.5f, 1.0f, 0.0f, -1e-3f, 65504.0f, nan, -0.0f})
      v.push_back(T(f));
  }
  return v;
}

// Stable sort by radix_key (or its complement) equals sorting with Ascending (Descending).
template <class T>
void check_radix_order() {
  using K = math::Keyed<T>;
  const std::vector<T> values = order_samples<T>();
  for (bool descending : {false, true}) {
    std::vector<K> by_order, by_key;
    for (size_t i = 0; i < values.size(); ++i) by_order.push_back(K{values[i], static_cast<int64_t>(i)});
    by_key = by_order;
    if (descending) std::sort(by_order.begin(), by_order.end(), math::Descending<T>{});
    else std::sort(by_order.begin(), by_order.end(), math::Ascending<T>{});
    std::stable_sort(by_key.begin(), by_key.end(), [&](const K& a, const K& b) {
      const auto ka = math::radix_key(a.v), kb = math::radix_key(b.v);
      return descending ? static_cast<decltype(ka)>(~ka) < static_cast<decltype(kb)>(~kb) : ka < kb;
    });
    for (size_t i = 0; i < values.size(); ++i) {
      INFO("position " << i << (descending ? " descending" : " ascending"));
      CHECK(by_key[i].i == by_order[i].i);
    }
  }
}
}  // namespace

TEST_CASE("cuda math: radix keys order every dtype as the sort orders, NaN and zeros included", "[cuda][math]") {
  check_radix_order<float>();
  check_radix_order<double>();
  check_radix_order<math::Half>();
  check_radix_order<math::BFloat16>();
  check_radix_order<int64_t>();
  check_radix_order<int32_t>();
  check_radix_order<uint8_t>();
  check_radix_order<bool>();
  // The keys themselves: NaN of either sign is the largest key, -0.0 shares 0.0's.
  CHECK(math::radix_key(-std::numeric_limits<float>::quiet_NaN()) == 0xffffffffu);
  CHECK(math::radix_key(-0.0f) == math::radix_key(0.0f));
  CHECK(math::radix_key(-std::numeric_limits<double>::infinity()) < math::radix_key(-1e300));
  CHECK(math::radix_key(int64_t(-1)) < math::radix_key(int64_t(0)));
}
