// CUDA devices as seen from any build: device strings, the no-device and no-CUDA error
// paths, and the front-ends' device checks (which run before any kernel, so tensors that
// only claim to be on a CUDA device exercise them on the CPU).
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include "needs_gpu.h"

#include <string>
#include <vector>

using namespace ember;

namespace {

bool mentions(const std::string& msg, const std::string& part) { return msg.find(part) != std::string::npos; }

// Host memory labelled as cuda:0: only device checks may look at it.
struct FakeCuda {
  std::vector<float> host = std::vector<float>(64, 1.0f);
  Tensor t(std::vector<int64_t> sizes) {
    return from_blob(host.data(), sizes, TensorOptions().dtype(kFloat).device(Device("cuda:0")));
  }
};

template <class F>
void expect_device_error(F f, const char* op) {
  try {
    f();
    FAIL("expected a DeviceError from " << op);
  } catch (const DeviceError& e) {
    const std::string m = e.what();
    INFO(m);
    CHECK(mentions(m, std::string("[ember::") + op));
    CHECK(mentions(m, "cpu"));
    CHECK(mentions(m, "cuda:0"));
  }
}

}  // namespace

TEST_CASE("cuda device: device strings parse as libtorch's", "[cuda][device]") {
  CHECK(Device("cuda:0").type() == kCUDA);
  CHECK(Device("cuda:0").index() == 0);
  CHECK(Device("cuda:3").index() == 3);
  CHECK(Device("cuda").index() == -1);
  CHECK_FALSE(Device("cuda").has_index());
  CHECK(Device("cuda:1").str() == "cuda:1");
  CHECK(Device(kCUDA, 2) == Device("cuda:2"));
  CHECK(Device(kCUDA, 0) != Device(kCUDA, 1));
  CHECK(Device("cpu").is_cpu());
  CHECK(Device(kCUDA).is_cuda());
  CHECK_THROWS_AS(Device("cuda:x"), DeviceError);
  CHECK_THROWS_AS(Device("cuda:"), DeviceError);
  CHECK_THROWS_AS(Device("gpu:0"), DeviceError);
  CHECK_THROWS_AS(Device("cpu:1"), DeviceError);
}

TEST_CASE("cuda device: availability is consistent with the device count", "[cuda][device]") {
  CHECK(cuda::is_available() == (cuda::device_count() > 0));
  CHECK(cuda::device_count() >= 0);
  if (!cuda::is_available()) CHECK_THROWS_AS(cuda::synchronize(), DeviceError);
}

TEST_CASE("cuda device: without a device, CUDA tensors raise a clear error", "[cuda][device]") {
  if (cuda::is_available()) {
    SUCCEED("a CUDA device is present; the no-device path is not reachable here");
    return;
  }
  auto check_message = [](const DeviceError& e) {
    const std::string m = e.what();
    INFO(m);
    // Built without CUDA, or built with CUDA on a machine without a device.
    CHECK((mentions(m, "built without CUDA") || mentions(m, "no CUDA device")));
  };
  try {
    (void)zeros({2, 3}, TensorOptions().device(kCUDA));
    FAIL("zeros on CUDA should raise");
  } catch (const DeviceError& e) {
    check_message(e);
  }
  try {
    (void)ones({2}).cuda();
    FAIL(".cuda() should raise");
  } catch (const DeviceError& e) {
    check_message(e);
  }
  CHECK_THROWS_AS(ones({2}).to(Device("cuda:0")), DeviceError);
  CHECK_THROWS_AS(empty({4}, TensorOptions().device("cuda:1")), DeviceError);
  CHECK_THROWS_AS(cuda::memory_stats(), DeviceError);
  CHECK_THROWS_AS(cuda::getCurrentCUDAStream(), DeviceError);
  CHECK_THROWS_AS(cuda::DeviceGuard{Device("cuda:0")}, DeviceError);
  cuda::DeviceGuard cpu_guard{Device(kCPU)};  // a CPU device is always fine
  cuda::empty_cache();                        // nothing cached, nothing to do
  CHECK_FALSE(cuda::allow_tf32_cublas());     // TF32 is off by default
}

