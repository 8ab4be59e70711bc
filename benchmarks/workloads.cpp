// The benchmark workloads, written once in the spelling ember shares with libtorch and
// compiled twice: against ember (BENCH_EMBER, through the compat header) and against
// libtorch. scripts/bench runs both builds and prints the ratios.
#ifdef BENCH_EMBER
#include <ember/compat/torch.h>
#else
#include <torch/torch.h>
#endif
#include <cblas.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "harness.h"

namespace {

using torch::Tensor;
constexpr int64_t k16M = 16 * 1024 * 1024;

struct MLPImpl : torch::nn::Module {
  MLPImpl()
      : fc1(register_module("fc1", torch::nn::Linear(784, 512))),
        fc2(register_module("fc2", torch::nn::Linear(512, 256))),
        fc3(register_module("fc3", torch::nn::Linear(256, 10))) {}
  Tensor forward(Tensor x) { return fc3->forward(torch::relu(fc2->forward(torch::relu(fc1->forward(x))))); }
  torch::nn::Linear fc1, fc2, fc3;
};
TORCH_MODULE(MLP);

struct CNNImpl : torch::nn::Module {
  CNNImpl()
      : conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 32, 3).padding(1)))),
        conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(32, 64, 3).padding(1)))),
        fc(register_module("fc", torch::nn::Linear(64 * 7 * 7, 10))) {}
  Tensor forward(Tensor x) {
    x = torch::max_pool2d(torch::relu(conv1->forward(x)), 2);
    x = torch::max_pool2d(torch::relu(conv2->forward(x)), 2);
    return fc->forward(x.flatten(1));
  }
  torch::nn::Conv2d conv1, conv2;
  torch::nn::Linear fc;
};
TORCH_MODULE(CNN);

// Keeps results alive across iterations so nothing is optimised away.
Tensor sink;

void add_elementwise(std::vector<bench::Workload>& w) {
  static Tensor a, b, c;
  auto big = [] {
    a = torch::rand({k16M});
    b = torch::rand({k16M});
  };
  auto drop = [] { a = b = c = sink = Tensor(); };
  w.push_back({"add_16M_fresh", 1, big, [] { sink = a + b; }, drop});
  w.push_back({"mul_16M_fresh", 1, big, [] { sink = a * b; }, drop});
  w.push_back({"exp_16M_fresh", 1, big, [] { sink = torch::exp(a); }, drop});
  w.push_back({"tanh_16M_fresh", 1, big, [] { sink = torch::tanh(a); }, drop});
  w.push_back({"sigmoid_16M_fresh", 1, big, [] { sink = torch::sigmoid(a); }, drop});
  w.push_back({"gelu_16M_fresh", 1, big, [] { sink = torch::gelu(a); }, drop});
  w.push_back({"add_16M_inplace", 1, big, [] { a.add_(b); }, drop});
  w.push_back({"mul_16M_inplace", 1, big, [] { a.mul_(b); }, drop});
  w.push_back({"exp_16M_inplace", 1, [] { a = torch::rand({k16M}) * 0.001; }, [] { a.exp_(); }, drop});
  w.push_back({"tanh_16M_inplace", 1, big, [] { a.tanh_(); }, drop});
  w.push_back({"sigmoid_16M_inplace", 1, big, [] { a.sigmoid_(); }, drop});
}

void add_reductions(std::vector<bench::Workload>& w) {
  static Tensor a;
  auto vec = [] { a = torch::rand({k16M}); };
  auto mat = [] { a = torch::rand({4096, 4096}); };
  auto drop = [] { a = sink = Tensor(); };
  w.push_back({"sum_16M", 1, vec, [] { sink = a.sum(); }, drop});
  w.push_back({"mean_16M", 1, vec, [] { sink = a.mean(); }, drop});
  w.push_back({"max_16M", 1, vec, [] { sink = a.max(); }, drop});
  w.push_back({"softmax_16M", 1, vec, [] { sink = torch::softmax(a, 0); }, drop});
  w.push_back({"sum_rows_4096x4096", 1, mat, [] { sink = a.sum(1); }, drop});
  w.push_back({"mean_rows_4096x4096", 1, mat, [] { sink = a.mean(1); }, drop});
  w.push_back({"max_rows_4096x4096", 1, mat, [] { sink = std::get<0>(a.max(1)); }, drop});
  w.push_back({"softmax_rows_4096x4096", 1, mat, [] { sink = torch::softmax(a, 1); }, drop});
  // The bandwidth reference for reductions: a plain copy of the same bytes.
  static std::vector<float> src, dst;
  w.push_back({"memcpy_16M", 1, [] { src.assign(k16M, 1.0f); dst.assign(k16M, 0.0f); },
               [] { std::memcpy(dst.data(), src.data(), k16M * sizeof(float)); }, [] { src = dst = {}; }});
}

