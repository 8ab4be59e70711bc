// The cuBLAS workspace given to each (handle, stream): its size rule on the CPU, and GEMM
// repeating bit for bit on concurrent streams on a GPU.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <cstring>
#include <string>
#include <vector>

#include "backends/common/cublas_workspace.h"
#include "needs_gpu.h"

using ember::backend::cuda::cublas_workspace_bytes;

TEST_CASE("cublas workspace: unset follows cuBLAS's recommendation per architecture", "[cuda][gemm]") {
  CHECK(cublas_workspace_bytes(nullptr, 9) == size_t(32) << 20);  // Hopper: 32 MiB
  CHECK(cublas_workspace_bytes("", 10) == size_t(32) << 20);
  CHECK(cublas_workspace_bytes(nullptr, 8) == (4096 * 2 + 16 * 8) * size_t(1024));  // 8 MiB + 128 KiB
}

TEST_CASE("cublas workspace: CUBLAS_WORKSPACE_CONFIG sums SIZE KiB times COUNT", "[cuda][gemm]") {
  CHECK(cublas_workspace_bytes(":4096:8", 9) == size_t(32) << 20);
  CHECK(cublas_workspace_bytes(":16:8", 9) == 128 * size_t(1024));
  CHECK(cublas_workspace_bytes(":4096:2:16:8", 9) == (4096 * 2 + 16 * 8) * size_t(1024));
  CHECK(cublas_workspace_bytes(":0:0", 9) == 0);
}

TEST_CASE("cublas workspace: a malformed CUBLAS_WORKSPACE_CONFIG raises naming it", "[cuda][gemm]") {
  for (const char* bad : {"4096:8", ":4096", ":4096:", ":4096:8:", ":x:8", ":4096:8x", ":99999999999:1"}) {
    INFO(bad);
    try {
      (void)cublas_workspace_bytes(bad, 9);
      FAIL("expected an error");
    } catch (const ember::Error& e) {
      const std::string m = e.what();
      CHECK(m.find("CUBLAS_WORKSPACE_CONFIG") != std::string::npos);
      CHECK(m.find(bad) != std::string::npos);
    }
  }
}

TEST_CASE("cuda: GEMM on two concurrent streams repeats the single-stream bits (needs GPU)", "[cuda][gpu][gemm]") {
  EMBER_NEEDS_GPU();
  using namespace ember;
  auto on = TensorOptions().device(kCUDA);
  manual_seed(7);
  const Tensor a = randn({512, 768}, on), b = randn({768, 640}, on);
  const Tensor want = a.mm(b).cpu();
  cuda::synchronize();
  auto s1 = cuda::getStreamFromPool(), s2 = cuda::getStreamFromPool();
  std::vector<Tensor> got;
  for (int i = 0; i < 4; ++i) {
    cuda::CUDAStreamGuard g(i % 2 ? s1 : s2);
    got.push_back(a.mm(b));
  }
  cuda::synchronize();
  for (const Tensor& t : got) {
    const Tensor c = t.cpu();
    REQUIRE(c.sizes() == want.sizes());
    CHECK(std::memcmp(c.data_ptr<float>(), want.data_ptr<float>(), want.numel() * sizeof(float)) == 0);
  }
}
