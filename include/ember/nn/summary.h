#pragma once
// ember::summary: a model's layers with their output shapes and parameter counts
// (torchinfo's / keras's summary), found by running one forward pass on zeros with
// forward hooks on every submodule.
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "ember/graph_export.h"
#include "ember/nn/module.h"

namespace ember {

/// One row of a ModelSummary: a module call seen during the forward pass.
struct LayerSummary {
  std::string name;                   // dotted path ("features.0"); "" for the model itself
  std::string type;                   // "Linear", "Conv2d", ...
  std::vector<int64_t> output_shape;  // empty when the module was not called
  int64_t num_params = 0;             // parameters of the module and its submodules
  int depth = 0;                      // nesting depth (0 = the model)
  bool called = false;
};

/// What ember::summary() found; printing it gives the table.
struct ModelSummary {
  std::vector<LayerSummary> layers;  // the model, then its submodules in call order
  std::vector<int64_t> input_shape;
  int64_t total_params = 0;
  int64_t trainable_params = 0;
  /// The summary as a table.
  std::string to_string() const;
};
std::ostream& operator<<(std::ostream& os, const ModelSummary& s);

namespace detail {
/// summary()'s work: hooks every submodule of root, runs forward(zeros) in eval mode
/// without grad, restores the module's mode and removes the hooks.
ModelSummary summarize(nn::Module& root, IntArrayRef input_shape, ScalarType dtype,
                       const std::function<Tensor(const Tensor&)>& forward);
}  // namespace detail

/// Each layer's output shape and parameter count for an input of `input_shape` (run on
/// zeros of `dtype`). `module` is a module holder or shared_ptr with forward(Tensor).
template <class ModuleType>
ModelSummary summary(ModuleType& module, IntArrayRef input_shape, ScalarType dtype = kFloat) {
  return detail::summarize(*module, input_shape, dtype, [&](const Tensor& x) -> Tensor { return module->forward(x); });
}

}  // namespace ember

namespace ember::autograd {
/// to_dot with leaves labelled by `module`'s parameter names.
std::string to_dot(const Tensor& t, const nn::Module& module);
}  // namespace ember::autograd
