#include "core_helpers.h"
#include <ember/data.h>
#include <ember/ember.h>
#include <ember/serialize.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {
using core_test::require_error;
using ember::Tensor;
namespace data = ember::data;
namespace fs = std::filesystem;

/// The Fashion-MNIST root, or "" (with a warning naming the test) when it is not installed.
std::string dataset_root_or_skip(const char* test) {
  const std::string root = data::datasets::fashion_mnist_root();
  for (const char* f : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                        "t10k-labels-idx1-ubyte"}) {
    if (!fs::exists(root + "/" + f) && !fs::exists(root + "/" + f + ".gz")) {
      WARN("SKIPPED " << test << ": Fashion-MNIST is not installed in '" << root
                      << "' (apt-get install dataset-fashion-mnist, or set EMBER_FASHION_MNIST)");
      return "";
    }
  }
  return root;
}

/// The two splits, read once for all tests (decompressing them takes a while).
const data::datasets::MNIST& split(const std::string& root, data::datasets::MNIST::Mode mode) {
  static const data::datasets::MNIST train(root, data::datasets::MNIST::Mode::kTrain);
  static const data::datasets::MNIST test(root, data::datasets::MNIST::Mode::kTest);
  return mode == data::datasets::MNIST::Mode::kTrain ? train : test;
}

/// The values of a dataset of scalars [N] as examples 0..N-1, for checking sampler order.
data::datasets::TensorDataset numbers(int64_t n) { return data::datasets::TensorDataset(ember::arange(0, n, ember::kLong)); }

std::vector<int64_t> values(const Tensor& t) {
  Tensor c = t.contiguous().to(ember::kLong);
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}


}  // namespace

TEST_CASE("data: MNIST reads the Fashion-MNIST files (skipped when the dataset is not installed)", "[data]") {
  const std::string root = dataset_root_or_skip("data: MNIST reads the Fashion-MNIST files");
  if (root.empty()) return;
  data::datasets::MNIST train = split(root, data::datasets::MNIST::Mode::kTrain);
  data::datasets::MNIST test = split(root, data::datasets::MNIST::Mode::kTest);
  REQUIRE(train.size() == std::optional<size_t>(60000));
  REQUIRE(test.size() == std::optional<size_t>(10000));
  CHECK(train.is_train());
  CHECK_FALSE(test.is_train());
  CHECK(train.images().sizes() == std::vector<int64_t>{60000, 1, 28, 28});
  CHECK(train.images().dtype() == ember::kFloat);
  CHECK(train.targets().sizes() == std::vector<int64_t>{60000});
  CHECK(train.targets().dtype() == ember::kLong);
  CHECK(train.images().min().item<float>() == 0.0f);
  CHECK(train.images().max().item<float>() == 1.0f);

  // Reference values from libtorch 1.13's MNIST dataset reading the same files (unzipped).
  auto e = train.get(0);
  CHECK(e.data.sizes() == std::vector<int64_t>{1, 28, 28});
  CHECK(e.data.sum().item<double>() == Approx(299.007874).epsilon(1e-6));
  CHECK(e.target.item<int64_t>() == 9);
  CHECK(values(train.targets().slice(0, 0, 10)) == std::vector<int64_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5});
  CHECK(values(test.targets().slice(0, 0, 10)) == std::vector<int64_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7});
  CHECK(test.get(9999).data.sum().item<double>() == Approx(95.6470566).epsilon(1e-6));
  CHECK(train.images().mean().item<double>() == Approx(0.286040574).epsilon(1e-4));
  REQUIRE_THROWS_AS(test.get(10000), ember::IndexError);
}

