// Op-table rows for the first slice: binary arithmetic (with broadcasting), unary math,
// where, clamp.
#include "op_table.h"

namespace {
using namespace ember_test;
using ember::Tensor;

const RegisterOps rows({
    {"add", {{{3, 4}}, {{3, 4}}}, one([](const Inputs& x) { return ember::add(x[0], x[1], 2.5); })},
    {"add broadcast", {{{3, 4}}, {{4}}}, one([](const Inputs& x) { return x[0] + x[1]; })},
    {"sub broadcast", {{{2, 1, 4}}, {{3, 1}}}, one([](const Inputs& x) { return ember::sub(x[0], x[1], 0.5); })},
    {"mul", {{{3, 4}}, {{3, 4}}}, one([](const Inputs& x) { return x[0] * x[1]; })},
    {"mul scalar", {{{3, 4}}}, one([](const Inputs& x) { return 3.0 * x[0]; })},
    {"div", {{{3, 4}}, {{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return x[0] / x[1]; })},
    {"div broadcast", {{{4}}, {{3, 1}, Domain::AwayFromZero}}, one([](const Inputs& x) { return x[0] / x[1]; })},
    {"pow", {{{3, 4}, Domain::Positive}, {{3, 4}}}, one([](const Inputs& x) { return ember::pow(x[0], x[1]); })},
    {"pow scalar", {{{3, 4}}}, one([](const Inputs& x) { return x[0].pow(3); })},
    {"rpow", {{{3, 4}}}, one([](const Inputs& x) { return ember::pow(2.0, x[0]); })},
    {"maximum", {{{3, 4}}, {{3, 4}}}, one([](const Inputs& x) { return ember::maximum(x[0], x[1]); }), false},
    {"minimum", {{{3, 4}}, {{4}}}, one([](const Inputs& x) { return ember::minimum(x[0], x[1]); }), false},
    {"remainder", {{{3, 4}}, {{3, 4}, Domain::Positive}},
     one([](const Inputs& x) { return ember::remainder(x[0] * 0.3, x[1]); }), false},
    {"neg", {{{3, 4}}}, one([](const Inputs& x) { return -x[0]; })},
    {"exp", {{{3, 4}}}, one([](const Inputs& x) { return x[0].exp(); })},
    {"log", {{{3, 4}, Domain::Positive}}, one([](const Inputs& x) { return x[0].log(); })},
    {"log1p", {{{3, 4}, Domain::Positive}}, one([](const Inputs& x) { return x[0].log1p(); })},
    {"expm1", {{{3, 4}}}, one([](const Inputs& x) { return x[0].expm1(); })},
    {"sqrt", {{{3, 4}, Domain::Positive}}, one([](const Inputs& x) { return x[0].sqrt(); })},
    {"rsqrt", {{{3, 4}, Domain::Positive}}, one([](const Inputs& x) { return x[0].rsqrt(); })},
    {"abs", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return x[0].abs(); }), false},
    {"sin", {{{3, 4}}}, one([](const Inputs& x) { return x[0].sin(); })},
    {"cos", {{{3, 4}}}, one([](const Inputs& x) { return x[0].cos(); })},
    {"tan", {{{3, 4}, Domain::Unit}}, one([](const Inputs& x) { return x[0].tan(); })},
    {"tanh", {{{3, 4}}}, one([](const Inputs& x) { return x[0].tanh(); })},
    {"sigmoid", {{{3, 4}}}, one([](const Inputs& x) { return x[0].sigmoid(); })},
    {"relu", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return x[0].relu(); }), false},
    {"square", {{{3, 4}}}, one([](const Inputs& x) { return x[0].square(); })},
    {"reciprocal", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return x[0].reciprocal(); })},
    {"log2", {{{3, 4}, Domain::Positive}}, one([](const Inputs& x) { return x[0].log2(); })},
    {"log10", {{{3, 4}, Domain::Positive}}, one([](const Inputs& x) { return x[0].log10(); })},
    {"erf", {{{3, 4}}}, one([](const Inputs& x) { return x[0].erf(); })},
    {"clamp", {{{3, 4}}}, one([](const Inputs& x) { return x[0].clamp(-0.5, 0.7); }), false},
    {"where", {{{3, 4}}, {{4}}},
     one([](const Inputs& x) { return ember::where(x[0] > 0, x[0], x[1]); }), false},
});

}  // namespace
