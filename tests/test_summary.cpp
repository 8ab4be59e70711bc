// ember::summary: the table for a small Sequential (exact text), nested modules with an
// unused child, and that the model's mode, buffers and hooks are left as they were.
#include <catch2/catch.hpp>
#include <ember/ember.h>
#include <ember/nn/summary.h>

#include <sstream>

using namespace ember;

TEST_CASE("summary: a Sequential's layers, output shapes and parameter counts", "[summary]") {
  nn::Sequential model(nn::Linear(4, 16), nn::ReLU(), nn::Linear(16, 3));
  const ModelSummary s = summary(model, {2, 4});
  const std::string expected =
      "============================================================================\n"
      "Layer (type)                            Output Shape            Param #\n"
      "============================================================================\n"
      "Sequential                              [2, 3]                  --\n"
      "├─0 (Linear)                            [2, 16]                 80\n"
      "├─1 (ReLU)                              [2, 16]                 --\n"
      "├─2 (Linear)                            [2, 3]                  51\n"
      "============================================================================\n"
      "Total params: 131\n"
      "Trainable params: 131\n"
      "Non-trainable params: 0\n"
      "Input size: [2, 4]\n"
      "============================================================================\n";
  CHECK(s.to_string() == expected);
  std::ostringstream os;
  os << s;
  CHECK(os.str() == expected);
  REQUIRE(s.layers.size() == 4);
  CHECK(s.layers[2].output_shape == std::vector<int64_t>{2, 16});
  CHECK(s.total_params == 131);
}

namespace {
struct Net : nn::Module {
  nn::Sequential features{nullptr};
  nn::BatchNorm1d norm{nullptr};
  nn::Linear head{nullptr}, unused{nullptr};
  Net() {
    features = register_module("features", nn::Sequential(nn::Linear(8, 32), nn::ReLU()));
    norm = register_module("norm", nn::BatchNorm1d(32));
    head = register_module("head", nn::Linear(32, 10));
    unused = register_module("unused", nn::Linear(2, 2));
    head->bias.requires_grad_(false);  // frozen: counted as non-trainable
  }
  Tensor forward(const Tensor& x) { return head->forward(norm->forward(features->forward(x))); }
};
}  // namespace

TEST_CASE("summary: nested modules, unused modules, frozen parameters, state restored", "[summary]") {
  auto net = std::make_shared<Net>();
  net->train();
  const Tensor mean_before = net->norm->running_mean.clone();
  const ModelSummary s = summary(net, {5, 8});
  const std::string text = s.to_string();
  const std::string rows =
      "Net                                     [5, 10]                 --\n"
      "├─features (Sequential)                 [5, 32]                 --\n"
      "│  ├─features.0 (Linear)                [5, 32]                 288\n"
      "│  ├─features.1 (ReLU)                  [5, 32]                 --\n"
      "├─norm (BatchNorm1d)                    [5, 32]                 64\n"
      "├─head (Linear)                         [5, 10]                 330\n"
      "├─unused (Linear)                       --                      6\n";
  CHECK(text.find(rows) != std::string::npos);
  CHECK(text.find("Total params: 688\nTrainable params: 678\nNon-trainable params: 10\nInput size: [5, 8]\n") !=
        std::string::npos);
  // Training mode and the running statistics are as before; the hooks are gone.
  CHECK(net->is_training());
  CHECK(net->norm->is_training());
  CHECK(net->norm->running_mean.equal(mean_before));
  const ModelSummary again = summary(net, {5, 8});
  CHECK(again.to_string() == text);
  Tensor y = net->forward(ones({5, 8}));
  CHECK(y.requires_grad());
}
