// autograd::to_dot: the DOT text of a small graph, node by node and edge by edge, with
// and without parameter names; leaves, tensors without history, a freed graph.
#include <catch2/catch.hpp>
#include <ember/ember.h>
#include <ember/graph_export.h>
#include <ember/nn/summary.h>

#include <string>

using namespace ember;

namespace {

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
  return n;
}

// A model whose forward is written with ops (not Linear::forward), so the graph is fixed:
// sum(relu(addmm(fc.bias, x, fc.weight.t()))).
struct Net : nn::Module {
  nn::Linear fc{nullptr};
  Net() { fc = register_module("fc", nn::Linear(3, 4)); }
  Tensor forward(const Tensor& x) { return addmm(fc->bias, x, fc->weight.t()).relu().sum(); }
};

const char* kHeader =
    "digraph autograd {\n"
    "  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"monospace\", fontsize=10];\n";

}  // namespace

TEST_CASE("to_dot: nodes named by op with shapes and saved sizes, leaves by parameter name", "[graph_export]") {
  auto net = std::make_shared<Net>();
  Tensor y = net->forward(ones({2, 3}));
  const std::string dot = autograd::to_dot(y, *net);
  const std::string expected = std::string(kHeader) +
      "  n0 [label=\"SumBackward0\\nout: []\", fillcolor=darkolivegreen1];\n"
      "  n1 [label=\"ReluBackward0\\nout: [2, 4]\\nsaved: [2, 4]\"];\n"
      "  n2 [label=\"AddmmBackward0\\nout: [2, 4]\\nsaved: [2, 3], [3, 4]\"];\n"
      "  n3 [label=\"fc.bias\\n[4]\", fillcolor=lightblue];\n"
      "  n4 [label=\"TransposeBackward0\\nout: [3, 4]\"];\n"
      "  n5 [label=\"fc.weight\\n[4, 3]\", fillcolor=lightblue];\n"
      "  n1 -> n0;\n"
      "  n2 -> n1;\n"
      "  n3 -> n2;\n"
      "  n4 -> n2;\n"
      "  n5 -> n4;\n"
      "}\n";
  CHECK(dot == expected);
  // The same structure, counted: 6 nodes (2 leaves), 5 edges, one root.
  CHECK(count(dot, "[label=") == 6);
  CHECK(count(dot, " -> ") == 5);
  CHECK(count(dot, "fillcolor=lightblue") == 2);
  CHECK(count(dot, "fillcolor=darkolivegreen1") == 1);

  // named_parameters() gives the same names; without names leaves show their shape.
  CHECK(autograd::to_dot(y, net->named_parameters()) == dot);
  const std::string anonymous = autograd::to_dot(y);
  CHECK(anonymous.find("  n3 [label=\"[4]\", fillcolor=lightblue];\n") != std::string::npos);
  CHECK(anonymous.find("  n5 [label=\"[4, 3]\", fillcolor=lightblue];\n") != std::string::npos);
  CHECK(anonymous.find("fc.") == std::string::npos);
  CHECK(count(anonymous, " -> ") == 5);
}

TEST_CASE("to_dot: shared inputs, leaves, tensors without history, freed graphs", "[graph_export]") {
  Tensor a = full({2}, 3.0).requires_grad_();
  // a used twice by one node: two edges from the same leaf.
  Tensor sq = a * a;
  const std::string dot = autograd::to_dot(sq);
  CHECK(dot == std::string(kHeader) +
                   "  n0 [label=\"MulBackward0\\nout: [2]\\nsaved: [2], [2]\", fillcolor=darkolivegreen1];\n"
                   "  n1 [label=\"[2]\", fillcolor=lightblue];\n"
                   "  n1 -> n0;\n"
                   "  n1 -> n0;\n"
                   "}\n");

  // A leaf alone: its accumulator is the graph.
  CHECK(autograd::to_dot(a) == std::string(kHeader) + "  n0 [label=\"[2]\", fillcolor=darkolivegreen1];\n}\n");
  // No history at all.
  CHECK(autograd::to_dot(ones({2, 2})) == std::string(kHeader) + "  n0 [label=\"[2, 2]\\n(no grad_fn)\"];\n}\n");

  // After backward the saved tensors are released: the graph is still drawn.
  Tensor s = (a * a).sum();
  s.backward();
  const std::string after = autograd::to_dot(s);
  CHECK(after.find("MulBackward0\\nout: [2]\\nsaved: freed, freed") != std::string::npos);
  CHECK(count(after, " -> ") == 3);
}