TEST_CASE("data: Normalize and Stack over MNIST batches (skipped when the dataset is not installed)", "[data]") {
  const std::string root = dataset_root_or_skip("data: Normalize and Stack over MNIST batches");
  if (root.empty()) return;
  data::datasets::MNIST test = split(root, data::datasets::MNIST::Mode::kTest);
  data::transforms::Normalize<> normalize(0.5, 0.25);
  // libtorch 1.13: Normalize<>(0.5, 0.25) of training image 0 sums to -371.968597 and has
  // 1.4039216 at [0, 14, 14].
  data::datasets::MNIST train = split(root, data::datasets::MNIST::Mode::kTrain);
  auto n = normalize.apply(train.get(0));
  CHECK(n.data.sum().item<double>() == Approx(-371.968597).epsilon(1e-6));
  CHECK(n.data[0][14][14].item<double>() == Approx(1.4039216).epsilon(1e-6));
  CHECK(n.target.item<int64_t>() == 9);

  auto dataset = test.map(data::transforms::Normalize<>(0.5, 0.25))
                     .map(data::transforms::Stack<>());
  CHECK(dataset.size() == std::optional<size_t>(10000));
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(std::move(dataset),
                                                                           data::DataLoaderOptions().batch_size(64));
  size_t batches = 0, seen = 0;
  for (auto& batch : *loader) {
    if (batches == 0) {
      CHECK(batch.data.sizes() == std::vector<int64_t>{64, 1, 28, 28});
      CHECK(batch.target.sizes() == std::vector<int64_t>{64});
      CHECK(batch.target.dtype() == ember::kLong);
      Tensor want = (test.images().slice(0, 0, 64) - 0.5) / 0.25;
      CHECK(batch.data.allclose(want, 1e-6, 1e-6));
      CHECK(batch.target.equal(test.targets().slice(0, 0, 64)));
    }
    seen += static_cast<size_t>(batch.data.size(0));
    ++batches;
  }
  CHECK(batches == 157);  // 156 full batches and one of 16
  CHECK(seen == 10000);
}

TEST_CASE("data: MNIST errors name the file and the problem", "[data]") {
  const fs::path dir = fs::temp_directory_path() / ("ember_test_mnist_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  require_error([&] { data::datasets::MNIST(dir.string()); },
                {"[ember::data::MNIST]", "cannot find", (dir / "train-images-idx3-ubyte").string()});
  {
    std::ofstream f(dir / "t10k-images-idx3-ubyte", std::ios::binary);
    const unsigned char header[16] = {0, 0, 8, 1, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28};  // labels' magic
    f.write(reinterpret_cast<const char*>(header), 16);
  }
  require_error([&] { data::datasets::MNIST(dir.string(), data::datasets::MNIST::Mode::kTest); },
                {"t10k-images-idx3-ubyte", "magic number 2049", "expected 2051"});
  {
    std::ofstream f(dir / "t10k-images-idx3-ubyte", std::ios::binary | std::ios::trunc);
    const unsigned char header[16] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28};
    f.write(reinterpret_cast<const char*>(header), 16);
    f.write(std::string(100, '\0').data(), 100);
  }
  require_error([&] { data::datasets::MNIST(dir.string(), data::datasets::MNIST::Mode::kTest); },
                {"t10k-images-idx3-ubyte", "truncated", "2 images of 28x28"});
  fs::remove_all(dir);
}

TEST_CASE("data: the dataset directory can be overridden by EMBER_FASHION_MNIST", "[data]") {
  const char* old = std::getenv("EMBER_FASHION_MNIST");
  const std::string saved = old ? old : "";
  ::setenv("EMBER_FASHION_MNIST", "/some/where", 1);
  CHECK(data::datasets::fashion_mnist_root() == "/some/where");
  ::unsetenv("EMBER_FASHION_MNIST");
  CHECK(data::datasets::fashion_mnist_root() == "/usr/share/datasets/fashion-mnist");
  if (old) ::setenv("EMBER_FASHION_MNIST", saved.c_str(), 1);
}

