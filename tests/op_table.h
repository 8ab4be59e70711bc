#pragma once
// The table of differentiable ops (DESIGN §9): every row is checked by gradcheck in
// float64 on contiguous, non-contiguous and (where the row says so) broadcast inputs, and
// by gradgradcheck when `smooth`. Rows are registered from per-family files with
//   static const ember_test::RegisterOps reg({ {...row...}, ... });
// so the table is one registry without one file that every family edits.
#include <ember/ember.h>

#include <functional>
#include <string>
#include <vector>

namespace ember_test {

using ember::Tensor;
using Inputs = std::vector<Tensor>;

/// How to draw one input's values (kept away from kinks and poles of the op).
enum class Domain {
  Any,          // standard normal
  Positive,     // uniform in [0.5, 1.5]
  Unit,         // uniform in [-0.9, 0.9]
  AwayFromZero, // +-[0.5, 1.5]
  Index,        // int64 indices: not differentiated (shape gives bounds via `index_high`)
};

struct OpInput {
  std::vector<int64_t> shape;
  Domain domain = Domain::Any;
  int64_t index_high = 0;  // for Domain::Index: values in [0, index_high)
};

struct OpCase {
  std::string name;
  std::vector<OpInput> inputs;
  /// The op under test: returns one or more outputs.
  std::function<std::vector<Tensor>(const Inputs&)> fn;
  bool smooth = true;          // also run gradgradcheck
  bool noncontiguous = true;   // also check with non-contiguous inputs
};

std::vector<OpCase>& op_table();

struct RegisterOps {
  RegisterOps(std::vector<OpCase> cases) {
    for (auto& c : cases) op_table().push_back(std::move(c));
  }
};

/// Wraps a single-output op.
inline std::function<std::vector<Tensor>(const Inputs&)> one(std::function<Tensor(const Inputs&)> f) {
  return [f](const Inputs& in) { return std::vector<Tensor>{f(in)}; };
}

/// A float64 input drawn from `domain`, non-contiguous when asked (same values).
Tensor make_input(const OpInput& spec, bool noncontiguous);

}  // namespace ember_test
