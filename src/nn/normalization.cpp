// BatchNorm1d/2d and Dropout.
#include <ostream>

#include "ember/autograd.h"
#include "ember/nn/init.h"
#include "ember/nn/modules/normalization.h"
#include "ember/ops.h"

namespace ember::nn {

template <class Derived>
void BatchNormImplBase<Derived>::reset() {
  EMBER_CHECK(options.num_features() > 0, ShapeError, "nn::BatchNorm", "num_features must be positive, got ",
              options.num_features());
  const int64_t c = options.num_features();
  if (options.affine()) {
    weight = this->register_parameter("weight", empty({c}));
    bias = this->register_parameter("bias", empty({c}));
  } else {
    weight = this->register_parameter("weight", Tensor(), false);
    bias = this->register_parameter("bias", Tensor(), false);
  }
  if (options.track_running_stats()) {
    running_mean = this->register_buffer("running_mean", zeros({c}));
    running_var = this->register_buffer("running_var", ones({c}));
    num_batches_tracked = this->register_buffer("num_batches_tracked", zeros({}, kLong));
  } else {
    running_mean = this->register_buffer("running_mean", Tensor());
    running_var = this->register_buffer("running_var", Tensor());
    num_batches_tracked = this->register_buffer("num_batches_tracked", Tensor());
  }
  reset_parameters();
}

template <class Derived>
void BatchNormImplBase<Derived>::reset_running_stats() {
  if (options.track_running_stats()) {
    NoGradGuard guard;
    running_mean.zero_();
    running_var.fill_(1);
    num_batches_tracked.zero_();
  }
}

template <class Derived>
void BatchNormImplBase<Derived>::reset_parameters() {
  reset_running_stats();
  if (options.affine()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

template <class Derived>
void BatchNormImplBase<Derived>::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "ember::nn::" << type_name() << "(" << options.num_features() << ", eps=" << options.eps()
    << ", momentum=";
  if (options.momentum()) s << *options.momentum();
  else s << "None";
  s << ", affine=" << options.affine() << ", track_running_stats=" << options.track_running_stats() << ")";
}

template <class Derived>
Tensor BatchNormImplBase<Derived>::forward(const Tensor& input) {
  return this->call_with_hooks({input}, [&] {
    check_input_dim(input);
    double factor = options.momentum().value_or(0.0);
    if (this->is_training() && options.track_running_stats()) {
      NoGradGuard guard;
      num_batches_tracked.add_(1);
      // momentum = None keeps the cumulative average of every batch seen so far.
      if (!options.momentum()) factor = 1.0 / num_batches_tracked.template item<int64_t>();
    }
    auto opt = [](const Tensor& t) { return t.defined() ? std::optional<Tensor>(t) : std::nullopt; };
    const bool use_batch = this->is_training() || !options.track_running_stats();
    return batch_norm(input, opt(weight), opt(bias), opt(running_mean), opt(running_var), use_batch, factor,
                      options.eps(), false);
  });
}

template class BatchNormImplBase<BatchNorm1dImpl>;
template class BatchNormImplBase<BatchNorm2dImpl>;

void BatchNorm1dImpl::check_input_dim(const Tensor& input) const {
  EMBER_CHECK(input.dim() == 2 || input.dim() == 3, ShapeError, "nn::BatchNorm1d",
              "expected 2D or 3D input, got ", input.dim(), "D input of shape ", input.sizes());
}
void BatchNorm2dImpl::check_input_dim(const Tensor& input) const {
  EMBER_CHECK(input.dim() == 4, ShapeError, "nn::BatchNorm2d", "expected 4D input, got ", input.dim(),
              "D input of shape ", input.sizes());
}

void DropoutImpl::reset() {
  EMBER_CHECK(options.p() >= 0 && options.p() <= 1, Error, "nn::Dropout",
              "dropout probability has to be between 0 and 1, but got ", options.p());
}
void DropoutImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "ember::nn::Dropout(p=" << options.p() << ", inplace=" << options.inplace() << ")";
}
Tensor DropoutImpl::forward(Tensor input) {
  return call_with_hooks({input}, [&] {
    return options.inplace() ? dropout_(input, options.p(), is_training()) : dropout(input, options.p(), is_training());
  });
}

}  // namespace ember::nn
