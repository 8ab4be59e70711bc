// Trains a small convolutional network (conv 32 - conv 64 - fully connected) on
// Fashion-MNIST with Adam (cosine-annealed learning rate) and prints the mean training loss of every epoch and the final
// test accuracy.
//
//   ./build/samples/fashion_mnist_cnn [epochs=4] [data_dir=/usr/share/datasets/fashion-mnist]
#include <ember/ember.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace nn = ember::nn;
namespace F = ember::nn::functional;
namespace data = ember::data;

struct NetImpl : nn::Module {
  NetImpl()
      : conv1(register_module("conv1", nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1)))),
        conv2(register_module("conv2", nn::Conv2d(nn::Conv2dOptions(32, 64, 3).padding(1)))),
        fc1(register_module("fc1", nn::Linear(64 * 7 * 7, 128))),
        fc2(register_module("fc2", nn::Linear(128, 10))),
        dropout(register_module("dropout", nn::Dropout(0.25))) {}

  ember::Tensor forward(ember::Tensor x) {
    x = F::max_pool2d(F::relu(conv1(x)), F::MaxPool2dFuncOptions(2));  // [N, 32, 14, 14]
    x = F::max_pool2d(F::relu(conv2(x)), F::MaxPool2dFuncOptions(2));  // [N, 64, 7, 7]
    x = dropout(F::relu(fc1(x.flatten(1))));
    return fc2(x);
  }

  nn::Conv2d conv1, conv2;
  nn::Linear fc1, fc2;
  nn::Dropout dropout;
};
EMBER_MODULE(Net);

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 4;
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
  const size_t test_size = *test_set.size();
  auto train_loader = data::make_data_loader<data::samplers::RandomSampler>(
      std::move(train_set), data::DataLoaderOptions().batch_size(64));
  auto test_loader = data::make_data_loader<data::samplers::SequentialSampler>(
      std::move(test_set), data::DataLoaderOptions().batch_size(1000));

  Net model;
  ember::optim::Adam optimizer(model->parameters(), ember::optim::AdamOptions(1e-3));
  // The learning rate follows half a cosine from 1e-3 down to 0 over the run.
  ember::optim::CosineAnnealingLR schedule(optimizer, epochs);

  for (int epoch = 1; epoch <= epochs; ++epoch) {
    model->train();
    double loss_sum = 0;
    size_t batches = 0;
    for (auto& batch : *train_loader) {
      optimizer.zero_grad();
      ember::Tensor loss = F::cross_entropy(model->forward(batch.data), batch.target);
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
    correct += model->forward(batch.data).argmax(1).eq(batch.target).sum().item<int64_t>();
  }
  std::printf("test accuracy %.2f%% (%lld/%zu)\n", 100.0 * static_cast<double>(correct) / static_cast<double>(test_size),
              static_cast<long long>(correct), test_size);
  return 0;
}
