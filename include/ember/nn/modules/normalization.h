#pragma once
// BatchNorm1d/2d and Dropout (torch::nn modules of the same names).
#include <cstdint>
#include <optional>

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

}  // namespace ember::nn
