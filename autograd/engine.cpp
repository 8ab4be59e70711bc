// The engine (DESIGN §4): from the roots, count how many edges reach each node, then run
// ready nodes in decreasing sequence number (reverse tape order), summing gradients that
// arrive at the same node input. Iterative: no recursion on long chains.
#include <queue>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "autograd/anomaly.h"
#include "autograd/autograd_meta.h"
#include "autograd/function.h"
#include "ember/ops.h"
#include "src/profiler/scope.h"

namespace ember::autograd {
namespace {

thread_local bool t_create_graph = false;

struct ByTapeOrder {
  bool operator()(Node* a, Node* b) const { return a->sequence_nr() < b->sequence_nr(); }
};

// Where grad() collects results instead of accumulating into leaves.
struct Capture {
  Node* node;
  uint32_t input_nr;
  size_t index;
};

void check_anomaly(Node& node, const variable_list& grads) {
  for (size_t i = 0; i < grads.size(); ++i) {
    const Tensor& g = grads[i];
    if (!g.defined() || !g.is_floating_point()) continue;
    if (isfinite(g).all().item<bool>()) continue;
    std::ostringstream os;
    os << "Function '" << node.name() << "' returned nan/inf values in its " << i
       << "th output (the gradient for its forward input " << i << ").";
    const std::string where = describe_forward_call(node);
    if (!where.empty()) os << " " << where;
    detail::throw_error<Error>("autograd::anomaly", os.str());
  }
}

// In anomaly mode, an error raised by a backward formula (a modified saved tensor, a
// shape mismatch, ...) also names the forward call that recorded the node. The error
// keeps its type.
template <class E>
bool rethrow_as(const Error& e, const std::string& extra) {
  if (!dynamic_cast<const E*>(&e)) return false;
  throw E(std::string(e.what()) + extra);
}
[[noreturn]] void rethrow_with_forward_call(const Error& e, Node& node) {
  std::string extra = "\n[anomaly mode] Error detected in " + node.name() + ". " + describe_forward_call(node);
  rethrow_as<ShapeError>(e, extra) || rethrow_as<DTypeError>(e, extra) || rethrow_as<DeviceError>(e, extra) ||
      rethrow_as<IndexError>(e, extra) || rethrow_as<NotImplementedError>(e, extra);
  throw Error(std::string(e.what()) + extra);
}

Tensor zeros_for(const Node::OutputMeta& m) {
  if (m.dtype == ScalarType::Undefined) return Tensor();  // an undefined forward output
  return zeros(m.sizes, TensorOptions().dtype(m.dtype).device(m.device));
}

void validate_grad(Node& node, size_t i, Tensor& g) {
  if (!g.defined()) return;
  const Edge& e = node.next_edge(i);
  if (!e.is_valid()) return;
  const auto& meta = e.function->input_meta(e.input_nr);
  if (g.sizes() != IntArrayRef(meta.sizes)) {
    // Broadcast gradients are reduced to the input's shape; anything else is a bug in a
    // formula or a custom Function.
    if (g.numel() != 0 && g.dim() >= static_cast<int64_t>(meta.sizes.size())) {
      try {
        g = sum_to(g, meta.sizes);
      } catch (const ShapeError&) {
      }
    }
    EMBER_CHECK(g.sizes() == IntArrayRef(meta.sizes), ShapeError, "backward",
                "Function ", node.name(), " returned an invalid gradient at index ", i,
                " - got ", g.sizes(), " but expected shape compatible with ",
                IntArrayRef(meta.sizes));
  }
  if (g.dtype() != meta.dtype) g = g.to(meta.dtype);
}

// Adds `g` into a non-leaf's .grad() (backward(inputs=...) with a non-leaf input).
void accumulate_into(const Tensor& t, const Tensor& g) {
  Tensor& slot = t.unsafeGetTensorImpl()->ensure_autograd().grad;
  if (!slot.defined()) slot = g.clone();
  else slot = slot + g;
}

variable_list run_engine(const variable_list& roots, const variable_list& root_grads,
                         bool keep_graph, bool create_graph, const variable_list& capture_inputs,
                         bool accumulate, bool allow_unused, const char* op) {
  struct CreateGraphScope {
    bool prev;
    explicit CreateGraphScope(bool c) : prev(t_create_graph) { t_create_graph = c; }
    ~CreateGraphScope() { t_create_graph = prev; }
  } cg_scope(create_graph);
  AutoGradMode grad_mode(create_graph);
  profiler::detail::BackwardPhase profiler_phase;

  // Root edges and their gradients.
  std::vector<std::pair<Edge, Tensor>> starts;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& r = roots[i];
    EMBER_CHECK(r.defined(), Error, op, "element ", i, " of tensors is an undefined tensor");
    EMBER_CHECK(r.requires_grad(), Error, op, "element ", i,
                " of tensors does not require grad and does not have a grad_fn");
    Tensor g = i < root_grads.size() ? root_grads[i] : Tensor();
    if (!g.defined()) {
      EMBER_CHECK(r.numel() == 1, Error, op, "grad can be implicitly created only for scalar outputs "
                  "(got a tensor of shape ", r.sizes(), "; pass a gradient of that shape)");
      g = ones_like(r);
    } else {
      EMBER_CHECK(g.sizes() == r.sizes(), ShapeError, op, "Mismatch in shape: grad_output[", i,
                  "] has a shape of ", g.sizes(), " and output[", i, "] has a shape of ", r.sizes(), ".");
    }
    starts.emplace_back(gradient_edge(r), g);
  }

