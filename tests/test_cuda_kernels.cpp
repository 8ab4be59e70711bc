// CUDA kernels against the CPU backend: every implemented kernel family on a GPU, compared
// with the same op on the CPU. These need a GPU; without one each test says so and passes.
#include <catch2/catch.hpp>
#include <functional>
#include <limits>
#include <ember/ember.h>

#include <cmath>
#include <string>
#include <vector>
#include "needs_gpu.h"

using namespace ember;

namespace {

std::vector<double> host_values(const Tensor& t) {
  NoGradGuard ng;
  Tensor d = t.detach().cpu().to(kDouble).contiguous();
  const double* p = d.data_ptr<double>();
  return std::vector<double>(p, p + d.numel());
}

// Same sizes, dtype and values within tol (relative to magnitude); NaN matches NaN.
void check_same(const Tensor& gpu, const Tensor& cpu, double tol = 1e-5) {
  REQUIRE(gpu.is_cuda());
  REQUIRE(cpu.is_cpu());
  REQUIRE(gpu.sizes() == cpu.sizes());
  REQUIRE(gpu.dtype() == cpu.dtype());
  auto a = host_values(gpu), b = host_values(cpu);
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(b[i])) continue;
    if (std::isinf(b[i])) {
      REQUIRE(a[i] == b[i]);
      continue;
    }
    INFO("element " << i << ": cuda " << a[i] << " cpu " << b[i]);
    REQUIRE(std::fabs(a[i] - b[i]) <= tol * (1 + std::fabs(b[i])));
  }
}

Tensor sample(IntArrayRef sizes, ScalarType dt) {
  Tensor x = randn(sizes, TensorOptions().dtype(kDouble)) * 3;
  if (dt == kBool) return x > 0;
  if (dt == kByte) return x.abs().to(kByte);
  return x.to(dt);
}

const std::vector<ScalarType> kAll = {kFloat, kDouble, kLong, kInt, kByte, kBool};

}  // namespace

TEST_CASE("cuda: transfers round-trip every dtype and layout (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(1);
  for (ScalarType dt : kAll) {
    Tensor c = sample({5, 7}, dt);
    Tensor g = c.cuda();
    CHECK(g.device() == Device("cuda:0"));
    check_same(g, c, 0);
    CHECK(host_values(g.cpu()) == host_values(c));
    check_same(c.t().cuda(), c.t(), 0);                 // strided host source
    check_same(g.t().contiguous(), c.t().contiguous(), 0);
    CHECK(host_values(g.t().cpu()) == host_values(c.t()));  // strided device source
  }
  Tensor x = sample({4, 6}, kFloat);
  check_same(x.to(Device(kCUDA), kDouble), x.to(kDouble));
  check_same(x.to(Device(kCUDA)).to(kInt), x.to(kInt), 0);
  Tensor nb = x.to(Device(kCUDA), /*non_blocking=*/true);
  cuda::synchronize();
  check_same(nb, x, 0);
  // copy_ across devices, with broadcasting and a strided destination.
  Tensor dst = zeros({6, 4}, TensorOptions().device(kCUDA));
  dst.t().copy_(x);
  check_same(dst, x.t().contiguous(), 0);
  Tensor back = zeros({4, 6}, kDouble);
  back.copy_(dst.t());
  CHECK(host_values(back) == host_values(x.to(kDouble)));
  Tensor row = arange(6, TensorOptions().dtype(kFloat));
  Tensor bc = empty({3, 6}, TensorOptions().device(kCUDA));
  bc.copy_(row);
  check_same(bc, row.expand({3, 6}).contiguous(), 0);
}

TEST_CASE("cuda: factories and fills match the CPU (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  auto on = TensorOptions().device(kCUDA);
  check_same(zeros({3, 4}, on), zeros({3, 4}), 0);
  check_same(full({2, 5}, 2.5, on), full({2, 5}, 2.5), 0);
  check_same(arange(0, 10, 3, on.dtype(kLong)), arange(0, 10, 3, TensorOptions().dtype(kLong)), 0);
  check_same(linspace(-1, 1, 9, on), linspace(-1, 1, 9));
  Tensor t = ones({4, 4}, on);
  t.t().narrow(0, 1, 2).fill_(7);  // strided fill
  Tensor c = ones({4, 4});
  c.t().narrow(0, 1, 2).fill_(7);
  check_same(t, c, 0);
}

TEST_CASE("cuda: Half and BFloat16 convert on the device as on the CPU (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  Tensor x = tensor({1.0f / 3.0f, 65504.0f, 65520.0f, 1e-8f, 6e-8f, -2.5f, 0.0f});
  for (ScalarType t : {kHalf, kBFloat16}) {
    Tensor on_gpu = x.cuda().to(t);
    Tensor on_cpu = x.to(t);
    CHECK(on_gpu.dtype() == t);
    check_same(on_gpu.to(kFloat), on_cpu.to(kFloat), 0);
    Tensor m = x.narrow(0, 0, 6).reshape({2, 3});
    check_same(m.cuda().t().to(t).to(kDouble), m.t().to(t).to(kDouble), 0);  // strided path
    check_same(full({5}, 1.5, TensorOptions().device(kCUDA).dtype(t)).to(kFloat), full({5}, 1.5), 0);
  }
}

TEST_CASE("cuda: gather, scatter, index_select and index_put match the CPU (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(7);
  Tensor x = randn({5, 6});
  Tensor idx = tensor({int64_t{4}, int64_t{0}, int64_t{4}, int64_t{-1}});
  check_same(x.cuda().index_select(0, idx.remainder(5).cuda()), x.index_select(0, idx.remainder(5)), 0);
  Tensor g = randint(0, 6, {5, 3}, TensorOptions().dtype(kLong));
  check_same(x.cuda().gather(1, g.cuda()), x.gather(1, g), 0);
  check_same(zeros({5, 6}, TensorOptions().device(kCUDA)).scatter_add(1, g.cuda(), ones({5, 3}).cuda()),
             zeros({5, 6}).scatter_add(1, g, ones({5, 3})), 1e-6);
  // Advanced indexing (negative indices wrap) and index_put_ with accumulation.
  check_same(x.cuda().index({idx.cuda()}), x.index({idx}), 0);
  Tensor acc_gpu = zeros({5}, TensorOptions().device(kCUDA)), acc_cpu = zeros({5});
  acc_gpu.index_put_({idx.remainder(5).cuda()}, ones({4}).cuda(), /*accumulate=*/true);
  acc_cpu.index_put_({idx.remainder(5)}, ones({4}), /*accumulate=*/true);
  check_same(acc_gpu, acc_cpu, 0);
  // cross_entropy gathers the targets' log-probabilities and scatters their gradient.
  Tensor logits = randn({4, 3}).requires_grad_();
  Tensor target = tensor({int64_t{2}, int64_t{0}, int64_t{1}, int64_t{2}});
  Tensor logits_gpu = logits.detach().cuda().requires_grad_();
  Tensor l_cpu = nn::functional::cross_entropy(logits, target);
  Tensor l_gpu = nn::functional::cross_entropy(logits_gpu, target.cuda());
  check_same(l_gpu, l_cpu);
  l_cpu.backward();
  l_gpu.backward();
  check_same(logits_gpu.grad(), logits.grad());
  // Out-of-range indices raise the CPU's error and leave the output untouched.
  try {
    x.cuda().index_select(0, tensor({int64_t{7}}).cuda());
    FAIL("no error");
  } catch (const IndexError& e) {
    CHECK_THAT(e.what(), Catch::Contains("index 7 is out of bounds for dimension 0 with size 5"));
  }
}