TEST_CASE("data: SequentialSampler order, reset and save/load", "[data]") {
  data::samplers::SequentialSampler s(7);
  CHECK(*s.next(3) == std::vector<size_t>{0, 1, 2});
  CHECK(*s.next(3) == std::vector<size_t>{3, 4, 5});
  CHECK(s.index() == 6);
  ember::serialize::OutputArchive out;
  s.save(out);
  CHECK(*s.next(3) == std::vector<size_t>{6});
  CHECK_FALSE(s.next(3).has_value());
  std::stringstream stream;
  out.save_to(stream);
  ember::serialize::InputArchive in;
  in.load_from(stream);
  s.load(in);
  CHECK(*s.next(5) == std::vector<size_t>{6});
  s.reset(4);
  CHECK(*s.next(10) == std::vector<size_t>{0, 1, 2, 3});
}

TEST_CASE("data: RandomSampler gives seeded permutations", "[data]") {
  ember::manual_seed(123);
  data::samplers::RandomSampler a(10);
  ember::manual_seed(123);
  data::samplers::RandomSampler b(10);
  std::vector<size_t> all;
  while (auto batch = a.next(4)) {
    CHECK(batch->size() == (all.size() < 8 ? 4u : 2u));
    CHECK(*b.next(4) == *batch);
    all.insert(all.end(), batch->begin(), batch->end());
  }
  CHECK_FALSE(b.next(4).has_value());
  std::vector<size_t> sorted = all;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  a.reset();
  std::vector<size_t> again;
  while (auto batch = a.next(3)) again.insert(again.end(), batch->begin(), batch->end());
  CHECK(again.size() == 10);
  CHECK(again != all);  // a new permutation each epoch (equal with probability 1/10!)

  // save/load resumes the same permutation at the same place; narrow index dtypes work.
  data::samplers::RandomSampler c(6, ember::kInt);
  auto first = *c.next(2);
  ember::serialize::OutputArchive out;
  c.save(out);
  auto rest = *c.next(10);
  std::stringstream stream;
  out.save_to(stream);
  ember::serialize::InputArchive in;
  in.load_from(stream);
  data::samplers::RandomSampler d(6);
  d.load(in);
  CHECK(d.index() == 2);
  CHECK(*d.next(10) == rest);
}

TEST_CASE("data: loader batches, drop_last and sampler order", "[data]") {
  auto dataset = numbers(10).map(data::transforms::Stack<data::TensorExample>());
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(dataset, data::DataLoaderOptions(4));
  std::vector<std::vector<int64_t>> got;
  for (auto& batch : *loader) got.push_back(values(batch.data));
  CHECK(got == std::vector<std::vector<int64_t>>{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}});
  // A second epoch starts over.
  size_t epoch2 = 0;
  for (auto it = loader->begin(); it != loader->end(); ++it) ++epoch2;
  CHECK(epoch2 == 3);

  auto dropping = data::make_data_loader<data::samplers::SequentialSampler>(
      dataset, data::DataLoaderOptions().batch_size(4).drop_last(true));
  got.clear();
  for (auto& batch : *dropping) got.push_back(values(batch.data));
  CHECK(got == std::vector<std::vector<int64_t>>{{0, 1, 2, 3}, {4, 5, 6, 7}});
  CHECK(dropping->options().batch_size == 4);
  CHECK(dropping->options().max_jobs == 0);

  // Without Stack a batch is the vector of examples.
  auto plain = data::make_data_loader<data::samplers::SequentialSampler>(numbers(5), data::DataLoaderOptions(2));
  auto it = plain->begin();
  REQUIRE(it != plain->end());
  CHECK(it->size() == 2);
  CHECK((*it)[1].data.item<int64_t>() == 1);
}

TEST_CASE("data: worker threads return the sampler's order", "[data]") {
  auto dataset = numbers(1000).map(data::transforms::Stack<data::TensorExample>());
  auto run = [&](size_t workers) {
    ember::manual_seed(7);
    auto loader = data::make_data_loader(dataset, data::DataLoaderOptions().batch_size(32).workers(workers));
    std::vector<int64_t> order;
    for (auto& batch : *loader) {
      auto v = values(batch.data);
      order.insert(order.end(), v.begin(), v.end());
    }
    return order;
  };
  const auto serial = run(0);
  REQUIRE(serial.size() == 1000);
  std::vector<int64_t> sorted = serial;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i) REQUIRE(sorted[static_cast<size_t>(i)] == i);
  CHECK(run(1) == serial);
  CHECK(run(3) == serial);
}

