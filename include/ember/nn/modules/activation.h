#pragma once
// Activation modules (torch::nn::ReLU, ..., Softmax, LogSoftmax) with libtorch's options.
#include <cstdint>
#include <string>

#include "ember/arg.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/pimpl.h"

namespace ember::nn {

/// Options of ReLU, ReLU6 and SELU: inplace (default false).
struct ReLUOptions {
  ReLUOptions(bool inplace = false) : inplace_(inplace) {}
  EMBER_ARG(bool, inplace);
};
using ReLU6Options = ReLUOptions;
using SELUOptions = ReLUOptions;

/// Options of LeakyReLU: negative_slope (0.01), inplace (false).
struct LeakyReLUOptions {
  EMBER_ARG(double, negative_slope) = 1e-2;
  EMBER_ARG(bool, inplace) = false;
};

/// Options of ELU: alpha (1), inplace (false).
struct ELUOptions {
  EMBER_ARG(double, alpha) = 1.0;
  EMBER_ARG(bool, inplace) = false;
};

/// Options of GELU: approximate ("none" or "tanh").
struct GELUOptions {
  EMBER_ARG(std::string, approximate) = "none";
};

/// Options of Softplus: beta (1), threshold (20).
struct SoftplusOptions {
  EMBER_ARG(double, beta) = 1.0;
  EMBER_ARG(double, threshold) = 20.0;
};

/// Options of Hardtanh: min_val (-1), max_val (1), inplace (false).
struct HardtanhOptions {
  EMBER_ARG(double, min_val) = -1.0;
  EMBER_ARG(double, max_val) = 1.0;
  EMBER_ARG(bool, inplace) = false;
};

/// Options of Softmax and LogSoftmax: the dim normalized over.
struct SoftmaxOptions {
  SoftmaxOptions(int64_t dim) : dim_(dim) {}
  EMBER_ARG(int64_t, dim);
};
using LogSoftmaxOptions = SoftmaxOptions;

// Declares an activation module class NameImpl with `options` of type Opts.
#define EMBER_ACTIVATION_WITH_OPTIONS(Name, Opts)                                    \
  class Name##Impl : public Cloneable<Name##Impl> {                                  \
   public:                                                                           \
    explicit Name##Impl(const Opts& options_ = {}) : options(options_) {}            \
    void reset() override {}                                                         \
    void pretty_print(std::ostream& stream) const override;                          \
    Tensor forward(Tensor input);                                                    \
    Opts options;                                                                    \
  };                                                                                 \
  EMBER_MODULE(Name)

// Declares an activation module without options.
#define EMBER_ACTIVATION_PLAIN(Name)                                                 \
  class Name##Impl : public Cloneable<Name##Impl> {                                  \
   public:                                                                           \
    Name##Impl() = default;                                                          \
    void reset() override {}                                                         \
    void pretty_print(std::ostream& stream) const override;                          \
    Tensor forward(const Tensor& input);                                             \
  };                                                                                 \
  EMBER_MODULE(Name)

/// max(0, x) (torch::nn::ReLU).
EMBER_ACTIVATION_WITH_OPTIONS(ReLU, ReLUOptions);
/// min(max(0, x), 6) (torch::nn::ReLU6).
EMBER_ACTIVATION_WITH_OPTIONS(ReLU6, ReLU6Options);
/// Scaled ELU with fixed constants (torch::nn::SELU).
EMBER_ACTIVATION_WITH_OPTIONS(SELU, SELUOptions);
/// max(0, x) + negative_slope * min(0, x) (torch::nn::LeakyReLU).
EMBER_ACTIVATION_WITH_OPTIONS(LeakyReLU, LeakyReLUOptions);
/// x for x > 0, alpha (exp(x) - 1) otherwise (torch::nn::ELU).
EMBER_ACTIVATION_WITH_OPTIONS(ELU, ELUOptions);
/// x Phi(x), exact or tanh-approximated (torch::nn::GELU).
EMBER_ACTIVATION_WITH_OPTIONS(GELU, GELUOptions);
/// log(1 + exp(beta x)) / beta, linear above threshold (torch::nn::Softplus).
EMBER_ACTIVATION_WITH_OPTIONS(Softplus, SoftplusOptions);
/// clamp(x, min_val, max_val) (torch::nn::Hardtanh).
EMBER_ACTIVATION_WITH_OPTIONS(Hardtanh, HardtanhOptions);
/// x sigmoid(x) (torch::nn::SiLU).
EMBER_ACTIVATION_PLAIN(SiLU);
/// x tanh(softplus(x)) (torch::nn::Mish).
EMBER_ACTIVATION_PLAIN(Mish);
/// 1 / (1 + exp(-x)) (torch::nn::Sigmoid).
EMBER_ACTIVATION_PLAIN(Sigmoid);
/// tanh(x) (torch::nn::Tanh).
EMBER_ACTIVATION_PLAIN(Tanh);
/// relu6(x + 3) / 6 (PyTorch's nn.Hardsigmoid).
EMBER_ACTIVATION_PLAIN(Hardsigmoid);
/// x relu6(x + 3) / 6 (PyTorch's nn.Hardswish).
EMBER_ACTIVATION_PLAIN(Hardswish);
/// log(sigmoid(x)) (torch::nn::LogSigmoid).
EMBER_ACTIVATION_PLAIN(LogSigmoid);
/// x / (1 + |x|) (torch::nn::Softsign).
EMBER_ACTIVATION_PLAIN(Softsign);

/// softmax along options.dim (torch::nn::Softmax).
class SoftmaxImpl : public Cloneable<SoftmaxImpl> {
 public:
  explicit SoftmaxImpl(int64_t dim) : SoftmaxImpl(SoftmaxOptions(dim)) {}
  explicit SoftmaxImpl(const SoftmaxOptions& options_) : options(options_) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  SoftmaxOptions options;
};
EMBER_MODULE(Softmax);

/// log_softmax along options.dim (torch::nn::LogSoftmax).
class LogSoftmaxImpl : public Cloneable<LogSoftmaxImpl> {
 public:
  explicit LogSoftmaxImpl(int64_t dim) : LogSoftmaxImpl(LogSoftmaxOptions(dim)) {}
  explicit LogSoftmaxImpl(const LogSoftmaxOptions& options_) : options(options_) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  LogSoftmaxOptions options;
};
EMBER_MODULE(LogSoftmax);

#undef EMBER_ACTIVATION_WITH_OPTIONS
#undef EMBER_ACTIVATION_PLAIN

}  // namespace ember::nn
