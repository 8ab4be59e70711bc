#pragma once
// Graph export: the tape reachable from a tensor as Graphviz DOT text (torchviz's
// make_dot). Render with `dot -Tsvg graph.dot -o graph.svg`.
//
// One DOT node per autograd node, labelled with the backward function's name
// (AddmmBackward0), the shapes of its forward outputs and the sizes of its saved tensors;
// one per leaf (AccumulateGrad), labelled with the parameter's name when one is given,
// else with its shape. Edges follow the forward data flow: from each input's node to the
// node that consumed it. The tensor's own grad_fn is filled green, leaves blue.
#include <string>

#include "ember/ordered_dict.h"
#include "ember/tensor.h"

namespace ember::autograd {

/// The tape reachable from `t` as Graphviz DOT text; leaves are labelled by shape.
std::string to_dot(const Tensor& t);
/// Same, leaves labelled by the names of `params` (e.g. `model->named_parameters()`).
std::string to_dot(const Tensor& t, const OrderedDict<std::string, Tensor>& params);

}  // namespace ember::autograd
