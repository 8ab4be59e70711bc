// Deterministic algorithms: the switches, the run-combining math of the CUDA backend's
// sorted scatter (run here on the CPU), and on a GPU, scatters, pooling/upsampling/padding
// gradients and convolutions that repeat bit for bit and match the CPU.
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <vector>

#include <catch2/catch.hpp>
#include <ember/ember.h>

#include "backends/common/half.h"
#include "backends/common/sorted_scatter.h"
#include "needs_gpu.h"

using namespace ember;
namespace ss = ember::backend::sorted_scatter;

namespace {

// Sets the mode for a scope and restores it.
struct DeterministicScope {
  explicit DeterministicScope(bool on) { use_deterministic_algorithms(on); }
  ~DeterministicScope() { use_deterministic_algorithms(false); }
};

// Targets in [0, extent) with many repeats, their stable sort, and values whose sums depend
// on the order they are added in (magnitudes from 1e-8 to 1e8).
struct Pairs {
  std::vector<int64_t> targets, sorted, order;
  std::vector<float> values, sorted_values;
};

Pairs make_pairs(int64_t n, int64_t extent, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> pick(0, extent - 1);
  std::uniform_real_distribution<float> mantissa(-1.f, 1.f);
  std::uniform_int_distribution<int> exponent(-8, 8);
  Pairs p;
  for (int64_t i = 0; i < n; ++i) {
    p.targets.push_back(pick(rng));
    p.values.push_back(mantissa(rng) * std::pow(10.f, static_cast<float>(exponent(rng))));
  }
  p.order.resize(static_cast<size_t>(n));
  std::iota(p.order.begin(), p.order.end(), 0);
  std::stable_sort(p.order.begin(), p.order.end(), [&](int64_t a, int64_t b) { return p.targets[a] < p.targets[b]; });
  for (int64_t i : p.order) {
    p.sorted.push_back(p.targets[static_cast<size_t>(i)]);
    p.sorted_values.push_back(p.values[static_cast<size_t>(i)]);
  }
  return p;
}

template <class T, class A, class Op>
void combine(const Pairs& p, std::vector<T>& dst) {
  const ss::CombineRuns<T, A, Op> f{p.sorted.data(), p.sorted_values.data(), dst.data(),
                                    static_cast<int64_t>(p.sorted.size()), {}};
  // Any visiting order gives the same result: each run is combined by its first index.
  for (int64_t i = static_cast<int64_t>(p.sorted.size()) - 1; i >= 0; --i) f(i);
}

}  // namespace

TEST_CASE("deterministic algorithms: the switches default to off and hold their values", "[deterministic]") {
  CHECK_FALSE(are_deterministic_algorithms_enabled());
  CHECK_FALSE(is_deterministic_algorithms_warn_only_enabled());
  use_deterministic_algorithms(true);
  CHECK(are_deterministic_algorithms_enabled());
  CHECK_FALSE(is_deterministic_algorithms_warn_only_enabled());
  use_deterministic_algorithms(true, /*warn_only=*/true);
  CHECK(are_deterministic_algorithms_enabled());
  CHECK(is_deterministic_algorithms_warn_only_enabled());
  use_deterministic_algorithms(false);
  CHECK_FALSE(are_deterministic_algorithms_enabled());
  CHECK_FALSE(is_deterministic_algorithms_warn_only_enabled());
}

TEST_CASE("deterministic algorithms: CPU results do not change with the mode", "[deterministic]") {
  manual_seed(31);
  Tensor src = randn({500, 4});
  Tensor index = randint(0, 6, {500});
  Tensor off = zeros({6, 4}).index_add(0, index, src);
  Tensor on;
  {
    DeterministicScope scope(true);
    on = zeros({6, 4}).index_add(0, index, src);
  }
  CHECK(equal(on, off));
}

TEST_CASE("sorted scatter: runs of equal targets add in pair order, as the CPU's row-major loop",
          "[deterministic][cuda]") {
  const Pairs p = make_pairs(400, 7, 1);
  std::vector<float> got(7, 0.5f), want(7, 0.5f);
  combine<float, float, ss::Add>(p, got);
  for (size_t i = 0; i < p.targets.size(); ++i) want[static_cast<size_t>(p.targets[i])] += p.values[i];
  CHECK(got == want);  // bit for bit
  // The order matters for these values: adding in reverse gives other bits somewhere.
  std::vector<float> reversed(7, 0.5f);
  for (size_t i = p.targets.size(); i-- > 0;) reversed[static_cast<size_t>(p.targets[i])] += p.values[i];
  CHECK(reversed != want);
}

