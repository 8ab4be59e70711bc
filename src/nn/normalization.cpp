// BatchNorm1d/2d, InstanceNorm1d/2d/3d, LayerNorm, GroupNorm and Dropout.
#include <ostream>

#include "ember/autograd.h"
#include "ember/nn/init.h"
#include "ember/nn/modules/normalization.h"
#include "ember/ops.h"

namespace ember::nn {

namespace {

// Registers the affine parameters (or undefined placeholders) and the running statistics
// (or placeholders) that batch and instance norm share, under libtorch's names.
template <class Impl>
void register_norm_state(Impl& m, int64_t c, bool affine, bool track_running_stats) {
  if (affine) {
    m.weight = m.register_parameter("weight", empty({c}));
    m.bias = m.register_parameter("bias", empty({c}));
  } else {
    m.weight = m.register_parameter("weight", Tensor(), false);
    m.bias = m.register_parameter("bias", Tensor(), false);
  }
  if (track_running_stats) {
    m.running_mean = m.register_buffer("running_mean", zeros({c}));
    m.running_var = m.register_buffer("running_var", ones({c}));
    m.num_batches_tracked = m.register_buffer("num_batches_tracked", zeros({}, kLong));
  } else {
    m.running_mean = m.register_buffer("running_mean", Tensor());
    m.running_var = m.register_buffer("running_var", Tensor());
    m.num_batches_tracked = m.register_buffer("num_batches_tracked", Tensor());
  }
}

}  // namespace

template <class Derived>
void BatchNormImplBase<Derived>::reset() {
  EMBER_CHECK(options.num_features() > 0, ShapeError, "nn::BatchNorm", "num_features must be positive, got ",
              options.num_features());
  register_norm_state(*this, options.num_features(), options.affine(), options.track_running_stats());
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

// ---- LayerNorm ------------------------------------------------------------------------

void LayerNormImpl::reset() {
  for (int64_t d : options.normalized_shape())
    EMBER_CHECK(d > 0, ShapeError, "nn::LayerNorm", "normalized_shape must hold positive sizes, got ",
                IntArrayRef(options.normalized_shape()));
  if (options.elementwise_affine()) {
    weight = register_parameter("weight", ember::empty(IntArrayRef(options.normalized_shape())));
    bias = register_parameter("bias", ember::empty(IntArrayRef(options.normalized_shape())));
  } else {
    weight = register_parameter("weight", Tensor(), false);
    bias = register_parameter("bias", Tensor(), false);
  }
  reset_parameters();
}

void LayerNormImpl::reset_parameters() {
  if (options.elementwise_affine()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

void LayerNormImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "ember::nn::LayerNorm(" << IntArrayRef(options.normalized_shape()) << ", eps=" << options.eps()
    << ", elementwise_affine=" << options.elementwise_affine() << ")";
}

Tensor LayerNormImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] {
    const auto& shape = options.normalized_shape();
    const int64_t n = static_cast<int64_t>(shape.size());
    bool ok = input.dim() >= n;
    for (int64_t i = 0; ok && i < n; ++i) ok = input.size(input.dim() - n + i) == shape[static_cast<size_t>(i)];
    EMBER_CHECK(ok, ShapeError, "nn::LayerNorm", "input of shape ", input.sizes(),
                " does not end in normalized_shape ", IntArrayRef(shape));
    auto opt = [](const Tensor& t) { return t.defined() ? std::optional<Tensor>(t) : std::nullopt; };
    return layer_norm(input, shape, opt(weight), opt(bias), options.eps());
  });
}

// ---- GroupNorm ------------------------------------------------------------------------

