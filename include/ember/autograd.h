#pragma once
// The tape (DESIGN §4): nodes recorded by ops, the engine that walks them backwards,
// grad mode, and the functional entry points backward() and grad().
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <utility>
#include <vector>

#include "ember/tensor.h"

namespace ember::autograd {

using variable_list = std::vector<Tensor>;
class Node;
/// What anomaly mode records about a node's forward call (autograd/anomaly.h).
struct AnomalyMetadata;

/// A link from a node to the node that receives gradient for one of its inputs.
struct Edge {
  detail::intrusive_ptr<Node> function;
  uint32_t input_nr = 0;
  bool is_valid() const { return static_cast<bool>(function); }
};

/// A tensor saved for backward with the storage version it had when saved; unpacking
/// after an in-place change (or after the graph was freed) raises libtorch's error.
class SavedTensor {
 public:
  SavedTensor() = default;
  SavedTensor(const Tensor& t, bool is_output);
  /// The saved tensor; `owner` is the node that saved it (outputs are re-attached to it).
  Tensor unpack(Node* owner) const;
  void release() { data_ = Tensor(); released_ = true; }
  /// When this saved input shares storage with `self`, keeps a copy instead (recorded,
  /// so it carries self's history): an in-place op is about to overwrite self.
  void preserve_from(const Tensor& self);
  bool defined() const { return data_.defined(); }

 private:
  Tensor data_;
  uint32_t version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool released_ = false;
  bool requires_grad_ = false;
};

/// One recorded operation on the tape (libtorch's torch::autograd::Node).
class Node : public detail::RefCounted {
 public:
  Node();
  ~Node() override;
  /// Name of the backward function, e.g. "MulBackward0".
  virtual std::string name() const = 0;
  /// Maps gradients w.r.t. this node's forward outputs to gradients w.r.t. its inputs.
  virtual variable_list apply(variable_list&& grads) = 0;
  /// Frees saved tensors once backward no longer needs them.
  virtual void release_variables();

  /// Position on the tape: later nodes have larger numbers and run first in backward.
  uint64_t sequence_nr() const { return sequence_nr_; }
  void set_sequence_nr(uint64_t s) { sequence_nr_ = s; }
  const std::vector<Edge>& next_edges() const { return next_edges_; }
  std::vector<Edge>& mutable_next_edges() { return next_edges_; }
  const Edge& next_edge(size_t i) const { return next_edges_[i]; }
  /// Number of forward inputs (gradients returned by apply).
  size_t num_outputs() const { return next_edges_.size(); }
  /// Number of forward outputs (gradients received by apply).
  size_t num_inputs() const { return input_meta_.size(); }
  /// True when forward input i needs a gradient (libtorch's needs_input_grad).
  bool needs_input_grad(size_t i) const { return i < next_edges_.size() && next_edges_[i].is_valid(); }

  /// Sizes/dtype/device of each forward output, for zero gradients and shape checks.
  struct OutputMeta {
    DimVector sizes;
    ScalarType dtype;
    Device device{kCPU};
  };
  uint32_t add_input_meta(const Tensor& t);
  const OutputMeta& input_meta(size_t i) const { return input_meta_[i]; }

  /// Saves a tensor for backward; `is_output` for this node's own outputs.
  size_t save(const Tensor& t, bool is_output = false);
  /// The i-th saved tensor, version-checked.
  Tensor saved(size_t i) { return saved_[i].unpack(this); }
  /// SavedTensor::preserve_from for every saved tensor of this node.
  void preserve_saved_from(const Tensor& self) {
    for (auto& s : saved_) s.preserve_from(self);
  }
  size_t num_saved() const { return saved_.size(); }

  /// Gradient hooks on forward output `output_nr` (run before apply, in registration
  /// order; a hook returning a defined tensor replaces the gradient). Returns an id for
  /// remove_pre_hook.
  using GradHook = std::function<Tensor(const Tensor&)>;
  unsigned add_pre_hook(uint32_t output_nr, GradHook hook);
  /// A hook that runs after every add_pre_hook hook of this node (retain_grad's).
  unsigned add_retains_grad_hook(uint32_t output_nr, GradHook hook);
  void remove_pre_hook(unsigned id);
  /// Moves hook `id` to `other`'s forward output `output_nr` (retain_grad across an
  /// in-place op); false when this node has no such hook.
  bool move_pre_hook(unsigned id, Node& other, uint32_t output_nr);
  /// Applies the hooks of this node to the incoming gradients.
  void run_pre_hooks(variable_list& grads);
  bool has_pre_hooks() const { return !pre_hooks_.empty(); }