TEST_CASE("cuda: p-norms and clip_grad_norm_ match the CPU (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(8);
  Tensor x = randn({6, 50});
  x.index_put_({0, 0}, 0.0);
  const double inf = std::numeric_limits<double>::infinity();
  for (double p : {0.0, 1.0, 2.0, 3.0, inf, -inf}) {
    INFO("p = " << p);
    check_same(x.cuda().norm(p), x.norm(p), 1e-5);
    check_same(x.cuda().norm(p, {1}), x.norm(p, {1}), 1e-5);
    check_same(x.cuda().t().norm(p, {1}, true), x.t().norm(p, {1}, true), 1e-5);  // strided input
  }
  std::vector<Tensor> cpu_params = {randn({3, 4}).requires_grad_(), randn({5}).requires_grad_()};
  std::vector<Tensor> gpu_params;
  for (auto& q : cpu_params) {
    gpu_params.push_back(q.detach().cuda().requires_grad_());
    (q * q).sum().backward();
  }
  for (auto& q : gpu_params) (q * q).sum().backward();
  const double cpu_norm = nn::utils::clip_grad_norm_(cpu_params, 1.0);
  const double gpu_norm = nn::utils::clip_grad_norm_(gpu_params, 1.0);
  CHECK(gpu_norm == Approx(cpu_norm).epsilon(1e-6));
  for (size_t i = 0; i < cpu_params.size(); ++i) check_same(gpu_params[i].grad(), cpu_params[i].grad(), 1e-5);
}

TEST_CASE("cuda: convolution, pooling, upsampling and padding with gradients match the CPU (needs GPU)",
          "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(9);
  namespace F = nn::functional;
  Tensor x = randn({2, 3, 9, 8}).requires_grad_();
  Tensor w = randn({4, 3, 3, 3}).requires_grad_();
  Tensor xg = x.detach().cuda().requires_grad_(), wg = w.detach().cuda().requires_grad_();
  auto check = [&](const std::function<Tensor(const Tensor&, const Tensor&)>& f, double tol) {
    if (x.grad().defined()) x.mutable_grad().zero_(), w.mutable_grad().zero_();
    if (xg.grad().defined()) xg.mutable_grad().zero_(), wg.mutable_grad().zero_();
    Tensor yc = f(x, w), yg = f(xg, wg);
    check_same(yg, yc, tol);
    Tensor g = randn(yc.sizes());
    yc.backward(g);
    yg.backward(g.cuda());
    check_same(xg.grad(), x.grad(), tol);
    if (w.grad().defined()) check_same(wg.grad(), w.grad(), tol);
  };
  check([](const Tensor& a, const Tensor& k) { return conv2d(a, k, Tensor(), 1, 1); }, 1e-4);
  check([](const Tensor& a, const Tensor& k) { return conv2d(a, k, Tensor(), IntArrayRef{2, 1}, IntArrayRef{0, 1}, IntArrayRef{1, 2}); }, 1e-4);
  check([](const Tensor& a, const Tensor&) { return max_pool2d(a, {2, 2}); }, 0);
  check([](const Tensor& a, const Tensor&) { return max_pool2d(a, {3, 3}, {1, 1}, {1, 1}); }, 0);
  check([](const Tensor& a, const Tensor&) { return avg_pool2d(a, {3, 2}, {2, 2}, {1, 0}, false, false); }, 1e-6);
  check([](const Tensor& a, const Tensor&) { return adaptive_avg_pool2d(a, {4, 3}); }, 1e-6);
  check([](const Tensor& a, const Tensor&) { return std::get<0>(adaptive_max_pool2d(a, {4, 3})); }, 0);
  check([](const Tensor& a, const Tensor&) { return upsample_nearest2d(a, {18, 12}); }, 1e-6);
  check([](const Tensor& a, const Tensor&) { return upsample_bilinear2d(a, {13, 17}, false); }, 1e-5);
  check([](const Tensor& a, const Tensor&) { return upsample_bilinear2d(a, {13, 17}, true); }, 1e-5);
  check([](const Tensor& a, const Tensor&) { return pad(a, {2, 1, 1, 3}, "reflect"); }, 1e-6);
  check([](const Tensor& a, const Tensor&) { return pad(a, {2, 1, 1, 3}, "replicate"); }, 1e-6);
  check([](const Tensor& a, const Tensor&) { return pad(a, {2, 1, 1, 3}, "circular"); }, 1e-6);
}

TEST_CASE("cuda: cumsum, cumprod and logcumsumexp match the CPU (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(10);
  Tensor x = randn({4, 33, 5});
  for (int64_t dim : {0, 1, 2}) {
    INFO("dim " << dim);
    check_same(x.cuda().cumsum(dim), x.cumsum(dim), 0);
    check_same(x.cuda().cumprod(dim), x.cumprod(dim), 0);
    check_same(x.cuda().logcumsumexp(dim), x.logcumsumexp(dim), 0);
    check_same(x.cuda().transpose(0, 2).cumsum(dim), x.transpose(0, 2).cumsum(dim), 0);  // strided
  }
  Tensor i = randint(-5, 5, {3, 7}, TensorOptions().dtype(kLong));
  check_same(i.cuda().cumsum(1), i.cumsum(1), 0);
  // Few long slices scan in chunks: the double sums group differently from the CPU's, so
  // float outputs agree to rounding, integers exactly; strided slices too.
  Tensor longx = randn({1 << 20});
  check_same(longx.cuda().cumsum(0), longx.cumsum(0), 1e-6);
  check_same(longx.cuda().logcumsumexp(0), longx.logcumsumexp(0), 1e-6);
  Tensor near1 = 1 + randn({1 << 18}) * 1e-4;
  check_same(near1.cuda().cumprod(0), near1.cumprod(0), 1e-6);
  Tensor cols = randn({1 << 16, 4});
  check_same(cols.cuda().cumsum(0), cols.cumsum(0), 1e-6);
  Tensor li = randint(-5, 5, {1 << 20}, TensorOptions().dtype(kLong));
  check_same(li.cuda().cumsum(0), li.cumsum(0), 0);
  check_same(longx.to(kHalf).cuda().cumsum(0).to(kFloat), longx.to(kHalf).to(kFloat).cumsum(0), 2e-3);
  Tensor g = randn({4, 33, 5}).requires_grad_();
  Tensor gg = g.detach().cuda().requires_grad_();
  g.cumsum(1).sum().backward();
  gg.cumsum(1).sum().backward();
  check_same(gg.grad(), g.grad(), 1e-6);
}

