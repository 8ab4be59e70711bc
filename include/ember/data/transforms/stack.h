#pragma once
// Stack: collates a vector of examples into one example whose data (and target) are the
// examples' tensors stacked along a new first dimension (torch::data::transforms::Stack).
#include <vector>

#include "ember/data/example.h"
#include "ember/data/transforms/collate.h"

namespace ember::data {
namespace detail {
/// Equally shaped tensors stacked along a new dim 0 (no autograd: data only).
Tensor stack(const std::vector<Tensor>& tensors);
}  // namespace detail

namespace transforms {

template <typename T = Example<>>
struct Stack;

/// Stacks data and targets.
template <>
struct Stack<Example<>> : public Collation<Example<>> {
  Example<> apply_batch(std::vector<Example<>> examples) override {
    std::vector<Tensor> data, targets;
    data.reserve(examples.size());
    targets.reserve(examples.size());
    for (auto& example : examples) {
      data.push_back(std::move(example.data));
      targets.push_back(std::move(example.target));
    }
    return {data::detail::stack(data), data::detail::stack(targets)};
  }
};

/// Stacks data of target-less examples.
template <>
struct Stack<TensorExample> : public Collation<Example<Tensor, example::NoTarget>> {
  TensorExample apply_batch(std::vector<TensorExample> examples) override {
    std::vector<Tensor> data;
    data.reserve(examples.size());
    for (auto& example : examples) data.push_back(std::move(example.data));
    return data::detail::stack(data);
  }
};

}  // namespace transforms
}  // namespace ember::data
