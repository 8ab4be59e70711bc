// create_graph through the formulas of the reduction, linear algebra, view and copy
// ops and of in-place ops: each is checked by gradgradcheck (finite differences of the
// first gradient, float64). The elementwise formulas are covered by the op table.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <functional>
#include <string>
#include <vector>

using namespace ember;
using ember::autograd::variable_list;

namespace {

Tensor wave(std::vector<int64_t> shape, double phase) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return sin(arange(n, TensorOptions().dtype(kDouble)) * 1.3 + phase).reshape(shape).requires_grad_(true);
}

struct Case {
  std::string name;
  std::vector<std::vector<int64_t>> shapes;
  std::function<Tensor(const variable_list&)> fn;
};

}  // namespace

TEST_CASE("double backward: reductions, linear algebra, views, copies, in-place", "[autograd][gradcheck]") {
  const std::vector<Case> cases = {
      {"sum", {{3, 4}}, [](const variable_list& x) { return (x[0] * x[0]).sum(); }},
      {"sum dim keepdim", {{3, 4}}, [](const variable_list& x) { return (x[0] * x[0]).sum({1}, true); }},
      {"mean dims", {{2, 3, 4}}, [](const variable_list& x) { return (x[0] * x[0]).mean({0, 2}); }},
      {"amax", {{3, 4}}, [](const variable_list& x) { return (x[0] * x[0]).amax({1}); }},
      {"max dim", {{3, 4}}, [](const variable_list& x) { return std::get<0>((x[0] * x[0]).max(1)); }},
      {"mm", {{2, 3}, {3, 4}}, [](const variable_list& x) { return mm(x[0], x[1]); }},
      {"bmm", {{2, 2, 3}, {2, 3, 2}}, [](const variable_list& x) { return bmm(x[0], x[1]); }},
      {"mv", {{3, 4}, {4}}, [](const variable_list& x) { return mv(x[0], x[1]); }},
      {"dot", {{5}, {5}}, [](const variable_list& x) { return dot(x[0], x[1]); }},
      {"outer", {{3}, {2}}, [](const variable_list& x) { return outer(x[0], x[1]); }},
      {"addmm", {{2, 4}, {2, 3}, {3, 4}}, [](const variable_list& x) { return addmm(x[0], x[1], x[2], 0.5, 2.0); }},
      {"matmul batched", {{2, 2, 3}, {3}}, [](const variable_list& x) { return matmul(x[0], x[1]); }},
      {"matmul broadcast", {{2, 1, 2, 3}, {2, 3, 2}}, [](const variable_list& x) { return matmul(x[0], x[1]); }},
      {"reshape transpose", {{2, 6}}, [](const variable_list& x) { return (x[0].reshape({3, 4}).t() * x[0].view({4, 3})); }},
      {"permute", {{2, 3, 4}}, [](const variable_list& x) { return x[0].permute({2, 0, 1}) * x[0].permute({2, 0, 1}); }},
      {"expand", {{3, 1}}, [](const variable_list& x) { return x[0].expand({3, 4}) * x[0]; }},
      {"narrow select slice", {{4, 5}},
       [](const variable_list& x) { return x[0].narrow(1, 1, 3).select(0, 2) * x[0].slice(0, 0, 4, 2).sum(0).narrow(0, 0, 3); }},
      {"squeeze unsqueeze", {{3, 1, 2}}, [](const variable_list& x) { return x[0].squeeze(1).unsqueeze(0) * x[0].squeeze(); }},
      {"diagonal", {{3, 3}}, [](const variable_list& x) { return x[0].diagonal() * x[0].diagonal(1).sum(); }},
      {"as_strided", {{6}}, [](const variable_list& x) { return x[0].as_strided({2, 2}, {2, 1}, 1) * x[0].narrow(0, 0, 2); }},
      {"clone", {{2, 3}}, [](const variable_list& x) { return x[0].clone() * x[0]; }},
      {"where", {{2, 3}, {2, 3}}, [](const variable_list& x) { return where(x[0] > 0, x[0] * x[1], x[1] * x[1]); }},
      {"mul_ div_ on a non-leaf", {{2, 3}, {2, 3}},
       [](const variable_list& x) {
         Tensor y = x[0] * 1;
         y.mul_(x[1]);
         y.div_(x[1] * x[1] + 2);
         return y;
       }},
      {"exp_ sin_ pow_ on a non-leaf", {{2, 3}},
       [](const variable_list& x) {
         Tensor y = x[0] * 0.5;
         y.exp_();
         y.sin_();
         y.pow_(2);
         return y;
       }},
      {"copy_ into a fresh tensor", {{3}},
       [](const variable_list& x) {
         Tensor y = zeros({3}, TensorOptions().dtype(kDouble));
         y.copy_(x[0] * x[0]);
         return y * x[0];
       }},
  };
  for (const Case& c : cases) {
    INFO("case " << c.name);
    variable_list in;
    double phase = 0.1;
    for (const auto& s : c.shapes) in.push_back(wave(s, phase += 0.7));
    auto fn = [&c](const variable_list& x) { return variable_list{c.fn(x)}; };
    CHECK_NOTHROW(autograd::gradcheck(fn, in));
    CHECK_NOTHROW(autograd::gradgradcheck(fn, in));
  }
}
