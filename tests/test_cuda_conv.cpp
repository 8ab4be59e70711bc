// Convolution on cuDNN: the host-side plan (which operand is image, filter and output in
// each direction, the 32-bit limits, the per-shape algorithm cache) runs on the CPU; the
// GPU tests compare cuDNN with the CPU and with im2col + cuBLAS, and skip without a GPU.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <cmath>
#include <functional>
#include <vector>

#include "backends/common/conv_plan.h"
#include "needs_gpu.h"

using namespace ember;
namespace plan = ember::backend::conv_plan;
using Dir = backend::Backend::ConvDirection;
using Window = backend::Backend::Window2d;

namespace {

struct Arg {
  std::vector<int64_t> sizes, strides;
  backend::TensorArg arg;
  explicit Arg(std::vector<int64_t> s) : sizes(std::move(s)), strides(sizes.size(), 1) {
    int64_t n = 1;
    for (size_t d = sizes.size(); d-- > 0;) strides[d] = n, n *= sizes[d];
    arg = backend::TensorArg{nullptr, kFloat, static_cast<int>(sizes.size()), sizes.data(), strides.data(), n, true};
  }
};

// x [2, 6, 9, 7], w [4, 3, 3, 2], groups 2, stride (2, 1), padding (1, 0), dilation (1, 2):
// OH = (9 + 2 - 2 - 1) / 2 + 1 = 5, OW = (7 - 2 - 1) / 1 + 1 = 5.
const Window kWin{3, 2, 2, 1, 1, 0, 1, 2};
const std::vector<int64_t> kX{2, 6, 9, 7}, kW{4, 3, 3, 2}, kY{2, 4, 5, 5};

void check_shapes(const plan::Shapes& s) {
  for (int d = 0; d < 4; ++d) {
    CHECK(s.x[d] == kX[static_cast<size_t>(d)]);
    CHECK(s.w[d] == kW[static_cast<size_t>(d)]);
    CHECK(s.y[d] == kY[static_cast<size_t>(d)]);
  }
}

double max_rel_diff(const Tensor& a, const Tensor& b) {
  NoGradGuard ng;
  Tensor x = a.detach().cpu().to(kDouble), y = b.detach().cpu().to(kDouble);
  REQUIRE(x.sizes() == y.sizes());
  return ((x - y).abs() / (y.abs() + 1)).max().item<double>();
}

}  // namespace

TEST_CASE("cuda conv plan: each direction names image, filter and output", "[cuda][conv]") {
  Arg x(kX), w(kW), y(kY);
  plan::Shapes s{};
  REQUIRE(plan::shapes_of(Dir::Forward, x.arg, w.arg, y.arg, kWin, 2, s));
  check_shapes(s);
  s = {};
  REQUIRE(plan::shapes_of(Dir::BackwardData, y.arg, w.arg, x.arg, kWin, 2, s));
  check_shapes(s);
  s = {};
  REQUIRE(plan::shapes_of(Dir::BackwardWeight, x.arg, y.arg, w.arg, kWin, 2, s));
  check_shapes(s);
}

TEST_CASE("cuda conv plan: operands that do not make a convolution are refused", "[cuda][conv]") {
  Arg x(kX), w(kW), y(kY);
  plan::Shapes s{};
  CHECK_FALSE(plan::shapes_of(Dir::BackwardData, x.arg, w.arg, y.arg, kWin, 2, s));  // image and output swapped
  CHECK_FALSE(plan::shapes_of(Dir::Forward, x.arg, w.arg, y.arg, kWin, 1, s));       // 6 channels, filter takes 3
  CHECK_FALSE(plan::shapes_of(Dir::Forward, x.arg, w.arg, y.arg, kWin, 0, s));
  Window other = kWin;
  other.sh = 1;  // OH would be 9
  CHECK_FALSE(plan::shapes_of(Dir::Forward, x.arg, w.arg, y.arg, other, 2, s));
  Arg y3({2, 4, 25});
  CHECK_FALSE(plan::shapes_of(Dir::Forward, x.arg, w.arg, y3.arg, kWin, 2, s));
  // A transposed convolution's output padding leaves rows the forward direction drops:
  // x of 10 rows maps to the same 5 output rows.
  Arg x10({2, 6, 10, 7});
  CHECK(plan::shapes_of(Dir::BackwardData, y.arg, w.arg, x10.arg, kWin, 2, s));
}

TEST_CASE("cuda conv plan: sizes past 32 bits go to the GEMM path", "[cuda][conv]") {
  plan::Shapes s{{2, 6, 9, 7}, {4, 3, 3, 2}, {2, 4, 5, 5}};
  CHECK(plan::fits_int32(s, kWin));
  plan::Shapes big = s;
  big.x[0] = 1 << 23;  // 2^23 * 6 * 9 * 7 = 3.2e9 elements > 2^31 - 1
  big.y[0] = 1 << 23;
  CHECK_FALSE(plan::fits_int32(big, kWin));
  Window far = kWin;
  far.ph = int64_t(1) << 32;
  CHECK_FALSE(plan::fits_int32(s, far));
}

