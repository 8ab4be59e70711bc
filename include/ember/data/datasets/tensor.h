#pragma once
// TensorDataset: the rows of one tensor as examples (torch::data::datasets::TensorDataset).
#include <vector>

#include "ember/data/datasets/base.h"
#include "ember/data/transforms/stack.h"

namespace ember::data::datasets {

struct TensorDataset : public Dataset<TensorDataset, TensorExample> {
  /// Stacks equally shaped tensors into one.
  explicit TensorDataset(const std::vector<Tensor>& tensors) : TensorDataset(data::detail::stack(tensors)) {}
  explicit TensorDataset(Tensor tensor) : tensor(std::move(tensor)) {}

  /// Row `index` of the tensor.
  TensorExample get(size_t index) override { return tensor[static_cast<int64_t>(index)]; }
  std::optional<size_t> size() const override { return static_cast<size_t>(tensor.size(0)); }

  Tensor tensor;
};

}  // namespace ember::data::datasets
