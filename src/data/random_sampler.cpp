#include "ember/data/samplers/random.h"

#include <algorithm>

#include "ember/ops.h"
#include "ember/serialize.h"

namespace ember::data::samplers {

RandomSampler::RandomSampler(int64_t size, Dtype index_dtype) : indices_(randperm(size, index_dtype)) {}

RandomSampler::~RandomSampler() = default;

void RandomSampler::reset(std::optional<size_t> new_size) {
  const auto size = static_cast<int64_t>(new_size.value_or(static_cast<size_t>(indices_.numel())));
  indices_ = randperm(size, indices_.dtype());
  index_ = 0;
}

std::optional<std::vector<size_t>> RandomSampler::next(size_t batch_size) {
  EMBER_ASSERT(index_ <= indices_.numel());
  const size_t remaining = static_cast<size_t>(indices_.numel() - index_);
  if (remaining == 0) return std::nullopt;
  std::vector<size_t> batch(std::min(batch_size, remaining));
  // Indices may be stored narrower than 64 bits; widen just this batch.
  Tensor slice = indices_.slice(0, index_, index_ + static_cast<int64_t>(batch.size())).to(kInt64).contiguous();
  const int64_t* data = slice.data_ptr<int64_t>();
  std::copy(data, data + batch.size(), batch.begin());
  index_ += static_cast<int64_t>(batch.size());
  return batch;
}

void RandomSampler::save(serialize::OutputArchive& archive) const {
  archive.write("index", ember::scalar_tensor(index_), /*is_buffer=*/true);
  archive.write("indices", indices_, /*is_buffer=*/true);
}

void RandomSampler::load(serialize::InputArchive& archive) {
  Tensor index, indices;
  archive.read("index", index, /*is_buffer=*/true);
  archive.read("indices", indices, /*is_buffer=*/true);
  index_ = index.item<int64_t>();
  indices_ = indices;
}

}  // namespace ember::data::samplers
