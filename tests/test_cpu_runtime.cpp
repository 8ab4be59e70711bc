// The CPU runtime under the kernels: caching allocator statistics, the thread pool's
// splitting (identical results at any thread count) and the accuracy of vec_math's float
// exp/tanh/sigmoid against libm in double.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include "backends/cpu/parallel.h"
#include "backends/cpu/vec_math.h"
#include <ember/ember.h>

namespace {

// Restores the thread count a test changed.
struct ThreadCountGuard {
  int saved = ember::get_num_threads();
  ~ThreadCountGuard() { ember::set_num_threads(saved); }
};

// Distance in representable floats between a and b (same sign).
int64_t ulp_distance(float a, float b) {
  auto ordered = [](float f) {
    int32_t i;
    std::memcpy(&i, &f, 4);
    return i < 0 ? int64_t(INT32_MIN) - i : int64_t(i);
  };
  const int64_t d = ordered(a) - ordered(b);
  return d < 0 ? -d : d;
}

// Runs `run` at 1 thread, then at 2 and 3, and checks every result against the 1-thread
// one with same(index, one, many); returns the 1-thread results.
template <class Run, class Same>
std::vector<ember::Tensor> check_across_threads(Run run, Same same) {
  ember::set_num_threads(1);
  const std::vector<ember::Tensor> one = run();
  for (int threads : {2, 3}) {
    ember::set_num_threads(threads);
    const std::vector<ember::Tensor> many = run();
    for (size_t i = 0; i < one.size(); ++i) {
      INFO("result " << i << " with " << threads << " threads");
      CHECK(same(i, one[i], many[i]));
    }
  }
  return one;
}

}  // namespace

TEST_CASE("memory_stats counts a large buffer, its reuse and empty_cache", "[memory]") {
  ember::empty_cache();
  const ember::MemoryStats s0 = ember::memory_stats();
  constexpr int64_t kBytes = int64_t(4) << 20;  // 4 MiB: a size class of its own, no rounding
  void* first = nullptr;
  {
    ember::Tensor t = ember::empty({kBytes / 4});
    first = t.data_ptr();
    const ember::MemoryStats s1 = ember::memory_stats();
    CHECK(s1.allocated_bytes - s0.allocated_bytes == kBytes);
    CHECK(s1.reserved_bytes - s0.reserved_bytes == kBytes);
    CHECK(s1.num_allocs - s0.num_allocs == 1);
    CHECK(s1.num_system_allocs - s0.num_system_allocs == 1);
    CHECK(s1.peak_allocated_bytes >= s1.allocated_bytes);
    CHECK(s1.peak_reserved_bytes >= s1.reserved_bytes);
  }
  const ember::MemoryStats s2 = ember::memory_stats();
  CHECK(s2.allocated_bytes == s0.allocated_bytes);
  CHECK(s2.reserved_bytes - s0.reserved_bytes == kBytes);  // cached, not returned
  {
    // The cached block serves the next request of its class without the system.
    ember::Tensor t = ember::empty({kBytes / 4 - 100});
    CHECK(t.data_ptr() == first);
    const ember::MemoryStats s3 = ember::memory_stats();
    CHECK(s3.num_system_allocs == s2.num_system_allocs);
    CHECK(s3.allocated_bytes - s0.allocated_bytes == kBytes);
  }
  ember::empty_cache();
  const ember::MemoryStats s4 = ember::memory_stats();
  CHECK(s4.reserved_bytes == s0.reserved_bytes);
  CHECK(s4.allocated_bytes == s0.allocated_bytes);
  ember::reset_peak_memory_stats();
  const ember::MemoryStats s5 = ember::memory_stats();
  CHECK(s5.peak_allocated_bytes == s5.allocated_bytes);
  CHECK(s5.peak_reserved_bytes == s5.reserved_bytes);
}