TEST_CASE("cuda: sort, topk, kthvalue, median and mode match the CPU exactly (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(11);
  Tensor x = randint(0, 6, {5, 37}).to(kFloat);  // many ties
  x.index_put_({1, 3}, std::numeric_limits<double>::quiet_NaN());
  x.index_put_({1, 9}, std::numeric_limits<double>::quiet_NaN());
  Tensor xg = x.cuda();
  auto same_pair = [](const std::tuple<Tensor, Tensor>& g, const std::tuple<Tensor, Tensor>& c) {
    check_same(std::get<0>(g), std::get<0>(c), 0);
    check_same(std::get<1>(g), std::get<1>(c), 0);
  };
  for (bool desc : {false, true}) {
    same_pair(xg.sort(1, desc), x.sort(1, desc));
    same_pair(xg.t().sort(0, desc), x.t().sort(0, desc));
  }
  for (bool largest : {true, false}) same_pair(xg.topk(4, 1, largest), x.topk(4, 1, largest));
  same_pair(xg.kthvalue(5, 1), x.kthvalue(5, 1));
  same_pair(xg.median(1), x.median(1));
  same_pair(xg.mode(1), x.mode(1));
  // Both paths: [5, 37] above sorts by radix; 40000 slices of 8 merge one slice per thread;
  // one long slice and int/16-bit dtypes sort by radix. NaN, -0.0 and ties throughout.
  Tensor many = randint(0, 4, {40000, 8}).to(kFloat) - 2;
  many.index_put_({7, 2}, std::numeric_limits<double>::quiet_NaN());
  many.index_put_({9, 0}, -0.0);
  Tensor one = (randn({1 << 20}) * 8).round();
  one.index_put_({17}, std::numeric_limits<double>::quiet_NaN());
  one.index_put_({1000}, -0.0);
  // The CPU sorts 16-bit values as float (exact, so the orders agree): GPU values compare in
  // the CPU's dtype.
  auto same_sorted = [](const std::tuple<Tensor, Tensor>& g, const std::tuple<Tensor, Tensor>& c) {
    check_same(std::get<0>(g).to(std::get<0>(c).dtype()), std::get<0>(c), 0);
    check_same(std::get<1>(g), std::get<1>(c), 0);
  };
  const std::vector<std::pair<Tensor, Tensor>> cases = {
      {many, many}, {one, one}, {one.to(kHalf), one.to(kHalf).to(kFloat)},
      {one.to(kBFloat16), one.to(kBFloat16).to(kFloat)}, {one.to(kLong).view({4, -1}), one.to(kLong).view({4, -1})},
      {(one > 0).to(kByte).view({8, -1}), (one > 0).to(kByte).view({8, -1})}};
  for (const auto& [t, c] : cases) {
    INFO("sizes " << t.sizes() << " dtype " << t.dtype());
    const Tensor tg = t.cuda();
    const int64_t last = t.dim() - 1;
    for (bool desc : {false, true}) same_sorted(tg.sort(last, desc), c.sort(last, desc));
    for (bool largest : {true, false}) same_sorted(tg.topk(5, last, largest), c.topk(5, last, largest));
    same_sorted(tg.kthvalue(3, last), c.kthvalue(3, last));
    same_sorted(tg.median(last), c.median(last));
    same_sorted(tg.mode(last), c.mode(last));
  }
  Tensor r = randn({3, 50}).requires_grad_();
  Tensor rg = r.detach().cuda().requires_grad_();
  std::get<0>(r.topk(5, 1)).sum().backward();
  std::get<0>(rg.topk(5, 1)).sum().backward();
  check_same(rg.grad(), r.grad(), 0);
}

TEST_CASE("cuda: nonzero and boolean-mask indexing match the CPU (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(12);
  Tensor x = randn({7, 300});  // several chunks of the kernel
  Tensor mask = x.gt(0.5);
  check_same(mask.cuda().nonzero(), mask.nonzero(), 0);
  check_same(x.cuda().t().gt(0.5).nonzero(), x.t().gt(0.5).nonzero(), 0);  // strided
  check_same(x.cuda().index({mask.cuda()}), x.index({mask}), 0);
  CHECK(zeros({4, 4}, TensorOptions().device(kCUDA)).nonzero().sizes() == std::vector<int64_t>{0, 2});
}

TEST_CASE("cuda: unary, binary and where kernels match the CPU (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(2);
  for (ScalarType dt : {kFloat, kDouble}) {
    Tensor x = sample({33, 17}, dt), pos = x.abs() + 0.5;
    Tensor gx = x.cuda(), gp = pos.cuda();
    const double tol = dt == kFloat ? 2e-6 : 1e-12;
    check_same(gx.exp(), x.exp(), tol);
    check_same(gp.log(), pos.log(), tol);
    check_same(gp.sqrt(), pos.sqrt(), tol);
    check_same(gp.rsqrt(), pos.rsqrt(), tol);
    check_same(gx.tanh(), x.tanh(), tol);
    check_same(gx.sigmoid(), x.sigmoid(), tol);
    check_same(gx.sin(), x.sin(), tol);
    check_same(gx.cos(), x.cos(), tol);
    check_same(gx.neg(), x.neg(), 0);
    check_same(gx.abs(), x.abs(), 0);
    check_same(gx.sign(), x.sign(), 0);
    check_same(gx.relu(), x.relu(), 0);
    check_same(gx.floor(), x.floor(), 0);
    check_same(gx.round(), x.round(), 0);
    check_same(gx.erf(), x.erf(), tol);
    check_same(gx.clamp(-1, 0.5), x.clamp(-1, 0.5), 0);
    check_same(gx.isnan(), x.isnan(), 0);
    check_same(gx.t().exp(), x.t().exp(), tol);  // strided input
    // Binary with broadcasting (row and column vectors) and strided operands.
    Tensor r = sample({17}, dt), col = sample({33, 1}, dt);
    check_same(gx + r.cuda(), x + r, tol);
    check_same(gx.sub(col.cuda(), 2), x.sub(col, 2), tol);
    check_same(gx * gx.t().t(), x * x, tol);
    check_same(gx / gp, x / pos, tol);
    check_same(gp.pow(gx), pos.pow(x), 1e-5);
    check_same(maximum(gx, r.cuda()), maximum(x, r), 0);
    check_same(remainder(gx, gp), remainder(x, pos), tol);
    check_same(gx < r.cuda(), x < r, 0);
    check_same(where(gx > 0, gx, gp), where(x > 0, x, pos), 0);
  }
  for (ScalarType dt : {kLong, kInt, kByte}) {
    Tensor a = sample({9, 11}, dt), b = sample({11}, dt) + 1;
    Tensor ga = a.cuda(), gb = b.cuda();
    check_same(ga + gb, a + b, 0);
    check_same(ga * gb, a * b, 0);
    check_same(ga - gb, a - b, 0);
    check_same(maximum(ga, gb), maximum(a, b), 0);
    check_same(bitwise_and(ga, gb), bitwise_and(a, b), 0);
    check_same(ga == gb, a == b, 0);
    check_same(ga.abs(), a.abs(), 0);
  }
  Tensor p = sample({8}, kBool), q = sample({8}, kBool);
  check_same(p.cuda().logical_and(q.cuda()), p.logical_and(q), 0);
  check_same(p.cuda().logical_not(), p.logical_not(), 0);
}

