// The non-template half of custom Functions (include/ember/custom_function.h) and IValue.
#include <cxxabi.h>

#include <cstdlib>
#include <memory>

#include "autograd/anomaly.h"
#include "autograd/autograd_meta.h"
#include "autograd/function.h"
#include "ember/custom_function.h"
#include "ember/ops.h"

namespace ember {

// ---- IValue -----------------------------------------------------------------------

IValue::IValue(const Scalar& s) {
  if (s.isFloatingPoint()) v_ = s.toDouble();
  else if (s.isBoolean()) v_ = s.toBool();
  else v_ = s.toLong();
}

Scalar IValue::toScalar() const {
  if (isDouble()) return Scalar(toDouble());
  if (isInt()) return Scalar(toInt());
  if (isBool()) return Scalar(toBool());
  fail("Scalar");
}

std::string IValue::tagKind() const {
  static const char* const kNames[] = {"None", "Tensor", "Double", "Int", "Bool", "String", "IntList", "DoubleList"};
  return kNames[v_.index()];
}

void IValue::fail(const char* expected) const {
  detail::throw_error<Error>("IValue", "Expected ", expected, " but got ", tagKind());
}

namespace autograd {

// ---- AutogradContext --------------------------------------------------------------

void AutogradContext::save_for_backward(variable_list to_save) { to_save_ = std::move(to_save); }

void AutogradContext::mark_dirty(const variable_list& inputs) {
  dirty_inputs_.clear();
  for (const Tensor& t : inputs)
    if (t.defined()) dirty_inputs_.insert(t.unsafeGetTensorImpl());
}

void AutogradContext::mark_non_differentiable(const variable_list& outputs) {
  non_differentiable_.clear();
  for (const Tensor& t : outputs)
    if (t.defined()) non_differentiable_.insert(t.unsafeGetTensorImpl());
}

void AutogradContext::set_materialize_grads(bool value) { materialize_grads_ = value; }

const std::unordered_set<detail::TensorImpl*>& AutogradContext::get_and_bump_dirty() const {
  for (detail::TensorImpl* t : dirty_inputs_) t->storage()->bump_version();
  return dirty_inputs_;
}

const std::unordered_set<detail::TensorImpl*>& AutogradContext::get_non_differentiable() const {
  return non_differentiable_;
}

void AutogradContext::save_variables() {
  saved_variables_.clear();
  for (const Tensor& t : to_save_) {
    // Outputs of this function are saved without their history (re-attached to the
    // node on unpack): holding them would be a cycle node -> output -> node.
    bool is_output = false;
    if (t.defined())
      if (auto* m = t.unsafeGetTensorImpl()->autograd()) is_output = m->grad_fn.get() == grad_fn_;
    saved_variables_.emplace_back(t, is_output && grad_fn_ != nullptr);
  }
  to_save_.clear();
}

variable_list AutogradContext::get_saved_variables() const {
  if (has_freed_buffers_) impl::throw_backward_twice();
  variable_list out;
  out.reserve(saved_variables_.size());
  for (const SavedTensor& s : saved_variables_) out.push_back(s.unpack(grad_fn_));
  return out;
}

bool AutogradContext::needs_input_grad(size_t output_edge_index) const {
  return grad_fn_ && grad_fn_->needs_input_grad(output_edge_index);
}

bool AutogradContext::needs_input_grad(std::initializer_list<IndexRange> idxs) const {
  for (const IndexRange& r : idxs)
    for (size_t i = r.first; i < r.second; ++i)
      if (needs_input_grad(i)) return true;
  return false;
}

// ---- the node's plumbing ------------------------------------------------------------

namespace impl {

std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> d(abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
  return status == 0 && d ? std::string(d.get()) : std::string(name);
}

bool begin_custom_node(Node& node, const variable_list& inputs) {
  if (!GradMode::is_enabled()) return false;
  bool any = false;
  for (const Tensor& t : inputs) any = any || (t.defined() && t.requires_grad());
  if (!any) return false;
  node.set_sequence_nr(next_sequence_nr());
  auto& edges = node.mutable_next_edges();
  edges.reserve(inputs.size());
  for (const Tensor& t : inputs) edges.push_back(gradient_edge(t));
  if (AnomalyMode::is_enabled()) [[unlikely]]
    record_anomaly_metadata(node, inputs);
  return true;
}

variable_list wrap_outputs(const variable_list& inputs, const AutogradContext& ctx,
                           const variable_list& raw_outputs, Node* node) {
  const char* op = "autograd::Function";
  const auto& non_differentiable = ctx.get_non_differentiable();
  const auto& dirty = ctx.get_and_bump_dirty();
  std::unordered_set<detail::TensorImpl*> input_impls, output_impls;
  for (const Tensor& t : inputs) input_impls.insert(t.unsafeGetTensorImpl());
  for (const Tensor& t : raw_outputs)
    if (t.defined()) output_impls.insert(t.unsafeGetTensorImpl());
  for (detail::TensorImpl* d : dirty) {
    EMBER_CHECK(output_impls.count(d), Error, op,
                "Some elements marked as dirty during the forward method were not returned as output. "
                "The inputs that are modified inplace must all be outputs of the Function.");
  }

  variable_list outputs;
  outputs.reserve(raw_outputs.size());
  for (size_t i = 0; i < raw_outputs.size(); ++i) {
    if (!raw_outputs[i].defined()) {
      if (node) node->add_input_meta(Tensor());
      outputs.emplace_back();
      continue;
    }
    Tensor var = raw_outputs[i];
    detail::TensorImpl* impl = var.unsafeGetTensorImpl();
    const bool is_input = input_impls.count(impl) > 0;
    const bool is_modified = dirty.count(impl) > 0;
    const bool is_differentiable = node && !non_differentiable.count(impl) && isFloatingType(var.dtype());
    if (node) node->add_input_meta(var);
    const auto output_nr = static_cast<uint32_t>(i);
    if (!is_differentiable) {
      // Inputs come back as aliases outside the graph; their own flags stay untouched.
      if (var.requires_grad() || (is_input && !is_modified)) var = var.detach();
    } else if (is_modified) {
      EMBER_CHECK(!(var.is_leaf() && var.requires_grad()), Error, op,
                  "a leaf Variable that requires grad has been used in an in-place operation.");
      // The modified input continues its history from this node (its old history is
      // what this node's edge for it points to).
      set_gradient_edge(var, Edge{detail::intrusive_ptr<Node>(node), output_nr});
    } else if (is_input) {
      var = var.detach();
      set_gradient_edge(var, Edge{detail::intrusive_ptr<Node>(node), output_nr});
    } else {
      set_gradient_edge(var, Edge{detail::intrusive_ptr<Node>(node), output_nr});
    }
    outputs.push_back(std::move(var));
  }
  return outputs;
}

variable_list materialize_grads(const Node& node, variable_list&& grads, bool materialize) {
  if (!materialize) return std::move(grads);
  for (size_t i = 0; i < grads.size(); ++i) {
    if (grads[i].defined()) continue;
    const Node::OutputMeta& m = node.input_meta(i);
    if (m.dtype == ScalarType::Undefined) continue;
    grads[i] = zeros(m.sizes, TensorOptions().dtype(m.dtype).device(m.device));
  }
  return std::move(grads);
}

variable_list check_backward_result(const Node& node, const std::vector<bool>& is_variable_input,
                                    variable_list&& grads) {
  const size_t expected = is_variable_input.size();
  // Extra trailing results are accepted when all undefined (libtorch's rule).
  if (grads.size() > expected) {
    bool all_undefined = true;
    for (size_t i = expected; i < grads.size(); ++i) all_undefined = all_undefined && !grads[i].defined();
    if (all_undefined) grads.resize(expected);
  }
  EMBER_CHECK(grads.size() == expected, Error, "backward", "function ", node.name(),
              " returned an incorrect number of gradients (expected ", expected, ", got ", grads.size(), ")");
  variable_list results;
  results.reserve(node.num_outputs());
  for (size_t i = 0; i < grads.size(); ++i) {
    if (is_variable_input[i]) {
      results.push_back(std::move(grads[i]));
      continue;
    }
    EMBER_CHECK(!grads[i].defined(), Error, "backward", "function ", node.name(),
                " returned a gradient different than None at position ", i + 1,
                ", but the corresponding forward input was not a Variable");
  }
  return results;
}

}  // namespace impl
}  // namespace autograd
}  // namespace ember
