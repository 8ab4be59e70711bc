// Loss modules: forward calls the loss op with the options' reduction.
#include <ostream>

#include "ember/nn/functional/loss.h"
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

void SmoothL1LossImpl::reset() {}
void SmoothL1LossImpl::pretty_print(std::ostream& s) const { s << "ember::nn::SmoothL1Loss"; }
Tensor SmoothL1LossImpl::forward(const Tensor& input, const Tensor& target) {
  return call_with_hooks({input, target}, [&] {
    return smooth_l1_loss(input, target, reduction_value(options.reduction()), options.beta());
  });
}

void HuberLossImpl::reset() {}
void HuberLossImpl::pretty_print(std::ostream& s) const { s << "ember::nn::HuberLoss"; }
Tensor HuberLossImpl::forward(const Tensor& input, const Tensor& target) {
  return call_with_hooks({input, target}, [&] {
    return huber_loss(input, target, reduction_value(options.reduction()), options.delta());
  });
}

void BCEWithLogitsLossImpl::reset() {
  register_buffer("weight", options.weight());
  register_buffer("pos_weight", options.pos_weight());
}
void BCEWithLogitsLossImpl::pretty_print(std::ostream& s) const { s << "ember::nn::BCEWithLogitsLoss()"; }
Tensor BCEWithLogitsLossImpl::forward(const Tensor& input, const Tensor& target) {
  return call_with_hooks({input, target}, [&] {
    return binary_cross_entropy_with_logits(input, target, opt(options.weight()), opt(options.pos_weight()),
                                            reduction_value(options.reduction()));
  });
}

namespace {
Tensor kl_div_reduced(const Tensor& input, const Tensor& target, const KLDivLossReduction& reduction,
                      bool log_target) {
  switch (reduction.index()) {
    case 0: return kl_div(input, target, Reduction::None, log_target);
    case 1: {
      // libtorch: the summed divergence over the batch size (the first dim; 0-dim inputs
      // are one sample).
      Tensor sum = kl_div(input, target, Reduction::Sum, log_target);
      return input.dim() == 0 ? sum : sum / static_cast<double>(input.size(0));
    }
    case 2: return kl_div(input, target, Reduction::Sum, log_target);
    default: return kl_div(input, target, Reduction::Mean, log_target);
  }
}
}  // namespace

Tensor functional::kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& options) {
  return kl_div_reduced(input, target, options.reduction(), options.log_target());
}

void KLDivLossImpl::reset() {}
void KLDivLossImpl::pretty_print(std::ostream& s) const { s << "ember::nn::KLDivLoss()"; }
Tensor KLDivLossImpl::forward(const Tensor& input, const Tensor& target) {
  return call_with_hooks({input, target},
                         [&] { return kl_div_reduced(input, target, options.reduction(), options.log_target()); });
}

}  // namespace ember::nn
