#pragma once
// Per-tensor autograd state, allocated on first use (requires_grad_, set_history, ...).
#include <memory>
#include <mutex>
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
  // Id of the retains-grad pre-hook on grad_fn that fills .grad(); the hook holds a raw
  // pointer to this tensor's impl, so ~TensorImpl removes it and set_gradient_edge
  // moves it when grad_fn changes.
  unsigned retain_grad_hook = 0;
  std::string name;               // optional label for graph export
  // Guards grad_accumulator and the accumulation into grad when several threads
  // record on or backpropagate into the same leaf.
  std::mutex mutex;
};

}  // namespace ember::detail
