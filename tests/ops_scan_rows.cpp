// Op-table rows for reductions and scans: prod, cumsum/cumprod/logcumsumexp, var/std and
// their _mean forms, norms, and the sort family (values only; indices carry no gradient).
#include <limits>

#include "op_table.h"

namespace {
using namespace ember_test;
using ember::Tensor;

const double kInf = std::numeric_limits<double>::infinity();

const RegisterOps rows({
    {"prod", {{{2, 3}}}, one([](const Inputs& x) { return x[0].prod(); })},
    {"prod dim", {{{3, 4}}}, one([](const Inputs& x) { return x[0].prod(1); })},
    {"prod dim keepdim", {{{2, 3, 4}}}, one([](const Inputs& x) { return x[0].prod(0, true); })},
    {"prod 0-dim", {{{}}}, one([](const Inputs& x) { return x[0].prod(0); })},
    {"cumsum", {{{3, 4}}}, one([](const Inputs& x) { return x[0].cumsum(1); })},
    {"cumsum dim 0", {{{3, 4, 2}}}, one([](const Inputs& x) { return x[0].cumsum(0); })},
    {"cumprod", {{{3, 4}}}, one([](const Inputs& x) { return x[0].cumprod(1); })},
    {"cumprod dim 0", {{{4, 3}}}, one([](const Inputs& x) { return x[0].cumprod(-2); })},
    {"logcumsumexp", {{{3, 4}}}, one([](const Inputs& x) { return x[0].logcumsumexp(1); })},
    {"logcumsumexp dim 0", {{{4, 2}}}, one([](const Inputs& x) { return x[0].logcumsumexp(0); })},
    {"var", {{{3, 4}}}, one([](const Inputs& x) { return x[0].var(); })},
    {"var dims", {{{2, 3, 4}}}, one([](const Inputs& x) { return x[0].var({0, 2}, false, true); })},
    {"var correction", {{{3, 4}}},
     one([](const Inputs& x) { return ember::var(x[0], {1}, std::optional<int64_t>(2)); })},
    {"std", {{{3, 4}}}, one([](const Inputs& x) { return x[0].std(0); })},
    {"std all biased", {{{3, 4}}}, one([](const Inputs& x) { return x[0].std(false); })},
    {"var_mean", {{{3, 4}}},
     [](const Inputs& x) {
       auto [v, m] = ember::var_mean(x[0], {1}, true, true);
       return std::vector<Tensor>{v, m};
     }},
    {"std_mean", {{{3, 4}}},
     [](const Inputs& x) {
       auto [s, m] = ember::std_mean(x[0], 0);
       return std::vector<Tensor>{s, m};
     }},
    {"norm", {{{3, 4}}}, one([](const Inputs& x) { return x[0].norm(); })},
    {"norm p=2 dim", {{{3, 4}}}, one([](const Inputs& x) { return x[0].norm(2, {1}); })},
    {"norm p=1", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return x[0].norm(1, {0}, true); }),
     false},
    {"norm p=3", {{{3, 4}}}, one([](const Inputs& x) { return x[0].norm(3, {1}); })},
    {"norm p=1.5", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return x[0].norm(1.5); })},
    {"norm p=0.5", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return x[0].norm(0.5, {1}); })},
    {"norm p=inf", {{{3, 4}}}, one([](const Inputs& x) { return x[0].norm(kInf, {1}); }), false},
    {"norm p=-inf", {{{3, 4}}}, one([](const Inputs& x) { return x[0].norm(-kInf); }), false},
    {"norm dtype", {{{3, 4}}}, one([](const Inputs& x) { return ember::norm(x[0], 2, {0}, false, ember::kDouble); })},
    {"frobenius_norm", {{{2, 3, 4}}}, one([](const Inputs& x) { return ember::frobenius_norm(x[0], {1, 2}); })},
    {"sort", {{{3, 5}}}, one([](const Inputs& x) { return std::get<0>(x[0].sort()); })},
    {"sort dim 0 descending", {{{4, 3}}}, one([](const Inputs& x) { return std::get<0>(x[0].sort(0, true)); })},
    {"topk", {{{3, 5}}}, one([](const Inputs& x) { return std::get<0>(x[0].topk(2)); })},
    {"topk smallest dim 0", {{{4, 3}}}, one([](const Inputs& x) { return std::get<0>(x[0].topk(3, 0, false)); })},
    {"kthvalue", {{{3, 5}}}, one([](const Inputs& x) { return std::get<0>(x[0].kthvalue(2)); })},
    {"kthvalue keepdim", {{{4, 3}}}, one([](const Inputs& x) { return std::get<0>(x[0].kthvalue(3, 0, true)); })},
    {"median", {{{3, 5}}}, one([](const Inputs& x) { return x[0].median(); })},
    {"median dim", {{{3, 5}}}, one([](const Inputs& x) { return std::get<0>(x[0].median(1)); })},
    {"mode", {{{3, 5}}}, one([](const Inputs& x) { return std::get<0>(x[0].mode(0, true)); })},
});

}  // namespace