TEST_CASE("data: workers survive early exits and report dataset errors", "[data]") {
  auto dataset = numbers(100).map(data::transforms::Stack<data::TensorExample>());
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(
      dataset, data::DataLoaderOptions().batch_size(10).workers(2));
  for (int epoch = 0; epoch < 3; ++epoch) {
    int n = 0;
    for (auto& batch : *loader) {
      CHECK(values(batch.data)[0] == 10 * n);
      if (++n == 2) break;  // leave batches in flight
    }
  }
  size_t full = 0;
  for (auto& batch : *loader) full += static_cast<size_t>(batch.data.size(0));
  CHECK(full == 100);

  // An exception in a worker surfaces on the iterating thread.
  using Lambda = data::transforms::Lambda<data::TensorExample>;
  auto failing = numbers(20)
                     .map(Lambda([](data::TensorExample e) {
                       EMBER_CHECK(e.data.item<int64_t>() != 13, ember::Error, "test", "bad example 13");
                       return e;
                     }))
                     .map(data::transforms::Stack<data::TensorExample>());
  auto bad = data::make_data_loader<data::samplers::SequentialSampler>(
      failing, data::DataLoaderOptions().batch_size(5).workers(2));
  require_error([&] {
    for (auto& batch : *bad) (void)batch;
  }, {"[ember::test] bad example 13"});
}

TEST_CASE("data: a worker slower than the timeout raises an error", "[data]") {
  using Lambda = data::transforms::Lambda<data::TensorExample>;
  auto slow = numbers(4)
                  .map(Lambda([](data::TensorExample e) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
                    return e;
                  }))
                  .map(data::transforms::Stack<data::TensorExample>());
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(
      slow, data::DataLoaderOptions().batch_size(2).workers(1).timeout(std::chrono::milliseconds(5)));
  require_error([&] {
    for (auto& batch : *loader) (void)batch;
  }, {"[ember::data::DataLoader]", "Timeout", "5 ms"});
}

TEST_CASE("data: transforms and iterator misuse", "[data]") {
  data::transforms::TensorLambda<> twice([](Tensor t) { return t * 2; });
  auto ex = twice.apply(data::Example<>(ember::ones({2}), ember::scalar_tensor(int64_t{3})));
  CHECK(ex.data.equal(ember::full({2}, 2.0)));
  CHECK(ex.target.item<int64_t>() == 3);

  data::transforms::Collate<Tensor, std::vector<data::Example<>>> firsts(
      [](std::vector<data::Example<>> b) { return b.front().data; });
  CHECK(firsts.apply_batch({data::Example<>(ember::zeros({1}), ember::ones({1}))}).equal(ember::zeros({1})));

  data::transforms::Normalize<> per_channel({1.0, 2.0}, {2.0, 4.0});
  Tensor img = ember::ones({2, 1, 1}) * 5;
  auto normed = per_channel(img);
  CHECK(normed[0][0][0].item<double>() == 2.0);
  CHECK(normed[1][0][0].item<double>() == 0.75);

  require_error([] { data::detail::stack({ember::zeros({2}), ember::zeros({3})}); },
                {"[ember::data::Stack]", "equal size", "[2]", "[3]"});

  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(numbers(2), data::DataLoaderOptions(2));
  auto end = loader->end();
  require_error([&] { *end; }, {"past-the-end iterator"});
  auto it = loader->begin();
  ++it;
  CHECK(it == loader->end());
  require_error([&] { *it; }, {"past the end"});
  require_error([&] { ++it; }, {"past the end"});
}
