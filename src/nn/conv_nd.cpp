// Conv1d and ConvTranspose1d/2d.
#include <cmath>
#include <ostream>

#include "ember/nn/init.h"
#include "ember/nn/modules/conv.h"
#include "ember/ops.h"

namespace ember::nn {

namespace {

// Shared checks of the channel/group options; `op` names the module.
void check_channels(const char* op, int64_t in, int64_t out, int64_t groups) {
  EMBER_CHECK(in > 0 && out > 0 && groups > 0, ShapeError, op,
              "in_channels, out_channels and groups must be positive, got ", in, ", ", out, " and ", groups);
  EMBER_CHECK(in % groups == 0 && out % groups == 0, ShapeError, op, "in_channels (", in, ") and out_channels (", out,
              ") must be divisible by groups (", groups, ")");
}

template <size_t D>
void check_positive(const char* op, const char* what, const ExpandingArray<D>& a, int64_t min) {
  for (size_t i = 0; i < D; ++i)
    EMBER_CHECK(a[i] >= min, ShapeError, op, what, " must be ", min == 0 ? "non-negative" : "positive", ", got ",
                IntArrayRef(a));
}

// kaiming_uniform_(a = sqrt(5)) on the weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) on the
// bias: libtorch's _ConvNd::reset_parameters.
void reset_conv_parameters(Tensor& weight, Tensor& bias) {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    auto fans = init::_calculate_fan_in_and_fan_out(weight);
    const double bound = 1.0 / std::sqrt(static_cast<double>(std::get<0>(fans)));
    init::uniform_(bias, -bound, bound);
  }
}

const char* padding_mode_name(const ConvPaddingMode& m) {
  switch (m.index()) {
    case 0: return "kZeros";
    case 1: return "kReflect";
    case 2: return "kReplicate";
    default: return "kCircular";
  }
}

std::optional<Tensor> opt(const Tensor& t) { return t.defined() ? std::optional<Tensor>(t) : std::nullopt; }

}  // namespace

// ---- Conv1d ----------------------------------------------------------------------------

Conv1dImpl::Conv1dImpl(const Conv1dOptions& options_) : options(options_) { reset(); }

void Conv1dImpl::reset() {
  check_channels("nn::Conv1d", options.in_channels(), options.out_channels(), options.groups());
  check_positive("nn::Conv1d", "kernel_size", options.kernel_size(), 1);
  check_positive("nn::Conv1d", "stride", options.stride(), 1);
  check_positive("nn::Conv1d", "padding", options.padding(), 0);
  check_positive("nn::Conv1d", "dilation", options.dilation(), 1);
  weight = register_parameter(
      "weight", empty({options.out_channels(), options.in_channels() / options.groups(), options.kernel_size()[0]}));
  if (options.bias()) bias = register_parameter("bias", empty({options.out_channels()}));
  else bias = register_parameter("bias", Tensor(), false);
  reset_parameters();
}

void Conv1dImpl::reset_parameters() { reset_conv_parameters(weight, bias); }

void Conv1dImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "ember::nn::Conv1d(" << options.in_channels() << ", " << options.out_channels()
    << ", kernel_size=" << options.kernel_size() << ", stride=" << options.stride();
  if (!(options.padding() == ExpandingArray1(0))) s << ", padding=" << options.padding();
  if (!(options.dilation() == ExpandingArray1(1))) s << ", dilation=" << options.dilation();
  if (options.groups() != 1) s << ", groups=" << options.groups();
  if (!options.bias()) s << ", bias=false";
  if (options.padding_mode().index() != 0) s << ", padding_mode=" << padding_mode_name(options.padding_mode());
  s << ")";
}

Tensor Conv1dImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] {
    if (options.padding_mode().index() == 0)
      return conv1d(input, weight, opt(bias), options.stride(), options.padding(), options.dilation(),
                    options.groups());
    static const char* const modes[] = {"constant", "reflect", "replicate", "circular"};
    const int64_t p = options.padding()[0];
    Tensor padded = pad(input, {p, p}, modes[options.padding_mode().index()]);
    const std::vector<int64_t> no_padding{0};
    return conv1d(padded, weight, opt(bias), options.stride(), no_padding, options.dilation(), options.groups());
  });
}

// ---- ConvTranspose1d / 2d --------------------------------------------------------------

namespace {
template <size_t D>
const char* transpose_name() {
  return D == 1 ? "nn::ConvTranspose1d" : "nn::ConvTranspose2d";
}
}  // namespace

