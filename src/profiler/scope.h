#pragma once
// Recording points of the autograd engine: the backward phase of a whole engine run and
// one event per backward node. Inactive, each costs one relaxed load of the flag.
#include "ember/autograd.h"
#include "ember/detail/record_function.h"

namespace ember::profiler::detail {

/// Marks this thread as running backward; returns the previous mark.
bool enter_backward();
/// Restores the mark enter_backward() returned.
void leave_backward(bool previous);
/// Opens an event named after the node, with the incoming gradients' shapes.
void begin_node(const autograd::Node& node, const std::vector<Tensor>& grads);

/// Everything recorded while an engine run is in this scope is in the backward phase.
class BackwardPhase {
 public:
  BackwardPhase() {
    if (g_active.load(std::memory_order_relaxed)) [[unlikely]] {
      previous_ = enter_backward();
      set_ = true;
    }
  }
  ~BackwardPhase() {
    if (set_) [[unlikely]] leave_backward(previous_);
  }
  BackwardPhase(const BackwardPhase&) = delete;
  BackwardPhase& operator=(const BackwardPhase&) = delete;

 private:
  bool set_ = false;
  bool previous_ = false;
};

/// One event for one node's apply().
class NodeScope {
 public:
  NodeScope(const autograd::Node& node, const std::vector<Tensor>& grads) {
    if (g_active.load(std::memory_order_relaxed)) [[unlikely]] {
      begin_node(node, grads);
      open_ = true;
    }
  }
  ~NodeScope() {
    if (open_) [[unlikely]] end_event();
  }
  NodeScope(const NodeScope&) = delete;
  NodeScope& operator=(const NodeScope&) = delete;

 private:
  bool open_ = false;
};

}  // namespace ember::profiler::detail