TEST_CASE("cuda: packed 16-byte elementwise path, its tail and its unaligned fallback match the CPU (needs GPU)",
          "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(3);
  // 1037 elements: whole words plus a tail for every width; the views starting one
  // element in are unaligned and take the element-wise path; in-place ops write the
  // words they read.
  for (ScalarType dt : {kFloat, kDouble, kLong, kInt, kByte}) {
    Tensor a = sample({1037}, dt), b = sample({1037}, dt);
    Tensor ga = a.cuda(), gb = b.cuda();
    check_same(ga + gb, a + b, 1e-6);
    check_same(ga.narrow(0, 1, 1036) * gb.narrow(0, 0, 1036), a.narrow(0, 1, 1036) * b.narrow(0, 0, 1036), 1e-6);
    check_same(ga.abs(), a.abs(), 0);
    check_same(ga.narrow(0, 3, 1000).neg(), a.narrow(0, 3, 1000).neg(), 0);
    Tensor filled = full({1037}, 5, TensorOptions().dtype(dt).device(kCUDA));
    check_same(filled, full({1037}, 5, dtype(dt)), 0);
    ga.add_(gb);
    check_same(ga, a + b, 1e-6);
  }
  for (ScalarType dt : {kHalf, kBFloat16}) {
    Tensor a = sample({1037}, kFloat).to(dt), b = sample({1037}, kFloat).to(dt);
    check_same(a.cuda() * b.cuda(), (a.to(kFloat) * b.to(kFloat)).to(dt), 0);  // one rounding, as the CPU
    // exp may differ from the CPU by a float ulp, which can move the 16-bit rounding one step.
    check_same(a.cuda().narrow(0, 1, 1036).exp(), a.narrow(0, 1, 1036).to(kFloat).exp().to(dt), 8e-3);
  }
}

TEST_CASE("cuda: reductions match the CPU, small and multi-block (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(3);
  Tensor x = sample({37, 45, 3}, kFloat);
  Tensor g = x.cuda();
  check_same(g.sum(), x.sum(), 1e-5);
  check_same(g.sum({1}), x.sum({1}), 1e-5);
  check_same(g.sum({0, 2}, true), x.sum({0, 2}, true), 1e-5);
  check_same(g.amax({0}), x.amax({0}), 0);
  check_same(std::get<0>(g.max(1)), std::get<0>(x.max(1)), 0);
  check_same(std::get<1>(g.min(2)), std::get<1>(x.min(2)), 0);
  check_same(g.prod(2), x.prod(2), 1e-5);
  check_same(g.t().sum({0}), x.t().sum({0}), 1e-5);  // strided input
  check_same((g > 0).any(1), (x > 0).any(1), 0);
  check_same((g > -5).all(), (x > -5).all(), 0);
  check_same(g.argmax(1), x.argmax(1), 0);
  check_same(g.argmin(), x.argmin(), 0);
  check_same(g.mean(0), x.mean(0), 1e-5);
  Tensor big = sample({1 << 22}, kFloat);
  check_same(big.cuda().sum(), big.to(kFloat).sum(), 1e-4);
  check_same(big.cuda().view({1024, 4096}).sum({0}), big.view({1024, 4096}).sum({0}), 1e-4);
  check_same(big.cuda().view({4, 1 << 20}).amax({1}), big.view({4, 1 << 20}).amax({1}), 0);
  // Few long rows split argmax/argmin over several blocks: the first index still wins ties
  // across splits, and NaN beats every number.
  Tensor spread = big.clone();
  spread.index_put_({100}, 1e6);
  spread.index_put_({(1 << 22) - 5}, 1e6);
  spread.index_put_({200}, -1e6);
  spread.index_put_({(1 << 21) + 3}, -1e6);
  check_same(spread.cuda().argmax(), spread.argmax(), 0);
  check_same(spread.cuda().argmin(), spread.argmin(), 0);
  check_same(spread.cuda().view({4, 1 << 20}).argmax(1), spread.view({4, 1 << 20}).argmax(1), 0);
  spread.index_put_({(1 << 22) - 7}, std::numeric_limits<double>::quiet_NaN());
  check_same(spread.cuda().argmax(), spread.argmax(), 0);
  // Long strided columns split over several threads (a bias gradient: 64 channels over
  // N*H*W), and the second pass over their partials; amax and an argmax over the same dim.
  Tensor conv_grad = sample({128, 64, 14, 14}, kFloat);
  check_same(conv_grad.cuda().sum({0, 2, 3}), conv_grad.sum({0, 2, 3}), 1e-3);
  Tensor rows = sample({25088, 64}, kFloat);
  check_same(rows.cuda().sum({0}), rows.sum({0}), 1e-3);
  check_same(rows.cuda().amax({0}), rows.amax({0}), 0);
  check_same(rows.cuda().argmax(0), rows.argmax(0), 0);
  check_same(rows.to(kHalf).cuda().sum({0}).to(kFloat), rows.to(kHalf).to(kFloat).sum({0}), 0.5);
  Tensor d = sample({1 << 20}, kDouble);
  check_same(d.cuda().sum(), d.sum(), 1e-10);
  Tensor l = sample({1000, 3}, kLong);
  check_same(l.cuda().sum({0}), l.sum({0}), 0);
  // Ties give the first index, NaN wins, as on the CPU.
  Tensor ties = tensor(std::vector<double>{1.0, 3.0, 3.0, NAN, 2.0, NAN});
  check_same(ties.cuda().argmax(), ties.argmax(), 0);
  check_same(ties.narrow(0, 0, 3).cuda().argmax(), ties.narrow(0, 0, 3).argmax(), 0);
}

