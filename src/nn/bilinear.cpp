// Bilinear.
#include <cmath>
#include <ostream>

#include "ember/nn/init.h"
#include "ember/nn/modules/bilinear.h"
#include "ember/ops.h"

namespace ember::nn {

void BilinearImpl::reset() {
  EMBER_CHECK(options.in1_features() > 0 && options.in2_features() > 0 && options.out_features() >= 0, ShapeError,
              "nn::Bilinear", "in1_features and in2_features must be positive and out_features non-negative, got ",
              options.in1_features(), ", ", options.in2_features(), " and ", options.out_features());
  weight = register_parameter("weight", empty({options.out_features(), options.in1_features(), options.in2_features()}));
  if (options.bias()) bias = register_parameter("bias", empty({options.out_features()}));
  else bias = register_parameter("bias", Tensor(), false);
  reset_parameters();
}

void BilinearImpl::reset_parameters() {
  const double bound = 1.0 / std::sqrt(static_cast<double>(weight.size(1)));
  init::uniform_(weight, -bound, bound);
  if (bias.defined()) init::uniform_(bias, -bound, bound);
}

void BilinearImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "ember::nn::Bilinear(in1_features=" << options.in1_features()
    << ", in2_features=" << options.in2_features() << ", out_features=" << options.out_features()
    << ", bias=" << options.bias() << ")";
}

Tensor BilinearImpl::forward(const Tensor& input1, const Tensor& input2) {
  return call_with_hooks({input1, input2}, [&] {
    EMBER_CHECK(input1.dim() >= 1 && input2.dim() >= 1 && input1.size(-1) == options.in1_features() &&
                    input2.size(-1) == options.in2_features() &&
                    IntArrayRef(input1.sizes().data(), input1.sizes().size() - 1) ==
                        IntArrayRef(input2.sizes().data(), input2.sizes().size() - 1),
                ShapeError, "nn::Bilinear", "inputs of shapes ", input1.sizes(), " and ", input2.sizes(),
                " must share their leading dims and end in in1_features=", options.in1_features(),
                " and in2_features=", options.in2_features());
    std::optional<Tensor> b;
    if (bias.defined()) b = bias;
    return bilinear(input1, input2, weight, b);
  });
}

}  // namespace ember::nn
