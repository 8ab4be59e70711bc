// Runs every row of the op table: gradcheck on contiguous and non-contiguous float64
// inputs, gradgradcheck on smooth rows.
#include <catch2/catch.hpp>

#include "op_table.h"

namespace ember_test {

std::vector<OpCase>& op_table() {
  static std::vector<OpCase> table;
  return table;
}

Tensor make_input(const OpInput& spec, bool noncontiguous) {
  using namespace ember;
  auto opts = TensorOptions().dtype(kDouble);
  Tensor t;
  switch (spec.domain) {
    case Domain::Any: t = randn(spec.shape, opts); break;
    case Domain::Positive: t = rand(spec.shape, opts) + 0.5; break;
    case Domain::Unit: t = rand(spec.shape, opts) * 1.8 - 0.9; break;
    case Domain::AwayFromZero: {
      Tensor mag = rand(spec.shape, opts) + 0.5;
      Tensor sgn = where(rand(spec.shape, opts) > 0.5, ones(spec.shape, opts), -ones(spec.shape, opts));
      t = mag * sgn;
      break;
    }
    case Domain::Index:
      return randint(0, spec.index_high, spec.shape, TensorOptions().dtype(kLong));
  }
  if (noncontiguous && t.dim() >= 1 && t.numel() > 1) {
    // Same values, stored with a gap between elements of the last dim.
    std::vector<int64_t> wide = spec.shape;
    wide.back() *= 2;
    Tensor base = zeros(wide, opts);
    Tensor view = base.slice(-1, 0, wide.back(), 2);
    view.copy_(t);
    t = view;
  }
  return t.detach().requires_grad_(true);
}

}  // namespace ember_test

using namespace ember_test;

TEST_CASE("op table: every differentiable op passes gradcheck", "[gradcheck]") {
  REQUIRE(!op_table().empty());
  for (const OpCase& c : op_table()) {
    for (bool nc : {false, true}) {
      if (nc && !c.noncontiguous) continue;
      ember::manual_seed(42);
      Inputs in;
      for (const auto& spec : c.inputs) in.push_back(make_input(spec, nc));
      if (nc) {
        for (size_t i = 0; i < in.size(); ++i)
          if (c.inputs[i].domain != Domain::Index && in[i].numel() > 1) CHECK_FALSE(in[i].is_contiguous());
      }
      INFO("op " << c.name << (nc ? " (non-contiguous inputs)" : ""));
      CHECK_NOTHROW(ember::autograd::gradcheck(c.fn, in));
    }
  }
}

TEST_CASE("op table: smooth ops pass gradgradcheck", "[gradcheck]") {
  for (const OpCase& c : op_table()) {
    if (!c.smooth) continue;
    ember::manual_seed(7);
    Inputs in;
    for (const auto& spec : c.inputs) in.push_back(make_input(spec, false));
    INFO("op " << c.name);
    CHECK_NOTHROW(ember::autograd::gradgradcheck(c.fn, in));
  }
}