TEST_CASE("cuda: gemm on cuBLAS matches the CPU (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(4);
  for (ScalarType dt : {kFloat, kDouble}) {
    const double tol = dt == kFloat ? 1e-4 : 1e-11;
    Tensor a = sample({31, 17}, dt), b = sample({17, 23}, dt);
    check_same(a.cuda().mm(b.cuda()), a.mm(b), tol);
    check_same(a.t().cuda().t().mm(b.cuda()), a.mm(b), tol);
    check_same(b.t().cuda().mm(a.t().cuda()), b.t().mm(a.t()), tol);
    Tensor ba = sample({5, 7, 9}, dt), bb = sample({5, 9, 3}, dt);
    check_same(bmm(ba.cuda(), bb.cuda()), bmm(ba, bb), tol);
    check_same(matmul(ba.cuda(), bb.cuda().transpose(1, 2).contiguous().transpose(1, 2)), matmul(ba, bb), tol);
    Tensor v = sample({17}, dt);
    check_same(matmul(a.cuda(), v.cuda()), matmul(a, v), tol);
  }
  CHECK_FALSE(cuda::allow_tf32_cublas());
  CHECK_THROWS_AS(mm(ones({2, 2}, TensorOptions().dtype(kLong).device(kCUDA)),
                     ones({2, 2}, TensorOptions().dtype(kLong).device(kCUDA))),
                  DTypeError);
}

TEST_CASE("cuda: softmax, log_softmax, logsumexp and their gradients match the CPU (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(5);
  Tensor x = sample({6, 300, 5}, kFloat);
  for (int64_t dim : {2, 1, 0}) {
    check_same(softmax(x.cuda(), dim), softmax(x, dim), 1e-5);
    check_same(log_softmax(x.cuda(), dim), log_softmax(x, dim), 1e-5);
    check_same(logsumexp(x.cuda(), {dim}), logsumexp(x, {dim}), 1e-5);
  }
  // Over an empty dim every result is log(0) = -inf (the last dim: rows; the middle: columns).
  for (int64_t dim : {2, 1}) {
    const Tensor e = zeros(dim == 2 ? std::vector<int64_t>{3, 4, 0} : std::vector<int64_t>{3, 0, 4});
    CHECK(equal(logsumexp(e.cuda(), {dim}).cpu(), full({3, 4}, -INFINITY)));
  }
  Tensor c = x.to(kDouble).requires_grad_(true);
  Tensor g = x.to(kDouble).cuda().requires_grad_(true);
  Tensor w = sample({6, 300, 5}, kDouble);
  (log_softmax(c, 1) * w).sum().backward();
  (log_softmax(g, 1) * w.cuda()).sum().backward();
  check_same(g.grad(), c.grad(), 1e-10);
  Tensor c2 = x.detach().requires_grad_(true), g2 = x.cuda().requires_grad_(true);
  (softmax(c2, -1) * w.to(kFloat)).sum().backward();
  (softmax(g2, -1) * w.to(kFloat).cuda()).sum().backward();
  check_same(g2.grad(), c2.grad(), 1e-5);
}

TEST_CASE("cuda: activations and their gradients match the CPU (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(6);
  using F = Tensor (*)(const Tensor&);
  const std::vector<F> fs = {
      [](const Tensor& t) { return gelu(t); },        [](const Tensor& t) { return gelu(t, "tanh"); },
      [](const Tensor& t) { return silu(t); },        [](const Tensor& t) { return mish(t); },
      [](const Tensor& t) { return leaky_relu(t, 0.2); }, [](const Tensor& t) { return elu(t, 1.5); },
      [](const Tensor& t) { return softplus(t, 2, 10); }, [](const Tensor& t) { return hardtanh(t, -0.5, 2); },
      [](const Tensor& t) { return hardsigmoid(t); }, [](const Tensor& t) { return hardswish(t); },
      [](const Tensor& t) { return log_sigmoid(t); }, [](const Tensor& t) { return softsign(t); },
  };
  Tensor x = sample({40, 25}, kDouble);
  for (F f : fs) {
    Tensor c = x.detach().requires_grad_(true), g = x.cuda().requires_grad_(true);
    Tensor yc = f(c), yg = f(g);
    check_same(yg, yc, 1e-12);
    yc.sum().backward();
    yg.sum().backward();
    check_same(g.grad(), c.grad(), 1e-12);
    check_same(f(x.to(kFloat).cuda().t()), f(x.to(kFloat).t()), 1e-5);  // strided float input
  }
}

TEST_CASE("cuda: random draws the CPU's Philox sequences (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  auto on = TensorOptions().device(kCUDA);
  for (ScalarType dt : {kFloat, kDouble}) {
    manual_seed(11);
    Tensor c = rand({1001}, TensorOptions().dtype(dt));
    Tensor cn = randn({1001}, TensorOptions().dtype(dt));
    manual_seed(11);
    Tensor g = rand({1001}, on.dtype(dt));
    Tensor gn = randn({1001}, on.dtype(dt));
    check_same(g, c, 0);
    check_same(gn, cn, 1e-6);
  }
  manual_seed(12);
  Tensor ci = randint(-5, 100, {999}, TensorOptions().dtype(kLong));
  manual_seed(12);
  check_same(randint(-5, 100, {999}, on.dtype(kLong)), ci, 0);
  manual_seed(13);
  Tensor cd = dropout(ones({4096}), 0.3, true);
  manual_seed(13);
  check_same(dropout(ones({4096}, on), 0.3, true), cd, 1e-6);
}

TEST_CASE("cuda: streams and guards scope the current stream and device (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  cuda::CUDAStream def = cuda::getCurrentCUDAStream();
  CHECK(def == cuda::getDefaultCUDAStream());
  cuda::CUDAStream side = cuda::getStreamFromPool();
  CHECK(side != def);
  Tensor x = ones({1 << 16}, TensorOptions().device(kCUDA));
  {
    cuda::CUDAStreamGuard guard(side);
    CHECK(cuda::getCurrentCUDAStream() == side);
    Tensor y = x * 2 + 1;  // queued on the side stream
    side.synchronize();
    CHECK(side.query());
    CHECK(y.sum().item<double>() == 3.0 * (1 << 16));
  }
  CHECK(cuda::getCurrentCUDAStream() == def);
  {
    cuda::DeviceGuard dg(Device("cuda:0"));
    CHECK(cuda::current_device() == 0);
  }
  CHECK_THROWS_AS(zeros({1}, TensorOptions().device("cuda:99")), DeviceError);
  cuda::synchronize();
}

