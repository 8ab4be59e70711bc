// CUDA autocast state (per thread, as libtorch's) and the casts the ops ask for.
#include "src/core/autocast.h"

#include <cstdint>
#include <unordered_map>

#include "ember/autocast.h"
#include "ember/errors.h"

namespace ember::autocast {
namespace {

struct State {
  bool enabled = false;
  ScalarType dtype = ScalarType::Half;
  int nesting = 0;
  // Parameters cast this region, keyed by the parameter (held, so the key stays valid).
  struct Cast {
    Tensor parameter, lowered;
    uint32_t version;  // the parameter's version when cast: an in-place update recasts
  };
  std::unordered_map<const void*, Cast> cache;
};

State& state() {
  thread_local State s;
  return s;
}

}  // namespace

bool is_enabled() { return state().enabled; }
void set_enabled(bool enabled) { state().enabled = enabled; }
ScalarType get_autocast_gpu_dtype() { return state().dtype; }
void set_autocast_gpu_dtype(ScalarType dtype) {
  EMBER_CHECK(dtype == ScalarType::Half || dtype == ScalarType::BFloat16, DTypeError, "set_autocast_gpu_dtype",
              "CUDA autocast supports float16 and bfloat16, but got ", dtype);
  state().dtype = dtype;
}
void clear_cache() { state().cache.clear(); }
int increment_nesting() { return ++state().nesting; }
int decrement_nesting() { return --state().nesting; }

AutocastGuard::AutocastGuard(ScalarType dtype, bool enabled)
    : prev_enabled_(is_enabled()), prev_dtype_(get_autocast_gpu_dtype()) {
  set_autocast_gpu_dtype(dtype);
  set_enabled(enabled);
  increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (decrement_nesting() == 0) clear_cache();
  state().enabled = prev_enabled_;
  state().dtype = prev_dtype_;
}

std::optional<ScalarType> target_dtype(Policy policy, DeviceType device, ScalarType dtype) {
  const State& s = state();
  if (!s.enabled || device != DeviceType::CUDA) return std::nullopt;
  switch (policy) {
    case Policy::LowerPrecision:
      // float64 stays: autocast lowers float32 only (as libtorch's is_eligible).
      if (dtype == ScalarType::Float || (dtype != s.dtype && (dtype == ScalarType::Half || dtype == ScalarType::BFloat16)))
        return s.dtype;
      return std::nullopt;
    case Policy::Float32:
      if (dtype == ScalarType::Half || dtype == ScalarType::BFloat16) return ScalarType::Float;
      return std::nullopt;
  }
  return std::nullopt;
}

bool qualifies(Policy policy, const Tensor& t) {
  return t.defined() && target_dtype(policy, t.device().type(), t.dtype()).has_value();
}

Tensor cast(Policy policy, const Tensor& t) {
  if (!t.defined()) return t;
  const auto to = target_dtype(policy, t.device().type(), t.dtype());
  if (!to) return t;
  const bool parameter = policy == Policy::LowerPrecision && t.is_leaf() && t.requires_grad();
  if (!parameter) return t.to(*to);
  auto& cache = state().cache;
  auto it = cache.find(t.unsafeGetTensorImpl());
  if (it != cache.end() && it->second.lowered.dtype() == *to && it->second.version == t._version())
    return it->second.lowered;
  Tensor lowered = t.to(*to);
  cache[t.unsafeGetTensorImpl()] = {t, lowered, t._version()};
  return lowered;
}

std::optional<Tensor> cast(Policy policy, const std::optional<Tensor>& t) {
  if (!t) return t;
  return cast(policy, *t);
}

}  // namespace ember::autocast