TEST_CASE("small buffers are 64-byte aligned, rounded to size classes and reused", "[memory]") {
  for (int64_t n : {1, 3, 17, 1000, 5000, 100000}) {
    ember::Tensor t = ember::empty({n});
    CHECK(reinterpret_cast<uintptr_t>(t.data_ptr()) % 64 == 0);
  }
  const ember::MemoryStats s0 = ember::memory_stats();
  void* p = nullptr;
  {
    ember::Tensor t = ember::empty({3});  // 12 bytes: the 64-byte class
    p = t.data_ptr();
    CHECK(ember::memory_stats().allocated_bytes - s0.allocated_bytes == 64);
  }
  {
    ember::Tensor t = ember::empty({16});  // 64 bytes: the same class, the same block
    CHECK(t.data_ptr() == p);
  }
  {
    ember::Tensor t = ember::empty({1200});  // 4800 bytes round up to 5120
    CHECK(ember::memory_stats().allocated_bytes - s0.allocated_bytes == 5120);
  }
  CHECK(ember::memory_stats().allocated_bytes == s0.allocated_bytes);
}

TEST_CASE("parallel_for covers the range once in grain-sized chunks", "[threads]") {
  ThreadCountGuard guard;
  using ember::backend::cpu::parallel_for;
  for (int threads : {1, 2, 3}) {
    ember::set_num_threads(threads);
    std::vector<std::atomic<int>> hits(100003);
    std::atomic<int> calls{0};
    parallel_for(0, 100003, 1000, [&](int64_t b, int64_t e) {
      ++calls;
      for (int64_t i = b; i < e; ++i) ++hits[static_cast<size_t>(i)];
    });
    bool once = true;
    for (auto& h : hits) once = once && h.load() == 1;
    CHECK(once);
    CHECK(calls.load() == threads);
    // Below two grains the range runs whole on the calling thread.
    calls = 0;
    parallel_for(5, 1500, 1000, [&](int64_t b, int64_t e) {
      ++calls;
      CHECK(b == 5);
      CHECK(e == 1500);
    });
    CHECK(calls.load() == 1);
    // A short range (four matrices of a batch) is split evenly, one item per chunk at most
    // apart, not rounded to 16-element bounds that would leave all of it to one chunk.
    std::vector<int64_t> sizes(static_cast<size_t>(threads), -1);
    std::atomic<int> chunk{0};
    parallel_for(0, 4, 1, [&](int64_t b, int64_t e) { sizes[static_cast<size_t>(chunk++)] = e - b; });
    CHECK(chunk.load() == threads);
    for (int64_t n : sizes) CHECK((n == 4 / threads || n == 4 / threads + 1));
  }
  // An exception in a chunk reaches the caller, and the pool keeps working after it.
  ember::set_num_threads(2);
  CHECK_THROWS_AS(parallel_for(0, 1 << 20, 1000, [](int64_t b, int64_t) {
                    if (b > 0) throw std::runtime_error("chunk failed");
                  }),
                  std::runtime_error);
  std::atomic<int64_t> total{0};
  parallel_for(0, 1 << 20, 1000, [&](int64_t b, int64_t e) { total += e - b; });
  CHECK(total.load() == (1 << 20));
}

TEST_CASE("kernels split over threads give the single-thread result bit for bit", "[threads]") {
  ThreadCountGuard guard;
  ember::manual_seed(3);
  const ember::Tensor a = ember::randn({300007});
  const ember::Tensor b = ember::randn({300007});
  const ember::Tensor big = ember::randn({1 << 20}) * 100;
  const ember::Tensor grid = ember::randn({700, 300}), grid_col = ember::randn({700, 1});
  auto run = [&] {
    // The last four are not flat: a broadcast row and column, a transposed view, a copy of
    // an expanded bias; they split along their first dim.
    return std::vector<ember::Tensor>{a + b, a * 2.5, a.exp(), a.tanh(), a.sigmoid(), a.neg(),
                                      a.to(ember::kDouble), big.sum(), (a > b), a.abs().sqrt(),
                                      grid + grid_col, grid.t() * 3, (grid.t() > 0.5), grid_col.expand({700, 300}).contiguous()};
  };
  const auto one = check_across_threads(run, [](size_t, const ember::Tensor& x, const ember::Tensor& y) {
    return ember::equal(x, y);
  });
  // Values are right, not only stable: the sum against a double accumulation.
  double ref = 0;
  const float* p = big.data_ptr<float>();
  for (int64_t i = 0; i < big.numel(); ++i) ref += p[i];
  CHECK(one[7].item<double>() == Approx(ref).margin(1.0));
  CHECK((one[0] - (a + b)).abs().max().item<float>() == 0.0f);
  const float* ap = a.data_ptr<float>();
  CHECK(one[1].data_ptr<float>()[12345] == ap[12345] * 2.5f);
  CHECK(one[10][699][299].item<float>() == grid[699][299].item<float>() + grid_col[699][0].item<float>());
  CHECK(one[11][299][699].item<float>() == grid[699][299].item<float>() * 3);
  CHECK(one[13][650][17].item<float>() == grid_col[650][0].item<float>());
}

