// Op-table rows for convolution, pooling, upsampling, padding and im2col/col2im. Shapes
// are small so gradcheck stays fast; every linear op's backward is its adjoint kernel,
// so gradgradcheck runs on the rows too (max pools are piecewise linear: their random
// inputs have no near-ties, so finite differences do not cross a kink).
#include "op_table.h"

namespace {
using namespace ember_test;
using ember::Tensor;

const RegisterOps rows({
    // ---- convolution -----------------------------------------------------------------
    {"conv2d stride pad dilation groups", {{{2, 4, 5, 4}}, {{6, 2, 3, 2}}, {{6}}},
     one([](const Inputs& x) { return ember::conv2d(x[0], x[1], x[2], {2, 1}, {1, 0}, {1, 2}, 2); })},
    {"conv2d same asymmetric", {{{1, 2, 5, 4}}, {{2, 2, 2, 3}}},
     one([](const Inputs& x) { return ember::conv2d(x[0], x[1], {}, 1, "same"); })},
    {"conv2d pointwise unbatched", {{{3, 3, 3}}, {{2, 3, 1, 1}}, {{2}}},
     one([](const Inputs& x) { return ember::conv2d(x[0], x[1], x[2]); })},
    {"conv1d", {{{2, 2, 7}}, {{4, 1, 3}}, {{4}}},
     one([](const Inputs& x) { return ember::conv1d(x[0], x[1], x[2], 2, 1, 2, 2); })},
    {"conv_transpose2d", {{{2, 4, 3, 2}}, {{4, 3, 3, 2}}, {{6}}},
     one([](const Inputs& x) { return ember::conv_transpose2d(x[0], x[1], x[2], 2, 1, 1, 2); })},
    {"conv_transpose2d output_padding from dilation", {{{1, 2, 3, 3}}, {{2, 2, 2, 2}}},
     one([](const Inputs& x) { return ember::conv_transpose2d(x[0], x[1], {}, 1, 0, 1, 1, 2); })},
    {"conv_transpose1d dilation", {{{2, 3, 4}}, {{3, 2, 3}}, {{2}}},
     one([](const Inputs& x) { return ember::conv_transpose1d(x[0], x[1], x[2], 2, 1, 1, 1, 2); })},
    {"convolution_backward", {{{1, 3, 3, 3}}, {{1, 2, 4, 4}}, {{3, 2, 2, 2}}},
     [](const Inputs& x) {
       const std::vector<int64_t> bias_sizes{3};
       auto [gx, gw, gb] = ember::convolution_backward(x[0], x[1], x[2], bias_sizes, {2, 1}, {1, 0}, {1, 1}, false,
                                                       {0}, 1, {true, true, true});
       return std::vector<Tensor>{gx, gw, gb};
     }},
    // ---- pooling ---------------------------------------------------------------------
    {"max_pool2d", {{{2, 2, 5, 5}}}, one([](const Inputs& x) { return ember::max_pool2d(x[0], 3, 2, 1); })},
    {"max_pool2d dilation ceil", {{{1, 2, 6, 5}}},
     one([](const Inputs& x) { return ember::max_pool2d(x[0], {2, 3}, 2, 1, {2, 1}, true); })},
    {"max_pool1d", {{{2, 2, 7}}}, one([](const Inputs& x) { return ember::max_pool1d(x[0], 3, 2, 1); })},
    {"avg_pool2d include pad", {{{2, 2, 5, 4}}}, one([](const Inputs& x) { return ember::avg_pool2d(x[0], 3, 2, 1); })},
    {"avg_pool2d exclude pad ceil divisor", {{{1, 2, 5, 4}}},
     one([](const Inputs& x) {
       return ember::avg_pool2d(x[0], 3, 2, 1, true, false) + ember::avg_pool2d(x[0], {2, 3}, 1, 1, true, true, 4).sum();
     })},
    {"avg_pool1d", {{{2, 2, 7}}}, one([](const Inputs& x) { return ember::avg_pool1d(x[0], 3, 2, 1, true, false); })},
    {"adaptive_avg_pool2d", {{{2, 2, 5, 7}}}, one([](const Inputs& x) { return ember::adaptive_avg_pool2d(x[0], {3, 4}); })},
    {"adaptive_avg_pool1d", {{{2, 3, 7}}}, one([](const Inputs& x) { return ember::adaptive_avg_pool1d(x[0], 3); })},
    {"adaptive_max_pool2d", {{{1, 2, 5, 6}}},
     one([](const Inputs& x) { return std::get<0>(ember::adaptive_max_pool2d(x[0], {2, 4})); })},
    {"adaptive_max_pool1d", {{{2, 2, 7}}},
     one([](const Inputs& x) { return std::get<0>(ember::adaptive_max_pool1d(x[0], 3)); })},
    // ---- upsampling ------------------------------------------------------------------
    {"upsample_nearest2d", {{{1, 2, 3, 4}}}, one([](const Inputs& x) { return ember::upsample_nearest2d(x[0], {5, 7}); })},
    {"upsample_nearest1d scale", {{{2, 2, 4}}},
     one([](const Inputs& x) { return ember::upsample_nearest1d(x[0], std::nullopt, std::vector<double>{1.7}); })},
    {"upsample_bilinear2d", {{{1, 2, 3, 4}}},
     one([](const Inputs& x) { return ember::upsample_bilinear2d(x[0], {5, 6}, false); })},
    {"upsample_bilinear2d align_corners", {{{1, 2, 3, 4}}},
     one([](const Inputs& x) { return ember::upsample_bilinear2d(x[0], {4, 7}, true); })},
    {"upsample_bilinear2d scales down", {{{1, 1, 5, 4}}},
     one([](const Inputs& x) {
       return ember::upsample_bilinear2d(x[0], std::nullopt, false, std::vector<double>{0.6, 1.5});
     })},
    // ---- padding and unfold/fold -----------------------------------------------------
    {"constant_pad_nd", {{{2, 3, 4}}}, one([](const Inputs& x) { return ember::constant_pad_nd(x[0], {1, 2, -1, 1}, 0.5); })},
    {"reflection_pad2d", {{{1, 2, 3, 4}}}, one([](const Inputs& x) { return ember::reflection_pad2d(x[0], {2, 3, 1, 2}); })},
    {"reflection_pad1d", {{{2, 5}}}, one([](const Inputs& x) { return ember::reflection_pad1d(x[0], {3, 2}); })},
    {"replication_pad2d", {{{1, 2, 3, 3}}}, one([](const Inputs& x) { return ember::replication_pad2d(x[0], {2, 0, 1, 3}); })},
    {"replication_pad1d", {{{1, 2, 3}}}, one([](const Inputs& x) { return ember::replication_pad1d(x[0], {2, 3}); })},
    {"pad circular", {{{1, 1, 3, 4}}}, one([](const Inputs& x) { return ember::pad(x[0], {2, 1, 1, 3}, "circular"); })},
    {"im2col", {{{2, 2, 5, 4}}}, one([](const Inputs& x) { return ember::im2col(x[0], {2, 3}, {2, 1}, {1, 0}, {2, 1}); })},
    {"col2im", {{{2, 8, 6}}}, one([](const Inputs& x) { return ember::col2im(x[0], {5, 4}, {2, 2}, {1, 1}, {0, 1}, {2, 2}); })},
});

}  // namespace
