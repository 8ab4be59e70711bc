#pragma once
// Loss modules (torch::nn::MSELoss, L1Loss, CrossEntropyLoss, NLLLoss, BCELoss, SmoothL1Loss,
// HuberLoss, BCEWithLogitsLoss, KLDivLoss) and the
// reduction tags kNone / kMean / kSum of their options.
#include <cstdint>
#include <variant>

#include "ember/arg.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/modes.h"
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

/// Options of SmoothL1Loss: reduction (kMean), beta (1).
struct SmoothL1LossOptions {
  SmoothL1LossOptions() = default;
  template <class R, std::enable_if_t<std::is_constructible_v<LossReduction, R>, int> = 0>
  SmoothL1LossOptions(R reduction) : reduction_(reduction) {}
  EMBER_ARG(LossReduction, reduction) = kMean;
  EMBER_ARG(double, beta) = 1.0;
};
/// Options of HuberLoss: reduction (kMean), delta (1).
struct HuberLossOptions {
  HuberLossOptions() = default;
  template <class R, std::enable_if_t<std::is_constructible_v<LossReduction, R>, int> = 0>
  HuberLossOptions(R reduction) : reduction_(reduction) {}
  EMBER_ARG(LossReduction, reduction) = kMean;
  EMBER_ARG(double, delta) = 1.0;
};
/// Options of BCEWithLogitsLoss: weight (per element, broadcast), reduction (kMean),
/// pos_weight (per class weight of the positive term); undefined tensors mean none.
struct BCEWithLogitsLossOptions {
  EMBER_ARG(Tensor, weight);
  EMBER_ARG(LossReduction, reduction) = kMean;
  EMBER_ARG(Tensor, pos_weight);
};
/// One of kNone, kBatchMean, kSum, kMean (the reduction option of KLDivLoss).
using KLDivLossReduction = std::variant<enumtype::kNone, enumtype::kBatchMean, enumtype::kSum, enumtype::kMean>;
/// Options of KLDivLoss: reduction (kMean; kBatchMean divides the sum by the batch size),
/// log_target (false).
struct KLDivLossOptions {
  KLDivLossOptions() = default;
  template <class R, std::enable_if_t<std::is_constructible_v<KLDivLossReduction, R>, int> = 0>
  KLDivLossOptions(R reduction) : reduction_(reduction) {}
  EMBER_ARG(KLDivLossReduction, reduction) = kMean;
  EMBER_ARG(bool, log_target) = false;
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
/// 0.5 z^2 / beta below beta, z - 0.5 beta above, z = |input - target|
/// (torch::nn::SmoothL1Loss).
EMBER_LOSS_MODULE(SmoothL1Loss, SmoothL1LossOptions);
/// 0.5 z^2 below delta, delta (z - 0.5 delta) above (torch::nn::HuberLoss).
EMBER_LOSS_MODULE(HuberLoss, HuberLossOptions);
/// Binary cross entropy of sigmoid(input), computed from the logits
/// (torch::nn::BCEWithLogitsLoss); weight and pos_weight are buffers.
EMBER_LOSS_MODULE(BCEWithLogitsLoss, BCEWithLogitsLossOptions);
/// Kullback-Leibler divergence of target from log-probabilities input (torch::nn::KLDivLoss).
EMBER_LOSS_MODULE(KLDivLoss, KLDivLossOptions);
#undef EMBER_LOSS_MODULE

}  // namespace ember::nn