void GroupNormImpl::reset() {
  EMBER_CHECK(options.num_groups() > 0 && options.num_channels() > 0 &&
                  options.num_channels() % options.num_groups() == 0,
              ShapeError, "nn::GroupNorm", "num_channels (", options.num_channels(),
              ") must be positive and divisible by num_groups (", options.num_groups(), ")");
  if (options.affine()) {
    weight = register_parameter("weight", empty({options.num_channels()}));
    bias = register_parameter("bias", empty({options.num_channels()}));
  } else {
    weight = register_parameter("weight", Tensor(), false);
    bias = register_parameter("bias", Tensor(), false);
  }
  reset_parameters();
}

void GroupNormImpl::reset_parameters() {
  if (options.affine()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

void GroupNormImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "ember::nn::GroupNorm(" << options.num_groups() << ", " << options.num_channels()
    << ", eps=" << options.eps() << ", affine=" << options.affine() << ")";
}

Tensor GroupNormImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] {
    EMBER_CHECK(input.dim() >= 2 && input.size(1) == options.num_channels(), ShapeError, "nn::GroupNorm",
                "expected input of shape (N, ", options.num_channels(), ", ...), got ", input.sizes());
    auto opt = [](const Tensor& t) { return t.defined() ? std::optional<Tensor>(t) : std::nullopt; };
    return group_norm(input, options.num_groups(), opt(weight), opt(bias), options.eps());
  });
}

// ---- InstanceNorm ---------------------------------------------------------------------

namespace {
constexpr const char* kName[] = {"nn::InstanceNorm1d", "nn::InstanceNorm2d", "nn::InstanceNorm3d"};
}

template <class Derived, int Dims>
void InstanceNormImplBase<Derived, Dims>::reset() {
  EMBER_CHECK(options.num_features() > 0, ShapeError, kName[Dims - 1], "num_features must be positive, got ", options.num_features());
  register_norm_state(*this, options.num_features(), options.affine(), options.track_running_stats());
  reset_parameters();
}

template <class Derived, int Dims>
void InstanceNormImplBase<Derived, Dims>::reset_running_stats() {
  if (options.track_running_stats()) {
    NoGradGuard guard;
    running_mean.zero_();
    running_var.fill_(1);
    num_batches_tracked.zero_();
  }
}

template <class Derived, int Dims>
void InstanceNormImplBase<Derived, Dims>::reset_parameters() {
  reset_running_stats();
  if (options.affine()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

template <class Derived, int Dims>
void InstanceNormImplBase<Derived, Dims>::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "ember::nn::InstanceNorm" << Dims << "d(" << options.num_features() << ", eps=" << options.eps()
    << ", momentum=" << options.momentum() << ", affine=" << options.affine()
    << ", track_running_stats=" << options.track_running_stats() << ")";
}

template <class Derived, int Dims>
Tensor InstanceNormImplBase<Derived, Dims>::forward(const Tensor& input) {
  return this->call_with_hooks({input}, [&] {
    EMBER_CHECK(input.dim() == Dims + 1 || input.dim() == Dims + 2, ShapeError, kName[Dims - 1], "expected ", Dims + 1, "D or ", Dims + 2, "D input, got ", input.dim(), "D input of shape ",
                input.sizes());
    const bool unbatched = input.dim() == Dims + 1;
    const Tensor x = unbatched ? input.unsqueeze(0) : input;
    EMBER_CHECK(x.size(1) == options.num_features() || (!options.affine() && !options.track_running_stats()),
                ShapeError, kName[Dims - 1], "expected ", options.num_features(), " channels, got input of shape ", input.sizes());
    auto opt = [](const Tensor& t) { return t.defined() ? std::optional<Tensor>(t) : std::nullopt; };
    Tensor out = instance_norm(x, opt(weight), opt(bias), opt(running_mean), opt(running_var),
                               this->is_training() || !options.track_running_stats(), options.momentum(),
                               options.eps(), false);
    return unbatched ? out.squeeze(0) : out;
  });
}

template class InstanceNormImplBase<InstanceNorm1dImpl, 1>;
template class InstanceNormImplBase<InstanceNorm2dImpl, 2>;
template class InstanceNormImplBase<InstanceNorm3dImpl, 3>;

}  // namespace ember::nn
