#pragma once
// How ops take part in CUDA autocast (include/ember/autocast.h). An op of a policy begins
//   if (autocast::applies(policy, a, b)) return op(autocast::cast(policy, a), ...);
// so the op runs again on the cast operands, which no longer qualify.
#include <optional>

#include "ember/autocast.h"
#include "ember/tensor.h"

namespace ember::autocast {

enum class Policy {
  LowerPrecision,  // matrix products and convolutions: float32 -> the autocast dtype
  Float32,         // ops that need float32's range: float16/bfloat16 -> float32
};
constexpr Policy kLowerPrecision = Policy::LowerPrecision;
constexpr Policy kFloat32 = Policy::Float32;

/// The dtype a tensor on `device` of `dtype` takes in an op of `policy` under the calling
/// thread's autocast state, or nullopt when it stays as it is.
std::optional<ScalarType> target_dtype(Policy policy, DeviceType device, ScalarType dtype);

/// Whether t would be cast (undefined and absent tensors never are).
bool qualifies(Policy policy, const Tensor& t);
inline bool qualifies(Policy policy, const std::optional<Tensor>& t) { return t && qualifies(policy, *t); }

/// Whether any operand would be cast; one thread-local read when autocast is off.
template <class... Ts>
bool applies(Policy policy, const Ts&... operands) {
  return is_enabled() && (qualifies(policy, operands) || ...);
}

/// t cast for an op of `policy` (t itself when it stays); parameters (leaves that require
/// grad) are cast once per autocast region for LowerPrecision ops.
Tensor cast(Policy policy, const Tensor& t);
std::optional<Tensor> cast(Policy policy, const std::optional<Tensor>& t);

}  // namespace ember::autocast
