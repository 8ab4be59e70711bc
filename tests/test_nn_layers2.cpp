// nn modules added with issue 5's second slice: Conv1d, ConvTranspose1d/2d, the 1-D and
// adaptive pools, Upsample / F::interpolate, F::pad and the distance functions. Forward
// values and printing are compared with libtorch 1.13 (tests/nn_layers2_reference.h,
// computed by a reference program on the same seq() inputs and weights).
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <cmath>
#include <sstream>
#include <string>

#include "nn_layers2_reference.h"
#include "nn_test_util.h"

namespace nn = ember::nn;
namespace F = ember::nn::functional;
using ember::Tensor;
using nn_test::check_ref;
using nn_test::seq;

namespace {

std::string printed(const nn::Module& m) {
  std::ostringstream s;
  m.pretty_print(s);
  return s.str();
}

// Converts the module to float64 and sets weight (and bias) to seq(shape, seed): what the
// reference program did.
template <class M>
void set_weights(M& m, double sw, double sb) {
  m->to(ember::kDouble);
  ember::NoGradGuard g;
  m->weight.copy_(seq(m->weight.sizes().vec(), sw));
  if (m->bias.defined()) m->bias.copy_(seq(m->bias.sizes().vec(), sb));
}

// Largest |value| of t and whether all lie within bound.
bool within(const Tensor& t, double bound) { return t.abs().max().item<double>() <= bound; }

}  // namespace

TEST_CASE("nn::Conv1d: values, parameters, init, printing", "[nn][layers2]") {
  nn::Conv1d c(nn::Conv1dOptions(2, 3, 3).stride(2).padding(1));
  CHECK(c->weight.sizes() == std::vector<int64_t>{3, 2, 3});
  CHECK(c->bias.sizes() == std::vector<int64_t>{3});
  CHECK(c->named_parameters().keys() == std::vector<std::string>{"weight", "bias"});
  // libtorch's init: kaiming_uniform_(a = sqrt(5)) gives bound 1/sqrt(fan_in) = 1/sqrt(6),
  // the bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  const double bound = 1.0 / std::sqrt(6.0);
  CHECK(within(c->weight, bound));
  CHECK(within(c->bias, bound));
  CHECK(c->weight.abs().max().item<double>() > bound / 2);
  CHECK(printed(*c) == std::string(nn_ref2::print_conv1d));
  set_weights(c, 0.1, 0.2);
  check_ref(c(seq({2, 2, 7}, 0.3)), nn_ref2::conv1d);

  nn::Conv1d g(nn::Conv1dOptions(4, 2, 2).groups(2).dilation(2).bias(false));
  CHECK(g->weight.sizes() == std::vector<int64_t>{2, 2, 2});
  CHECK(!g->bias.defined());
  CHECK(g->named_parameters().keys() == std::vector<std::string>{"weight"});
  CHECK(printed(*g) == std::string(nn_ref2::print_conv1d_groups));
  set_weights(g, 0.4, 0);
  check_ref(g(seq({1, 4, 6}, 0.5)), nn_ref2::conv1d_groups);

  nn::Conv1d circ(nn::Conv1dOptions(1, 1, 3).padding(2).padding_mode(ember::kCircular));
  CHECK(printed(*circ) == std::string(nn_ref2::print_conv1d_circular));
  set_weights(circ, 0.6, 0.7);
  check_ref(circ(seq({1, 1, 5}, 0.8)), nn_ref2::conv1d_circular);
  CHECK(printed(*nn::Conv1d(3, 4, 5)) == std::string(nn_ref2::print_conv1d_default));
  // Unbatched [C, L] input gives [C_out, L_out].
  CHECK(c(seq({2, 7}, 0.3)).sizes() == std::vector<int64_t>{3, 4});

  CHECK_OP_ERROR(nn::Conv1d(nn::Conv1dOptions(3, 4, 2).groups(2)), ember::ShapeError, "nn::Conv1d", "divisible");
  CHECK_OP_ERROR(nn::Conv1d(nn::Conv1dOptions(2, 4, 0)), ember::ShapeError, "nn::Conv1d", "kernel_size");
  REQUIRE_THROWS_AS(c(seq({2, 3, 7}, 0.3)), ember::ShapeError);  // 3 channels into a 2-channel conv
}

