// The engine (DESIGN §4): from the roots, count how many edges reach each node, then run
// ready nodes in decreasing sequence number (reverse tape order), summing gradients that
// arrive at the same node input. Iterative: no recursion on long chains.
#include <queue>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "autograd/autograd_meta.h"
#include "autograd/function.h"
#include "ember/ops.h"

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
    auto loc = node.forward_location();
    std::ostringstream os;
    os << "Function '" << node.name() << "' returned nan/inf values in its " << i
       << "th output (gradient for forward input " << i << ").";
    if (loc.line() != 0)
      os << " The forward op was called at " << loc.file_name() << ":" << loc.line();
    if (!node.forward_shapes.empty()) os << " with inputs of shapes " << node.forward_shapes;
    os << ".";
    detail::throw_error<Error>("autograd::anomaly", os.str());
  }
}

Tensor zeros_for(const Node::OutputMeta& m) {
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
      g = sum_to(g, meta.sizes);
    }
    EMBER_CHECK(g.sizes() == IntArrayRef(meta.sizes), ShapeError, "backward",
                "Function ", node.name(), " returned an invalid gradient at index ", i,
                " - got ", g.sizes(), " but expected shape compatible with ",
                IntArrayRef(meta.sizes));
  }
  if (g.dtype() != meta.dtype) g = g.to(meta.dtype);
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

  // Root edges and their gradients.
  std::vector<std::pair<Edge, Tensor>> starts;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& r = roots[i];
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
    EMBER_CHECK(t.requires_grad(), Error, op, "One of the differentiated Tensors (input ", i,
                ") does not require grad");
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

  // With captures, only nodes on a path to a capture point need to run.
  std::unordered_set<Node*> needed;
  const bool prune = !captures.empty() && !accumulate;
  if (prune) {
    std::unordered_set<Node*> targets;
    for (auto& c : captures) targets.insert(c.node);
    // Fixed point over reverse discovery order (children are discovered after parents).
    bool changed = true;
    while (changed) {
      changed = false;
      for (auto it = order.rbegin(); it != order.rend(); ++it) {
        Node* n = *it;
        if (needed.count(n)) continue;
        bool need = targets.count(n) > 0;
        for (const Edge& e : n->next_edges())
          if (e.is_valid() && needed.count(e.function.get())) need = true;
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
    if (n->has_pre_hooks()) n->run_pre_hooks(grads);
    for (auto& c : captures)
      if (c.node == n && grads[c.input_nr].defined()) results[c.index] = grads[c.input_nr];
    const bool is_leaf_acc = dynamic_cast<AccumulateGrad*>(n) != nullptr;
    bool run = true;
    if (is_leaf_acc && !accumulate) run = false;
    if (prune && !needed.count(n)) run = false;
    if (is_leaf_acc && accumulate && !captures.empty()) {
      run = false;  // backward(inputs=...) accumulates only into the listed leaves
      for (auto& c : captures) if (c.node == n) run = true;
    }
    variable_list out;
    if (run) {
      bool any_defined = false;
      for (auto& g : grads) any_defined = any_defined || g.defined();
      if (any_defined) {
        for (size_t i = 0; i < grads.size(); ++i)
          if (!grads[i].defined()) grads[i] = zeros_for(n->input_meta(i));
        out = n->apply(std::move(grads));
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

  if (!accumulate) {
    for (size_t i = 0; i < results.size(); ++i) {
      EMBER_CHECK(results[i].defined() || allow_unused, Error, op,
                  "One of the differentiated Tensors (input ", i,
                  ") appears to not have been used in the graph. Set allow_unused=true if this "
                  "is the desired behavior.");
      if (results[i].defined() && !create_graph) results[i] = results[i].detach();
    }
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