TEST_CASE("cuda: the caching allocator reuses memory and reports out of memory (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  auto on = TensorOptions().device(kCUDA);
  auto step = [&] {
    Tensor a = randn({256, 512}, on), b = randn({512, 128}, on);
    return a.mm(b).relu().sum().item<double>();
  };
  step();
  const auto before = cuda::memory_stats();
  for (int i = 0; i < 20; ++i) step();
  const auto after = cuda::memory_stats();
  CHECK(after.num_device_allocs == before.num_device_allocs);  // steady state: all from the cache
  CHECK(after.peak_allocated >= 256 * 512 * 4);
  CHECK(after.reserved >= after.allocated);
  try {
    (void)empty({int64_t(1) << 50}, on);  // 4 PiB
    FAIL("expected out of memory");
  } catch (const Error& e) {
    const std::string m = e.what();
    CHECK(m.find("out of memory") != std::string::npos);
    CHECK(m.find("4503599627370496 bytes") != std::string::npos);
    CHECK(m.find("reserved") != std::string::npos);
  }
  CHECK(cuda::memory_stats().num_ooms == after.num_ooms + 1);
  cuda::empty_cache();
  CHECK(cuda::memory_stats().reserved <= after.reserved);
}

TEST_CASE("cuda: a small MLP trains the same on CUDA as on the CPU (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(21);
  nn::Linear c1(8, 16), c2(16, 4);
  nn::Linear g1(8, 16), g2(16, 4);
  {
    NoGradGuard ng;
    g1->weight.copy_(c1->weight);
    g1->bias.copy_(c1->bias);
    g2->weight.copy_(c2->weight);
    g2->bias.copy_(c2->bias);
  }
  g1->to(kCUDA);
  g2->to(kCUDA);
  CHECK(g1->weight.is_cuda());
  Tensor x = randn({32, 8}), y = randn({32, 4});
  Tensor gx = x.cuda(), gy = y.cuda();
  std::vector<Tensor> cp = c1->parameters(), gp = g1->parameters();
  for (auto& p : c2->parameters()) cp.push_back(p);
  for (auto& p : g2->parameters()) gp.push_back(p);
  optim::SGD copt(cp, optim::SGDOptions(0.1).momentum(0.9));
  optim::SGD gopt(gp, optim::SGDOptions(0.1).momentum(0.9));
  for (int it = 0; it < 5; ++it) {
    copt.zero_grad();
    gopt.zero_grad();
    Tensor cl = mse_loss(c2->forward(c1->forward(x).relu()), y);
    Tensor gl = mse_loss(g2->forward(g1->forward(gx).relu()), gy);
    check_same(gl, cl, 1e-5);
    cl.backward();
    gl.backward();
    for (size_t i = 0; i < cp.size(); ++i) check_same(gp[i].grad(), cp[i].grad(), 1e-4);
    copt.step();
    gopt.step();
  }
  for (size_t i = 0; i < cp.size(); ++i) check_same(gp[i], cp[i], 1e-4);
}

namespace {

// Rounds x to dt and back: the values a 16-bit tensor holds, as float.
Tensor rounded(const Tensor& x, ScalarType dt) { return x.to(dt).to(kFloat); }

// A 16-bit CUDA result against the CPU float result from the same (rounded) inputs.
void check_16bit(const Tensor& gpu, ScalarType dt, const Tensor& cpu, double tol) {
  REQUIRE(gpu.dtype() == dt);
  check_same(gpu.to(kFloat), cpu, tol);
}

}  // namespace

