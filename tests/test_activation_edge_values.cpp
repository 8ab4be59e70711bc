// Activations at NaN and signed zeros, forward and backward, on the CPU (the CUDA kernels
// share these functors). Expected values are libtorch 1.13's, computed here with
// torch.nn.functional on [nan, -0.0, 0.0] and a gradient of ones.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

using namespace ember;

namespace {
struct Expect {
  const char* name;
  std::function<Tensor(const Tensor&)> f;
  std::vector<float> value, grad;  // NaN compares equal to NaN; zeros compare with their sign
  // elu takes expm1, which keeps -0.0, where libtorch's exp(x) - 1 gives 0.0 at x = -0.0.
  bool value_zero_sign = true;
};

// Equal within float rounding; NaN matches NaN and a zero must have the expected sign.
bool matches(float got, float want, bool zero_sign = true) {
  if (std::isnan(want)) return std::isnan(got);
  if (want == 0.0f) return got == 0.0f && (!zero_sign || std::signbit(got) == std::signbit(want));
  return std::fabs(got - want) <= 1e-6f * std::fabs(want);
}
}  // namespace

TEST_CASE("activations at NaN and signed zeros match libtorch", "[activation]") {
  const float nan = std::nanf("");
  const std::vector<Expect> cases = {
      {"relu", [](const Tensor& x) { return relu(x); }, {nan, -0.0f, 0.0f}, {1, 0, 0}},
      {"relu6", [](const Tensor& x) { return relu6(x); }, {nan, -0.0f, 0.0f}, {1, 0, 0}},
      {"hardtanh", [](const Tensor& x) { return hardtanh(x); }, {nan, -0.0f, 0.0f}, {1, 1, 1}},
      {"hardswish", [](const Tensor& x) { return hardswish(x); }, {nan, -0.0f, 0.0f}, {1, 0.5f, 0.5f}},
      {"hardsigmoid", [](const Tensor& x) { return hardsigmoid(x); }, {nan, 0.5f, 0.5f}, {0, 1 / 6.0f, 1 / 6.0f}},
      {"elu", [](const Tensor& x) { return elu(x); }, {nan, 0.0f, 0.0f}, {1, 1, 1}, false},
      {"selu", [](const Tensor& x) { return selu(x); }, {nan, 0.0f, 0.0f}, {1.0507010221481323f, 1.7580993175506592f, 1.7580993175506592f},
       false},
      {"leaky_relu", [](const Tensor& x) { return leaky_relu(x); }, {nan, -0.0f, 0.0f}, {0.01f, 0.01f, 0.01f}},
      {"clamp", [](const Tensor& x) { return clamp(x, 0, 1); }, {nan, -0.0f, 0.0f}, {0, 1, 1}},
      {"softplus", [](const Tensor& x) { return softplus(x); }, {nan, 0.6931471824645996f, 0.6931471824645996f}, {nan, 0.5f, 0.5f}},
  };
  for (const Expect& e : cases) {
    INFO(e.name);
    Tensor x = tensor({nan, -0.0f, 0.0f}).requires_grad_(true);
    Tensor y = e.f(x);
    y.backward(ones({3}));
    const Tensor yc = y.detach().contiguous(), gc = x.grad().contiguous();
    for (int i = 0; i < 3; ++i) {
      INFO("element " << i << ": value " << yc.data_ptr<float>()[i] << ", gradient " << gc.data_ptr<float>()[i]);
      CHECK(matches(yc.data_ptr<float>()[i], e.value[i], e.value_zero_sign));
      CHECK(matches(gc.data_ptr<float>()[i], e.grad[i]));
    }
  }
}

TEST_CASE("neg and abs give libtorch's signed zeros", "[unary]") {
  // libtorch 1.13: neg([-0.0, 0.0]) = [0.0, -0.0]; abs([-0.0, 0.0]) = [0.0, 0.0].
  const Tensor x = tensor({-0.0f, 0.0f, -0.0f, 0.0f}).reshape({2, 2});
  for (ScalarType t : {kFloat, kDouble}) {
    const Tensor n = neg(x.to(t)).to(kFloat).contiguous(), a = abs(x.to(t)).to(kFloat).contiguous();
    CHECK(!std::signbit(n.data_ptr<float>()[0]));
    CHECK(std::signbit(n.data_ptr<float>()[1]));
    CHECK(!std::signbit(a.data_ptr<float>()[0]));
    CHECK(!std::signbit(a.data_ptr<float>()[1]));
  }
}

TEST_CASE("nearest upsampling copies infinities", "[resample]") {
  // libtorch 1.13: interpolate([[1, inf], [-inf, 2]], scale_factor=2, mode="nearest") repeats each
  // pixel 2x2 with no NaN.
  const float inf = INFINITY;
  Tensor x = tensor({1.0f, inf, -inf, 2.0f}).reshape({1, 1, 2, 2}).requires_grad_(true);
  const Tensor y = upsample_nearest2d(x, std::vector<int64_t>{4, 4});
  const Tensor want = tensor({1.0f, 1.0f, inf, inf, 1.0f, 1.0f, inf, inf, -inf, -inf, 2.0f, 2.0f, -inf, -inf, 2.0f, 2.0f}).reshape({1, 1, 4, 4});
  CHECK(equal(y, want));
  // The gradient sums each 2x2 block of an infinite upstream gradient to an infinity too.
  y.backward(full({1, 1, 4, 4}, inf));
  CHECK(equal(x.grad(), full({1, 1, 2, 2}, inf)));
}