TEST_CASE("sorted scatter: assignment keeps the last pair of each target, products multiply in order",
          "[deterministic][cuda]") {
  const Pairs p = make_pairs(60, 9, 2);
  std::vector<float> assigned(10, -1.f), last(10, -1.f);  // target 9 is never hit
  combine<float, float, ss::Assign>(p, assigned);
  for (size_t i = 0; i < p.targets.size(); ++i) last[static_cast<size_t>(p.targets[i])] = p.values[i];
  CHECK(assigned == last);
  CHECK(assigned[9] == -1.f);

  std::vector<double> product(9, 2.0), want(9, 2.0);
  Pairs q = make_pairs(40, 9, 3);
  std::vector<double> qv(q.values.begin(), q.values.end()), qsorted(q.sorted_values.begin(), q.sorted_values.end());
  const ss::CombineRuns<double, double, ss::Multiply> f{q.sorted.data(), qsorted.data(), product.data(),
                                                         static_cast<int64_t>(q.sorted.size()), {}};
  for (int64_t i = 0; i < static_cast<int64_t>(q.sorted.size()); ++i) f(i);
  for (size_t i = 0; i < q.targets.size(); ++i) want[static_cast<size_t>(q.targets[i])] *= qv[i];
  CHECK(product == want);
}

TEST_CASE("sorted scatter: 16-bit targets sum in float and round once", "[deterministic][cuda]") {
  using ember::backend::math::Half;
  Pairs p = make_pairs(300, 3, 4);
  for (float& v : p.values) v = static_cast<float>(Half(v * 1e-6f));  // values a Half can hold
  for (float& v : p.sorted_values) v = static_cast<float>(Half(v * 1e-6f));
  std::vector<Half> got(3, Half(1.f));
  combine<Half, float, ss::Add>(p, got);
  std::vector<float> exact(3, 1.f);
  for (size_t i = 0; i < p.targets.size(); ++i) exact[static_cast<size_t>(p.targets[i])] += p.values[i];
  for (size_t t = 0; t < 3; ++t) CHECK(got[t].bits == Half(exact[t]).bits);
}

TEST_CASE("sorted scatter: the radix sort looks at the bits the targets use", "[deterministic][cuda]") {
  CHECK(ss::target_bits(0) == 1);
  CHECK(ss::target_bits(1) == 1);
  CHECK(ss::target_bits(2) == 1);
  CHECK(ss::target_bits(3) == 2);
  CHECK(ss::target_bits(4) == 2);
  CHECK(ss::target_bits(5) == 3);
  CHECK(ss::target_bits(int64_t{1} << 40) == 40);
  CHECK(ss::target_bits((int64_t{1} << 40) + 1) == 41);
}

TEST_CASE("deterministic algorithms: CUDA scatters repeat bit for bit and equal the CPU's (needs GPU)",
          "[deterministic][cuda][gpu]") {
  EMBER_NEEDS_GPU();
  DeterministicScope scope(true);
  manual_seed(32);
  // Values of mixed magnitude into few targets, so that the order of the adds shows.
  Tensor src = randn({20000, 3}) * exp(randn({20000, 1}) * 4);
  Tensor index = randint(0, 5, {20000});
  const Tensor cpu_add = zeros({5, 3}).index_add(0, index, src);
  const Tensor cpu_scatter = zeros({5, 3}).scatter_add(0, index.unsqueeze(1).expand({20000, 3}).contiguous(), src);
  const Tensor cpu_put = index_put(zeros({5, 3}), {index}, src, /*accumulate=*/true);
  const Tensor cpu_assign = index_put(zeros({5, 3}), {index}, src);
  Tensor src_g = src.cuda(), index_g = index.cuda();
  for (int run = 0; run < 2; ++run) {
    INFO("run " << run);
    CHECK(equal(zeros({5, 3}).cuda().index_add(0, index_g, src_g).cpu(), cpu_add));
    CHECK(equal(zeros({5, 3}).cuda().scatter_add(0, index_g.unsqueeze(1).expand({20000, 3}).contiguous(), src_g).cpu(),
                cpu_scatter));
    CHECK(equal(index_put(zeros({5, 3}).cuda(), {index_g}, src_g, true).cpu(), cpu_put));
    CHECK(equal(index_put(zeros({5, 3}).cuda(), {index_g}, src_g).cpu(), cpu_assign));  // the last write wins
  }
  // Gradients of gather and embedding are scatters too.
  Tensor weight = randn({7, 4}, TensorOptions().requires_grad(true));
  Tensor ids = randint(0, 7, {3000});
  embedding(weight, ids).pow(2).sum().backward();
  Tensor weight_g = weight.detach().cuda().requires_grad_();
  embedding(weight_g, ids.cuda()).pow(2).sum().backward();
  CHECK(weight_g.grad().cpu().allclose(weight.grad(), 1e-5, 1e-5));
  Tensor first = weight_g.grad().clone();
  weight_g.grad().zero_();
  embedding(weight_g, ids.cuda()).pow(2).sum().backward();
  CHECK(equal(weight_g.grad(), first));
}

