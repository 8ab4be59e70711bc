// Module::state_dict / load_state_dict: PyTorch's names and order, in-place loading,
// strictness and the errors that list every offending key.
#include "core_helpers.h"
#include <ember/ember.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <unistd.h>
#include <vector>

namespace {
using core_test::require_error;
using ember::Tensor;
namespace nn = ember::nn;

std::vector<std::string> keys_of(const ember::OrderedDict<std::string, Tensor>& d) {
  std::vector<std::string> k;
  for (const auto& item : d) k.push_back(item.key());
  return k;
}


nn::Sequential make_model() { return nn::Sequential(nn::Linear(3, 2), nn::BatchNorm1d(2), nn::ReLU(), nn::Linear(2, 1)); }

}  // namespace

TEST_CASE("nn::Module::state_dict: PyTorch's keys in PyTorch's order, aliasing the module", "[nn][serialize]") {
  auto model = make_model();
  auto sd = model->state_dict();
  // list(nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2), nn.ReLU(), nn.Linear(2, 1)).state_dict())
  CHECK(keys_of(sd) == std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                                "1.running_var", "1.num_batches_tracked", "3.weight", "3.bias"});
  CHECK_FALSE(sd["0.weight"].requires_grad());
  // The entries share storage with the module, as PyTorch's do.
  sd["3.bias"].fill_(4.0);
  CHECK(model->named_parameters()["3.bias"].item<double>() == 4.0);
}

TEST_CASE("nn::Module::load_state_dict: copies in place and keeps parameters leaves", "[nn][serialize]") {
  ember::manual_seed(3);
  auto source = make_model();
  auto target = make_model();
  source->train();
  source->forward(ember::randn({5, 3}));  // moves the running statistics
  Tensor w = target->named_parameters()["0.weight"];
  void* data = w.data_ptr();

  auto result = target->load_state_dict(source->state_dict());
  CHECK(result.missing_keys.empty());
  CHECK(result.unexpected_keys.empty());
  CHECK(w.data_ptr() == data);
  CHECK(w.is_leaf());
  CHECK(w.requires_grad());
  for (const auto& item : source->state_dict()) {
    INFO(item.key());
    CHECK(target->state_dict()[item.key()].equal(item.value()));
  }
  CHECK(target->state_dict()["1.num_batches_tracked"].item<int64_t>() == 1);
  source->eval();
  target->eval();
  Tensor x = ember::randn({4, 3});
  CHECK(target->forward(x).equal(source->forward(x)));
}

TEST_CASE("nn::Module::load_state_dict: strict lists missing and unexpected keys, shapes always checked",
          "[nn][serialize]") {
  auto model = make_model();
  auto sd = model->state_dict();
  ember::OrderedDict<std::string, Tensor> partial;
  for (const auto& item : sd)
    if (item.key() != "0.bias" && item.key() != "1.running_var") partial.insert(item.key(), item.value().clone());
  partial.insert("extra.weight", ember::ones({1}));

  require_error([&] { model->load_state_dict(partial); },
                {"[ember::nn::Module::load_state_dict]", "missing keys: \"0.bias\", \"1.running_var\"",
                 "unexpected keys: \"extra.weight\""});

  partial["0.weight"].fill_(0.5);
  auto result = model->load_state_dict(partial, /*strict=*/false);
  CHECK(result.missing_keys == std::vector<std::string>{"0.bias", "1.running_var"});
  CHECK(result.unexpected_keys == std::vector<std::string>{"extra.weight"});
  CHECK(model->named_parameters()["0.weight"].equal(ember::full({2, 3}, 0.5)));

  partial["3.weight"] = ember::zeros({3, 2});
  require_error([&] { model->load_state_dict(partial, /*strict=*/false); },
                {"size mismatch for \"3.weight\"", "the module has shape [1, 2]", "the dict holds shape [3, 2]"});
}

TEST_CASE("nn::Module: save and load through a file keep the state dict", "[nn][serialize]") {
  ember::manual_seed(5);
  auto a = make_model();
  auto b = make_model();
  const std::string path =
      (std::filesystem::temp_directory_path() / ("ember_test_state_dict_" + std::to_string(::getpid()) + ".safetensors"))
          .string();
  ember::save(a, path);
  ember::load(b, path);
  std::remove(path.c_str());
  for (const auto& item : a->state_dict()) {
    INFO(item.key());
    CHECK(b->state_dict()[item.key()].equal(item.value()));
  }
}
