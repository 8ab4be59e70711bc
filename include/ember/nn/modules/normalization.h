#pragma once
// BatchNorm1d/2d, InstanceNorm1d/2d/3d, LayerNorm, GroupNorm and Dropout (torch::nn modules of
// the same names).
#include <cstdint>
#include <optional>
#include <vector>

#include "ember/arg.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/pimpl.h"

namespace ember::nn {

/// Options of BatchNorm: num_features; eps (1e-5), momentum (0.1; nullopt = cumulative
/// average), affine (true), track_running_stats (true).
struct BatchNormOptions {
  BatchNormOptions(int64_t num_features) : num_features_(num_features) {}
  EMBER_ARG(int64_t, num_features);
  EMBER_ARG(double, eps) = 1e-5;
  EMBER_ARG(std::optional<double>, momentum) = 0.1;
  EMBER_ARG(bool, affine) = true;
  EMBER_ARG(bool, track_running_stats) = true;
};

/// Shared state and forward of BatchNorm1d/2d; D is the expected input rank(s).
template <class Derived>
class BatchNormImplBase : public Cloneable<Derived> {
 public:
  explicit BatchNormImplBase(const BatchNormOptions& options_) : options(options_) {}
  void reset() override;
  void reset_running_stats();
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  BatchNormOptions options;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 protected:
  virtual void check_input_dim(const Tensor& input) const = 0;
  virtual const char* type_name() const = 0;
};

/// Batch normalization of [N, C] or [N, C, L] (torch::nn::BatchNorm1d).
class BatchNorm1dImpl : public BatchNormImplBase<BatchNorm1dImpl> {
 public:
  explicit BatchNorm1dImpl(int64_t num_features) : BatchNorm1dImpl(BatchNormOptions(num_features)) {}
  explicit BatchNorm1dImpl(const BatchNormOptions& options_) : BatchNormImplBase(options_) { reset(); }

 protected:
  void check_input_dim(const Tensor& input) const override;
  const char* type_name() const override { return "BatchNorm1d"; }
};
EMBER_MODULE(BatchNorm1d);

/// Batch normalization of [N, C, H, W] (torch::nn::BatchNorm2d).
class BatchNorm2dImpl : public BatchNormImplBase<BatchNorm2dImpl> {
 public:
  explicit BatchNorm2dImpl(int64_t num_features) : BatchNorm2dImpl(BatchNormOptions(num_features)) {}
  explicit BatchNorm2dImpl(const BatchNormOptions& options_) : BatchNormImplBase(options_) { reset(); }

 protected:
  void check_input_dim(const Tensor& input) const override;
  const char* type_name() const override { return "BatchNorm2d"; }
};
EMBER_MODULE(BatchNorm2d);

/// Options of Dropout: p (0.5), inplace (false).
struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}
  EMBER_ARG(double, p);
  EMBER_ARG(bool, inplace) = false;
};

/// Zeroes elements with probability p while training (torch::nn::Dropout).
class DropoutImpl : public Cloneable<DropoutImpl> {
 public:
  explicit DropoutImpl(double p) : DropoutImpl(DropoutOptions(p)) {}
  explicit DropoutImpl(const DropoutOptions& options_ = {}) : options(options_) { reset(); }
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(Tensor input);
  DropoutOptions options;
};
EMBER_MODULE(Dropout);

/// Options of LayerNorm: normalized_shape (the trailing dims normalized over), eps (1e-5),
/// elementwise_affine (true).
struct LayerNormOptions {
  LayerNormOptions(std::vector<int64_t> normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}
  EMBER_ARG(std::vector<int64_t>, normalized_shape);
  EMBER_ARG(double, eps) = 1e-5;
  EMBER_ARG(bool, elementwise_affine) = true;
};

/// Normalizes over the trailing normalized_shape dims, then scales and shifts elementwise
/// (torch::nn::LayerNorm); weight starts at ones, bias at zeros.
class LayerNormImpl : public Cloneable<LayerNormImpl> {
 public:
  LayerNormImpl(std::vector<int64_t> normalized_shape) : LayerNormImpl(LayerNormOptions(std::move(normalized_shape))) {}
  explicit LayerNormImpl(const LayerNormOptions& options_) : options(options_) { reset(); }
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  LayerNormOptions options;
  Tensor weight, bias;
};
EMBER_MODULE(LayerNorm);