TEST_CASE("deterministic algorithms: 16-bit scatter multiply runs on CUDA (needs GPU)", "[deterministic][cuda][gpu]") {
  EMBER_NEEDS_GPU();
  const auto f64 = TensorOptions().dtype(kDouble);
  Tensor self = full({4}, 2.0, f64), src = tensor({1.5, 2.0, 0.5, 3.0, 1.0, 2.0}, f64);
  Tensor index = tensor({0, 0, 1, 3, 3, 3}, TensorOptions().dtype(kLong));
  const Tensor want = tensor({6.0, 1.0, 2.0, 12.0}, f64);  // 2*1.5*2, 2*0.5, untouched, 2*3*1*2
  for (ScalarType dt : {kHalf, kBFloat16}) {
    INFO(dt);
    Tensor got = scatter(self.to(dt).cuda(), 0, index.cuda(), src.to(dt).cuda(), "multiply");
    CHECK(equal(got.cpu().to(kDouble), want));
  }
}

TEST_CASE("deterministic algorithms: pooling, upsampling and padding gradients repeat bit for bit (needs GPU)",
          "[deterministic][cuda][gpu]") {
  EMBER_NEEDS_GPU();
  DeterministicScope scope(true);
  manual_seed(33);
  using Fn = std::function<Tensor(const Tensor&)>;
  const std::vector<std::pair<const char*, Fn>> cases = {
      {"max_pool2d, overlapping windows", [](const Tensor& x) { return max_pool2d(x, {3, 3}, {1, 1}); }},
      {"upsample_bilinear2d", [](const Tensor& x) { return upsample_bilinear2d(x, {29, 31}, false); }},
      {"reflection_pad2d", [](const Tensor& x) { return reflection_pad2d(x, {3, 3, 3, 3}); }},
  };
  for (const auto& [name, f] : cases) {
    INFO(name);
    Tensor x = randn({2, 3, 12, 13}, TensorOptions().requires_grad(true));
    Tensor y = f(x);
    Tensor gy = randn(y.sizes());
    y.backward(gy);
    Tensor first;
    for (int run = 0; run < 2; ++run) {
      Tensor xg = x.detach().cuda().requires_grad_();
      f(xg).backward(gy.cuda());
      CHECK(xg.grad().cpu().allclose(x.grad(), 1e-5, 1e-5));
      if (run == 0) first = xg.grad();
      else CHECK(equal(xg.grad(), first));
    }
  }
}

TEST_CASE("deterministic algorithms: cuDNN convolution gradients repeat bit for bit (needs GPU)",
          "[deterministic][cuda][gpu]") {
  EMBER_NEEDS_GPU();
  DeterministicScope scope(true);
  manual_seed(34);
  Tensor x = randn({16, 32, 20, 20}), w = randn({32, 32, 3, 3}), gy = randn({16, 32, 20, 20});
  Tensor ref_w;
  for (int run = 0; run < 2; ++run) {
    Tensor wg = w.cuda().requires_grad_(), xg = x.cuda().requires_grad_();
    conv2d(xg, wg, Tensor(), 1, 1).backward(gy.cuda());
    if (run == 0) {
      ref_w = wg.grad();
      Tensor wc = w.clone().requires_grad_();
      conv2d(x, wc, Tensor(), 1, 1).backward(gy);
      CHECK(ref_w.cpu().allclose(wc.grad(), 1e-4, 1e-3));
    } else {
      CHECK(equal(wg.grad(), ref_w));
    }
  }
}