template <size_t D, class Derived>
void ConvTransposeNdImpl<D, Derived>::reset() {
  const char* op = transpose_name<D>();
  check_channels(op, options.in_channels(), options.out_channels(), options.groups());
  check_positive(op, "kernel_size", options.kernel_size(), 1);
  check_positive(op, "stride", options.stride(), 1);
  check_positive(op, "padding", options.padding(), 0);
  check_positive(op, "output_padding", options.output_padding(), 0);
  check_positive(op, "dilation", options.dilation(), 1);
  EMBER_CHECK(options.padding_mode().index() == 0, Error, op, "Only \"zeros\" padding mode is supported for ",
              op + 4);
  std::vector<int64_t> shape{options.in_channels(), options.out_channels() / options.groups()};
  for (size_t i = 0; i < D; ++i) shape.push_back(options.kernel_size()[i]);
  weight = this->register_parameter("weight", ember::empty(shape));
  if (options.bias()) bias = this->register_parameter("bias", empty({options.out_channels()}));
  else bias = this->register_parameter("bias", Tensor(), false);
  reset_parameters();
}

template <size_t D, class Derived>
void ConvTransposeNdImpl<D, Derived>::reset_parameters() {
  reset_conv_parameters(weight, bias);
}

template <size_t D, class Derived>
void ConvTransposeNdImpl<D, Derived>::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "ember::" << (transpose_name<D>()) << "(" << options.in_channels() << ", "
    << options.out_channels() << ", kernel_size=" << options.kernel_size() << ", stride=" << options.stride();
  if (!(options.padding() == ExpandingArray<D>(0))) s << ", padding=" << options.padding();
  if (!(options.dilation() == ExpandingArray<D>(1))) s << ", dilation=" << options.dilation();
  if (!(options.output_padding() == ExpandingArray<D>(0))) s << ", output_padding=" << options.output_padding();
  if (options.groups() != 1) s << ", groups=" << options.groups();
  if (!options.bias()) s << ", bias=false";
  s << ")";
}

template <size_t D, class Derived>
std::vector<int64_t> ConvTransposeNdImpl<D, Derived>::output_padding_for(
    const Tensor& input, const std::optional<IntArrayRef>& output_size) const {
  if (!output_size) return options.output_padding().vec();
  const char* op = transpose_name<D>();
  IntArrayRef size = *output_size;
  if (size.size() == D + 2) size = IntArrayRef(size.data() + 2, D);
  EMBER_CHECK(size.size() == D, ShapeError, op, "output_size must have ", D, " or ", D + 2, " elements (got ",
              output_size->size(), ")");
  EMBER_CHECK(input.dim() >= static_cast<int64_t>(D) + 1, ShapeError, op, "expected an input with ", D + 1, " or ",
              D + 2, " dims, got ", input.sizes());
  std::vector<int64_t> result(D);
  for (size_t d = 0; d < D; ++d) {
    const int64_t in = input.size(input.dim() - static_cast<int64_t>(D) + static_cast<int64_t>(d));
    const int64_t min_size = (in - 1) * options.stride()[d] - 2 * options.padding()[d] +
                             options.dilation()[d] * (options.kernel_size()[d] - 1) + 1;
    const int64_t max_size = min_size + options.stride()[d] - 1;
    EMBER_CHECK(size[d] >= min_size && size[d] <= max_size, ShapeError, op, "requested an output size of ", size,
                ", but valid sizes range from ", min_size, " to ", max_size, " (for an input of ",
                IntArrayRef(input.sizes().data() + input.dim() - static_cast<int64_t>(D), D), ")");
    result[d] = size[d] - min_size;
  }
  return result;
}

template <size_t D, class Derived>
Tensor ConvTransposeNdImpl<D, Derived>::forward_impl(const Tensor& input,
                                                     const std::optional<IntArrayRef>& output_size) {
  return this->call_with_hooks({input}, [&] {
    const std::vector<int64_t> output_padding = output_padding_for(input, output_size);
    if constexpr (D == 1)
      return conv_transpose1d(input, weight, opt(bias), options.stride(), options.padding(), output_padding,
                              options.groups(), options.dilation());
    else
      return conv_transpose2d(input, weight, opt(bias), options.stride(), options.padding(), output_padding,
                              options.groups(), options.dilation());
  });
}

Tensor ConvTranspose1dImpl::forward(const Tensor& input, const std::optional<IntArrayRef>& output_size) {
  return forward_impl(input, output_size);
}
Tensor ConvTranspose2dImpl::forward(const Tensor& input, const std::optional<IntArrayRef>& output_size) {
  return forward_impl(input, output_size);
}

template class ConvTransposeNdImpl<1, ConvTranspose1dImpl>;
template class ConvTransposeNdImpl<2, ConvTranspose2dImpl>;

}  // namespace ember::nn
