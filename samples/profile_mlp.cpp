// Profiles a few training steps of a small MLP: prints the model summary, the ops sorted
// by total time, and writes a Chrome trace (open it in https://ui.perfetto.dev).
#include <ember/ember.h>
#include <ember/nn/summary.h>
#include <ember/profiler.h>

#include <cstdio>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  const std::string trace = argc > 1 ? argv[1] : "trace.json";
  ember::manual_seed(0);
  ember::nn::Sequential model(ember::nn::Linear(784, 128), ember::nn::ReLU(), ember::nn::Linear(128, 10));
  std::cout << ember::summary(model, {64, 784}) << '\n';

  ember::optim::SGD opt(model->parameters(), ember::optim::SGDOptions(0.01));
  ember::Tensor x = ember::randn({64, 784});
  ember::Tensor target = ember::randint(0, 10, {64});
  ember::profiler::Profile prof;
  for (int step = 0; step < 5; ++step) {
    ember::profiler::RecordFunction scope("train_step");
    opt.zero_grad();
    ember::Tensor loss = ember::nn::functional::cross_entropy(model->forward(x), target);
    loss.backward();
    opt.step();
  }
  prof.stop();
  std::cout << prof.key_averages().table(12);
  prof.export_chrome_trace(trace);
  std::printf("wrote %s (open it in https://ui.perfetto.dev or chrome://tracing)\n", trace.c_str());
  return 0;
}