/// Options of GroupNorm: num_groups, num_channels, eps (1e-5), affine (true).
struct GroupNormOptions {
  GroupNormOptions(int64_t num_groups, int64_t num_channels) : num_groups_(num_groups), num_channels_(num_channels) {}
  EMBER_ARG(int64_t, num_groups);
  EMBER_ARG(int64_t, num_channels);
  EMBER_ARG(double, eps) = 1e-5;
  EMBER_ARG(bool, affine) = true;
};

/// Normalizes (N, C, ...) over groups of channels, then applies a per-channel affine
/// (torch::nn::GroupNorm).
class GroupNormImpl : public Cloneable<GroupNormImpl> {
 public:
  GroupNormImpl(int64_t num_groups, int64_t num_channels) : GroupNormImpl(GroupNormOptions(num_groups, num_channels)) {}
  explicit GroupNormImpl(const GroupNormOptions& options_) : options(options_) { reset(); }
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  GroupNormOptions options;
  Tensor weight, bias;
};
EMBER_MODULE(GroupNorm);

/// Options of InstanceNorm1d/2d/3d: num_features; eps (1e-5), momentum (0.1), affine
/// (false), track_running_stats (false) -- libtorch's defaults, unlike BatchNorm's.
struct InstanceNormOptions {
  InstanceNormOptions(int64_t num_features) : num_features_(num_features) {}
  EMBER_ARG(int64_t, num_features);
  EMBER_ARG(double, eps) = 1e-5;
  EMBER_ARG(double, momentum) = 0.1;
  EMBER_ARG(bool, affine) = false;
  EMBER_ARG(bool, track_running_stats) = false;
};
using InstanceNorm1dOptions = InstanceNormOptions;
using InstanceNorm2dOptions = InstanceNormOptions;
using InstanceNorm3dOptions = InstanceNormOptions;

/// Shared state and forward of InstanceNorm1d/2d/3d; Dims is the number of spatial dims
/// (an input with Dims + 1 dims is one unbatched sample).
template <class Derived, int Dims>
class InstanceNormImplBase : public Cloneable<Derived> {
 public:
  explicit InstanceNormImplBase(const InstanceNormOptions& options_) : options(options_) { reset(); }
  void reset() override;
  void reset_running_stats();
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  InstanceNormOptions options;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;
};

/// Instance normalization of (N, C, L) or unbatched (C, L) (torch::nn::InstanceNorm1d).
class InstanceNorm1dImpl : public InstanceNormImplBase<InstanceNorm1dImpl, 1> {
 public:
  using InstanceNormImplBase::InstanceNormImplBase;
  explicit InstanceNorm1dImpl(int64_t num_features) : InstanceNormImplBase(InstanceNormOptions(num_features)) {}
};
EMBER_MODULE(InstanceNorm1d);

/// Instance normalization of (N, C, H, W) or unbatched (C, H, W) (torch::nn::InstanceNorm2d).
class InstanceNorm2dImpl : public InstanceNormImplBase<InstanceNorm2dImpl, 2> {
 public:
  using InstanceNormImplBase::InstanceNormImplBase;
  explicit InstanceNorm2dImpl(int64_t num_features) : InstanceNormImplBase(InstanceNormOptions(num_features)) {}
};
EMBER_MODULE(InstanceNorm2d);

/// Instance normalization of (N, C, D, H, W) or unbatched (C, D, H, W)
/// (torch::nn::InstanceNorm3d).
class InstanceNorm3dImpl : public InstanceNormImplBase<InstanceNorm3dImpl, 3> {
 public:
  using InstanceNormImplBase::InstanceNormImplBase;
  explicit InstanceNorm3dImpl(int64_t num_features) : InstanceNormImplBase(InstanceNormOptions(num_features)) {}
};
EMBER_MODULE(InstanceNorm3d);

}  // namespace ember::nn
