// Loss modules: forward calls the loss op with the options' reduction.
#include <ostream>

#include "ember/nn/modules/loss.h"
#include "ember/ops.h"

namespace ember::nn {

int64_t reduction_value(const LossReduction& reduction) {
  switch (reduction.index()) {
    case 0: return Reduction::None;
    case 1: return Reduction::Mean;
    default: return Reduction::Sum;
  }
}

namespace {
std::optional<Tensor> opt(const Tensor& t) { return t.defined() ? std::optional<Tensor>(t) : std::nullopt; }
}  // namespace

void MSELossImpl::reset() {}
void MSELossImpl::pretty_print(std::ostream& s) const { s << "ember::nn::MSELoss()"; }
Tensor MSELossImpl::forward(const Tensor& input, const Tensor& target) {
  return call_with_hooks({input, target}, [&] { return mse_loss(input, target, reduction_value(options.reduction())); });
}

void L1LossImpl::reset() {}
void L1LossImpl::pretty_print(std::ostream& s) const { s << "ember::nn::L1Loss()"; }
Tensor L1LossImpl::forward(const Tensor& input, const Tensor& target) {
  return call_with_hooks({input, target}, [&] { return l1_loss(input, target, reduction_value(options.reduction())); });
}

void BCELossImpl::reset() { register_buffer("weight", options.weight()); }
void BCELossImpl::pretty_print(std::ostream& s) const { s << "ember::nn::BCELoss()"; }
Tensor BCELossImpl::forward(const Tensor& input, const Tensor& target) {
  return call_with_hooks({input, target}, [&] {
    return binary_cross_entropy(input, target, opt(options.weight()), reduction_value(options.reduction()));
  });
}

void NLLLossImpl::reset() { register_buffer("weight", options.weight()); }
void NLLLossImpl::pretty_print(std::ostream& s) const { s << "ember::nn::NLLLoss()"; }
Tensor NLLLossImpl::forward(const Tensor& input, const Tensor& target) {
  return call_with_hooks({input, target}, [&] {
    return nll_loss_nd(input, target, opt(options.weight()), reduction_value(options.reduction()),
                       options.ignore_index());
  });
}

void CrossEntropyLossImpl::reset() { register_buffer("weight", options.weight()); }
void CrossEntropyLossImpl::pretty_print(std::ostream& s) const { s << "ember::nn::CrossEntropyLoss()"; }
Tensor CrossEntropyLossImpl::forward(const Tensor& input, const Tensor& target) {
  return call_with_hooks({input, target}, [&] {
    return cross_entropy_loss(input, target, opt(options.weight()), reduction_value(options.reduction()),
                              options.ignore_index(), options.label_smoothing());
  });
}

}  // namespace ember::nn
