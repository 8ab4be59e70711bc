// Trains a 784-512-256-10 multilayer perceptron with dropout on Fashion-MNIST with Adam
// and a cosine-annealed learning rate, printing progress, the test accuracy after every
// epoch and the time taken.
//
//   fashion_mnist_mlp [--epochs N] [--batch-size N] [--lr X] [--threads N]
//                     [--save PATH] [--eval PATH] [--data DIR]
//
// --save writes the trained weights; --eval PATH loads them and only prints the test
// accuracy, which is the same as at the end of the run that saved them.
#include <ember/ember.h>

#include "fashion_mnist_common.h"

namespace nn = ember::nn;

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
  fashion_mnist::Flags defaults;
  defaults.epochs = 10;
  defaults.batch_size = 128;
  defaults.lr = 1e-3;
  const fashion_mnist::Flags flags = fashion_mnist::parse_flags(argc, argv, defaults);

  ember::manual_seed(1);
  Net model;
  return fashion_mnist::run(model, flags);
}
