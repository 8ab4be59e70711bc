// Trains a small convolutional network on Fashion-MNIST with Adam and a cosine-annealed
// learning rate, printing progress, the test accuracy after every epoch and the time taken:
//
//   conv 3x3, 32 - batch norm - ReLU - max pool 2     [N, 32, 14, 14]
//   conv 3x3, 64 - batch norm - ReLU - max pool 2     [N, 64, 7, 7]
//   fully connected 3136 -> 128 - ReLU - dropout 0.25 - fully connected 128 -> 10
//
//   fashion_mnist_cnn [--epochs N] [--batch-size N] [--lr X] [--threads N]
//                     [--save PATH] [--eval PATH] [--data DIR]
//
// --save writes the trained weights; --eval PATH loads them and only prints the test
// accuracy, which is the same as at the end of the run that saved them.
#include <ember/ember.h>

#include "fashion_mnist_common.h"

namespace nn = ember::nn;
namespace F = ember::nn::functional;

struct NetImpl : nn::Module {
  NetImpl()
      : conv1(register_module("conv1", nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1).bias(false)))),
        bn1(register_module("bn1", nn::BatchNorm2d(32))),
        conv2(register_module("conv2", nn::Conv2d(nn::Conv2dOptions(32, 64, 3).padding(1).bias(false)))),
        bn2(register_module("bn2", nn::BatchNorm2d(64))),
        fc1(register_module("fc1", nn::Linear(64 * 7 * 7, 128))),
        dropout(register_module("dropout", nn::Dropout(0.25))),
        fc2(register_module("fc2", nn::Linear(128, 10))) {}

  ember::Tensor forward(ember::Tensor x) {
    x = F::max_pool2d(F::relu(bn1(conv1(x))), F::MaxPool2dFuncOptions(2));  // [N, 32, 14, 14]
    x = F::max_pool2d(F::relu(bn2(conv2(x))), F::MaxPool2dFuncOptions(2));  // [N, 64, 7, 7]
    x = dropout(F::relu(fc1(x.flatten(1))));
    return fc2(x);
  }

  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::Conv2d conv2;
  nn::BatchNorm2d bn2;
  nn::Linear fc1;
  nn::Dropout dropout;
  nn::Linear fc2;
};
EMBER_MODULE(Net);

int main(int argc, char** argv) {
  fashion_mnist::Flags defaults;
  defaults.epochs = 4;
  defaults.batch_size = 64;
  defaults.lr = 1e-3;
  const fashion_mnist::Flags flags = fashion_mnist::parse_flags(argc, argv, defaults);

  ember::manual_seed(1);
  Net model;
  return fashion_mnist::run(model, flags);
}
