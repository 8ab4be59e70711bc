// A program in libtorch spelling, compiled against ember through the compat header.
#include <catch2/catch.hpp>
#include <ember/compat/torch.h>

namespace {
struct TinyNetImpl : torch::nn::Module {
  TinyNetImpl() : fc1(register_module("fc1", torch::nn::Linear(2, 8))), fc2(register_module("fc2", torch::nn::Linear(8, 1))) {}
  torch::Tensor forward(torch::Tensor x) { return fc2->forward(torch::tanh(fc1->forward(x))); }
  torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(TinyNet);
}  // namespace

TEST_CASE("compat: a libtorch-spelled program compiles and trains against ember") {
  torch::manual_seed(0);
  TinyNet net;
  torch::Tensor x = torch::rand({64, 2});
  torch::Tensor y = (x.select(1, 0) * x.select(1, 1)).unsqueeze(1);
  double first = 0, last = 0;
  for (int step = 0; step < 200; ++step) {
    net->zero_grad();
    torch::Tensor loss = (net->forward(x) - y).pow(2).mean();
    loss.backward();
    {
      torch::NoGradGuard no_grad;
      for (auto& p : net->parameters()) p.sub_(0.1 * p.grad());
    }
    if (step == 0) first = loss.item<double>();
    last = loss.item<double>();
  }
  CHECK(last < first * 0.5);
  torch::nn::Sequential seq(torch::nn::Linear(2, 3), torch::nn::Functional(torch::relu));
  CHECK(seq->forward(x).sizes() == torch::IntArrayRef({64, 3}));
}