  /// Whether the engine fills undefined incoming gradients with zeros before apply
  /// (custom Functions decide for themselves: set_materialize_grads).
  virtual bool materialize_grads() const { return true; }

  /// What anomaly mode recorded at the forward call (nullptr outside anomaly mode).
  AnomalyMetadata* anomaly_metadata() const { return anomaly_.get(); }
  /// Creates the anomaly record (called when anomaly mode is on at node creation).
  AnomalyMetadata& ensure_anomaly_metadata();
  /// Where in ember the node was recorded (filled in anomaly mode; the user's own call
  /// site is found from the recorded call stack, see DetectAnomalyGuard).
  std::source_location forward_location() const;

 protected:
  std::vector<Edge> next_edges_;
  std::vector<OutputMeta> input_meta_;
  std::vector<SavedTensor> saved_;
  struct PreHook { unsigned id; uint32_t output_nr; bool retains_grad; GradHook fn; };
  std::vector<PreHook> pre_hooks_;
  uint64_t sequence_nr_ = 0;
  std::unique_ptr<AnomalyMetadata> anomaly_;
};

/// Whether ops record on the tape in this thread.
struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

/// Sets grad mode for a scope and restores it after (libtorch's AutoGradMode).
class AutoGradMode {
 public:
  explicit AutoGradMode(bool enabled) : prev_(GradMode::is_enabled()) { GradMode::set_enabled(enabled); }
  ~AutoGradMode() { GradMode::set_enabled(prev_); }
  AutoGradMode(const AutoGradMode&) = delete;
  AutoGradMode& operator=(const AutoGradMode&) = delete;

 private:
  bool prev_;
};

/// Disables recording for a scope (torch::NoGradGuard).
class NoGradGuard : public AutoGradMode {
 public:
  NoGradGuard() : AutoGradMode(false) {}
};

/// Anomaly detection: while on, each new node records the call stack of its forward op,
/// and backward checks every gradient a node returns for NaN/Inf, raising an Error that
/// names the node, the forward op, the user's file:line of the forward call and the
/// input shapes. Process-wide (as libtorch's); off, it costs one relaxed atomic load per
/// recorded op.
struct AnomalyMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};
/// Turns anomaly detection on for a scope (torch::autograd::DetectAnomalyGuard).
class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard() : prev_(AnomalyMode::is_enabled()) { AnomalyMode::set_enabled(true); }
  ~DetectAnomalyGuard() { AnomalyMode::set_enabled(prev_); }
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool prev_;
};

/// Computes gradients of `tensors` and accumulates them into the leaves' .grad()
/// (torch::autograd::backward).
void backward(const variable_list& tensors, const variable_list& grad_tensors = {},
              std::optional<bool> retain_graph = std::nullopt, bool create_graph = false,
              const variable_list& inputs = {});

/// Returns d(outputs)/d(inputs) without touching .grad() (torch::autograd::grad).
variable_list grad(const variable_list& outputs, const variable_list& inputs,
                   const variable_list& grad_outputs = {},
                   std::optional<bool> retain_graph = std::nullopt, bool create_graph = false,
                   bool allow_unused = false);

/// Compares the tape's gradients of fn at `inputs` (float64 tensors that require grad)
/// with central finite differences (torch.autograd.gradcheck). On mismatch raises an
/// Error naming the input, output and element when raise_exception, else returns false.
bool gradcheck(const std::function<variable_list(const variable_list&)>& fn, const variable_list& inputs,
               double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3, bool raise_exception = true);
/// gradcheck of the first derivative: checks the gradients of fn's gradients w.r.t. the
/// inputs and random grad_outputs (torch.autograd.gradgradcheck).
bool gradgradcheck(const std::function<variable_list(const variable_list&)>& fn, const variable_list& inputs,
                   const variable_list& grad_outputs = {}, double eps = 1e-6, double atol = 1e-5,
                   double rtol = 1e-3, bool raise_exception = true);

}  // namespace ember::autograd

namespace ember {
using autograd::NoGradGuard;
using autograd::AutoGradMode;
}  // namespace ember

#include "ember/custom_function.h"
