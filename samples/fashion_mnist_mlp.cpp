// Trains a 784-512-256-10 multilayer perceptron on Fashion-MNIST with Adam (cosine-annealed
// learning rate) and prints the mean training loss of every epoch and the final test accuracy.
//
//   ./build/samples/fashion_mnist_mlp [epochs=10] [data_dir=/usr/share/datasets/fashion-mnist]
#include <ember/ember.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace nn = ember::nn;
namespace data = ember::data;

struct NetImpl : nn::Module {
  NetImpl()
      : fc1(register_module("fc1", nn::Linear(784, 512))),
        fc2(register_module("fc2", nn::Linear(512, 256))),
        fc3(register_module("fc3", nn::Linear(256, 10))),
        dropout(register_module("dropout", nn::Dropout(0.2))) {}

  ember::Tensor forward(ember::Tensor x) {
    x = x.flatten(1);
    x = dropout(ember::relu(fc1(x)));
    x = dropout(ember::relu(fc2(x)));
    return fc3(x);
  }

  nn::Linear fc1, fc2, fc3;
  nn::Dropout dropout;
};
EMBER_MODULE(Net);

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 10;
  const std::string root = argc > 2 ? argv[2] : data::datasets::fashion_mnist_root();
  ember::manual_seed(1);

  // Fashion-MNIST's pixel mean and standard deviation.
  auto normalize = data::transforms::Normalize<>(0.2860, 0.3530);
  auto train_set = data::datasets::MNIST(root, data::datasets::MNIST::Mode::kTrain)
                       .map(normalize)
                       .map(data::transforms::Stack<>());
  auto test_set = data::datasets::MNIST(root, data::datasets::MNIST::Mode::kTest)
                      .map(normalize)
                      .map(data::transforms::Stack<>());
  const size_t train_size = *train_set.size(), test_size = *test_set.size();
  auto train_loader = data::make_data_loader<data::samplers::RandomSampler>(
      std::move(train_set), data::DataLoaderOptions().batch_size(128));
  auto test_loader = data::make_data_loader<data::samplers::SequentialSampler>(
      std::move(test_set), data::DataLoaderOptions().batch_size(1000));

  Net model;
  ember::optim::Adam optimizer(model->parameters(), ember::optim::AdamOptions(1e-3));
  // The learning rate follows half a cosine from 1e-3 down to 0 over the run.
  ember::optim::CosineAnnealingLR schedule(optimizer, epochs);
  nn::CrossEntropyLoss criterion;

  for (int epoch = 1; epoch <= epochs; ++epoch) {
    model->train();
    double loss_sum = 0;
    size_t batches = 0;
    for (auto& batch : *train_loader) {
      optimizer.zero_grad();
      ember::Tensor loss = criterion(model->forward(batch.data), batch.target);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
      ++batches;
    }
    std::printf("epoch %d/%d  lr %.2e  train loss %.4f\n", epoch, epochs, schedule.get_last_lr()[0],
                loss_sum / static_cast<double>(batches));
    schedule.step();
  }

  model->eval();
  ember::NoGradGuard no_grad;
  int64_t correct = 0;
  for (auto& batch : *test_loader) {
    ember::Tensor predicted = model->forward(batch.data).argmax(1);
    correct += predicted.eq(batch.target).sum().item<int64_t>();
  }
  std::printf("test accuracy %.2f%% (%lld/%zu), trained on %zu images\n",
              100.0 * static_cast<double>(correct) / static_cast<double>(test_size),
              static_cast<long long>(correct), test_size, train_size);
  return 0;
}