TEST_CASE("row reductions and softmax split over threads give the single-thread result bit for bit",
          "[threads]") {
  ThreadCountGuard guard;
  ember::manual_seed(5);
  const ember::Tensor m = ember::randn({601, 1003});
  const ember::Tensor m3 = ember::randn({40, 301, 7});
  auto run = [&] {
    return std::vector<ember::Tensor>{m.sum(1), m.mean(1), m.amax(1), m.amin(1), std::get<0>(m.max(1)),
                                      std::get<1>(m.max(1)), std::get<1>(m.min(1)), m.max(), m.min(),
                                      ember::softmax(m, 1), ember::log_softmax(m, 1), ember::softmax(m3, 1),
                                      m.logsumexp({1}), m.sum(0)};
  };
  auto same_bits = [](const ember::Tensor& x, const ember::Tensor& y) {
    return x.sizes() == y.sizes() && x.dtype() == y.dtype() &&
           std::memcmp(x.contiguous().data_ptr(), y.contiguous().data_ptr(), x.nbytes()) == 0;
  };
  check_across_threads(run, [&](size_t, const ember::Tensor& x, const ember::Tensor& y) { return same_bits(x, y); });
  // The backward of softmax over rows too.
  auto grad = [&] {
    ember::Tensor x = m.detach().requires_grad_();
    (ember::log_softmax(x, 1) * m).sum().backward();
    return x.grad();
  };
  ember::set_num_threads(1);
  const ember::Tensor g1 = grad();
  ember::set_num_threads(2);
  CHECK(same_bits(g1, grad()));
}

TEST_CASE("matrix products, convolutions and pooling split over threads give the single-thread result",
          "[threads]") {
  ThreadCountGuard guard;
  ember::manual_seed(9);
  const ember::Tensor a = ember::randn({300, 170}), b = ember::randn({170, 90});
  const ember::Tensor wide = ember::randn({20, 170}), bt = ember::randn({400, 170});
  const ember::Tensor batch_a = ember::randn({5, 60, 70}), batch_b = ember::randn({5, 70, 80});
  const ember::Tensor img = ember::randn({6, 3, 17, 19}), w = ember::randn({8, 3, 3, 3});
  const ember::Tensor dbl_a = ember::randn({120, 150}, ember::kDouble), dbl_b = ember::randn({150, 130}, ember::kDouble);
  auto run = [&] {
    // Products split along m (tall), along n (wide, with op(B) transposed) and along the
    // batch, with A transposed; a convolution forward and backward; max pooling and its
    // backward.
    ember::Tensor x = img.detach().requires_grad_(), k = w.detach().requires_grad_();
    ember::Tensor y = ember::conv2d(x, k, {}, 1, 1);
    ember::Tensor pooled = ember::max_pool2d(y, 2);
    (pooled * pooled).sum().backward();
    return std::vector<ember::Tensor>{ember::mm(a, b),        ember::mm(wide, bt.t()), ember::mm(a.t().contiguous().t(), b),
                                      ember::bmm(batch_a, batch_b), ember::bmm(batch_a.transpose(1, 2).contiguous().transpose(1, 2), batch_b),
                                      ember::mm(dbl_a, dbl_b), y.detach(), pooled.detach(), x.grad(), k.grad()};
  };
  // A product split along m or n runs OpenBLAS on blocks, whose kernels may round the last
  // bits differently (as OpenBLAS's own threading does); batch entries, double products,
  // convolutions and pooling match exactly.
  const auto one = check_across_threads(run, [](size_t i, const ember::Tensor& x, const ember::Tensor& y) {
    return i <= 2 ? ember::allclose(x, y, 1e-5, 1e-4) : ember::equal(x, y);
  });
  // And the products are right: one element of each against a double dot product.
  auto dot = [](const ember::Tensor& l, const ember::Tensor& r, int64_t i, int64_t j) {
    double acc = 0;
    for (int64_t p = 0; p < l.size(1); ++p) acc += l[i][p].item<double>() * r[p][j].item<double>();
    return acc;
  };
  CHECK(one[0][299][89].item<double>() == Approx(dot(a, b, 299, 89)).margin(1e-4));
  CHECK(one[1][19][399].item<double>() == Approx(dot(wide, bt.t(), 19, 399)).margin(1e-4));
  CHECK(one[4][4][59][79].item<double>() == Approx(dot(batch_a[4], batch_b[4], 59, 79)).margin(1e-4));
  CHECK(one[5][119][129].item<double>() == Approx(dot(dbl_a, dbl_b, 119, 129)).margin(1e-10));
}

