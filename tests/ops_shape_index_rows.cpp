// Op-table rows for joining, rearranging and indexing. Index inputs come from
// Domain::Index where repeated indices are allowed (gathers, accumulating scatters);
// ops whose gradient is only defined for distinct targets (scatter, index_copy,
// index_put without accumulate) use fixed index tensors built in the row.
#include "op_table.h"

namespace {
using namespace ember_test;
using ember::Tensor;
using namespace ember::indexing;
using O = std::vector<std::optional<Tensor>>;

Tensor dbl_empty() { return ember::empty({0}, ember::TensorOptions(ember::kDouble)); }

const RegisterOps rows({
    // ---- joining ----
    {"cat", {{{2, 3}}, {{2, 2}}}, one([](const Inputs& x) { return ember::cat({x[0], x[1]}, 1); })},
    {"cat skips empty", {{{2, 3}}, {{1, 3}}},
     one([](const Inputs& x) { return ember::cat({dbl_empty(), x[0], dbl_empty(), x[1]}, 0); })},
    {"stack", {{{2, 3}}, {{2, 3}}, {{2, 3}}}, one([](const Inputs& x) { return ember::stack({x[0], x[1], x[2]}, -1); })},
    {"hstack", {{{3}}, {{2}}}, one([](const Inputs& x) { return ember::hstack({x[0], x[1]}); })},
    {"vstack", {{{3}}, {{2, 3}}}, one([](const Inputs& x) { return ember::vstack({x[0], x[1]}); })},
    {"dstack", {{{2, 3}}, {{2, 3}}}, one([](const Inputs& x) { return ember::dstack({x[0], x[1]}); })},
    {"column_stack", {{{2}}, {{2, 3}}}, one([](const Inputs& x) { return ember::column_stack({x[0], x[1]}); })},
    {"repeat", {{{2, 3}}}, one([](const Inputs& x) { return x[0].repeat({2, 1, 2}); })},
    {"tile", {{{2, 3}}}, one([](const Inputs& x) { return x[0].tile({2}); })},
    {"repeat_interleave int", {{{2, 3}}}, one([](const Inputs& x) { return x[0].repeat_interleave(2, 1); })},
    {"repeat_interleave flat", {{{2, 3}}}, one([](const Inputs& x) { return x[0].repeat_interleave(3); })},
    {"repeat_interleave tensor", {{{3, 2}}},
     one([](const Inputs& x) { return x[0].repeat_interleave(ember::tensor({2, 0, 3}), 0); })},
    // ---- rearranging ----
    {"flip", {{{2, 3, 2}}}, one([](const Inputs& x) { return x[0].flip({0, -1}); })},
    {"roll", {{{3, 4}}}, one([](const Inputs& x) { return x[0].roll({1, -3}, {0, 1}); })},
    {"roll flat", {{{3, 4}}}, one([](const Inputs& x) { return x[0].roll({5}); })},
    {"rot90", {{{2, 3}}}, one([](const Inputs& x) { return ember::rot90(x[0], 3); })},
    {"tril", {{{3, 4}}}, one([](const Inputs& x) { return x[0].tril(1); })},
    {"triu batched", {{{2, 3, 3}}}, one([](const Inputs& x) { return x[0].triu(-1); })},
    {"diag vector", {{{3}}}, one([](const Inputs& x) { return x[0].diag(1); })},
    {"diag matrix", {{{3, 4}}}, one([](const Inputs& x) { return x[0].diag(-1); })},
    {"diag_embed", {{{2, 3}}}, one([](const Inputs& x) { return ember::diag_embed(x[0], -1, 0, 2); })},
    {"diagflat", {{{2, 2}}}, one([](const Inputs& x) { return ember::diagflat(x[0], 1); })},
    {"movedim", {{{2, 3, 4}}}, one([](const Inputs& x) { return x[0].movedim({0, 2}, {1, 0}); })},
    {"unflatten", {{{2, 6}}}, one([](const Inputs& x) { return x[0].unflatten(1, {3, -1}); })},
    // ---- index kernels along a dim ----
    {"index_select", {{{4, 3}}, {{5}, Domain::Index, 4}},
     one([](const Inputs& x) { return x[0].index_select(0, x[1]); })},
    {"index_select dim 1", {{{2, 4}}, {{3}, Domain::Index, 4}},
     one([](const Inputs& x) { return ember::index_select(x[0], -1, x[1]); })},
    {"gather", {{{3, 4}}, {{3, 5}, Domain::Index, 4}}, one([](const Inputs& x) { return x[0].gather(1, x[1]); })},
    {"scatter", {{{3, 4}}, {{2, 5}}},
     one([](const Inputs& x) { return x[0].scatter(0, ember::tensor({{0, 1, 2, 0}, {2, 0, 1, 1}}), x[1]); })},
    {"scatter value", {{{3, 4}}},
     one([](const Inputs& x) { return x[0].scatter(1, ember::tensor({{3}, {0}, {1}}), 1.5); })},
    {"scatter_add", {{{3, 4}}, {{4, 4}}, {{4, 4}, Domain::Index, 3}},
     one([](const Inputs& x) { return x[0].scatter_add(0, x[2], x[1]); })},
    {"scatter reduce add", {{{3, 4}}, {{2, 4}}, {{2, 4}, Domain::Index, 3}},
     one([](const Inputs& x) { return x[0].scatter(0, x[2], x[1], "add"); })},
    {"index_add", {{{4, 3}}, {{5, 3}}, {{5}, Domain::Index, 4}},
     one([](const Inputs& x) { return x[0].index_add(0, x[2], x[1], 2); })},
    {"index_copy", {{{4, 3}}, {{2, 3}}},
     one([](const Inputs& x) { return x[0].index_copy(0, ember::tensor({3, 1}), x[1]); })},
    {"index_fill", {{{3, 4}}, {{}}},
     one([](const Inputs& x) { return x[0].index_fill(1, ember::tensor({0, 2}), x[1]); })},
    {"take", {{{3, 4}}, {{2, 3}, Domain::Index, 12}}, one([](const Inputs& x) { return ember::take(x[0], x[1]); })},
    {"take_along_dim", {{{3, 4}}, {{1, 2}, Domain::Index, 4}},
     one([](const Inputs& x) { return ember::take_along_dim(x[0], x[1], 1); })},
    {"embedding", {{{5, 3}}, {{2, 3}, Domain::Index, 5}},
     one([](const Inputs& x) { return ember::embedding(x[0], x[1]); })},
    // ---- masks and advanced indexing ----
    {"masked_select", {{{3, 4}}},
     one([](const Inputs& x) { return x[0].masked_select(ember::tensor({true, false, true, true})); })},
    {"masked_scatter", {{{3, 4}}, {{8}}},
     one([](const Inputs& x) { return x[0].masked_scatter(ember::tensor({false, true, true, false}), x[1]); })},
    {"index adjacent", {{{3, 4, 5}}, {{2, 3}, Domain::Index, 4}, {{3}, Domain::Index, 5}},
     one([](const Inputs& x) { return ember::index(x[0], O{std::nullopt, x[1], x[2]}); })},
    {"index separated", {{{3, 4, 5}}, {{2}, Domain::Index, 3}, {{2}, Domain::Index, 5}},
     one([](const Inputs& x) { return ember::index(x[0], O{x[1], std::nullopt, x[2]}); })},
    {"index mask", {{{2, 3, 2}}},
     one([](const Inputs& x) {
       return x[0].index(O{ember::tensor({true, false, true, true, false, true}).view({2, 3})});
     })},
    {"index_put accumulate", {{{3, 4}}, {{5}}, {{5}, Domain::Index, 3}, {{5}, Domain::Index, 4}},
     one([](const Inputs& x) { return x[0].index_put(O{x[2], x[3]}, x[1], true); })},
    {"index_put", {{{3, 4}}, {{2}}},
     one([](const Inputs& x) { return x[0].index_put(O{ember::tensor({0, 2}), ember::tensor({3, 1})}, x[1]); })},
    {"index_put broadcast", {{{3, 4}}, {{1, 4}}},
     one([](const Inputs& x) { return x[0].index_put(O{ember::tensor({2, 0})}, x[1]); })},
    // ---- the indexing API ----
    {"Tensor::index", {{{3, 4, 5}}},
     one([](const Inputs& x) { return x[0].index({Slice(1, None), None, ember::tensor({3, 0}), Ellipsis, -2}); })},
    {"Tensor::index_put_", {{{3, 4}}, {{2}}},
     one([](const Inputs& x) {
       Tensor y = x[0] * 1;
       y.index_put_({Slice(0, 2), 1}, x[1]);
       y.index_put_({ember::tensor({2}), ember::tensor({3})}, x[1].sum());
       return y;
     })},
});

}  // namespace
