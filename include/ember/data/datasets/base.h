#pragma once
// Dataset bases (torch::data::datasets): a BatchDataset returns a batch for a batch
// request; a Dataset returns single examples by index and batches them as a vector.
#include <cstddef>
#include <optional>
#include <type_traits>
#include <vector>

#include "ember/array_ref.h"
#include "ember/data/example.h"

namespace ember::data::datasets {

template <typename S, typename T>
class MapDataset;
template <typename D, typename T>
MapDataset<D, T> map(D, T);  // NOLINT

namespace detail {
template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};
}  // namespace detail

/// A dataset that produces whole batches. `Self` is the derived class (CRTP), used by map().
template <typename Self, typename Batch = std::vector<Example<>>, typename BatchRequest = ArrayRef<size_t>>
class BatchDataset {
 public:
  using SelfType = Self;
  using BatchType = Batch;
  using BatchRequestType = BatchRequest;
  /// Datasets whose batches are optional are stateful (they decide when they end).
  constexpr static bool is_stateful = detail::is_optional<BatchType>::value;

  virtual ~BatchDataset() = default;

  /// The batch for a request (for index-based datasets, the examples at those indices).
  virtual Batch get_batch(BatchRequest request) = 0;
  /// Number of examples, when known.
  virtual std::optional<size_t> size() const = 0;

  /// A dataset that applies `transform` to each batch of this one.
  template <typename TransformType>
  MapDataset<Self, TransformType> map(TransformType transform) & {
    return datasets::map(static_cast<Self&>(*this), std::move(transform));
  }
  template <typename TransformType>
  MapDataset<Self, TransformType> map(TransformType transform) && {
    return datasets::map(std::move(static_cast<Self&>(*this)), std::move(transform));
  }
};

/// A dataset of single examples addressed by index; batches are vectors of examples.
template <typename Self, typename SingleExample = Example<>>
class Dataset : public BatchDataset<Self, std::vector<SingleExample>> {
 public:
  using ExampleType = SingleExample;

  /// The example at `index`.
  virtual ExampleType get(size_t index) = 0;

  std::vector<ExampleType> get_batch(ArrayRef<size_t> indices) override {
    std::vector<ExampleType> batch;
    batch.reserve(indices.size());
    for (const auto i : indices) batch.push_back(get(i));
    return batch;
  }
};

}  // namespace ember::data::datasets