  // Capture points for grad() / backward(inputs=...).
  std::vector<Capture> captures;
  std::vector<Tensor> results(capture_inputs.size());
  std::vector<detail::intrusive_ptr<Node>> capture_holders;
  for (size_t i = 0; i < capture_inputs.size(); ++i) {
    const Tensor& t = capture_inputs[i];
    EMBER_CHECK(t.defined() && t.requires_grad(), Error, op,
                "One of the differentiated Tensors does not require grad (input ", i, ")");
    Edge e = gradient_edge(t);
    capture_holders.push_back(e.function);
    captures.push_back(Capture{e.function.get(), e.input_nr, i});
  }

  // Discover the graph and count dependencies.
  std::unordered_map<Node*, int> deps;
  std::vector<Node*> stack;
  std::unordered_set<Node*> seen;
  for (auto& s : starts)
    if (seen.insert(s.first.function.get()).second) stack.push_back(s.first.function.get());
  std::vector<Node*> order;  // discovery order
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    order.push_back(n);
    for (const Edge& e : n->next_edges()) {
      if (!e.is_valid()) continue;
      Node* next = e.function.get();
      ++deps[next];
      if (seen.insert(next).second) stack.push_back(next);
    }
  }

  // With inputs given, only nodes on a path to a node that must run are executed: the
  // accumulators of the listed leaves (backward) or nothing beyond the capture points
  // (grad, which reads gradients as they arrive at the captured nodes).
  std::unordered_set<Node*> needed;
  const bool prune = !captures.empty();
  if (prune) {
    std::unordered_set<Node*> targets;
    if (accumulate)
      for (auto& c : captures)
        if (dynamic_cast<AccumulateGrad*>(c.node)) targets.insert(c.node);
    std::unordered_set<Node*> capture_nodes;
    for (auto& c : captures) capture_nodes.insert(c.node);
    // Fixed point over reverse discovery order (children are discovered after parents).
    bool changed = true;
    while (changed) {
      changed = false;
      for (auto it = order.rbegin(); it != order.rend(); ++it) {
        Node* n = *it;
        if (needed.count(n)) continue;
        bool need = targets.count(n) > 0;
        for (const Edge& e : n->next_edges()) {
          if (!e.is_valid()) continue;
          Node* next = e.function.get();
          // A captured node is reached by running its parent, not by running itself.
          if (needed.count(next) || capture_nodes.count(next)) need = true;
        }
        if (need) { needed.insert(n); changed = true; }
      }
    }
  }

  std::unordered_map<Node*, variable_list> buffers;
  std::priority_queue<Node*, std::vector<Node*>, ByTapeOrder> ready;
  auto add_grad = [&](Node* n, uint32_t slot, Tensor g) {
    auto& buf = buffers[n];
    if (buf.empty()) buf.resize(n->num_inputs());
    if (!g.defined()) return;
    if (!buf[slot].defined()) buf[slot] = std::move(g);
    else buf[slot] = buf[slot] + g;
  };
  for (auto& s : starts) add_grad(s.first.function.get(), s.first.input_nr, s.second);
  for (auto& s : starts) {
    Node* n = s.first.function.get();
    if (deps[n] == 0) {
      deps[n] = -1;  // queued
      ready.push(n);
    }
  }

