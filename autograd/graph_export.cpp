// to_dot: the tape reachable from a tensor as Graphviz DOT text (see graph_export.h).
#include "ember/graph_export.h"

#include <deque>
#include <sstream>
#include <unordered_map>

#include "autograd/function.h"

namespace ember::autograd {
namespace {

using NameMap = std::unordered_map<const detail::TensorImpl*, std::string>;

std::string shape_text(IntArrayRef s) {
  std::ostringstream os;
  os << s;
  return os.str();
}

// A DOT string literal; "\n" inside labels stays DOT's line break.
std::string quoted(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    if (c == '"') r += "\\\"";
    else if (c == '\n') r += "\\n";
    else r += c;
  }
  return r + "\"";
}

std::string node_label(Node& n, const NameMap& names) {
  if (auto* acc = dynamic_cast<AccumulateGrad*>(&n)) {
    const Tensor leaf = acc->variable();
    if (!leaf.defined()) return "(freed leaf)";
    auto it = names.find(leaf.unsafeGetTensorImpl());
    const std::string shape = shape_text(leaf.sizes());
    return it == names.end() ? shape : it->second + "\n" + shape;
  }
  std::string label = n.name();
  if (n.num_inputs() > 0) {
    label += "\nout: ";
    for (size_t i = 0; i < n.num_inputs(); ++i) {
      if (i) label += ", ";
      label += shape_text(n.input_meta(i).sizes);
    }
  }
  std::string saved;
  size_t shown = 0;
  for (size_t i = 0; i < n.num_saved(); ++i) {
    std::string s;
    try {
      const Tensor t = n.saved(i);
      if (!t.defined()) continue;  // a slot the formula does not need for this call
      s = shape_text(t.sizes());
    } catch (const Error&) {
      s = "freed";  // released by backward, or modified in place since it was saved
    }
    saved += (shown++ ? ", " : "") + s;
  }
  if (shown) label += "\nsaved: " + saved;
  return label;
}

std::string dot_of(const Tensor& t, const NameMap& names) {
  std::ostringstream os;
  os << "digraph autograd {\n"
     << "  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"monospace\", fontsize=10];\n";
  Node* root = t.defined() ? t.grad_fn() : nullptr;
  detail::intrusive_ptr<Node> leaf_acc;
  if (!root && t.defined() && t.requires_grad()) {
    leaf_acc = gradient_edge(t).function;  // a leaf: its accumulator is the whole graph
    root = leaf_acc.get();
  }
  if (!root) {
    std::string label = t.defined() ? shape_text(t.sizes()) + "\n(no grad_fn)" : "(undefined tensor)";
    os << "  n0 [label=" << quoted(label) << "];\n}\n";
    return os.str();
  }
  // Breadth first from the root: ids follow discovery order, so the text is stable.
  std::unordered_map<Node*, size_t> ids;
  std::deque<Node*> queue{root};
  std::vector<Node*> order;
  ids[root] = 0;
  while (!queue.empty()) {
    Node* n = queue.front();
    queue.pop_front();
    order.push_back(n);
    for (const Edge& e : n->next_edges()) {
      if (!e.is_valid()) continue;
      if (ids.emplace(e.function.get(), ids.size()).second) queue.push_back(e.function.get());
    }
  }
  for (Node* n : order) {
    const bool is_leaf = dynamic_cast<AccumulateGrad*>(n) != nullptr;
    os << "  n" << ids[n] << " [label=" << quoted(node_label(*n, names)) << "";
    if (n == root) os << ", fillcolor=darkolivegreen1";
    else if (is_leaf) os << ", fillcolor=lightblue";
    os << "];\n";
  }
  for (Node* n : order)
    for (const Edge& e : n->next_edges())
      if (e.is_valid()) os << "  n" << ids[e.function.get()] << " -> n" << ids[n] << ";\n";
  os << "}\n";
  return os.str();
}

}  // namespace

std::string to_dot(const Tensor& t) { return dot_of(t, {}); }

std::string to_dot(const Tensor& t, const OrderedDict<std::string, Tensor>& params) {
  NameMap names;
  for (const auto& item : params)
    if (item.value().defined()) names.emplace(item.value().unsafeGetTensorImpl(), item.key());
  return dot_of(t, names);
}

}  // namespace ember::autograd
