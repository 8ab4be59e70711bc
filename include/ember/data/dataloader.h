#pragma once
// make_data_loader (torch::data::make_data_loader): a loader over a dataset with a sampler
// (RandomSampler unless another is named) and DataLoaderOptions.
//   auto loader = ember::data::make_data_loader(std::move(dataset), DataLoaderOptions(64).workers(2));
//   for (auto& batch : *loader) { ... batch.data ... batch.target ... }
#include <memory>
#include <type_traits>
#include <utility>

#include "ember/data/dataloader/stateless.h"
#include "ember/data/dataloader_options.h"
#include "ember/data/samplers/random.h"

namespace ember::data {

/// A loader over `dataset` drawing indices from `sampler`.
template <typename Dataset, typename Sampler>
std::enable_if_t<!Dataset::is_stateful, std::unique_ptr<StatelessDataLoader<Dataset, Sampler>>> make_data_loader(
    Dataset dataset, Sampler sampler, DataLoaderOptions options) {
  return std::make_unique<StatelessDataLoader<Dataset, Sampler>>(std::move(dataset), std::move(sampler),
                                                                  std::move(options));
}

/// A loader over `dataset` with a Sampler built from the dataset's size.
template <typename Sampler = samplers::RandomSampler, typename Dataset>
std::enable_if_t<!Dataset::is_stateful && std::is_constructible_v<Sampler, size_t>,
                 std::unique_ptr<StatelessDataLoader<Dataset, Sampler>>>
make_data_loader(Dataset dataset, DataLoaderOptions options = DataLoaderOptions()) {
  const std::optional<size_t> size = dataset.size();
  EMBER_CHECK(size.has_value(), Error, "data::make_data_loader",
              "Expected the dataset to be sized in order to construct the Sampler");
  return make_data_loader(std::move(dataset), Sampler(*size), std::move(options));
}

}  // namespace ember::data
