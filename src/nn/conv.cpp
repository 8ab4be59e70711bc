// Conv2d and the 2-D pooling modules.
#include <cmath>
#include <ostream>

#include "ember/nn/init.h"
#include "ember/nn/modules/conv.h"
#include "ember/ops.h"

namespace ember::nn {

Conv2dImpl::Conv2dImpl(const Conv2dOptions& options_) : options(options_) { reset(); }

void Conv2dImpl::reset() {
  EMBER_CHECK(options.in_channels() > 0 && options.out_channels() > 0 && options.groups() > 0, ShapeError,
              "nn::Conv2d", "in_channels, out_channels and groups must be positive, got ", options.in_channels(),
              ", ", options.out_channels(), " and ", options.groups());
  EMBER_CHECK(options.in_channels() % options.groups() == 0 && options.out_channels() % options.groups() == 0,
              ShapeError, "nn::Conv2d", "in_channels (", options.in_channels(), ") and out_channels (",
              options.out_channels(), ") must be divisible by groups (", options.groups(), ")");
  weight = register_parameter("weight", empty({options.out_channels(), options.in_channels() / options.groups(),
                                               options.kernel_size()[0], options.kernel_size()[1]}));
  if (options.bias()) bias = register_parameter("bias", empty({options.out_channels()}));
  else bias = register_parameter("bias", Tensor(), false);
  reset_parameters();
}

void Conv2dImpl::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    auto [fan_in, fan_out] = init::_calculate_fan_in_and_fan_out(weight);
    (void)fan_out;
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    init::uniform_(bias, -bound, bound);
  }
}

void Conv2dImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "ember::nn::Conv2d(" << options.in_channels() << ", " << options.out_channels()
    << ", kernel_size=" << options.kernel_size() << ", stride=" << options.stride();
  if (!(options.padding() == ExpandingArray2(0))) s << ", padding=" << options.padding();
  if (!(options.dilation() == ExpandingArray2(1))) s << ", dilation=" << options.dilation();
  if (options.groups() != 1) s << ", groups=" << options.groups();
  if (!options.bias()) s << ", bias=false";
  s << ")";
}

Tensor Conv2dImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] {
    std::optional<Tensor> b;
    if (bias.defined()) b = bias;
    return conv2d(input, weight, b, options.stride(), options.padding(), options.dilation(), options.groups());
  });
}

void MaxPool2dImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "ember::nn::MaxPool2d(kernel_size=" << options.kernel_size()
    << ", stride=" << options.stride() << ", padding=" << options.padding() << ", dilation=" << options.dilation()
    << ", ceil_mode=" << options.ceil_mode() << ")";
}
Tensor MaxPool2dImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] {
    return max_pool2d(input, options.kernel_size(), options.stride(), options.padding(), options.dilation(),
                      options.ceil_mode());
  });
}

std::tuple<Tensor, Tensor> MaxPool2dImpl::forward_with_indices(const Tensor& input) {
  return max_pool2d_with_indices(input, options.kernel_size(), options.stride(), options.padding(),
                                 options.dilation(), options.ceil_mode());
}

void AvgPool2dImpl::pretty_print(std::ostream& s) const {
  s << "ember::nn::AvgPool2d(kernel_size=" << options.kernel_size() << ", stride=" << options.stride()
    << ", padding=" << options.padding() << ")";
}
Tensor AvgPool2dImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] {
    return avg_pool2d(input, options.kernel_size(), options.stride(), options.padding(), options.ceil_mode(),
                      options.count_include_pad());
  });
}

void AdaptiveAvgPool2dImpl::pretty_print(std::ostream& s) const {
  s << "ember::nn::AdaptiveAvgPool2d(output_size=" << options.output_size() << ")";
}
Tensor AdaptiveAvgPool2dImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] { return adaptive_avg_pool2d(input, options.output_size()); });
}

}  // namespace ember::nn