TEST_CASE("cuda conv plan: an algorithm is chosen once per shape, dtype, math mode, determinism and device", "[cuda][conv]") {
  plan::Cache<int> cache;
  int chosen = 0;
  auto choose = [&] { return ++chosen; };
  const plan::Shapes s{{2, 6, 9, 7}, {4, 3, 3, 2}, {2, 4, 5, 5}};
  const plan::Key k = plan::make_key(Dir::Forward, kFloat, 2, false, 0, 2, kWin, s);
  CHECK(cache.get(k, choose) == 1);
  CHECK(cache.get(plan::make_key(Dir::Forward, kFloat, 2, false, 0, 2, kWin, s), choose) == 1);  // equal key: cached
  CHECK(chosen == 1);
  CHECK(plan::KeyHash{}(k) == plan::KeyHash{}(plan::make_key(Dir::Forward, kFloat, 2, false, 0, 2, kWin, s)));
  // Each field that changes the algorithm makes a new entry.
  CHECK(cache.get(plan::make_key(Dir::BackwardData, kFloat, 2, false, 0, 2, kWin, s), choose) == 2);
  CHECK(cache.get(plan::make_key(Dir::Forward, kHalf, 2, false, 0, 2, kWin, s), choose) == 3);
  CHECK(cache.get(plan::make_key(Dir::Forward, kFloat, 1, false, 0, 2, kWin, s), choose) == 4);
  CHECK(cache.get(plan::make_key(Dir::Forward, kFloat, 2, false, 1, 2, kWin, s), choose) == 5);
  Window w2 = kWin;
  w2.dw = 1;
  CHECK(cache.get(plan::make_key(Dir::Forward, kFloat, 2, false, 0, 2, w2, s), choose) == 6);
  plan::Shapes s2 = s;
  s2.x[2] = 10;
  CHECK(cache.get(plan::make_key(Dir::Forward, kFloat, 2, false, 0, 2, kWin, s2), choose) == 7);
  CHECK(cache.get(plan::make_key(Dir::Forward, kFloat, 2, true, 0, 2, kWin, s), choose) == 8);
  CHECK(cache.size() == 8);
  CHECK(cache.get(k, choose) == 1);
}

TEST_CASE("cuda conv: cuDNN availability follows the device, and the switches hold their values",
          "[cuda][conv]") {
  if (!cuda::is_available()) CHECK_FALSE(cuda::cudnn_is_available());
  CHECK_FALSE(cuda::allow_tf32_cudnn());  // off by default, as allow_tf32_cublas
  if (cuda::device_count() == 0 && !cuda::cudnn_enabled()) {
    SUCCEED("built without the CUDA backend: the switches are inert");
    return;
  }
  CHECK(cuda::cudnn_enabled());
  cuda::set_cudnn_enabled(false);
  CHECK_FALSE(cuda::cudnn_enabled());
  cuda::set_cudnn_enabled(true);
  cuda::set_allow_tf32_cudnn(true);
  CHECK(cuda::allow_tf32_cudnn());
  cuda::set_allow_tf32_cudnn(false);
  CHECK_FALSE(cuda::cudnn_deterministic());
  cuda::set_cudnn_deterministic(true);
  CHECK(cuda::cudnn_deterministic());
  cuda::set_cudnn_deterministic(false);
}