TEST_CASE("nn::ConvTranspose1d/2d: values, output_size, init, printing", "[nn][layers2]") {
  nn::ConvTranspose1d t1(nn::ConvTranspose1dOptions(2, 3, 3).stride(2).padding(1).output_padding(1));
  CHECK(t1->weight.sizes() == std::vector<int64_t>{2, 3, 3});
  CHECK(t1->bias.sizes() == std::vector<int64_t>{3});
  // fan_in of the transposed weight [C_in, C_out / groups, k] is C_out / groups * k = 9.
  CHECK(within(t1->weight, 1.0 / 3.0));
  CHECK(within(t1->bias, 1.0 / 3.0));
  CHECK(printed(*t1) == std::string(nn_ref2::print_convt1d));
  set_weights(t1, 0.1, 0.2);
  check_ref(t1(seq({2, 2, 4}, 0.3)), nn_ref2::convt1d);

  nn::ConvTranspose2d t2(
      nn::ConvTranspose2dOptions(4, 2, {2, 3}).stride({2, 1}).padding({0, 1}).output_padding({1, 0}).groups(2).dilation(
          {1, 2}));
  CHECK(t2->weight.sizes() == std::vector<int64_t>{4, 1, 2, 3});
  CHECK(printed(*t2) == std::string(nn_ref2::print_convt2d));
  set_weights(t2, 0.9, 1.0);
  check_ref(t2(seq({1, 4, 3, 3}, 1.1)), nn_ref2::convt2d);

  nn::ConvTranspose2d t3(nn::ConvTranspose2dOptions(2, 2, 3).stride(2).padding(1));
  CHECK(printed(*t3) == std::string(nn_ref2::print_convt2d_plain));
  set_weights(t3, 1.2, 1.3);
  Tensor x = seq({1, 2, 3, 3}, 1.4);
  check_ref(t3(x), nn_ref2::convt2d_plain);
  check_ref(t3->forward(x, std::vector<int64_t>{6, 6}), nn_ref2::convt2d_outsize);
  check_ref(t3->forward(x, std::vector<int64_t>{1, 2, 6, 6}), nn_ref2::convt2d_outsize);
  CHECK(printed(*nn::ConvTranspose2d(3, 4, 5)) == std::string(nn_ref2::print_convt2d_default));
  CHECK(printed(*nn::ConvTranspose1d(3, 4, 5)) == std::string(nn_ref2::print_convt1d_default));

  // Valid output sizes are 5 and 6 here.
  CHECK_OP_ERROR(t3->forward(x, std::vector<int64_t>{7, 6}), ember::ShapeError, "nn::ConvTranspose2d",
                 "valid sizes range from 5 to 6");
  CHECK_OP_ERROR(t3->forward(x, std::vector<int64_t>{6}), ember::ShapeError, "nn::ConvTranspose2d", "output_size");
  CHECK_OP_ERROR(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(2, 2, 3).padding_mode(ember::kReflect)), ember::Error,
                 "nn::ConvTranspose2d", "zeros");
  CHECK_OP_ERROR(nn::ConvTranspose1d(nn::ConvTranspose1dOptions(3, 2, 3).groups(2)), ember::ShapeError,
                 "nn::ConvTranspose1d", "divisible");
}

TEST_CASE("nn conv layers: gradcheck through the modules", "[nn][layers2]") {
  namespace ag = ember::autograd;
  nn::ConvTranspose2d t(nn::ConvTranspose2dOptions(2, 2, 2).stride(2).groups(2));
  set_weights(t, 0.3, 0.4);
  Tensor x = seq({1, 2, 2, 3}, 0.2).requires_grad_(true);
  ag::variable_list in{x, t->weight, t->bias};
  CHECK(ag::gradcheck([&](const ag::variable_list& v) {
    (void)v;
    return ag::variable_list{t->forward(v[0], std::vector<int64_t>{5, 7})};
  }, in));

  nn::Conv1d c(nn::Conv1dOptions(2, 2, 2).padding(1).padding_mode(ember::kReplicate));
  set_weights(c, 0.5, 0.6);
  Tensor y = seq({1, 2, 4}, 0.7).requires_grad_(true);
  ag::variable_list in2{y, c->weight, c->bias};
  CHECK(ag::gradcheck([&](const ag::variable_list& v) { return ag::variable_list{c(v[0])}; }, in2));

  nn::Upsample u(nn::UpsampleOptions().scale_factor(std::vector<double>{2.5}).mode(ember::kLinear));
  Tensor z = seq({1, 2, 3}, 0.9).requires_grad_(true);
  CHECK(ag::gradcheck([&](const ag::variable_list& v) { return ag::variable_list{u(v[0])}; }, {z}));
}

