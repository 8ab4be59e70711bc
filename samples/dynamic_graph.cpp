// Define-by-run made concrete: a recurrent model whose loop count is the length of its
// input, and the length changes every step. Each training step draws a batch of sequences
// of a random length T between 1 and 12 (numbers uniform in [-1, 1]) and the model reads
// them with an ordinary C++ for loop of T iterations, so every step records a graph of a
// different depth; backward runs through whichever graph was recorded. The model learns
// to output the sum of its sequence.
#include <ember/ember.h>

#include <cstdio>
#include <random>

namespace nn = ember::nn;
using ember::Tensor;

struct SummerImpl : nn::Module {
  static constexpr int64_t kHidden = 32;
  SummerImpl()
      : cell(register_module("cell", nn::Linear(1 + kHidden, kHidden))),
        out(register_module("out", nn::Linear(kHidden, 1))) {}

  // x: [batch, T]; one pass of the cell per element, T decided by the input.
  Tensor forward(const Tensor& x) {
    Tensor h = ember::zeros({x.size(0), kHidden});
    for (int64_t t = 0; t < x.size(1); ++t) {
      h = ember::tanh(cell(ember::cat({x.select(1, t).unsqueeze(1), h}, 1)));
    }
    return out(h).squeeze(1);
  }

  nn::Linear cell, out;
};
EMBER_MODULE(Summer);

int main() {
  ember::manual_seed(0);
  std::mt19937 rng(0);
  std::uniform_int_distribution<int64_t> length(1, 12);

  Summer model;
  ember::optim::Adam optimizer(model->parameters(), ember::optim::AdamOptions(3e-3));
  double loss_sum = 0;
  int64_t steps_sum = 0;
  for (int step = 1; step <= 1000; ++step) {
    const int64_t T = length(rng);
    Tensor x = ember::rand({64, T}) * 2 - 1;
    Tensor target = x.sum(1);

    optimizer.zero_grad();
    Tensor loss = ember::mse_loss(model->forward(x), target);  // a graph T cells deep
    loss.backward();
    nn::utils::clip_grad_norm_(model->parameters(), 1.0);  // keeps long sequences from jolting the weights
    optimizer.step();
    loss_sum += loss.item<double>();
    steps_sum += T;
    if (step % 100 == 0) {
      std::printf("steps %3d-%3d  mean loss %.4f  mean loop count %.1f\n", step - 99, step, loss_sum / 100,
                  static_cast<double>(steps_sum) / 100);
      loss_sum = 0;
      steps_sum = 0;
    }
  }

  // The same model on lengths it saw and on longer ones it never saw.
  ember::NoGradGuard no_grad;
  std::printf("\n%6s %12s %12s\n", "length", "true sum", "predicted");
  for (int64_t T : {1, 4, 8, 12, 16, 24}) {
    Tensor x = ember::rand({1, T}) * 2 - 1;
    std::printf("%6lld %12.4f %12.4f\n", static_cast<long long>(T), x.sum().item<double>(),
                model->forward(x).item<double>());
  }
  return 0;
}