TEST_CASE("tensors and tape nodes made on one thread are freed on another", "[memory][threads]") {
  // Tensor, storage and node objects come from per-thread free lists; a block freed on
  // another thread joins that thread's list, and a thread's lists are returned when it exits.
  std::vector<ember::Tensor> made;
  std::thread producer([&] {
    for (int i = 0; i < 2000; ++i) {
      ember::Tensor x = ember::full({3}, float(i)).requires_grad_();
      made.push_back(x * 2 + 1);  // keeps a node alive through the result
    }
  });
  producer.join();
  REQUIRE(made.size() == 2000);
  CHECK(made[1234][2].item<float>() == 2469.0f);
  made[7].sum().backward();  // the nodes made on the exited thread still work
  made.clear();              // and are freed here
  std::thread consumer([] {
    for (int i = 0; i < 3000; ++i) {
      ember::Tensor t = ember::ones({2}) * float(i);
      if (t[1].item<float>() != float(i)) throw std::runtime_error("wrong value");
    }
  });
  consumer.join();
  const ember::Tensor again = ember::arange(4) + 1;
  CHECK(again[3].item<int64_t>() == 4);
}

TEST_CASE("vec_math float exp, tanh and sigmoid are within 2 ulp of libm", "[vec_math]") {
  namespace vec = ember::backend::cpu::vec;
  int64_t worst_exp = 0, worst_tanh = 0, worst_sigmoid = 0;
  for (float x = -87.0f; x < 88.0f; x += 0.000731f * (1.0f + std::fabs(x))) {
    const float ref = static_cast<float>(std::exp(static_cast<double>(x)));
    worst_exp = std::max(worst_exp, ulp_distance(vec::exp(x), ref));
  }
  for (float x = -20.0f; x < 20.0f; x += 0.0000937f) {
    const float t_ref = static_cast<float>(std::tanh(static_cast<double>(x)));
    worst_tanh = std::max(worst_tanh, ulp_distance(vec::tanh(x), t_ref));
    const float s_ref = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(x))));
    worst_sigmoid = std::max(worst_sigmoid, ulp_distance(1.0f / (1.0f + vec::exp(-x)), s_ref));
  }
  CHECK(worst_exp <= 2);
  CHECK(worst_tanh <= 2);
  CHECK(worst_sigmoid <= 3);
  // Edges: overflow, underflow, NaN, tiny arguments.
  CHECK(std::isinf(vec::exp(100.0f)));
  CHECK(vec::exp(-200.0f) == 0.0f);
  CHECK(std::isnan(vec::exp(NAN)));
  CHECK(std::isnan(vec::tanh(NAN)));
  CHECK(vec::tanh(1e-8f) == 1e-8f);
  CHECK(vec::tanh(30.0f) == 1.0f);
  CHECK(vec::tanh(-30.0f) == -1.0f);
  // 1 + erf: absolute error of the Abramowitz-Stegun form.
  double worst_erf = 0;
  for (float x = -6.0f; x < 6.0f; x += 0.001f)
    worst_erf = std::max(worst_erf, std::fabs(static_cast<double>(vec::one_plus_erf(x)) -
                                              (1.0 + std::erf(static_cast<double>(x)))));
  CHECK(worst_erf < 1e-6);
}

TEST_CASE("exp, tanh and sigmoid of float tensors match libm closely", "[vec_math]") {
  const ember::Tensor x = ember::linspace(-30, 30, 10001);
  const ember::Tensor xd = x.to(ember::kDouble);
  CHECK(ember::allclose(x.exp().to(ember::kDouble), xd.exp(), 3e-7, 0));
  CHECK(ember::allclose(x.tanh().to(ember::kDouble), xd.tanh(), 3e-7, 1e-30));
  CHECK(ember::allclose(x.sigmoid().to(ember::kDouble), xd.sigmoid(), 3e-7, 1e-30));
}
