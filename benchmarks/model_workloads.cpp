// Convolution, training-step and data-loading workloads.
#include <memory>

#include "models.h"
#include "workloads.h"

namespace bench {
namespace {

Tensor x, y, weight, bias;
std::shared_ptr<MLPImpl> mlp;
std::shared_ptr<CNNImpl> cnn;
std::unique_ptr<torch::optim::SGD> sgd;
std::unique_ptr<torch::optim::Adam> adam;

void drop() {
  sgd.reset();
  adam.reset();
  mlp.reset();
  cnn.reset();
  x = y = weight = bias = sink = Tensor();
}

// One convolution layer of the CNN, forward and backward (weight, bias and, when the
// layer is not the first, input gradients).
Workload conv_layer(const std::string& name, int64_t c_in, int64_t c_out, int64_t hw) {
  return {name, 1,
          [=] {
            x = torch::rand({64, c_in, hw, hw}, torch::requires_grad(c_in > 1));
            weight = torch::rand({c_out, c_in, 3, 3}, torch::requires_grad());
            bias = torch::rand({c_out}, torch::requires_grad());
          },
          [] {
            torch::conv2d(x, weight, bias, 1, 1).sum().backward();
            weight.mutable_grad() = Tensor();
            bias.mutable_grad() = Tensor();
            if (x.requires_grad()) x.mutable_grad() = Tensor();
          },
          {}, drop};
}

}  // namespace

void add_training_workloads(std::vector<Workload>& w) {
  w.push_back(conv_layer("conv2d 1->32, 28x28, batch 64, fwd+bwd", 1, 32, 28));
  w.push_back(conv_layer("conv2d 32->64, 14x14, batch 64, fwd+bwd", 32, 64, 14));
  w.push_back({"MLP 784-512-256-10, batch 128, SGD step", 1,
               [] {
                 torch::manual_seed(0);
                 mlp = std::make_shared<MLPImpl>();
                 sgd = std::make_unique<torch::optim::SGD>(mlp->parameters(),
                                                           torch::optim::SGDOptions(0.01).momentum(0.9));
                 x = torch::rand({128, 784});
                 y = torch::randint(0, 10, {128});
               },
               [] {
                 sgd->zero_grad();
                 Tensor loss = torch::cross_entropy_loss(mlp->forward(x), y);
                 loss.backward();
                 sgd->step();
               },
               {}, drop});
  w.push_back({"CNN conv32-conv64-fc, batch 64, Adam step", 1,
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
               {}, drop});
}

void add_data_workloads(std::vector<Workload>& w) {
  // Reading and parsing the 60000 training images and labels (IDX files).
  w.push_back({"Fashion-MNIST: read train set", 1, {},
               [] { sink = torch::data::datasets::MNIST(data_dir).get(0).data; }, {}, drop, 3});
  // The training pipeline of the samples: normalize each image, stack batches of 64 in a
  // shuffled order; 100 batches (6400 images) per call, single-threaded loader.
  using Pipeline = decltype(torch::data::datasets::MNIST(data_dir)
                                .map(torch::data::transforms::Normalize<>(0.2860, 0.3530))
                                .map(torch::data::transforms::Stack<>()));
  static std::unique_ptr<torch::data::StatelessDataLoader<Pipeline, torch::data::samplers::RandomSampler>> loader;
  w.push_back({"Fashion-MNIST: loader, 100 batches of 64", 1,
               [] {
                 auto ds = torch::data::datasets::MNIST(data_dir)
                               .map(torch::data::transforms::Normalize<>(0.2860, 0.3530))
                               .map(torch::data::transforms::Stack<>());
                 loader = torch::data::make_data_loader(std::move(ds), torch::data::DataLoaderOptions(64));
               },
               [] {
                 int n = 0;
                 for (auto& batch : *loader) {
                   sink = batch.data;
                   if (++n == 100) break;
                 }
               },
               {}, [] { loader.reset(); drop(); }});
}

}  // namespace bench