TEST_CASE("nn 1-D and adaptive pooling: values, indices, printing", "[nn][layers2]") {
  Tensor x = seq({2, 3, 8}, 0.2);
  nn::MaxPool1d m(nn::MaxPool1dOptions(3).stride(2).padding(1));
  check_ref(m(x), nn_ref2::maxpool1d);
  auto [mv, mi] = m->forward_with_indices(x);
  check_ref(mv, nn_ref2::maxpool1d);
  check_ref(mi, nn_ref2::maxpool1d_idx);
  CHECK(mi.dtype() == ember::kLong);
  CHECK(printed(*m) == std::string(nn_ref2::print_maxpool1d));
  nn::MaxPool1d m2(nn::MaxPool1dOptions(3).ceil_mode(true).dilation(2));
  CHECK(m2->options.stride().vec() == std::vector<int64_t>{3});  // stride defaults to kernel_size
  check_ref(m2(x), nn_ref2::maxpool1d_ceil);
  CHECK(printed(*m2) == std::string(nn_ref2::print_maxpool1d_ceil));

  nn::AvgPool1d a(nn::AvgPool1dOptions(3).stride(2).padding(1).count_include_pad(false).ceil_mode(true));
  check_ref(a(x), nn_ref2::avgpool1d);
  CHECK(printed(*a) == std::string(nn_ref2::print_avgpool1d));
  nn::AvgPool1d a2(2);
  check_ref(a2(x), nn_ref2::avgpool1d_plain);
  CHECK(printed(*a2) == std::string(nn_ref2::print_avgpool1d_plain));
  check_ref(F::avg_pool1d(x, F::AvgPool1dFuncOptions(2)), nn_ref2::avgpool1d_plain);
  check_ref(F::max_pool1d(x, F::MaxPool1dFuncOptions(3).stride(2).padding(1)), nn_ref2::maxpool1d);

  Tensor y = seq({2, 3, 7}, 0.6);
  nn::AdaptiveAvgPool1d aa(3);
  check_ref(aa(y), nn_ref2::adaptive_avg1d);
  check_ref(F::adaptive_avg_pool1d(y, F::AdaptiveAvgPool1dFuncOptions(3)), nn_ref2::adaptive_avg1d);
  CHECK(printed(*aa) == std::string(nn_ref2::print_adaptive_avg1d));
  nn::AdaptiveMaxPool1d am(3);
  check_ref(am(y), nn_ref2::adaptive_max1d);
  check_ref(std::get<1>(am->forward_with_indices(y)), nn_ref2::adaptive_max1d_idx);
  check_ref(F::adaptive_max_pool1d(y, F::AdaptiveMaxPool1dFuncOptions(3)), nn_ref2::adaptive_max1d);
  CHECK(printed(*am) == std::string(nn_ref2::print_adaptive_max1d));

  Tensor z = seq({1, 2, 5, 7}, 0.7);
  nn::AdaptiveMaxPool2d am2(nn::AdaptiveMaxPool2dOptions({2, 3}));
  check_ref(am2(z), nn_ref2::adaptive_max2d);
  auto [v2, i2] = am2->forward_with_indices(z);
  check_ref(i2, nn_ref2::adaptive_max2d_idx);
  check_ref(std::get<1>(F::adaptive_max_pool2d_with_indices(z, F::AdaptiveMaxPool2dFuncOptions({2, 3}))),
            nn_ref2::adaptive_max2d_idx);
  CHECK(printed(*am2) == std::string(nn_ref2::print_adaptive_max2d));

  // MaxPool2d::forward_with_indices: the indices pick the maxima out of each plane.
  nn::MaxPool2d mp(2);
  auto [pv, pi] = mp->forward_with_indices(z);
  CHECK(ember::equal(pv, mp(z)));
  CHECK(ember::equal(z.flatten(2).gather(2, pi.flatten(2)), pv.flatten(2)));

  // These modules have no parameters.
  CHECK(m->parameters().empty());
  CHECK(am2->parameters().empty());
  REQUIRE_THROWS_AS(m(seq({2, 3, 4, 5, 6}, 0.1)), ember::ShapeError);
  REQUIRE_THROWS_AS(am2(seq({5}, 0.1)), ember::ShapeError);
}