TEST_CASE("cuda: Half and BFloat16 arithmetic, reductions, softmax, activations, gemm, dropout, sort, scans and "
          "resampling match the CPU in float (needs GPU)",
          "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  namespace F = nn::functional;
  for (ScalarType dt : {kHalf, kBFloat16}) {
    INFO("dtype " << dt);
    manual_seed(31);
    // One rounding of a float result: 2^-11 relative for Half, 2^-8 for BFloat16.
    const double tol = dt == kHalf ? 1e-3 : 1e-2;
    auto on = TensorOptions().device(kCUDA).dtype(dt);
    // Inputs are rounded to dt first, so both sides start from the same values; |x| <= 6
    // keeps exp and pow inside Half's range.
    Tensor x = rounded((randn({33, 17}) * 2).clamp(-6, 6), dt), pos = rounded(x.abs() + 0.5, dt);
    Tensor r = rounded(randn({17}), dt), col = rounded(randn({33, 1}), dt);
    Tensor gx = x.cuda().to(dt), gp = pos.cuda().to(dt), gr = r.cuda().to(dt), gcol = col.cuda().to(dt);

    // Elementwise (contiguous, broadcast and strided operands).
    check_16bit(gx.exp(), dt, x.exp(), tol);
    check_16bit(gp.log(), dt, pos.log(), tol);
    check_16bit(gp.sqrt(), dt, pos.sqrt(), tol);
    check_16bit(gp.rsqrt(), dt, pos.rsqrt(), tol);
    check_16bit(gx.tanh(), dt, x.tanh(), tol);
    check_16bit(gx.sigmoid(), dt, x.sigmoid(), tol);
    check_16bit(gx.sin(), dt, x.sin(), tol);
    check_16bit(gx.neg(), dt, x.neg(), 0);
    check_16bit(gx.abs(), dt, x.abs(), 0);
    check_16bit(gx.relu(), dt, x.relu(), 0);
    check_16bit(gx.floor(), dt, x.floor(), 0);
    check_16bit(gx.clamp(-1, 0.5), dt, x.clamp(-1, 0.5), 0);
    check_16bit(gx.t().exp(), dt, x.t().exp(), tol);
    check_same(gx.isnan(), x.isnan(), 0);
    check_16bit(gx + gr, dt, x + r, tol);
    check_16bit(gx.sub(gcol, 2), dt, x.sub(col, 2), tol);
    check_16bit(gx * gx.t().t(), dt, x * x, tol);
    check_16bit(gx / gp, dt, x / pos, tol);
    check_16bit(gp.pow(gx.clamp(-2, 2)), dt, pos.pow(x.clamp(-2, 2)), tol);
    check_16bit(gx * 0.1, dt, x * 0.1, tol);
    check_16bit(maximum(gx, gr), dt, maximum(x, r), 0);
    check_16bit(remainder(gx, gp), dt, remainder(x, pos), tol);
    check_same(gx < gr, x < r, 0);
    check_16bit(where(gx > 0, gx, gp), dt, where(x > 0, x, pos), 0);
    check_16bit(arange(0, 40, 1, on), dt, arange(0, 40, 1, TensorOptions().dtype(kFloat)), 0);
    // 65504 + 16 overflows Half (65520 ties to even: 65536); BFloat16 has float's range.
    Tensor big = full({3}, 65504.0, on) + full({3}, 16.0, on);
    CHECK(std::isinf(host_values(big)[0]) == (dt == kHalf));

    // Reductions accumulate in float and round once.
    check_16bit(gx.sum(), dt, x.sum(), tol);
    check_16bit(gx.sum({1}), dt, x.sum({1}), tol);
    check_16bit(gx.t().sum({0}), dt, x.t().sum({0}), tol);
    check_16bit(gx.mean(0), dt, x.mean(0), 2 * tol);  // the front-end divides the rounded sum
    check_16bit(gx.amax({0}), dt, x.amax({0}), 0);
    check_16bit(std::get<0>(gx.max(1)), dt, std::get<0>(x.max(1)), 0);
    check_same(std::get<1>(gx.min(1)), std::get<1>(x.min(1)), 0);
    check_same(gx.argmax(1), x.argmax(1), 0);
    check_same(gx.argmin(), x.argmin(), 0);
    Tensor small = rounded(x.narrow(1, 0, 3).clamp(0.5, 2), dt);
    check_16bit(small.cuda().to(dt).prod(1), dt, small.prod(1), tol);
    check_16bit(gx.norm(2), dt, x.norm(2), tol);
    check_16bit(gx.norm(1, {1}), dt, x.norm(1, {1}), tol);
    check_16bit(gx.t().norm(3, {1}, true), dt, x.t().norm(3, {1}, true), tol);
    // 2^20 values of 1/32 sum to 32768 exactly in float (split over several blocks);
    // a 16-bit accumulator would stall far below.
    Tensor many = full({1 << 20}, 1.0 / 32, on);
    CHECK(host_values(many.sum())[0] == 32768.0);
    CHECK(host_values(many.view({4, 1 << 18}).sum({1})) == std::vector<double>(4, 8192.0));

    // Softmax family, forward along every dim (row and column kernels) and backward.
    Tensor s = rounded(randn({6, 30, 5}) * 2, dt);
    Tensor gs = s.cuda().to(dt);
    for (int64_t dim : {2, 1, 0}) {
      INFO("dim " << dim);
      check_16bit(softmax(gs, dim), dt, softmax(s, dim), tol);
      check_16bit(log_softmax(gs, dim), dt, log_softmax(s, dim), tol);
      check_16bit(logsumexp(gs, {dim}), dt, logsumexp(s, {dim}), tol);
    }
    Tensor w = rounded(randn({6, 30, 5}), dt);
    for (bool log : {false, true}) {
      Tensor c = s.detach().requires_grad_(true), g = gs.detach().requires_grad_(true);
      auto f = [log](const Tensor& t) { return log ? log_softmax(t, 1) : softmax(t, 1); };
      (f(c) * w).sum().backward();
      (f(g) * w.cuda().to(dt)).sum().backward();
      // The backward reads the rounded forward output: a few roundings deep.
      check_16bit(g.grad(), dt, c.grad(), 4 * tol);
    }

    // Activations and their gradients (incoming gradient ones, exact in 16 bits).
    using Act = Tensor (*)(const Tensor&);
    const std::vector<Act> acts = {
        [](const Tensor& t) { return gelu(t); },           [](const Tensor& t) { return gelu(t, "tanh"); },
        [](const Tensor& t) { return silu(t); },           [](const Tensor& t) { return mish(t); },
        [](const Tensor& t) { return leaky_relu(t, 0.2); }, [](const Tensor& t) { return elu(t, 1.5); },
        [](const Tensor& t) { return softplus(t, 2, 10); }, [](const Tensor& t) { return hardswish(t); },
        [](const Tensor& t) { return log_sigmoid(t); },
    };
    for (Act f : acts) {
      Tensor c = x.detach().requires_grad_(true), g = gx.detach().requires_grad_(true);
      Tensor yc = f(c), yg = f(g);
      check_16bit(yg, dt, yc, tol);
      yc.sum().backward();
      yg.sum().backward();
      check_16bit(g.grad(), dt, c.grad(), tol);
    }

    // GEMM (k = 64): products are exact in float and the sum is taken in float; the
    // result rounds once (split-K partial sums may also round, as libtorch allows).
    const double gemm_tol = 2 * tol;
    Tensor a = rounded(randn({31, 64}), dt), b = rounded(randn({64, 23}), dt);
    Tensor ga = a.cuda().to(dt), gb = b.cuda().to(dt);
    check_16bit(ga.mm(gb), dt, a.mm(b), gemm_tol);
    check_16bit(ga.t().contiguous().t().mm(gb), dt, a.mm(b), gemm_tol);
    check_16bit(gb.t().mm(ga.t()), dt, b.t().mm(a.t()), gemm_tol);
    Tensor ba = rounded(randn({5, 7, 64}), dt), bb = rounded(randn({5, 64, 3}), dt);
    check_16bit(bmm(ba.cuda().to(dt), bb.cuda().to(dt)), dt, bmm(ba, bb), gemm_tol);
    Tensor v = rounded(randn({64}), dt);
    check_16bit(matmul(ga, v.cuda().to(dt)), dt, matmul(a, v), gemm_tol);

    // matmul -> gelu -> sum backward. The CPU mirrors the rounding points of the 16-bit
    // chain (each op's output, and the gradient gelu's backward hands on, rounded to dt).
    {
      Tensor a16 = rounded(randn({8, 64}) * 0.5, dt), w16 = rounded(randn({64, 16}) * 0.25, dt);
      Tensor ca = a16.detach().requires_grad_(true), cw = w16.detach().requires_grad_(true);
      Tensor gA = a16.cuda().to(dt).requires_grad_(true), gW = w16.cuda().to(dt).requires_grad_(true);
      Tensor h = ca.mm(cw).to(dt).to(kFloat);
      Tensor yc = gelu(h).to(dt).to(kFloat).sum();
      Tensor yg = gelu(gA.mm(gW)).sum();
      REQUIRE(yg.dtype() == dt);
      check_16bit(yg, dt, yc, tol);
      yc.backward();
      yg.backward();
      REQUIRE(gA.grad().dtype() == dt);
      check_16bit(gA.grad(), dt, ca.grad(), gemm_tol);
      check_16bit(gW.grad(), dt, cw.grad(), gemm_tol);
    }

    // Pooling, and the max-pool adjoint whose overlapping windows add in a float buffer.
    {
      Tensor img = rounded(randn({2, 3, 9, 8}), dt);
      Tensor c = img.detach().requires_grad_(true), g = img.cuda().to(dt).requires_grad_(true);
      Tensor pc = max_pool2d(c, {3, 3}, {1, 1}, {1, 1}), pg = max_pool2d(g, {3, 3}, {1, 1}, {1, 1});
      check_16bit(pg, dt, pc, 0);
      pc.sum().backward();
      pg.sum().backward();
      check_16bit(g.grad(), dt, c.grad(), 0);  // small integer counts, exact
      check_16bit(avg_pool2d(img.cuda().to(dt), {3, 2}, {2, 2}, {1, 0}, false, false), dt,
                  avg_pool2d(img, {3, 2}, {2, 2}, {1, 0}, false, false), tol);
      check_16bit(adaptive_avg_pool2d(img.cuda().to(dt), {4, 3}), dt, adaptive_avg_pool2d(img, {4, 3}), tol);
    }

    // Gather moves 16-bit words; scatter-add into neighbouring elements of one 32-bit
    // word keeps both halves (every partial sum up to 100 is exact in both types).
    {
      Tensor idx = randint(0, 17, {33, 5}, TensorOptions().dtype(kLong));
      check_16bit(gx.gather(1, idx.cuda()), dt, x.gather(1, idx), 0);
      Tensor pairs = arange(200, TensorOptions().dtype(kLong)).remainder(2);
      Tensor acc = zeros({2}, on);
      acc.index_put_({pairs.cuda()}, ones({200}, on), /*accumulate=*/true);
      CHECK(host_values(acc) == std::vector<double>{100.0, 100.0});
      Tensor sc = zeros({33, 17}, on).scatter_add(1, idx.cuda(), ones({33, 5}, on));
      check_16bit(sc, dt, zeros({33, 17}).scatter_add(1, idx, ones({33, 5})), 0);
    }

    // Random fills draw the float sequence and round; dropout's mask is the CPU's.
    {
      manual_seed(13);
      Tensor cu = rand({1001}), cn = randn({1001});
      Tensor cd = dropout(ones({4096}), 0.3, true);
      manual_seed(13);
      Tensor gu = rand({1001}, on), gn = randn({1001}, on);
      Tensor gd = dropout(ones({4096}, on), 0.3, true);
      std::vector<double> expect = host_values(cu.to(dt));
      for (double& e : expect)
        if (e == 1.0) e = 0.0;  // a draw rounded up to the bound maps to the lower bound, as libtorch
      CHECK(host_values(gu) == expect);
      check_16bit(gn, dt, rounded(cn, dt), tol);
      check_16bit(gd, dt, cd, tol);
      check_same(gd.to(kFloat) == 0, cd == 0, 0);
      Tensor probs = full({2000}, 0.25, on);
      const double kept = host_values(bernoulli(probs).to(kFloat).mean())[0];
      CHECK(kept > 0.2);
      CHECK(kept < 0.3);
    }

    // Sort and selection rank 16-bit values in the CPU's total order (the inputs are
    // rounded to dt, so ties and indices agree exactly).
    for (bool descending : {false, true}) {
      auto [gv, gi] = gx.sort(1, descending);
      auto [cv, ci] = x.sort(1, descending);
      check_16bit(gv, dt, cv, 0);
      check_same(gi, ci, 0);
    }
    {
      auto [gv, gi] = gx.topk(4, 1);
      auto [cv, ci] = x.topk(4, 1);
      check_16bit(gv, dt, cv, 0);
      check_same(gi, ci, 0);
      check_16bit(std::get<0>(gx.kthvalue(5, 1)), dt, std::get<0>(x.kthvalue(5, 1)), 0);
      check_16bit(std::get<0>(gx.median(1)), dt, std::get<0>(x.median(1)), 0);
    }
    // Scans accumulate in double and round every output once (positive terms: no
    // cancellation, so one rounding's relative error).
    check_16bit(gp.cumsum(1), dt, pos.cumsum(1), tol);
    check_16bit(gx.logcumsumexp(0), dt, x.logcumsumexp(0), tol);
    check_16bit(rounded(small, dt).cuda().to(dt).cumprod(1), dt, small.cumprod(1), tol);
    check_same(gx.relu().nonzero(), x.relu().nonzero(), 0);

    // Upsampling and padding in float, rounded once; their adjoints sum in float.
    {
      Tensor img = rounded(randn({2, 3, 7, 6}), dt);
      using Resample = Tensor (*)(const Tensor&);
      const std::vector<Resample> fs = {
          [](const Tensor& t) { return upsample_bilinear2d(t, {11, 13}, false); },
          [](const Tensor& t) { return upsample_nearest2d(t, {14, 9}); },
          [](const Tensor& t) { return reflection_pad2d(t, {2, 3, 1, 2}); },
          [](const Tensor& t) { return replication_pad2d(t, {2, 2, 3, 1}); },
      };
      for (Resample f : fs) {
        Tensor c = img.detach().requires_grad_(true), g = img.cuda().to(dt).requires_grad_(true);
        Tensor yc = f(c), yg = f(g);
        check_16bit(yg, dt, yc, tol);
        Tensor w = rounded(randn(yc.sizes()), dt);
        (yc * w).sum().backward();
        (yg * w.cuda().to(dt)).sum().backward();
        check_16bit(g.grad(), dt, c.grad(), 2 * tol);  // the gradient w is rounded once more on the way
      }
    }
  }
}

