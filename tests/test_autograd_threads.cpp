// The tape across threads (independent graphs backpropagated concurrently, a shared
// leaf, thread-local grad mode) and memory: graphs are freed with their loss, and
// backward without retain_graph releases saved tensors.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

using namespace ember;
using ember::autograd::variable_list;

namespace {

TensorOptions f64() { return TensorOptions().dtype(kDouble); }

// The same small network for every thread, seeded by `k` so threads differ.
Tensor weights(int k) { return (sin(arange(12, f64()) * 0.37 + k) * 0.5).reshape({3, 4}); }
Tensor inputs(int k) { return cos(arange(6, f64()) * 0.21 - k).reshape({2, 3}); }

Tensor loss_of(const Tensor& x, const Tensor& w) { return (tanh(matmul(x, w)) * tanh(matmul(x, w))).sum(); }

// d loss / d w, computed in closed form without the tape: 2 t (1 - t^2) x^T.
Tensor expected_grad(const Tensor& x, const Tensor& w) {
  NoGradGuard ng;
  Tensor t = tanh(matmul(x, w));
  return matmul(x.t(), 2 * t * (1 - t * t));
}

long resident_kb() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * 4;
}

}  // namespace

TEST_CASE("threads: independent graphs backpropagate concurrently", "[autograd][threads]") {
  constexpr int kThreads = 4, kIters = 300;
  std::atomic<int> mismatches{0}, errors{0};
  std::vector<std::thread> pool;
  for (int k = 0; k < kThreads; ++k) {
    pool.emplace_back([k, &mismatches, &errors] {
      try {
        Tensor x = inputs(k);
        Tensor w = weights(k).requires_grad_(true);
        const Tensor want = expected_grad(x, w);
        for (int it = 0; it < kIters; ++it) {
          w.mutable_grad() = Tensor();
          // Alternate backward() and grad(), and a no-grad section, all thread-local.
          if (it % 2 == 0) {
            loss_of(x, w).backward();
            if (!w.grad().allclose(want, 1e-12, 1e-12)) ++mismatches;
          } else {
            Tensor g = autograd::grad({loss_of(x, w)}, {w})[0];
            if (!g.allclose(want, 1e-12, 1e-12) || w.grad().defined()) ++mismatches;
          }
          {
            NoGradGuard ng;
            if (loss_of(x, w).requires_grad()) ++mismatches;
          }
          if (!autograd::GradMode::is_enabled()) ++mismatches;
        }
      } catch (...) {
        ++errors;
      }
    });
  }
  for (auto& t : pool) t.join();
  CHECK(errors == 0);
  CHECK(mismatches == 0);
}

TEST_CASE("threads: grad mode of one thread does not leak into another", "[autograd][threads]") {
  Tensor w = ember::ones({2}, f64().requires_grad(true));
  std::atomic<bool> other_recorded{false};
  NoGradGuard ng;  // this thread: off
  std::thread t([&] { other_recorded = (w * 2).requires_grad(); });
  t.join();
  CHECK(other_recorded);
  CHECK_FALSE((w * 2).requires_grad());
}

TEST_CASE("threads: a shared leaf accumulates from several threads", "[autograd][threads]") {
  constexpr int kThreads = 4, kIters = 200;
  Tensor w = weights(0).requires_grad_(true);
  Tensor x = inputs(0);
  const Tensor once = expected_grad(x, w);
  std::vector<std::thread> pool;
  std::atomic<int> errors{0};
  for (int k = 0; k < kThreads; ++k) {
    pool.emplace_back([&] {
      try {
        for (int it = 0; it < kIters; ++it) loss_of(x, w).backward();
      } catch (...) {
        ++errors;
      }
    });
  }
  for (auto& t : pool) t.join();
  CHECK(errors == 0);
  CHECK(w.grad().allclose(once * (kThreads * kIters), 1e-9, 1e-9));
}

TEST_CASE("memory: a training loop frees each iteration's graph", "[autograd][memory]") {
  Tensor w = (sin(arange(128 * 128, TensorOptions()) * 0.01) * 0.05).reshape({128, 128}).requires_grad_(true);
  Tensor x = cos(arange(64 * 128, TensorOptions()) * 0.03).reshape({64, 128});
  auto step = [&] {
    Tensor h = tanh(matmul(x, w));
    Tensor loss = (h * h).mean();
    CHECK(x.use_count() > 1);  // saved by the graph (MmBackward0)
    loss.backward();
    {
      NoGradGuard ng;
      w.sub_(w.grad() * 0.01);
    }
    w.mutable_grad() = Tensor();
  };
  for (int i = 0; i < 50; ++i) step();
  const long before = resident_kb();
  for (int i = 0; i < 1500; ++i) {
    step();
    // The loss is gone: so is its graph, and with it every saved tensor. The leaf's
    // accumulator lives with w and does not own it.
    REQUIRE(x.use_count() == 1);
    REQUIRE(w.use_count() == 1);
  }
  const long grown = resident_kb() - before;
#if !defined(__SANITIZE_ADDRESS__)
  // Each iteration's graph holds ~100 KB of saved tensors: a leak would be 150 MB.
  CHECK(grown < 8 * 1024);
#else
  (void)grown;  // ASan's quarantine holds freed memory; its leak checker covers this
#endif
}

TEST_CASE("memory: backward releases saved tensors unless retain_graph", "[autograd][memory]") {
  Tensor w = ember::ones({4, 4}, TensorOptions().requires_grad(true));
  Tensor x = ember::ones({2, 4});
  Tensor h = tanh(matmul(x, w));  // TanhBackward0 saves h; MmBackward saves x (and w)
  const auto* h_storage = h.unsafeGetTensorImpl()->storage();
  Tensor loss = h.sum();
  CHECK(h_storage->use_count() == 2);
  CHECK(x.use_count() > 1);
  loss.backward({}, /*retain_graph=*/true);
  CHECK(h_storage->use_count() == 2);
  loss.backward();
  CHECK(h_storage->use_count() == 1);  // only h itself
  CHECK(x.use_count() == 1);
}

TEST_CASE("memory: a leaf may die before backward", "[autograd][memory]") {
  Tensor kept = ember::ones({2}, TensorOptions().requires_grad(true));
  Tensor loss;
  {
    Tensor gone = ember::full({2}, 3.0, TensorOptions().requires_grad(true));
    gone.register_hook([](const Tensor& g) { return g * 100; });
    loss = (kept * 3 + gone).sum();  // AddBackward0 saves nothing
    CHECK(gone.use_count() == 1);     // the graph does not own the leaf
  }
  loss.backward();  // gone's gradient has nowhere to go and is dropped
  CHECK(kept.grad()[0].item<float>() == 3);
}