TEST_CASE("nn::Upsample and F::interpolate: values, printing, errors", "[nn][layers2]") {
  Tensor x1 = seq({1, 2, 3}, 0.1), x2 = seq({1, 1, 3, 4}, 0.2);
  using DV = std::vector<double>;
  using IV = std::vector<int64_t>;
  nn::Upsample u1(nn::UpsampleOptions().scale_factor(DV{2}).mode(ember::kNearest));
  check_ref(u1(x1), nn_ref2::up_nearest1d);
  CHECK(printed(*u1) == std::string(nn_ref2::print_up_nearest1d));
  nn::Upsample u2(nn::UpsampleOptions().size(IV{5, 7}));
  check_ref(u2(x2), nn_ref2::up_nearest2d);
  CHECK(printed(*u2) == std::string(nn_ref2::print_up_nearest2d));
  nn::Upsample u3(nn::UpsampleOptions().scale_factor(DV{2.5}).mode(ember::kLinear));
  check_ref(u3(x1), nn_ref2::up_linear);
  CHECK(printed(*u3) == std::string(nn_ref2::print_up_linear));
  nn::Upsample u4(nn::UpsampleOptions().size(IV{7}).mode(ember::kLinear).align_corners(true));
  check_ref(u4(x1), nn_ref2::up_linear_ac);
  CHECK(printed(*u4) == std::string(nn_ref2::print_up_linear_ac));
  nn::Upsample u5(nn::UpsampleOptions().size(IV{5, 6}).mode(ember::kBilinear).align_corners(false));
  check_ref(u5(x2), nn_ref2::up_bilinear);
  CHECK(printed(*u5) == std::string(nn_ref2::print_up_bilinear));
  nn::Upsample u6(nn::UpsampleOptions().scale_factor(DV{1.5, 2.0}).mode(ember::kBilinear).align_corners(true));
  check_ref(u6(x2), nn_ref2::up_bilinear_ac);
  CHECK(printed(*u6) == std::string(nn_ref2::print_up_bilinear_ac));

  auto bil = F::InterpolateFuncOptions().scale_factor(DV{1.7, 1.3}).mode(ember::kBilinear).align_corners(false);
  check_ref(F::interpolate(x2, bil), nn_ref2::interp_bilinear_scale);
  check_ref(F::interpolate(x2, bil.recompute_scale_factor(true)), nn_ref2::interp_bilinear_scale_recompute);
  check_ref(F::interpolate(x2, F::InterpolateFuncOptions().scale_factor(DV{1.7, 2.5})), nn_ref2::interp_nearest_scale);

  CHECK_OP_ERROR(F::interpolate(x2, F::InterpolateFuncOptions().size(IV{5, 6}).align_corners(true)), ember::Error,
                 "nn::functional::interpolate", "align_corners");
  CHECK_OP_ERROR(F::interpolate(x2, F::InterpolateFuncOptions()), ember::Error, "nn::functional::interpolate",
                 "either size or scale_factor");
  CHECK_OP_ERROR(F::interpolate(x2, F::InterpolateFuncOptions().size(IV{5, 6}).scale_factor(DV{2, 2})), ember::Error,
                 "nn::functional::interpolate", "only one of");
  CHECK_OP_ERROR(F::interpolate(x1, F::InterpolateFuncOptions().size(IV{5}).mode(ember::kBilinear)),
                 ember::ShapeError, "nn::functional::interpolate", "bilinear mode needs 4D input");
  CHECK_OP_ERROR(F::interpolate(x2, F::InterpolateFuncOptions().size(IV{5, 6}).mode(ember::kLinear)),
                 ember::ShapeError, "nn::functional::interpolate", "linear mode needs 3D input");
  CHECK_OP_ERROR(F::interpolate(x2, F::InterpolateFuncOptions().size(IV{5})), ember::ShapeError,
                 "nn::functional::interpolate", "size shape must match");
  CHECK_OP_ERROR(nn::UpsampleOptions().mode(ember::kTanh), ember::Error, "nn::InterpolateMode", "kLinear");
}

