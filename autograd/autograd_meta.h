#pragma once
// Per-tensor autograd state, allocated on first use (requires_grad_, set_history, ...).
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
  // Non-owning: the accumulator owns a reference to this tensor and clears this
  // pointer when it dies (see AccumulateGrad).
  autograd::Node* grad_accumulator = nullptr;
  // Hooks of a leaf (run by its AccumulateGrad); non-leaf hooks live on grad_fn.
  struct LeafHook { unsigned id; autograd::Node::GradHook fn; };
  std::vector<LeafHook> leaf_hooks;
  unsigned retain_grad_hook = 0;  // id of the pre-hook on grad_fn that fills .grad()
  std::string name;               // optional label for graph export
};

}  // namespace ember::detail
