#pragma once
// How ops take part in CUDA autocast (include/ember/autocast.h). An op of a policy begins
//   if (autocast::applies(Policy::X, {&a, &b})) return op(autocast::cast(Policy::X, a), ...);
// so the op runs again on the cast operands, which no longer qualify.
#include <initializer_list>
#include <optional>

#include "ember/tensor.h"

namespace ember::autocast {

enum class Policy {
  LowerPrecision,  // matrix products and convolutions: float32 -> the autocast dtype
  Float32,         // ops that need float32's range: float16/bfloat16 -> float32
};

/// The dtype a tensor on `device` of `dtype` takes in an op of `policy` under the calling
/// thread's autocast state, or nullopt when it stays as it is.
std::optional<ScalarType> target_dtype(Policy policy, DeviceType device, ScalarType dtype);

/// Whether any of the defined tensors would be cast (cheap when autocast is off).
bool applies(Policy policy, std::initializer_list<const Tensor*> tensors);
inline bool applies(Policy policy, const std::optional<Tensor>& t) { return t && applies(policy, {&*t}); }

/// t cast for an op of `policy` (t itself when it stays); parameters (leaves that require
/// grad) are cast once per autocast region for LowerPrecision ops.
Tensor cast(Policy policy, const Tensor& t);
std::optional<Tensor> cast(Policy policy, const std::optional<Tensor>& t);

}  // namespace ember::autocast
