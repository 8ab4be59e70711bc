// Channel and alpha dropout: modules and their functional forms.
#include <ostream>

#include "ember/nn/functional/dropout.h"
#include "ember/nn/modules/dropout.h"
#include "ember/ops.h"

namespace ember::nn {
namespace functional {
namespace {

void check_p(const char* op, double p) {
  EMBER_CHECK(p >= 0 && p <= 1, Error, op, "dropout probability has to be between 0 and 1, but got ", p);
}

// libtorch's _dropoutNd_helper: an input one dim short of batched_dim is an unbatched
// sample, given a batch dim of 1 so that whole channels are dropped.
Tensor feature_dropout_nd(const char* op, Tensor input, double p, bool training, bool inplace, int64_t batched_dim) {
  check_p(op, p);
  EMBER_CHECK(input.dim() == batched_dim || input.dim() == batched_dim - 1, ShapeError, op, "expected a ",
              batched_dim - 1, "-D or ", batched_dim, "-D input, got sizes ", input.sizes());
  const bool batched = input.dim() == batched_dim;
  if (inplace) {
    Tensor view = batched ? input : input.unsqueeze(0);
    feature_dropout_(view, p, training);
    return input;
  }
  Tensor out = feature_dropout(batched ? input : input.unsqueeze(0), p, training);
  return batched ? out : out.squeeze(0);
}

}  // namespace

Tensor dropout2d(Tensor input, const Dropout2dFuncOptions& options) {
  return feature_dropout_nd("nn::functional::dropout2d", std::move(input), options.p(), options.training(),
                            options.inplace(), 4);
}
Tensor dropout3d(Tensor input, const Dropout3dFuncOptions& options) {
  return feature_dropout_nd("nn::functional::dropout3d", std::move(input), options.p(), options.training(),
                            options.inplace(), 5);
}
Tensor alpha_dropout(Tensor input, const AlphaDropoutFuncOptions& options) {
  check_p("nn::functional::alpha_dropout", options.p());
  return options.inplace() ? alpha_dropout_(input, options.p(), options.training())
                           : ember::alpha_dropout(input, options.p(), options.training());
}
Tensor feature_alpha_dropout(Tensor input, const FeatureAlphaDropoutFuncOptions& options) {
  check_p("nn::functional::feature_alpha_dropout", options.p());
  return options.inplace() ? feature_alpha_dropout_(input, options.p(), options.training())
                           : ember::feature_alpha_dropout(input, options.p(), options.training());
}

}  // namespace functional

namespace {
void check_module_p(const char* op, double p) {
  EMBER_CHECK(p >= 0 && p <= 1, Error, op, "dropout probability has to be between 0 and 1, but got ", p);
}
}  // namespace

#define EMBER_DROPOUT_MODULE_DEFS(Name, call)                                                      \
  void Name##Impl::reset() { check_module_p("nn::" #Name, options.p()); }                          \
  void Name##Impl::pretty_print(std::ostream& s) const {                                           \
    s << std::boolalpha << "ember::nn::" #Name "(p=" << options.p() << ", inplace=" << options.inplace() \
      << ")";                                                                                      \
  }                                                                                                \
  Tensor Name##Impl::forward(Tensor input) {                                                       \
    return call_with_hooks({input}, [&] {                                                          \
      return call(input, functional::DropoutFuncOptions().p(options.p()).training(is_training())   \
                             .inplace(options.inplace()));                                         \
    });                                                                                            \
  }

namespace {
Tensor alpha_call(Tensor input, const functional::DropoutFuncOptions& o) {
  return functional::alpha_dropout(std::move(input),
                                   functional::AlphaDropoutFuncOptions().p(o.p()).training(o.training()).inplace(o.inplace()));
}
Tensor feature_alpha_call(Tensor input, const functional::DropoutFuncOptions& o) {
  return functional::feature_alpha_dropout(
      std::move(input),
      functional::FeatureAlphaDropoutFuncOptions().p(o.p()).training(o.training()).inplace(o.inplace()));
}
}  // namespace

EMBER_DROPOUT_MODULE_DEFS(Dropout2d, functional::dropout2d)
EMBER_DROPOUT_MODULE_DEFS(Dropout3d, functional::dropout3d)
EMBER_DROPOUT_MODULE_DEFS(AlphaDropout, alpha_call)
EMBER_DROPOUT_MODULE_DEFS(FeatureAlphaDropout, feature_alpha_call)
#undef EMBER_DROPOUT_MODULE_DEFS

}  // namespace ember::nn
