#pragma once
// Per-tensor autograd state, allocated on first use (requires_grad_, set_history, ...).
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "ember/autograd.h"

namespace ember::detail {

struct AutogradMeta {
  bool requires_grad = false;  // leaves only; non-leaves require grad through grad_fn
  bool retains_grad = false;
  uint32_t output_nr = 0;
  Tensor grad;
  intrusive_ptr<autograd::Node> grad_fn;
  // A leaf's accumulator: created on first use and owned (one reference, taken by
  // hand) for the leaf's lifetime; it refers back to the leaf without owning it, and
  // ~AutogradMeta tells it when the leaf is gone. Atomic: threads may record on a
  // shared leaf at the same time.
  std::atomic<autograd::Node*> grad_accumulator{nullptr};
  // Hooks of a leaf (run by its AccumulateGrad); non-leaf hooks live on grad_fn.
  struct LeafHook { unsigned id; autograd::Node::GradHook fn; };
  std::vector<LeafHook> leaf_hooks;
  // Id of the retains-grad pre-hook on grad_fn that fills .grad(); the hook holds a raw
  // pointer to this tensor's impl, so ~TensorImpl removes it and set_gradient_edge
  // moves it when grad_fn changes.
  unsigned retain_grad_hook = 0;
  std::string name;               // optional label for graph export
  // Differentiable views (autograd/view_tracking.cpp): the tensor whose storage this
  // view shares (never itself a view), set when a view op records on a tensor requiring
  // grad; and the storage version at which grad_fn was last set, so that a history made
  // stale by an in-place write through another alias is regenerated from the base.
  detail::intrusive_ptr<detail::TensorImpl> view_base;
  uint32_t view_version = 0;

  AutogradMeta() = default;
  AutogradMeta(const AutogradMeta&) = delete;
  AutogradMeta& operator=(const AutogradMeta&) = delete;
  ~AutogradMeta();  // autograd/node.cpp
};

}  // namespace ember::detail
