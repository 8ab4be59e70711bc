// Identity, Linear, Flatten, Unflatten.
#include <cmath>
#include <ostream>

#include "ember/nn/init.h"
#include "ember/nn/modules/linear.h"
#include "ember/ops.h"

namespace ember::nn {

void IdentityImpl::pretty_print(std::ostream& stream) const { stream << "ember::nn::Identity()"; }

LinearImpl::LinearImpl(const LinearOptions& options_) : options(options_) { reset(); }

void LinearImpl::reset() {
  EMBER_CHECK(options.in_features() >= 0 && options.out_features() >= 0, ShapeError, "nn::Linear",
              "in_features and out_features must be non-negative, got ", options.in_features(), " and ",
              options.out_features());
  weight = register_parameter("weight", empty({options.out_features(), options.in_features()}));
  if (options.bias()) bias = register_parameter("bias", empty({options.out_features()}));
  else bias = register_parameter("bias", Tensor(), false);
  reset_parameters();
}

void LinearImpl::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    auto [fan_in, fan_out] = init::_calculate_fan_in_and_fan_out(weight);
    (void)fan_out;
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

void LinearImpl::pretty_print(std::ostream& stream) const {
  stream << std::boolalpha << "ember::nn::Linear(in_features=" << options.in_features()
         << ", out_features=" << options.out_features() << ", bias=" << options.bias() << ")";
}

Tensor LinearImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] {
    EMBER_CHECK(input.dim() >= 1 && input.size(-1) == options.in_features(), ShapeError, "nn::Linear",
                "input of shape ", input.sizes(), " does not end in in_features=", options.in_features());
    if (input.dim() == 2 && bias.defined()) return addmm(bias, input, weight.t());
    Tensor out = matmul(input, weight.t());
    return bias.defined() ? out + bias : out;
  });
}

void FlattenImpl::pretty_print(std::ostream& stream) const {
  stream << "ember::nn::Flatten(start_dim=" << options.start_dim() << ", end_dim=" << options.end_dim() << ")";
}
Tensor FlattenImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] { return input.flatten(options.start_dim(), options.end_dim()); });
}

void UnflattenImpl::pretty_print(std::ostream& stream) const {
  stream << "ember::nn::Unflatten(dim=" << options.dim() << ", unflattened_size={";
  for (size_t i = 0; i < options.sizes().size(); ++i) stream << (i ? ", " : "") << options.sizes()[i];
  stream << "})";
}
Tensor UnflattenImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] {
    const int64_t d = options.dim() < 0 ? options.dim() + input.dim() : options.dim();
    EMBER_CHECK(d >= 0 && d < input.dim(), IndexError, "nn::Unflatten", "dim ", options.dim(),
                " is out of range for input of shape ", input.sizes());
    std::vector<int64_t> shape;
    for (int64_t i = 0; i < d; ++i) shape.push_back(input.size(i));
    for (int64_t s : options.sizes()) shape.push_back(s);
    for (int64_t i = d + 1; i < input.dim(); ++i) shape.push_back(input.size(i));
    return input.view(shape);
  });
}

}  // namespace ember::nn
