// F::pad, F::normalize, F::cosine_similarity, F::pairwise_distance: option
// unpacking over the ops of the same names.
#include "ember/nn/functional/distance.h"
#include "ember/nn/functional/padding.h"
#include "ember/ops.h"

namespace ember::nn::functional {

Tensor pad(const Tensor& input, const PadFuncOptions& options) {
  static const char* const modes[] = {"constant", "reflect", "replicate", "circular"};
  const size_t m = options.mode().index();
  if (m == 0) return ember::pad(input, options.pad(), "constant", options.value());
  // Only constant padding takes a value: a non-zero one is rejected by the op.
  std::optional<double> value;
  if (options.value() != 0) value = options.value();
  return ember::pad(input, options.pad(), modes[m], value);
}

Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, const CosineSimilarityFuncOptions& options) {
  return ember::cosine_similarity(x1, x2, options.dim(), options.eps());
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, const PairwiseDistanceFuncOptions& options) {
  return ember::pairwise_distance(x1, x2, options.p(), options.eps(), options.keepdim());
}

Tensor normalize(const Tensor& input, NormalizeFuncOptions options) {
  EMBER_CHECK(input.defined(), Error, "nn::functional::normalize", "input is undefined");
  EMBER_CHECK(input.is_floating_point(), DTypeError, "nn::functional::normalize",
              "expected a floating-point input, got ", input.dtype());
  const int64_t dim = options.dim();
  EMBER_CHECK(dim >= -input.dim() && dim < std::max<int64_t>(input.dim(), 1), IndexError,
              "nn::functional::normalize", "dim ", dim, " out of range for an input of ", input.dim(), " dims");
  const int64_t d = input.dim() == 0 ? 0 : dim;
  Tensor denom = input.norm(options.p(), IntArrayRef(&d, 1), /*keepdim=*/true).clamp_min(options.eps()).expand_as(input);
  if (!options.out()) return input / denom;
  Tensor& out = *options.out();
  return out.copy_(input / denom);
}


}  // namespace ember::nn::functional
