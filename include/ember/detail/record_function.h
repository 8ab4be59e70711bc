#pragma once
// The profiler's recording point (see ember/profiler.h): a scope that, while a profile
// is active, records one event with a name and its tensor inputs' shapes. Op front-ends
// use it through EMBER_PROFILE_OP; inactive, it costs one relaxed load of a global flag.
#include <atomic>
#include <string_view>

#include "ember/tensor.h"

namespace ember::profiler {

namespace detail {
/// The flag every recording point checks.
inline std::atomic<bool> g_active{false};
/// Opens an event on this thread's stack (shapes of the given tensors).
void begin_event(std::string_view name, const Tensor* const* inputs, size_t n);
/// Opens an event with the shapes of a list of tensors.
void begin_event_list(std::string_view name, TensorList inputs);
/// Closes the innermost open event of this thread.
void end_event();
}  // namespace detail

/// A profiled scope: ops call it through EMBER_PROFILE_OP, programs use it to mark
/// their own regions (torch's RECORD_FUNCTION / record_function). The inputs are
/// tensors whose shapes are recorded.
class RecordFunction {
 public:
  template <class... Ts>
  explicit RecordFunction(std::string_view name, const Ts&... inputs) {
    if (detail::g_active.load(std::memory_order_relaxed)) [[unlikely]] {
      const Tensor* in[sizeof...(Ts) + 1] = {&inputs..., nullptr};
      detail::begin_event(name, in, sizeof...(Ts));
      open_ = true;
    }
  }
  /// A scope whose inputs are a tensor list (cat, stack, ...).
  RecordFunction(std::string_view name, TensorList inputs) {
    if (detail::g_active.load(std::memory_order_relaxed)) [[unlikely]] {
      detail::begin_event_list(name, inputs);
      open_ = true;
    }
  }
  ~RecordFunction() {
    if (open_) [[unlikely]] detail::end_event();
  }
  RecordFunction(const RecordFunction&) = delete;
  RecordFunction& operator=(const RecordFunction&) = delete;

 private:
  bool open_ = false;
};

}  // namespace ember::profiler

#define EMBER_PROFILE_CONCAT_(a, b) a##b
#define EMBER_PROFILE_CONCAT(a, b) EMBER_PROFILE_CONCAT_(a, b)
/// Records the enclosing scope as one profiler event named `name` with the shapes of the
/// given tensor inputs: `EMBER_PROFILE_OP("addmm", self, mat1, mat2);`.
#define EMBER_PROFILE_OP(name, ...) \
  ::ember::profiler::RecordFunction EMBER_PROFILE_CONCAT(ember_profile_scope_, __LINE__)(name, ##__VA_ARGS__)