TEST_CASE("F::pad: constant, reflect, replicate and circular modes", "[nn][layers2]") {
  Tensor x3 = seq({1, 2, 4}, 0.3), x4 = seq({1, 1, 3, 4}, 0.4);
  check_ref(F::pad(x3, F::PadFuncOptions({1, 2}).value(0.5)), nn_ref2::pad_constant);
  check_ref(F::pad(x4, F::PadFuncOptions({1, 0, -1, 2})), nn_ref2::pad_constant4);
  check_ref(F::pad(x3, F::PadFuncOptions({2, 1}).mode(ember::kReflect)), nn_ref2::pad_reflect);
  check_ref(F::pad(x4, F::PadFuncOptions({2, 1, 1, 2}).mode(ember::kReflect)), nn_ref2::pad_reflect4);
  check_ref(F::pad(x4, F::PadFuncOptions({1, 2, 2, 1}).mode(ember::kReplicate)), nn_ref2::pad_replicate);
  check_ref(F::pad(x3, F::PadFuncOptions({3, 1}).mode(ember::kReplicate)), nn_ref2::pad_replicate3);
  check_ref(F::pad(x3, F::PadFuncOptions({1, 2}).mode(ember::kCircular)), nn_ref2::pad_circular);
  check_ref(F::pad(x4, F::PadFuncOptions({1, 1, 2, 0}).mode(ember::kCircular)), nn_ref2::pad_circular4);
  CHECK_OP_ERROR(F::pad(x3, F::PadFuncOptions({1, 1}).mode(ember::kReflect).value(2)), ember::Error, "pad",
                 "doesn't take in value");
  CHECK_OP_ERROR(F::pad(x3, F::PadFuncOptions({1, 1, 1}).mode(ember::kReplicate)), ember::ShapeError, "pad",
                 "divisible by 2");
}

TEST_CASE("F::normalize, cosine_similarity, pairwise_distance, one_hot", "[nn][layers2]") {
  Tensor x = seq({3, 4}, 0.5), y = seq({3, 4}, 0.9);
  check_ref(F::normalize(x, F::NormalizeFuncOptions()), nn_ref2::normalize);
  check_ref(F::normalize(x, F::NormalizeFuncOptions().p(1).dim(0)), nn_ref2::normalize_p1_dim0);
  Tensor out = ember::empty({3, 4}, ember::kDouble);
  F::normalize(x, F::NormalizeFuncOptions().out(out));
  check_ref(out, nn_ref2::normalize);
  // eps bounds the denominator: a zero row stays zero instead of becoming NaN.
  CHECK(F::normalize(ember::zeros({2, 3}, ember::kDouble)).abs().sum().item<double>() == 0.0);
  check_ref(F::cosine_similarity(x, y, F::CosineSimilarityFuncOptions()), nn_ref2::cosine_similarity);
  check_ref(F::cosine_similarity(x, y, F::CosineSimilarityFuncOptions().dim(0)), nn_ref2::cosine_similarity_dim0);
  check_ref(F::pairwise_distance(x, y, F::PairwiseDistanceFuncOptions()), nn_ref2::pairwise_distance);
  check_ref(F::pairwise_distance(x, y, F::PairwiseDistanceFuncOptions().p(1).keepdim(true)),
            nn_ref2::pairwise_distance_p1);
  Tensor oh = F::one_hot(ember::tensor({2, 0, 1}), 4);
  CHECK(oh.dtype() == ember::kLong);
  check_ref(oh, nn_ref2::one_hot);
  CHECK_OP_ERROR(F::normalize(x, F::NormalizeFuncOptions().dim(2)), ember::IndexError, "nn::functional::normalize",
                 "out of range");
  CHECK_OP_ERROR(F::normalize(ember::tensor({1, 2})), ember::DTypeError, "nn::functional::normalize",
                 "floating-point");
}