TEST_CASE("cuda conv: cuDNN convolutions and their gradients match the CPU and the GEMM path (needs GPU)",
          "[cuda][gpu][conv]") {
  EMBER_NEEDS_GPU();
  REQUIRE(cuda::cudnn_is_available());
  manual_seed(21);
  using ConvFn = std::function<Tensor(const Tensor&, const Tensor&, const Tensor&)>;
  struct Case {
    const char* name;
    std::vector<int64_t> x, w;
    int64_t out_channels;
    ConvFn f;
  };
  const std::vector<Case> cases = {
      {"3x3 padded", {4, 3, 12, 10}, {8, 3, 3, 3}, 8,
       [](const Tensor& x, const Tensor& w, const Tensor& b) { return conv2d(x, w, b, 1, 1); }},
      {"strided, dilated, grouped", {2, 6, 11, 9}, {4, 3, 3, 2}, 4,
       [](const Tensor& x, const Tensor& w, const Tensor& b) {
         return conv2d(x, w, b, IntArrayRef{2, 1}, IntArrayRef{1, 0}, IntArrayRef{1, 2}, 2);
       }},
      {"1x1", {3, 5, 7, 7}, {6, 5, 1, 1}, 6,
       [](const Tensor& x, const Tensor& w, const Tensor& b) { return conv2d(x, w, b); }},
      {"depthwise", {2, 4, 8, 8}, {4, 1, 3, 3}, 4,
       [](const Tensor& x, const Tensor& w, const Tensor& b) { return conv2d(x, w, b, 1, 1, 1, 4); }},
      {"transposed with output padding", {2, 4, 5, 6}, {4, 3, 3, 3}, 3,
       [](const Tensor& x, const Tensor& w, const Tensor& b) {
         return conv_transpose2d(x, w, b, 2, 1, IntArrayRef{1, 0});
       }},
      {"1-D", {3, 4, 17}, {5, 4, 4}, 5,
       [](const Tensor& x, const Tensor& w, const Tensor& b) { return conv1d(x, w, b, 2, 1); }},
  };
  for (ScalarType dt : {kFloat, kDouble}) {
    for (const Case& c : cases) {
      INFO(c.name << " in " << dt);
      Tensor x = randn(c.x, TensorOptions().dtype(dt)).requires_grad_();
      Tensor w = randn(c.w, TensorOptions().dtype(dt)).requires_grad_();
      Tensor b = randn({c.out_channels}, TensorOptions().dtype(dt)).requires_grad_();
      Tensor y = c.f(x, w, b);
      Tensor gy = randn(y.sizes(), TensorOptions().dtype(dt));
      y.backward(gy);
      const double tol = dt == kFloat ? 1e-4 : 1e-10;
      for (bool use_cudnn : {true, false}) {
        cuda::set_cudnn_enabled(use_cudnn);
        Tensor xg = x.detach().cuda().requires_grad_(), wg = w.detach().cuda().requires_grad_(),
               bg = b.detach().cuda().requires_grad_();
        Tensor yg = c.f(xg, wg, bg);
        yg.backward(gy.cuda());
        CHECK(max_rel_diff(yg, y) <= tol);
        CHECK(max_rel_diff(xg.grad(), x.grad()) <= tol);
        CHECK(max_rel_diff(wg.grad(), w.grad()) <= tol);
        CHECK(max_rel_diff(bg.grad(), b.grad()) <= tol);
      }
      cuda::set_cudnn_enabled(true);
    }
  }
}

TEST_CASE("cuda conv: float16 and bfloat16 convolutions on cuDNN match float on the CPU (needs GPU)",
          "[cuda][gpu][conv]") {
  EMBER_NEEDS_GPU();
  REQUIRE(cuda::cudnn_is_available());
  manual_seed(22);
  for (ScalarType dt : {kHalf, kBFloat16}) {
    INFO(dt);
    // Inputs rounded to the 16-bit type first, so both sides multiply the same values.
    Tensor x = randn({4, 8, 10, 10}).to(dt).to(kFloat).requires_grad_();
    Tensor w = (randn({16, 8, 3, 3}) * 0.2).to(dt).to(kFloat).requires_grad_();
    Tensor y = conv2d(x, w, Tensor(), 1, 1);
    Tensor gy = randn(y.sizes()).to(dt).to(kFloat);
    y.backward(gy);
    Tensor xg = x.detach().cuda().to(dt).requires_grad_(), wg = w.detach().cuda().to(dt).requires_grad_();
    Tensor yg = conv2d(xg, wg, Tensor(), 1, 1);
    REQUIRE(yg.dtype() == dt);
    yg.backward(gy.cuda().to(dt));
    // Float accumulation; the error is the 16-bit rounding of the results.
    const double tol = dt == kHalf ? 4e-3 : 3e-2;
    CHECK(max_rel_diff(yg, y) <= tol);
    CHECK(max_rel_diff(xg.grad(), x.grad()) <= tol);
    CHECK(max_rel_diff(wg.grad(), w.grad()) <= tol * 4);  // sums over 400 positions per weight
  }
}

TEST_CASE("cuda conv: TF32 for cuDNN changes float results only within TF32 rounding (needs GPU)",
          "[cuda][gpu][conv]") {
  EMBER_NEEDS_GPU();
  manual_seed(23);
  Tensor x = randn({8, 32, 16, 16}), w = randn({32, 32, 3, 3});
  Tensor ref = conv2d(x, w, Tensor(), 1, 1);
  Tensor xg = x.cuda(), wg = w.cuda();
  cuda::set_allow_tf32_cudnn(true);
  const Tensor tf32 = conv2d(xg, wg, Tensor(), 1, 1);
  cuda::set_allow_tf32_cudnn(false);
  const Tensor fp32 = conv2d(xg, wg, Tensor(), 1, 1);
  CHECK(max_rel_diff(fp32, ref) <= 1e-4);
  CHECK(max_rel_diff(tf32, ref) <= 5e-2);  // 10-bit mantissas over 288 products
}
