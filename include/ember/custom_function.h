#pragma once
// Custom differentiable operations, as libtorch's torch::autograd::Function<T>:
//
//   struct MulConst : ember::autograd::Function<MulConst> {
//     static Tensor forward(AutogradContext* ctx, Tensor x, double k) {
//       ctx->saved_data["k"] = k;
//       return x * k;
//     }
//     static variable_list backward(AutogradContext* ctx, variable_list g) {
//       return {g[0] * ctx->saved_data["k"].toDouble(), Tensor()};  // one per forward argument
//     }
//   };
//   Tensor y = MulConst::apply(x, 2.0);
//
// forward runs with grad mode off and returns a Tensor or a variable_list; its outputs
// get a CppNode<T> as grad_fn whose backward calls T::backward with one gradient per
// output, and which must return one gradient per forward argument (undefined for
// arguments that are not tensors). Tensor and std::optional<Tensor> arguments (and each
// tensor of a TensorList) are the node's inputs; anything else gets no gradient.
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ember/autograd.h"
#include "ember/ivalue.h"

namespace ember::autograd {

using ember::IValue;
/// [begin, end) of input indices, for AutogradContext::needs_input_grad.
using IndexRange = std::pair<size_t, size_t>;

template <class T>
struct CppNode;
template <class T>
struct Function;

/// State shared by a custom Function's forward and backward (torch::autograd's
/// AutogradContext): saved tensors, other saved data, and what forward declared about
/// its outputs.
struct AutogradContext {
  AutogradContext() = default;
  AutogradContext(const AutogradContext&) = delete;
  AutogradContext& operator=(const AutogradContext&) = delete;

  /// Non-tensor data for backward (tensors may go here too, but are not version-checked).
  std::unordered_map<std::string, IValue> saved_data;

  /// Saves tensors for backward (inputs or outputs of forward); call at most once.
  void save_for_backward(variable_list to_save);
  /// Marks inputs that forward modified in place; they must be returned as outputs, and
  /// their history then continues from this function's node.
  void mark_dirty(const variable_list& inputs);
  /// Marks outputs that are not differentiable (indices, masks): they do not require
  /// grad, and backward receives zeros (or undefined) for them.
  void mark_non_differentiable(const variable_list& outputs);
  /// Whether undefined output gradients are given to backward as zeros (default true).
  void set_materialize_grads(bool value);
  /// The tensors of save_for_backward, checked against in-place changes since.
  variable_list get_saved_variables() const;
  /// The dirty inputs, whose version counters are bumped once per call.
  const std::unordered_set<detail::TensorImpl*>& get_and_bump_dirty() const;
  const std::unordered_set<detail::TensorImpl*>& get_non_differentiable() const;
  /// Whether the gradient for the i-th tensor input is needed.
  bool needs_input_grad(size_t output_edge_index) const;
  /// Whether any tensor input in the given index ranges needs a gradient.
  bool needs_input_grad(std::initializer_list<IndexRange> idxs) const;

 private:
  std::unordered_set<detail::TensorImpl*> non_differentiable_;
  std::unordered_set<detail::TensorImpl*> dirty_inputs_;
  std::vector<SavedTensor> saved_variables_;
  variable_list to_save_;
  bool materialize_grads_ = true;
  bool has_freed_buffers_ = false;
  // The node that owns this context (a plain pointer: an owning one would be a cycle).
  Node* grad_fn_ = nullptr;

