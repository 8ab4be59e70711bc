// Training steps of the MLP and the CNN of models.h on one device, for comparing ember
// with PyTorch eager on the same device: scripts/torch_train_steps.py runs the same models,
// data shapes, optimizers and timing and prints the same lines; scripts/gpu-check prints
// their ratio. Timing: warm-up steps, then `blocks` blocks of `steps` steps each, the
// device synchronized before every clock read; the median block is reported per step.
//   bench_train_steps [--device cpu|cuda|cuda:N] [--steps N] [--blocks N] [--warmup N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models.h"

namespace {

struct Options {
  std::string device = "cpu";
  int steps = 20, blocks = 5, warmup = 10;
};

void sync(const torch::Device& d) {
  if (d.is_cuda()) ember::cuda::synchronize();
}

// Runs `step` (which returns the loss) and prints the median ms per step and the loss
// before and after, so that a row also shows the model trained.
void time_steps(const char* name, const Options& o, const torch::Device& d, const std::function<torch::Tensor()>& step) {
  const double first = step().item<double>();
  for (int i = 1; i < o.warmup; ++i) step();
  sync(d);
  std::vector<double> ms;
  torch::Tensor loss;
  for (int b = 0; b < o.blocks; ++b) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < o.steps; ++i) loss = step();
    sync(d);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / o.steps);
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%s: %.4f ms/step (loss %.4f -> %.4f)\n", name, ms[ms.size() / 2], first, loss.item<double>());
}

int parse_count(const char* flag, const char* value) {
  const int v = std::atoi(value);
  if (v < 1) {
    std::fprintf(stderr, "%s expects a positive count, got '%s'\n", flag, value);
    std::exit(2);
  }
  return v;
}

// One step: cross-entropy of model(x) against y, backward, optimizer step.
template <class Model, class Optimizer>
std::function<torch::Tensor()> train_step(Model& model, Optimizer& optimizer, const torch::Tensor& x,
                                          const torch::Tensor& y) {
  return [&model, &optimizer, x, y] {
    optimizer.zero_grad();
    torch::Tensor loss = torch::cross_entropy_loss(model->forward(x), y);
    loss.backward();
    optimizer.step();
    return loss;
  };
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "usage: %s [--device cpu|cuda|cuda:N] [--steps N] [--blocks N] [--warmup N]\n", argv[0]);
      return 2;
    }
    if (!std::strcmp(a, "--device")) o.device = argv[++i];
    else if (!std::strcmp(a, "--steps")) o.steps = parse_count(a, argv[++i]);
    else if (!std::strcmp(a, "--blocks")) o.blocks = parse_count(a, argv[++i]);
    else if (!std::strcmp(a, "--warmup")) o.warmup = parse_count(a, argv[++i]);
    else {
      std::fprintf(stderr, "unknown option %s\n", a);
      return 2;
    }
  }
  try {
    const torch::Device d(o.device);
    if (d.is_cuda() && !ember::cuda::is_available()) {
      std::printf("train_steps: no CUDA device, nothing measured\n");
      return 1;
    }
    std::printf("train_steps: ember on %s\n", o.device.c_str());
    torch::manual_seed(0);
    {
      auto mlp = std::make_shared<bench::MLPImpl>();
      mlp->to(d);
      torch::optim::SGD sgd(mlp->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
      const torch::Tensor x = torch::rand({128, 784}).to(d), y = torch::randint(0, 10, {128}).to(d);
      time_steps("MLP 784-512-256-10, batch 128, SGD step", o, d, train_step(mlp, sgd, x, y));
    }
    {
      auto cnn = std::make_shared<bench::CNNImpl>();
      cnn->to(d);
      torch::optim::Adam adam(cnn->parameters(), torch::optim::AdamOptions(1e-3));
      const torch::Tensor x = torch::rand({64, 1, 28, 28}).to(d), y = torch::randint(0, 10, {64}).to(d);
      time_steps("CNN conv32-conv64-fc, batch 64, Adam step", o, d, train_step(cnn, adam, x, y));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train_steps: %s\n", e.what());
    return 1;
  }
  return 0;
}
