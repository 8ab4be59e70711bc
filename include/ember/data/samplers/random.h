#pragma once
// RandomSampler: a fresh random permutation of the indices each epoch, drawn from ember's
// default generator (seed it with ember::manual_seed) (torch::data::samplers::RandomSampler).
#include <cstdint>

#include "ember/data/samplers/base.h"
#include "ember/dtype.h"
#include "ember/tensor.h"

namespace ember::data::samplers {

class RandomSampler : public Sampler<> {
 public:
  /// Draws a first permutation of `size` indices stored as index_dtype.
  explicit RandomSampler(int64_t size, Dtype index_dtype = kInt64);
  ~RandomSampler() override;

  /// Draws a new permutation (of new_size indices when given).
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
  void save(serialize::OutputArchive& archive) const override;
  void load(serialize::InputArchive& archive) override;
  /// Number of indices handed out this epoch.
  size_t index() const noexcept { return static_cast<size_t>(index_); }

 private:
  Tensor indices_;
  int64_t index_ = 0;
};

}  // namespace ember::data::samplers