void add_small_ops(std::vector<bench::Workload>& w) {
  static Tensor a, b;
  w.push_back({"add_1elem_nograd", 1000, [] { a = torch::rand({1}); b = torch::rand({1}); },
               [] { for (int i = 0; i < 1000; ++i) sink = a + b; }, [] { a = b = sink = Tensor(); }});
  w.push_back({"add_1elem_grad", 1000,
               [] { a = torch::rand({1}, torch::requires_grad()); b = torch::rand({1}); },
               [] { for (int i = 0; i < 1000; ++i) sink = a + b; }, [] { a = b = sink = Tensor(); }});
  w.push_back({"chain100_fwd_bwd", 1, [] { a = torch::rand({1}, torch::requires_grad()); },
               [] {
                 Tensor x = a;
                 for (int i = 0; i < 25; ++i) x = torch::tanh(x * 0.9 + 0.1).sin() - 0.01;
                 x.sum().backward();
                 a.mutable_grad() = Tensor();
               },
               [] { a = sink = Tensor(); }});
}

void add_matmul(std::vector<bench::Workload>& w) {
  static Tensor a, b;
  for (int64_t n : {64, 256, 1024, 2048}) {
    const std::string s = std::to_string(n);
    auto setup = [n] { a = torch::rand({n, n}); b = torch::rand({n, n}); sink = torch::empty({n, n}); };
    auto drop = [] { a = b = sink = Tensor(); };
    w.push_back({"mm_" + s, 1, setup, [] { sink = torch::mm(a, b); }, drop});
    w.push_back({"mm_raw_cblas_" + s, 1, setup, [n] {
                   cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data_ptr<float>(), n,
                               b.data_ptr<float>(), n, 0.0f, sink.data_ptr<float>(), n);
                 }, drop});
  }
}

void add_training(std::vector<bench::Workload>& w) {
  static Tensor x, y, x_img, w1, w2, g1, g2;
  static std::shared_ptr<MLPImpl> mlp;
  static std::shared_ptr<CNNImpl> cnn;
  static std::unique_ptr<torch::optim::SGD> sgd;
  static std::unique_ptr<torch::optim::Adam> adam;
  w.push_back({"conv2d_32_fwd_bwd", 1,
               [] {
                 x_img = torch::rand({64, 1, 28, 28});
                 w1 = torch::rand({32, 1, 3, 3}, torch::requires_grad());
               },
               [] {
                 torch::conv2d(x_img, w1, {}, 1, 1).sum().backward();
                 w1.mutable_grad() = Tensor();
               },
               [] { x_img = w1 = Tensor(); }});
  w.push_back({"conv2d_64_fwd_bwd", 1,
               [] {
                 x_img = torch::rand({64, 32, 14, 14}, torch::requires_grad());
                 w2 = torch::rand({64, 32, 3, 3}, torch::requires_grad());
               },
               [] {
                 torch::conv2d(x_img, w2, {}, 1, 1).sum().backward();
                 w2.mutable_grad() = Tensor();
                 x_img.mutable_grad() = Tensor();
               },
               [] { x_img = w2 = Tensor(); }});
  w.push_back({"mlp_sgd_step", 1,
               [] {
                 torch::manual_seed(0);
                 mlp = std::make_shared<MLPImpl>();
                 sgd = std::make_unique<torch::optim::SGD>(mlp->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
                 x = torch::rand({128, 784});
                 y = torch::randint(0, 10, {128});
               },
               [] {
                 sgd->zero_grad();
                 Tensor loss = torch::cross_entropy_loss(mlp->forward(x), y);
                 loss.backward();
                 sgd->step();
               },
               [] { sgd.reset(); mlp.reset(); x = y = Tensor(); }});
  w.push_back({"cnn_adam_step", 1,
               [] {
                 torch::manual_seed(0);
                 cnn = std::make_shared<CNNImpl>();
                 adam = std::make_unique<torch::optim::Adam>(cnn->parameters(), torch::optim::AdamOptions(1e-3));
                 x = torch::rand({64, 1, 28, 28});
                 y = torch::randint(0, 10, {64});
               },
               [] {
                 adam->zero_grad();
                 Tensor loss = torch::cross_entropy_loss(cnn->forward(x), y);
                 loss.backward();
                 adam->step();
               },
               [] { adam.reset(); cnn.reset(); x = y = Tensor(); }});
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  for (int i = 1; i < argc; ++i)
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
  torch::set_num_threads(threads);
  std::vector<bench::Workload> w;
  add_small_ops(w);
  add_elementwise(w);
  add_reductions(w);
  add_matmul(w);
  add_training(w);
  return bench::run(w, argc, argv);
}
