#pragma once
// Loss modules (torch::nn::MSELoss, L1Loss, CrossEntropyLoss, NLLLoss, BCELoss) and the
// reduction tags kNone / kMean / kSum of their options.
#include <cstdint>
#include <variant>

#include "ember/arg.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/pimpl.h"

namespace ember {
namespace enumtype {
struct kNone {};
struct kMean {};
struct kSum {};
}  // namespace enumtype
/// Reduction tags for loss options (torch::kNone, torch::kMean, torch::kSum).
inline constexpr enumtype::kNone kNone{};
inline constexpr enumtype::kMean kMean{};
inline constexpr enumtype::kSum kSum{};
}  // namespace ember

namespace ember::nn {

/// One of kNone, kMean, kSum (the reduction option of every loss).
using LossReduction = std::variant<enumtype::kNone, enumtype::kMean, enumtype::kSum>;
/// The at::Reduction value (Reduction::None / Mean / Sum) of a reduction tag.
int64_t reduction_value(const LossReduction& reduction);

/// Options of MSELoss and L1Loss: reduction (kMean).
struct MSELossOptions {
  MSELossOptions() = default;
  template <class R, std::enable_if_t<std::is_constructible_v<LossReduction, R>, int> = 0>
  MSELossOptions(R reduction) : reduction_(reduction) {}
  EMBER_ARG(LossReduction, reduction) = kMean;
};
using L1LossOptions = MSELossOptions;
/// Options of BCELoss: weight (undefined = none), reduction (kMean).
struct BCELossOptions {
  EMBER_ARG(Tensor, weight);
  EMBER_ARG(LossReduction, reduction) = kMean;
};
/// Options of NLLLoss: weight, ignore_index (-100), reduction (kMean).
struct NLLLossOptions {
  EMBER_ARG(Tensor, weight);
  EMBER_ARG(int64_t, ignore_index) = -100;
  EMBER_ARG(LossReduction, reduction) = kMean;
};
/// Options of CrossEntropyLoss: weight, ignore_index (-100), reduction (kMean),
/// label_smoothing (0).
struct CrossEntropyLossOptions {
  EMBER_ARG(Tensor, weight);
  EMBER_ARG(int64_t, ignore_index) = -100;
  EMBER_ARG(LossReduction, reduction) = kMean;
  EMBER_ARG(double, label_smoothing) = 0.0;
};

#define EMBER_LOSS_MODULE(Name, Opts)                                        \
  class Name##Impl : public Cloneable<Name##Impl> {                          \
   public:                                                                   \
    explicit Name##Impl(const Opts& options_ = {}) : options(options_) {     \
      reset();                                                               \
    }                                                                        \
    void reset() override;                                                   \
    void pretty_print(std::ostream& stream) const override;                  \
    Tensor forward(const Tensor& input, const Tensor& target);               \
    Opts options;                                                            \
  };                                                                         \
  EMBER_MODULE(Name)

/// Mean squared error (torch::nn::MSELoss).
EMBER_LOSS_MODULE(MSELoss, MSELossOptions);
/// Mean absolute error (torch::nn::L1Loss).
EMBER_LOSS_MODULE(L1Loss, L1LossOptions);
/// Binary cross entropy of probabilities (torch::nn::BCELoss); weight is a buffer.
EMBER_LOSS_MODULE(BCELoss, BCELossOptions);
/// Negative log likelihood of log-probabilities (torch::nn::NLLLoss); weight is a buffer.
EMBER_LOSS_MODULE(NLLLoss, NLLLossOptions);
/// log_softmax + nll_loss of logits (torch::nn::CrossEntropyLoss); weight is a buffer.
EMBER_LOSS_MODULE(CrossEntropyLoss, CrossEntropyLossOptions);
#undef EMBER_LOSS_MODULE

}  // namespace ember::nn