  void save_variables();
  template <class T>
  friend struct CppNode;
  template <class T>
  friend struct Function;
};

namespace impl {
/// Collects tensor arguments of Function<T>::apply into the node's inputs.
struct ExtractVariables {
  std::vector<bool>& is_var;
  variable_list& list;
  void operator()(const Tensor& x) {
    is_var.push_back(true);
    list.push_back(x);
  }
  void operator()(const std::optional<Tensor>& x) {
    const bool has = x.has_value() && x->defined();
    is_var.push_back(has);
    if (has) list.push_back(*x);
  }
  void operator()(const TensorList& l) {
    for (const Tensor& x : l) {
      is_var.push_back(true);
      list.push_back(x);
    }
  }
  template <class U>
  void operator()(const U&) {
    is_var.push_back(false);
  }
};

/// Demangled name of a type_info name ("ember::autograd::CppNode<MyFn>").
std::string demangle(const char* name);
/// Sets up a custom node for `inputs` when grad mode is on and any input requires grad
/// (edges, sequence number, anomaly record); returns whether it was set up.
bool begin_custom_node(Node& node, const variable_list& inputs);
/// Attaches forward's outputs to `node` (nullptr when nothing is recorded) following
/// mark_dirty / mark_non_differentiable, as libtorch's _wrap_outputs.
variable_list wrap_outputs(const variable_list& inputs, const AutogradContext& ctx,
                           const variable_list& raw_outputs, Node* node);
/// Undefined gradients as zeros of the output's shape (when materialize is set).
variable_list materialize_grads(const Node& node, variable_list&& grads, bool materialize);
/// Checks backward's result count and drops the entries of non-tensor arguments.
variable_list check_backward_result(const Node& node, const std::vector<bool>& is_variable_input,
                                    variable_list&& grads);
}  // namespace impl

/// The node of a custom Function's outputs; its apply calls T::backward.
template <class T>
struct CppNode final : public Node {
  std::string name() const override { return impl::demangle(typeid(CppNode<T>).name()); }
  variable_list apply(variable_list&& grads) override {
    // Custom backward code may touch shared state of its own: one call at a time.
    std::lock_guard<std::mutex> lock(mutex_);
    variable_list in = impl::materialize_grads(*this, std::move(grads), ctx_.materialize_grads_);
    variable_list out = T::backward(&ctx_, std::move(in));
    return impl::check_backward_result(*this, is_variable_input_, std::move(out));
  }
  void release_variables() override {
    std::lock_guard<std::mutex> lock(mutex_);
    ctx_.saved_variables_.clear();
    ctx_.has_freed_buffers_ = true;
  }
  bool materialize_grads() const override { return false; }  // done in apply, per ctx

  AutogradContext ctx_;
  std::vector<bool> is_variable_input_;
  std::mutex mutex_;
};

/// Return type of X::forward called with Args.
template <class X, class... Args>
using forward_t = decltype(X::forward(nullptr, std::declval<Args>()...));

/// Base of a custom differentiable operation T with static T::forward(AutogradContext*,
/// args...) and T::backward(AutogradContext*, variable_list); T::apply(args...) runs it.
template <class T>
struct Function {
  /// Runs T::forward without recording and attaches its outputs to a CppNode<T>.
  template <class X = T, class... Args>
  static auto apply(Args&&... args) -> std::enable_if_t<std::is_same_v<X, T>, forward_t<X, Args...>> {
    using Out = forward_t<X, Args...>;
    static_assert(std::is_same_v<Out, Tensor> || std::is_same_v<Out, variable_list>,
                  "custom Function forward must return a Tensor or a variable_list");
    detail::intrusive_ptr<CppNode<T>> node(new CppNode<T>());
    variable_list inputs;
    inputs.reserve(sizeof...(Args));
    impl::ExtractVariables extract{node->is_variable_input_, inputs};
    (extract(args), ...);
    const bool is_executable = impl::begin_custom_node(*node, inputs);
    node->ctx_.grad_fn_ = node.get();
    Out outputs;
    {
      AutoGradMode grad_mode(false);
      outputs = T::forward(&node->ctx_, std::forward<Args>(args)...);
    }
    variable_list raw;
    if constexpr (std::is_same_v<Out, Tensor>) raw.push_back(std::move(outputs));
    else raw = std::move(outputs);
    variable_list wrapped = impl::wrap_outputs(inputs, node->ctx_, raw, is_executable ? node.get() : nullptr);
    if (is_executable) node->ctx_.save_variables();
    if constexpr (std::is_same_v<Out, Tensor>) return wrapped[0];
    else return wrapped;
  }
};

}  // namespace ember::autograd
