// 1-D pooling and adaptive max pooling modules.
#include <ostream>

#include "ember/nn/modules/pooling.h"
#include "ember/ops.h"

namespace ember::nn {

void MaxPool1dImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "ember::nn::MaxPool1d(kernel_size=" << options.kernel_size()
    << ", stride=" << options.stride() << ", padding=" << options.padding() << ", dilation=" << options.dilation()
    << ", ceil_mode=" << options.ceil_mode() << ")";
}
Tensor MaxPool1dImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] {
    return max_pool1d(input, options.kernel_size(), options.stride(), options.padding(), options.dilation(),
                      options.ceil_mode());
  });
}
std::tuple<Tensor, Tensor> MaxPool1dImpl::forward_with_indices(const Tensor& input) {
  return max_pool1d_with_indices(input, options.kernel_size(), options.stride(), options.padding(),
                                 options.dilation(), options.ceil_mode());
}

void AvgPool1dImpl::pretty_print(std::ostream& s) const {
  s << "ember::nn::AvgPool1d(kernel_size=" << options.kernel_size() << ", stride=" << options.stride()
    << ", padding=" << options.padding() << ")";
}
Tensor AvgPool1dImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] {
    return avg_pool1d(input, options.kernel_size(), options.stride(), options.padding(), options.ceil_mode(),
                      options.count_include_pad());
  });
}

void AdaptiveAvgPool1dImpl::pretty_print(std::ostream& s) const {
  s << "ember::nn::AdaptiveAvgPool1d(output_size=" << options.output_size() << ")";
}
Tensor AdaptiveAvgPool1dImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] { return adaptive_avg_pool1d(input, options.output_size()); });
}

void AdaptiveMaxPool1dImpl::pretty_print(std::ostream& s) const {
  s << "ember::nn::AdaptiveMaxPool1d(output_size=" << options.output_size() << ")";
}
Tensor AdaptiveMaxPool1dImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] { return std::get<0>(adaptive_max_pool1d(input, options.output_size())); });
}
std::tuple<Tensor, Tensor> AdaptiveMaxPool1dImpl::forward_with_indices(const Tensor& input) {
  return adaptive_max_pool1d(input, options.output_size());
}

void AdaptiveMaxPool2dImpl::pretty_print(std::ostream& s) const {
  s << "ember::nn::AdaptiveMaxPool2d(output_size=" << options.output_size() << ")";
}
Tensor AdaptiveMaxPool2dImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] { return std::get<0>(adaptive_max_pool2d(input, options.output_size())); });
}
std::tuple<Tensor, Tensor> AdaptiveMaxPool2dImpl::forward_with_indices(const Tensor& input) {
  return adaptive_max_pool2d(input, options.output_size());
}

}  // namespace ember::nn