TEST_CASE("cuda: a small MLP takes SGD steps in Half on CUDA (needs GPU)", "[cuda][gpu]") {
  EMBER_NEEDS_GPU();
  manual_seed(22);
  auto r = [](const Tensor& t) { return t.to(kHalf).to(kFloat); };
  Tensor w1 = r(randn({8, 16}) * 0.3), b1 = r(randn({16}) * 0.1), w2 = r(randn({16, 4}) * 0.3),
         b2 = r(randn({4}) * 0.1);
  Tensor x = r(randn({32, 8})), y = r(randn({32, 4}));
  std::vector<Tensor> cp = {w1, b1, w2, b2}, gp;
  for (auto& p : cp) {
    gp.push_back(p.cuda().to(kHalf).requires_grad_(true));
    p.requires_grad_(true);
  }
  Tensor gx = x.cuda().to(kHalf), gy = y.cuda().to(kHalf);
  auto forward = [](const std::vector<Tensor>& p, const Tensor& in) {
    return matmul(matmul(in, p[0]).add(p[1]).relu(), p[2]).add(p[3]);
  };
  double first = 0, last = 0;
  for (int it = 0; it < 5; ++it) {
    for (auto& p : gp)
      if (p.grad().defined()) p.mutable_grad().zero_();
    Tensor gl = mse_loss(forward(gp, gx), gy);
    REQUIRE(gl.dtype() == kHalf);
    gl.backward();
    if (it == 0) {  // the first step against the CPU in float (16-bit rounding on the way)
      Tensor cl = mse_loss(forward(cp, x), y);
      cl.backward();
      check_same(gl.to(kFloat), cl, 1e-2);
      for (size_t i = 0; i < cp.size(); ++i) check_same(gp[i].grad().to(kFloat), cp[i].grad(), 2e-2);
      first = host_values(gl)[0];
    }
    last = host_values(gl)[0];
    NoGradGuard ng;
    for (auto& p : gp) {
      REQUIRE(p.grad().dtype() == kHalf);
      p.sub_(p.grad(), 0.1);
    }
  }
  CHECK(std::isfinite(last));
  CHECK(last < first);
}