  // Keeps every node alive while the engine runs, even if a tensor holding it dies.
  std::vector<detail::intrusive_ptr<Node>> alive;
  alive.reserve(order.size());
  for (Node* n : order) alive.emplace_back(n);

  while (!ready.empty()) {
    Node* n = ready.top();
    ready.pop();
    variable_list grads = std::move(buffers[n]);
    buffers.erase(n);
    if (grads.empty()) grads.resize(n->num_inputs());
    // Captures see the gradient as it arrives, before the node's own hooks (libtorch 1.13).
    for (auto& c : captures)
      if (c.node == n && grads[c.input_nr].defined()) results[c.index] = grads[c.input_nr];
    const bool is_leaf_acc = dynamic_cast<AccumulateGrad*>(n) != nullptr;
    bool run = true;
    if (is_leaf_acc && !accumulate) run = false;
    if (prune && !needed.count(n)) run = false;
    variable_list out;
    if (run) {
      if (n->has_pre_hooks()) n->run_pre_hooks(grads);
      bool any_defined = false, any_undefined = false;
      for (auto& g : grads) (g.defined() ? any_defined : any_undefined) = true;
      if (any_defined) {
        if (any_undefined && n->materialize_grads())
          for (size_t i = 0; i < grads.size(); ++i)
            if (!grads[i].defined()) grads[i] = zeros_for(n->input_meta(i));
        profiler::detail::NodeScope profiler_node(*n, grads);
        try {
          out = n->apply(std::move(grads));
        } catch (const Error& e) {
          if (!n->anomaly_metadata()) throw;
          rethrow_with_forward_call(e, *n);
        }
        if (!keep_graph) n->release_variables();
        if (!is_leaf_acc) {
          EMBER_CHECK(out.size() == n->num_outputs(), Error, "backward", "Function ", n->name(),
                      " returned an invalid number of gradients - expected ", n->num_outputs(),
                      ", but got ", out.size());
          for (size_t i = 0; i < out.size(); ++i) validate_grad(*n, i, out[i]);
          if (AnomalyMode::is_enabled()) check_anomaly(*n, out);
        }
      }
    }
    for (size_t i = 0; i < n->num_outputs(); ++i) {
      const Edge& e = n->next_edge(i);
      if (!e.is_valid()) continue;
      Node* next = e.function.get();
      if (i < out.size()) add_grad(next, e.input_nr, out[i]);
      if (--deps[next] == 0) {
        deps[next] = -1;
        ready.push(next);
      }
    }
  }

  if (accumulate) {
    // Non-leaf tensors listed in backward(inputs=...) receive their gradient in .grad().
    for (auto& c : captures) {
      const Tensor& t = capture_inputs[c.index];
      if (!t.is_leaf() && results[c.index].defined()) accumulate_into(t, results[c.index]);
    }
    return {};
  }
  for (size_t i = 0; i < results.size(); ++i) {
    EMBER_CHECK(results[i].defined() || allow_unused, Error, op,
                "One of the differentiated Tensors appears to not have been used in the graph. "
                "Set allow_unused=true if this is the desired behavior. (input ", i, ")");
    if (results[i].defined() && !create_graph) results[i] = results[i].detach();
  }
  return results;
}

}  // namespace

bool engine_create_graph() { return t_create_graph; }

void backward(const variable_list& tensors, const variable_list& grad_tensors,
              std::optional<bool> retain_graph, bool create_graph, const variable_list& inputs) {
  bool keep = retain_graph.value_or(create_graph);
  run_engine(tensors, grad_tensors, keep, create_graph, inputs, /*accumulate=*/true,
             /*allow_unused=*/true, "backward");
}

variable_list grad(const variable_list& outputs, const variable_list& inputs,
                   const variable_list& grad_outputs, std::optional<bool> retain_graph,
                   bool create_graph, bool allow_unused) {
  bool keep = retain_graph.value_or(create_graph);
  return run_engine(outputs, grad_outputs, keep, create_graph, inputs, /*accumulate=*/false,
                    allow_unused, "autograd::grad");
}

}  // namespace ember::autograd
