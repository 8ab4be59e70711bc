#pragma once
// Sampler base (torch::data::samplers::Sampler): yields batch requests (lists of indices)
// until the epoch is exhausted.
#include <cstddef>
#include <optional>
#include <vector>

namespace ember::serialize {
class OutputArchive;
class InputArchive;
}  // namespace ember::serialize

namespace ember::data::samplers {

template <typename BatchRequest = std::vector<size_t>>
class Sampler {
 public:
  using BatchRequestType = BatchRequest;

  virtual ~Sampler() = default;
  /// Starts a new epoch, optionally over a dataset of a new size.
  virtual void reset(std::optional<size_t> new_size) = 0;
  /// The next request of up to batch_size indices, or nullopt at the end of the epoch.
  virtual std::optional<BatchRequest> next(size_t batch_size) = 0;
  /// Writes the sampler's position (and order) so that an epoch can be resumed.
  virtual void save(serialize::OutputArchive& archive) const = 0;
  virtual void load(serialize::InputArchive& archive) = 0;
};

}  // namespace ember::data::samplers
