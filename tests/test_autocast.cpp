// CUDA autocast: the per-thread state, which operands each policy casts, and that CPU work
// is left alone; on a GPU, mixed-precision forward and backward against float32.
#include <cmath>
#include <thread>

#include "core_helpers.h"
#include "needs_gpu.h"
#include "src/core/autocast.h"

using namespace ember;
using autocast::Policy;
using autocast::target_dtype;

TEST_CASE("autocast: per-thread state, guard and nesting", "[autocast]") {
  CHECK_FALSE(autocast::is_enabled());
  CHECK(autocast::get_autocast_gpu_dtype() == kHalf);
  {
    autocast::AutocastGuard outer;
    CHECK(autocast::is_enabled());
    {
      autocast::AutocastGuard inner(kBFloat16);
      CHECK(autocast::get_autocast_gpu_dtype() == kBFloat16);
      autocast::AutocastGuard off(kHalf, false);
      CHECK_FALSE(autocast::is_enabled());
    }
    CHECK(autocast::is_enabled());
    CHECK(autocast::get_autocast_gpu_dtype() == kHalf);
  }
  CHECK_FALSE(autocast::is_enabled());
  CHECK(autocast::increment_nesting() == 1);
  CHECK(autocast::decrement_nesting() == 0);
  REQUIRE_EMBER_ERROR(autocast::set_autocast_gpu_dtype(kFloat), DTypeError, "set_autocast_gpu_dtype", "Float");
  bool other_thread_enabled = true;
  {
    autocast::AutocastGuard on;
    std::thread([&] { other_thread_enabled = autocast::is_enabled(); }).join();
  }
  CHECK_FALSE(other_thread_enabled);  // the state is the calling thread's, as libtorch's
}

TEST_CASE("autocast: lower precision for products and convolutions, float32 for range-hungry ops", "[autocast]") {
  const auto cuda = DeviceType::CUDA, cpu = DeviceType::CPU;
  CHECK_FALSE(target_dtype(Policy::LowerPrecision, cuda, kFloat));  // off: nothing is cast
  autocast::AutocastGuard on;
  CHECK(target_dtype(Policy::LowerPrecision, cuda, kFloat) == kHalf);
  CHECK_FALSE(target_dtype(Policy::LowerPrecision, cuda, kHalf));
  CHECK_FALSE(target_dtype(Policy::LowerPrecision, cuda, kDouble));  // float64 is never lowered
  CHECK_FALSE(target_dtype(Policy::LowerPrecision, cuda, kLong));
  CHECK(target_dtype(Policy::LowerPrecision, cuda, kBFloat16) == kHalf);  // one 16-bit type per op
  CHECK_FALSE(target_dtype(Policy::LowerPrecision, cpu, kFloat));      // CUDA autocast leaves the CPU alone
  CHECK(target_dtype(Policy::Float32, cuda, kHalf) == kFloat);
  CHECK(target_dtype(Policy::Float32, cuda, kBFloat16) == kFloat);
  CHECK_FALSE(target_dtype(Policy::Float32, cuda, kFloat));
  CHECK_FALSE(target_dtype(Policy::Float32, cuda, kDouble));
  CHECK_FALSE(target_dtype(Policy::Float32, cpu, kHalf));
  autocast::set_autocast_gpu_dtype(kBFloat16);
  CHECK(target_dtype(Policy::LowerPrecision, cuda, kFloat) == kBFloat16);
  CHECK(target_dtype(Policy::LowerPrecision, cuda, kHalf) == kBFloat16);
}

TEST_CASE("autocast: CPU tensors compute as without it", "[autocast]") {
  manual_seed(0);
  Tensor x = randn({4, 3}), w = randn({2, 3}, requires_grad()), b = randn({2}, requires_grad());
  Tensor plain = linear(x, w, b).softmax(1);
  autocast::AutocastGuard on;
  Tensor y = linear(x, w, b).softmax(1);
  CHECK(y.dtype() == kFloat);
  CHECK(allclose(y, plain, 0, 0));
  y.sum().backward();
  CHECK(w.grad().dtype() == kFloat);
}

TEST_CASE("autocast: float16 and bfloat16 forward and backward on CUDA track float32 (needs GPU)",
          "[autocast][cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(1);
  nn::Linear fc1(16, 32), fc2(32, 4);
  fc1->to(kCUDA);
  fc2->to(kCUDA);
  Tensor x = randn({8, 16}).cuda(), target = randint(0, 4, {8}).cuda();
  auto loss_of = [&] { return nn::functional::cross_entropy(fc2->forward(relu(fc1->forward(x))), target); };
  Tensor ref = loss_of();
  ref.backward();
  Tensor ref_grad = fc1->weight.grad().clone();
  for (ScalarType low : {kHalf, kBFloat16}) {
    fc1->weight.mutable_grad() = Tensor();
    Tensor h, loss;
    {
      autocast::AutocastGuard on(low);
      h = fc1->forward(x);
      loss = loss_of();
      CHECK(softmax(h, 1).dtype() == kFloat);  // float32 policy
    }
    CHECK(h.dtype() == low);           // products run in the low dtype
    CHECK(loss.dtype() == kFloat);     // the loss in float32
    loss.backward();
    CHECK(fc1->weight.grad().dtype() == kFloat);  // parameters and their gradients stay float32
    const double tol = low == kHalf ? 5e-3 : 3e-2;
    CHECK(std::abs(loss.item<double>() - ref.item<double>()) < tol);
    CHECK(allclose(fc1->weight.grad(), ref_grad, tol, tol));
  }
  // A parameter updated in place inside the region is cast again, not served stale.
  autocast::AutocastGuard on;
  Tensor before = fc1->forward(x);
  {
    NoGradGuard ng;
    fc1->weight.mul_(2);
    fc1->bias.mul_(2);
  }
  CHECK(allclose(fc1->forward(x).to(kFloat), before.to(kFloat) * 2, 1e-2, 1e-2));
}