TEST_CASE("cuda device: ops mixing devices name both devices", "[cuda][device]") {
  FakeCuda fc;
  Tensor g = fc.t({2, 3});
  Tensor c = ones({2, 3});
  CHECK(g.is_cuda());
  CHECK(g.device().str() == "cuda:0");
  expect_device_error([&] { (void)add(c, g); }, "add");
  expect_device_error([&] { (void)(g - c); }, "sub");
  expect_device_error([&] { (void)mul(g, c); }, "mul");
  expect_device_error([&] { (void)maximum(c, g); }, "maximum");
  expect_device_error([&] { (void)eq(c, g); }, "eq");
  expect_device_error([&] { (void)where(c > 0, g, c); }, "where");
  expect_device_error([&] { (void)mm(c, fc.t({3, 2})); }, "mm");
  expect_device_error([&] { (void)matmul(c, fc.t({3, 2})); }, "mm");
  expect_device_error([&] { (void)cat({c, g}); }, "cat");
  expect_device_error([&] { c.add_(g); }, "add_");
}

TEST_CASE("cuda device: ops on a tensor of another GPU run there and keep the current device (needs 2 GPUs)",
          "[cuda][device][gpu]") {
  EMBER_NEEDS_GPU();
  if (ember::cuda::device_count() < 2) {
    WARN("fewer than 2 CUDA devices: skipped (this test needs two GPUs)");
    return;
  }
  using namespace ember;
  cuda::set_device(0);
  manual_seed(3);
  const Tensor a = randn({64, 32}), b = randn({32, 16});
  const Tensor a1 = a.to(Device("cuda:1")), b1 = b.to(Device("cuda:1"));
  const Tensor c1 = (a1.mm(b1) + 1).relu().sum(0);
  CHECK(c1.device() == Device("cuda:1"));
  CHECK(cuda::current_device() == 0);
  CHECK(allclose(c1.cpu(), (a.mm(b) + 1).relu().sum(0), 1e-4, 1e-5));
  // A tensor made under a guard for device 1 lands there; ops then restore device 0.
  {
    cuda::DeviceGuard g(Device("cuda:1"));
    CHECK(zeros({2}, TensorOptions().device(kCUDA)).device() == Device("cuda:1"));
  }
  CHECK(zeros({2}, TensorOptions().device(kCUDA)).device() == Device("cuda:0"));
}

TEST_CASE("cuda device: record_stream needs a CUDA tensor on the stream's device", "[cuda][device]") {
  try {
    zeros({2}).record_stream(cuda::CUDAStream(nullptr, 0));
    FAIL("expected a DeviceError");
  } catch (const DeviceError& e) {
    const std::string m = e.what();
    CHECK(m.find("record_stream") != std::string::npos);
    CHECK(m.find("expected a CUDA tensor") != std::string::npos);
    CHECK(m.find("cpu") != std::string::npos);
  }
  CHECK_THROWS_AS(Tensor().record_stream(cuda::CUDAStream(nullptr, 0)), Error);
}

TEST_CASE("cuda device: a freed tensor recorded on a side stream is held until that stream's work is done "
          "(needs GPU)",
          "[cuda][device][gpu]") {
  EMBER_NEEDS_GPU();
  const auto on = TensorOptions().device(kCUDA);
  const auto side = cuda::getStreamFromPool();
  cuda::synchronize();
  (void)empty({1}, on);  // settles blocks freed before
  const int64_t before = cuda::memory_stats().allocated;
  constexpr int64_t kBytes = int64_t(4) << 20;
  {
    Tensor x = ones({kBytes / 4}, on);
    {
      cuda::CUDAStreamGuard g(side);
      (void)(x * 2).sum();
    }
    x.record_stream(side);
  }
  // Freed, but kept for the side stream until an allocation sees its work finished.
  CHECK(cuda::memory_stats().allocated >= before + kBytes);
  cuda::synchronize();
  (void)empty({1}, on);
  CHECK(cuda::memory_stats().allocated < before + kBytes);
  CHECK_THROWS_AS(ones({2}, on).record_stream(cuda::CUDAStream(nullptr, 7)), DeviceError);
}
