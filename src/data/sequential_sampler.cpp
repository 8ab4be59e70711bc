#include "ember/data/samplers/sequential.h"

#include <algorithm>

#include "ember/ops.h"
#include "ember/serialize.h"

namespace ember::data::samplers {

SequentialSampler::SequentialSampler(size_t size) : size_(size) {}

void SequentialSampler::reset(std::optional<size_t> new_size) {
  if (new_size) size_ = *new_size;
  index_ = 0;
}

std::optional<std::vector<size_t>> SequentialSampler::next(size_t batch_size) {
  const size_t remaining = size_ - index_;
  if (remaining == 0) return std::nullopt;
  std::vector<size_t> batch(std::min(batch_size, remaining));
  for (auto& i : batch) i = index_++;
  return batch;
}

void SequentialSampler::save(serialize::OutputArchive& archive) const {
  archive.write("index", ember::scalar_tensor(static_cast<int64_t>(index_)), /*is_buffer=*/true);
}

void SequentialSampler::load(serialize::InputArchive& archive) {
  Tensor index;
  archive.read("index", index, /*is_buffer=*/true);
  index_ = static_cast<size_t>(index.item<int64_t>());
}

}  // namespace ember::data::samplers
