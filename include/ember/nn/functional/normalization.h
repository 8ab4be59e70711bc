#pragma once
// ember::nn::functional normalization (torch::nn::functional::layer_norm, group_norm,
// instance_norm, batch_norm, local_response_norm).
#include <cstdint>
#include <optional>
#include <vector>

#include "ember/arg.h"
#include "ember/errors.h"
#include "ember/ops/norm.h"

namespace ember::nn::functional {

/// Options of F::layer_norm: normalized_shape, weight and bias (undefined = none), eps (1e-5).
struct LayerNormFuncOptions {
  LayerNormFuncOptions(std::vector<int64_t> normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}
  EMBER_ARG(std::vector<int64_t>, normalized_shape);
  EMBER_ARG(Tensor, weight) = {};
  EMBER_ARG(Tensor, bias) = {};
  EMBER_ARG(double, eps) = 1e-5;
};

/// Options of F::group_norm: num_groups, weight, bias, eps (1e-5).
struct GroupNormFuncOptions {
  GroupNormFuncOptions(int64_t num_groups) : num_groups_(num_groups) {}
  EMBER_ARG(int64_t, num_groups);
  EMBER_ARG(Tensor, weight) = {};
  EMBER_ARG(Tensor, bias) = {};
  EMBER_ARG(double, eps) = 1e-5;
};

/// Options of F::instance_norm: running_mean/running_var (updated in place when given),
/// weight, bias, use_input_stats (true), momentum (0.1), eps (1e-5).
struct InstanceNormFuncOptions {
  EMBER_ARG(Tensor, running_mean) = Tensor();
  EMBER_ARG(Tensor, running_var) = Tensor();
  EMBER_ARG(Tensor, weight) = Tensor();
  EMBER_ARG(Tensor, bias) = Tensor();
  EMBER_ARG(bool, use_input_stats) = true;
  EMBER_ARG(double, momentum) = 0.1;
  EMBER_ARG(double, eps) = 1e-5;
};

/// Options of F::batch_norm: weight, bias, training (false), momentum (0.1), eps (1e-5).
struct BatchNormFuncOptions {
  EMBER_ARG(Tensor, weight) = Tensor();
  EMBER_ARG(Tensor, bias) = Tensor();
  EMBER_ARG(bool, training) = false;
  EMBER_ARG(std::optional<double>, momentum) = 0.1;
  EMBER_ARG(double, eps) = 1e-5;
};

/// Options of F::local_response_norm: size, alpha (1e-4), beta (0.75), k (1).
struct LocalResponseNormFuncOptions {
  LocalResponseNormFuncOptions(int64_t size) : size_(size) {}
  EMBER_ARG(int64_t, size);
  EMBER_ARG(double, alpha) = 1e-4;
  EMBER_ARG(double, beta) = 0.75;
  EMBER_ARG(double, k) = 1.;
};

namespace detail_norm {
inline std::optional<Tensor> opt(const Tensor& t) { return t.defined() ? std::optional<Tensor>(t) : std::nullopt; }
}  // namespace detail_norm

/// Normalizes over the trailing normalized_shape dims, then applies weight and bias.
inline Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options) {
  return ember::layer_norm(input, options.normalized_shape(), detail_norm::opt(options.weight()),
                           detail_norm::opt(options.bias()), options.eps());
}
/// Normalizes (N, C, ...) over num_groups groups of channels.
inline Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& options) {
  return ember::group_norm(input, options.num_groups(), detail_norm::opt(options.weight()),
                           detail_norm::opt(options.bias()), options.eps());
}
/// Normalizes (N, C, ...) per sample and channel over the spatial dims.
inline Tensor instance_norm(const Tensor& input, const InstanceNormFuncOptions& options = {}) {
  return ember::instance_norm(input, detail_norm::opt(options.weight()), detail_norm::opt(options.bias()),
                              detail_norm::opt(options.running_mean()), detail_norm::opt(options.running_var()),
                              options.use_input_stats(), options.momentum(), options.eps(), false);
}
/// Batch normalization with the given running statistics (updated in place when training).
inline Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                         const BatchNormFuncOptions& options = {}) {
  EMBER_CHECK(options.momentum().has_value(), Error, "nn::functional::batch_norm",
              "momentum must be given (a cumulative average needs the module's num_batches_tracked)");
  return ember::batch_norm(input, detail_norm::opt(options.weight()), detail_norm::opt(options.bias()),
                           detail_norm::opt(running_mean), detail_norm::opt(running_var), options.training(),
                           *options.momentum(), options.eps(), false);
}
/// Local response normalization across neighbouring channels.
inline Tensor local_response_norm(const Tensor& input, const LocalResponseNormFuncOptions& options) {
  return ember::local_response_norm(input, options.size(), options.alpha(), options.beta(), options.k());
}

}  // namespace ember::nn::functional
