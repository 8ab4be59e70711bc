#pragma once
// Recording on the tape. Op front-ends write:
//
//   Tensor out = ...forward...;
//   if (auto* node = autograd::record("ExpBackward0", {self},
//         [](Node& n, variable_list& g) { return variable_list{g[0] * n.saved(0)}; })) {
//     autograd::set_history(out, node);
//     node->save(out, /*is_output=*/true);
//   }
//
// The formula gets the node (for saved tensors and needs_input_grad) and the gradients
// of the forward outputs; it returns one gradient per forward input (undefined where no
// gradient is needed). Formulas are written in ember ops, so with create_graph they are
// recorded too and higher-order gradients work.
#include <initializer_list>
#include <mutex>

#include "ember/autograd.h"

namespace ember::autograd {

/// Next sequence number of this thread's tape.
uint64_t next_sequence_nr();
/// Whether recording is on and any of `inputs` requires grad.
inline bool any_requires_grad(std::initializer_list<const Tensor*> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && t->requires_grad()) return true;
  return false;
}
/// The edge that receives gradient for `t` (its grad_fn, or its leaf accumulator).
Edge gradient_edge(const Tensor& t);

template <class F>
class FnNode final : public Node {
 public:
  FnNode(const char* name, F fn) : name_(name), fn_(std::move(fn)) {}
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override { return fn_(*this, grads); }

 private:
  const char* name_;
  F fn_;
};

/// Node creation shared by record(): sets edges to the inputs and the sequence number.
void init_node(Node& node, std::initializer_list<const Tensor*> inputs,
               std::source_location loc);

/// Creates and returns a node when any input requires grad and grad mode is on; else
/// nullptr and nothing is recorded.
template <class F>
FnNode<F>* record(const char* name, std::initializer_list<const Tensor*> inputs, F fn,
                  std::source_location loc = std::source_location::current()) {
  if (!any_requires_grad(inputs)) return nullptr;
  auto* node = new FnNode<F>(name, std::move(fn));
  init_node(*node, inputs, loc);
  return node;
}

/// Makes `node` the grad_fn of `out` (next output slot) and marks out as requiring grad.
void set_history(Tensor& out, Node* node);
void set_history(const Tensor& out, Node* node);
/// set_history for the output of a differentiable view op: also remembers the tensor
/// whose storage `out` views, so that an in-place op on the view can rebase that base's
/// history (libtorch's differentiable views).
void set_view_history(const Tensor& out, Node* node, const Tensor& self);

/// Raises libtorch's error for in-place ops on leaves that require grad; call before
/// writing in place when grad mode is on.
void check_inplace(const Tensor& self, const char* op);
/// Raises when out= is used with an argument that requires grad (libtorch's rule).
void check_out_arg(const Tensor& out, std::initializer_list<const Tensor*> inputs, const char* op);

/// Leaf accumulator: adds incoming gradient into the leaf's .grad(). One per leaf, kept
/// by the leaf's autograd state for the leaf's lifetime; it does not own the leaf (no
/// cycle), and once the leaf is gone its gradients are dropped (nobody can read them).
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(const Tensor& leaf);
  std::string name() const override { return "torch::autograd::AccumulateGrad"; }
  variable_list apply(variable_list&& grads) override;
  /// The leaf, or an undefined tensor once it died.
  Tensor variable() const;
  /// Called by the leaf's autograd state as the leaf dies.
  void forget_leaf();

 private:
  mutable std::mutex mutex_;  // guards leaf_, and serializes accumulation into .grad()
  detail::TensorImpl* leaf_;
};

/// Whether the engine currently runs with create_graph (formulas may check it).
bool engine_create_graph();

namespace impl {
/// A process-wide unique id for a tensor hook.
unsigned next_hook_id();
/// Raises libtorch's "Trying to backward through the graph a second time" error.
[[noreturn]] void throw_backward_twice();
/// Makes `edge` the history of `t` (grad_fn and output slot; a null function makes t a
/// leaf again). A retain_grad registration moves to the new grad_fn.
void set_gradient_edge(const Tensor& t, Edge edge);
/// The sequence number the next node recorded in this thread will get.
uint64_t current_sequence_nr();
/// Makes `edge` the history of `self` after an in-place op wrote into it. When self is a
/// view of a tensor in the graph, the base instead gets a CopySlices node that routes
/// the view's part of the gradient through `edge`'s function, and self becomes a view of
/// the rebased base (libtorch's rebase_history).
void rebase_history(const Tensor& self, Edge edge);
/// Regenerates the history of a view whose storage was written in place since its
/// history was set (libtorch regenerates a stale view's grad_fn the same way).
void refresh_view_history(const Tensor& view);
/// check_inplace's part for views: raises for a view of a leaf that requires grad.
void check_inplace_view(const Tensor& self, const char* op);
/// Before an in-place op overwrites `self` with `result` (computed out of place by the
/// nodes recorded since `first_seq`): those nodes' saved copies of self are preserved.
void preserve_saved_inputs(const Tensor& result, const Tensor& self, uint64_t first_seq);
}  // namespace impl

}  // namespace ember::autograd
