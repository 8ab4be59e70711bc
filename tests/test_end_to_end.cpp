// End to end: a small network trained on a synthetic task by the public API alone
// (modules, a loss, an optimizer, a data loader) drives its loss to near zero, and a
// save/load round trip reproduces its predictions.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <filesystem>
#include <string>
#include <unistd.h>

namespace {
using ember::Tensor;
namespace nn = ember::nn;
namespace F = ember::nn::functional;
namespace data = ember::data;

struct SpiralNetImpl : nn::Module {
  SpiralNetImpl()
      : body(register_module("body", nn::Sequential(nn::Linear(2, 32), nn::Tanh(), nn::Linear(32, 32), nn::Tanh(),
                                                    nn::Linear(32, 3)))) {}
  Tensor forward(Tensor x) { return body->forward(x); }
  nn::Sequential body;
};
EMBER_MODULE(SpiralNet);

/// Three interleaved spirals of 64 points each: a task a linear model cannot fit.
std::pair<Tensor, Tensor> spirals() {
  const int64_t n = 64;
  Tensor r = ember::linspace(0.1, 1.0, n);
  std::vector<Tensor> xs, ys;
  for (int64_t c = 0; c < 3; ++c) {
    Tensor theta = ember::linspace(0.0, 4.0, n) + 2.094 * static_cast<double>(c);
    xs.push_back(ember::stack({r * theta.sin(), r * theta.cos()}, 1));
    ys.push_back(ember::full({n}, c, ember::kLong));
  }
  return {ember::cat(xs), ember::cat(ys)};
}

/// Points and their labels as a dataset of (point, label) examples.
struct LabeledPoints : data::datasets::Dataset<LabeledPoints> {
  LabeledPoints(Tensor x, Tensor y) : x(std::move(x)), y(std::move(y)) {}
  data::Example<> get(size_t i) override {
    return {x[static_cast<int64_t>(i)], y[static_cast<int64_t>(i)]};
  }
  std::optional<size_t> size() const override { return static_cast<size_t>(x.size(0)); }
  Tensor x, y;
};

}  // namespace

TEST_CASE("end to end: an MLP learns three spirals to near-zero loss, and reloads", "[nn][e2e]") {
  ember::manual_seed(0);
  auto [x, y] = spirals();
  auto loader = data::make_data_loader<data::samplers::RandomSampler>(
      LabeledPoints(x, y).map(data::transforms::Stack<>()),
      data::DataLoaderOptions().batch_size(32));

  SpiralNet model;
  ember::optim::Adam optimizer(model->parameters(), ember::optim::AdamOptions(0.02));
  double first_epoch_loss = 0, last_epoch_loss = 0;
  for (int epoch = 0; epoch < 300; ++epoch) {
    double sum = 0;
    int batches = 0;
    for (auto& batch : *loader) {
      optimizer.zero_grad();
      Tensor loss = F::cross_entropy(model->forward(batch.data), batch.target);
      loss.backward();
      optimizer.step();
      sum += loss.item<double>();
      ++batches;
    }
    (epoch == 0 ? first_epoch_loss : last_epoch_loss) = sum / batches;
  }
  INFO("first epoch loss " << first_epoch_loss << ", last epoch loss " << last_epoch_loss);
  CHECK(first_epoch_loss > 0.9);  // about log(3) at the start
  CHECK(last_epoch_loss < 0.02);

  ember::NoGradGuard no_grad;
  Tensor logits = model->forward(x);
  CHECK(logits.argmax(1).eq(y).sum().item<int64_t>() == 192);

  const std::string path =
      (std::filesystem::temp_directory_path() / ("ember_test_e2e_" + std::to_string(::getpid()) + ".safetensors"))
          .string();
  ember::save(model, path);
  SpiralNet reloaded;
  ember::load(reloaded, path);
  std::filesystem::remove(path);
  CHECK(reloaded->forward(x).equal(logits));
}
