// Per-op overhead, elementwise, reduction and matrix-multiply workloads.
#include <cblas.h>

#include <cstring>
#include <memory>

#include "workloads.h"

namespace bench {
namespace {
Tensor a, b, pristine;
void drop() { a = b = pristine = sink = Tensor(); }
}  // namespace

void add_small_op_workloads(std::vector<Workload>& w) {
  constexpr int kAdds = 1000;
  auto adds = [] {
    for (int i = 0; i < kAdds; ++i) sink = a + b;
  };
  w.push_back({"add 1-elem, no grad", kAdds, [] { a = torch::rand({1}); b = torch::rand({1}); }, adds, {}, drop});
  w.push_back({"add 1-elem, grad", kAdds,
               [] { a = torch::rand({1}, torch::requires_grad()); b = torch::rand({1}); }, adds, {}, drop});
#ifdef BENCH_EMBER
  // The price of anomaly mode (source locations and NaN checks per node), ember only.
  static std::unique_ptr<torch::autograd::DetectAnomalyGuard> anomaly;
  w.push_back({"add 1-elem, grad, anomaly on", kAdds,
               [] {
                 a = torch::rand({1}, torch::requires_grad());
                 b = torch::rand({1});
                 anomaly = std::make_unique<torch::autograd::DetectAnomalyGuard>();
               },
               adds, {}, [] { anomaly.reset(); drop(); }});
#endif
  // 25 rounds of mul, add, tanh, sub: 100 recorded ops, then sum and backward.
  w.push_back({"chain of 100 tiny ops, fwd+bwd", 1, [] { a = torch::rand({1}, torch::requires_grad()); },
               [] {
                 Tensor x = a;
                 for (int i = 0; i < 25; ++i) x = torch::tanh(x * 0.9 + 0.1) - 0.01;
                 x.sum().backward();
                 a.mutable_grad() = Tensor();
               },
               {}, drop});
}

void add_elementwise_workloads(std::vector<Workload>& w) {
  auto inputs = [] {
    a = torch::rand({k16M});
    b = torch::rand({k16M});
    pristine = a.clone();
  };
  // In-place rows restore the input (untimed) before every call so repeated application
  // never drifts into infinities or denormals.
  auto restore = [] { a.copy_(pristine); };
  w.push_back({"add 16M, fresh output", 1, inputs, [] { sink = a + b; }, {}, drop});
  w.push_back({"mul 16M, fresh output", 1, inputs, [] { sink = a * b; }, {}, drop});
  w.push_back({"exp 16M, fresh output", 1, inputs, [] { sink = torch::exp(a); }, {}, drop});
  w.push_back({"tanh 16M, fresh output", 1, inputs, [] { sink = torch::tanh(a); }, {}, drop});
  w.push_back({"sigmoid 16M, fresh output", 1, inputs, [] { sink = torch::sigmoid(a); }, {}, drop});
  w.push_back({"gelu 16M, fresh output", 1, inputs, [] { sink = torch::gelu(a); }, {}, drop});
  w.push_back({"add 16M, in place", 1, inputs, [] { a.add_(b); }, restore, drop});
  w.push_back({"mul 16M, in place", 1, inputs, [] { a.mul_(b); }, restore, drop});
  w.push_back({"exp 16M, in place", 1, inputs, [] { a.exp_(); }, restore, drop});
  w.push_back({"tanh 16M, in place", 1, inputs, [] { a.tanh_(); }, restore, drop});
  w.push_back({"sigmoid 16M, in place", 1, inputs, [] { a.sigmoid_(); }, restore, drop});
  w.push_back({"gelu 16M, in place", 1, inputs, [] { torch::gelu_(a); }, restore, drop});
}

void add_reduction_workloads(std::vector<Workload>& w) {
  auto vec = [] { a = torch::rand({k16M}); };
  auto mat = [] { a = torch::rand({4096, 4096}); };
  w.push_back({"sum 16M", 1, vec, [] { sink = a.sum(); }, {}, drop});
  w.push_back({"mean 16M", 1, vec, [] { sink = a.mean(); }, {}, drop});
  w.push_back({"max 16M", 1, vec, [] { sink = a.max(); }, {}, drop});
  w.push_back({"softmax 16M", 1, vec, [] { sink = torch::softmax(a, 0); }, {}, drop});
  w.push_back({"sum rows [4096,4096]", 1, mat, [] { sink = a.sum(1); }, {}, drop});
  w.push_back({"mean rows [4096,4096]", 1, mat, [] { sink = a.mean(1); }, {}, drop});
  w.push_back({"max rows [4096,4096]", 1, mat, [] { sink = std::get<0>(a.max(1)); }, {}, drop});
  w.push_back({"softmax rows [4096,4096]", 1, mat, [] { sink = torch::softmax(a, 1); }, {}, drop});
  // The bandwidth reference for the 16M reductions: a plain copy of the same bytes.
  static std::vector<float> src, dst;
  w.push_back({"memcpy 16M (reference)", 1, [] { src.assign(k16M, 1.0f); dst.assign(k16M, 0.0f); },
               [] { std::memcpy(dst.data(), src.data(), k16M * sizeof(float)); }, {},
               [] { src = dst = {}; }});
}

void add_matmul_workloads(std::vector<Workload>& w) {
  for (int64_t n : {64, 256, 1024, 2048}) {
    const std::string s = std::to_string(n);
    auto setup = [n] {
      a = torch::rand({n, n});
      b = torch::rand({n, n});
      sink = torch::empty({n, n});
    };
    const int min_samples = n >= 2048 ? 3 : 5;
    w.push_back({"mm " + s, 1, setup, [] { sink = torch::mm(a, b); }, {}, drop, min_samples});
    // The limit: OpenBLAS called directly on the same operands, no allocation.
    w.push_back({"cblas_sgemm " + s, 1, setup,
                 [n] {
                   cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data_ptr<float>(), n,
                               b.data_ptr<float>(), n, 0.0f, sink.data_ptr<float>(), n);
                 },
                 {}, drop, min_samples});
  }
}

}  // namespace bench
