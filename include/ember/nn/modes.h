#pragma once
// Mode tags of nn options (torch::kZeros, torch::kReflect, torch::kNearest, torch::kBatchMean,
// ...): empty types, so options hold them in std::variant exactly as libtorch's enumtype.
// torch::kLinear is ember::kLinear (the Nonlinearity value), which InterpolateMode accepts.
#include <variant>

namespace ember {
namespace enumtype {
struct kZeros {};
struct kReflect {};
struct kReplicate {};
struct kCircular {};
struct kConstant {};
struct kNearest {};
struct kBilinear {};
struct kBatchMean {};
}  // namespace enumtype
inline constexpr enumtype::kZeros kZeros{};
inline constexpr enumtype::kReflect kReflect{};
inline constexpr enumtype::kReplicate kReplicate{};
inline constexpr enumtype::kCircular kCircular{};
inline constexpr enumtype::kConstant kConstant{};
inline constexpr enumtype::kNearest kNearest{};
inline constexpr enumtype::kBilinear kBilinear{};
inline constexpr enumtype::kBatchMean kBatchMean{};
}  // namespace ember

namespace ember::nn {
/// Padding mode of convolutions: kZeros, kReflect, kReplicate or kCircular.
using ConvPaddingMode = std::variant<enumtype::kZeros, enumtype::kReflect, enumtype::kReplicate, enumtype::kCircular>;
/// Mode of F::pad: kConstant, kReflect, kReplicate or kCircular.
using PadMode = std::variant<enumtype::kConstant, enumtype::kReflect, enumtype::kReplicate, enumtype::kCircular>;
}  // namespace ember::nn
