#pragma once
// Transforms of an example's data tensor (torch::data::transforms::TensorTransform,
// TensorLambda, Normalize).
#include <functional>
#include <utility>

#include "ember/data/example.h"
#include "ember/data/transforms/base.h"
#include "ember/ops.h"

namespace ember::data::transforms {

/// A Transform that changes an example's data and keeps its target.
template <typename Target = Tensor>
class TensorTransform : public Transform<Example<Tensor, Target>, Example<Tensor, Target>> {
 public:
  using E = Example<Tensor, Target>;
  using typename Transform<E, E>::InputType;
  using typename Transform<E, E>::OutputType;

  /// The transformed data tensor.
  virtual Tensor operator()(Tensor input) = 0;

  OutputType apply(InputType input) override {
    input.data = (*this)(std::move(input.data));
    return input;
  }
};

/// A TensorTransform made from a function.
template <typename Target = Tensor>
class TensorLambda : public TensorTransform<Target> {
 public:
  using FunctionType = std::function<Tensor(Tensor)>;

  explicit TensorLambda(FunctionType function) : function_(std::move(function)) {}
  Tensor operator()(Tensor input) override { return function_(std::move(input)); }

 private:
  FunctionType function_;
};

/// (data - mean) / stddev per channel: mean and stddev hold one value per channel (dim 0
/// of a [C, H, W] image) or a single value for all.
template <typename Target = Tensor>
struct Normalize : public TensorTransform<Target> {
  Normalize(ArrayRef<double> mean, ArrayRef<double> stddev)
      : mean(ember::tensor(mean.vec(), kFloat32).unsqueeze(/*dim=*/1).unsqueeze(/*dim=*/2)),
        stddev(ember::tensor(stddev.vec(), kFloat32).unsqueeze(/*dim=*/1).unsqueeze(/*dim=*/2)) {}

  Tensor operator()(Tensor input) override { return input.sub(mean).div(stddev); }

  Tensor mean, stddev;
};

}  // namespace ember::data::transforms
