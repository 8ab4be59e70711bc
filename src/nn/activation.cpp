// Activation modules: forward calls the matching op, pretty_print follows libtorch.
#include <ostream>

#include "ember/nn/modules/activation.h"
#include "ember/ops.h"

namespace ember::nn {

namespace {
// libtorch prints "inplace=true" only when set; `first` says whether a comma is needed.
void print_inplace(std::ostream& s, bool inplace, bool first) {
  if (inplace) s << (first ? "" : ", ") << "inplace=true";
}
}  // namespace

void ReLUImpl::pretty_print(std::ostream& s) const {
  s << "ember::nn::ReLU(";
  print_inplace(s, options.inplace(), true);
  s << ")";
}
Tensor ReLUImpl::forward(Tensor input) {
  return call_with_hooks({input}, [&] {
    if (options.inplace()) return input.copy_(relu(input));
    return relu(input);
  });
}

void ReLU6Impl::pretty_print(std::ostream& s) const {
  s << "ember::nn::ReLU6(";
  print_inplace(s, options.inplace(), true);
  s << ")";
}
Tensor ReLU6Impl::forward(Tensor input) {
  return call_with_hooks({input}, [&] { return options.inplace() ? relu6_(input) : relu6(input); });
}

void SELUImpl::pretty_print(std::ostream& s) const {
  s << "ember::nn::SELU(";
  print_inplace(s, options.inplace(), true);
  s << ")";
}
Tensor SELUImpl::forward(Tensor input) {
  return call_with_hooks({input}, [&] { return options.inplace() ? selu_(input) : selu(input); });
}

void LeakyReLUImpl::pretty_print(std::ostream& s) const {
  s << "ember::nn::LeakyReLU(negative_slope=" << options.negative_slope();
  print_inplace(s, options.inplace(), false);
  s << ")";
}
Tensor LeakyReLUImpl::forward(Tensor input) {
  return call_with_hooks({input}, [&] {
    return options.inplace() ? leaky_relu_(input, options.negative_slope())
                             : leaky_relu(input, options.negative_slope());
  });
}

void ELUImpl::pretty_print(std::ostream& s) const {
  s << "ember::nn::ELU(alpha=" << options.alpha();
  print_inplace(s, options.inplace(), false);
  s << ")";
}
Tensor ELUImpl::forward(Tensor input) {
  return call_with_hooks({input}, [&] {
    return options.inplace() ? elu_(input, options.alpha()) : elu(input, options.alpha());
  });
}

void GELUImpl::pretty_print(std::ostream& s) const { s << "ember::nn::GELU()"; }
Tensor GELUImpl::forward(Tensor input) {
  return call_with_hooks({input}, [&] { return gelu(input, options.approximate()); });
}

void SoftplusImpl::pretty_print(std::ostream& s) const {
  s << "ember::nn::Softplus(beta=" << options.beta() << ", threshold=" << options.threshold() << ")";
}
Tensor SoftplusImpl::forward(Tensor input) {
  return call_with_hooks({input}, [&] { return softplus(input, options.beta(), options.threshold()); });
}

void HardtanhImpl::pretty_print(std::ostream& s) const {
  s << "ember::nn::Hardtanh(min_val=" << options.min_val() << ", max_val=" << options.max_val();
  print_inplace(s, options.inplace(), false);
  s << ")";
}
Tensor HardtanhImpl::forward(Tensor input) {
  return call_with_hooks({input}, [&] {
    EMBER_CHECK(options.max_val() > options.min_val(), Error, "nn::Hardtanh",
                "max_val must be greater than min_val, got min_val=", options.min_val(),
                " and max_val=", options.max_val());
    return options.inplace() ? hardtanh_(input, options.min_val(), options.max_val())
                             : hardtanh(input, options.min_val(), options.max_val());
  });
}

#define EMBER_PLAIN_ACTIVATION_DEF(Name, op)                                              \
  void Name##Impl::pretty_print(std::ostream& s) const { s << "ember::nn::" #Name "()"; } \
  Tensor Name##Impl::forward(const Tensor& input) {                                       \
    return call_with_hooks({input}, [&] { return op(input); });                           \
  }
EMBER_PLAIN_ACTIVATION_DEF(SiLU, silu)
EMBER_PLAIN_ACTIVATION_DEF(Mish, mish)
EMBER_PLAIN_ACTIVATION_DEF(Sigmoid, sigmoid)
EMBER_PLAIN_ACTIVATION_DEF(Tanh, tanh)
EMBER_PLAIN_ACTIVATION_DEF(Hardsigmoid, hardsigmoid)
EMBER_PLAIN_ACTIVATION_DEF(Hardswish, hardswish)
EMBER_PLAIN_ACTIVATION_DEF(LogSigmoid, log_sigmoid)
EMBER_PLAIN_ACTIVATION_DEF(Softsign, softsign)
#undef EMBER_PLAIN_ACTIVATION_DEF

void SoftmaxImpl::pretty_print(std::ostream& s) const { s << "ember::nn::Softmax(dim=" << options.dim() << ")"; }
Tensor SoftmaxImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] { return softmax(input, options.dim()); });
}
void LogSoftmaxImpl::pretty_print(std::ostream& s) const {
  s << "ember::nn::LogSoftmax(dim=" << options.dim() << ")";
}
Tensor LogSoftmaxImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] { return log_softmax(input, options.dim()); });
}

}  // namespace ember::nn
