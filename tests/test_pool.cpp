// Pooling forward values (and max-pool indices) against libtorch 1.13 (reference numbers
// computed with libtorch on the inputs of conv_ref::inp), NaN handling, error paths.
#include <limits>

#include "conv_ref.h"

using conv_ref::check;
using conv_ref::inp;
using conv_ref::Ref;
using conv_ref::require_shape_error;
using ember::Tensor;

namespace {
// Reference rows computed with libtorch 1.13 (torch::max_pool2d_with_indices etc.).
const std::vector<Ref> kPoolRefs = {
    {"max_pool2d k3 s2 p1", {2, 3, 4, 4}, 75.939999999999998, -10.900000000000006, {0.8600000000000001, 0.45999999999999996, 0.65999999999999992, 0.52000000000000002}},
    {"max_pool2d k3 s2 p1 indices", {2, 3, 4, 4}, 2276, 969, {7, 1, 4, 12}},
    {"max_pool2d dilation ceil", {1, 2, 5, 4}, 26.02, 5.8599999999999977, {-0.19999999999999996, 0.54000000000000004, 0.73999999999999999, 0.73999999999999999}},
    {"max_pool2d dilation ceil indices", {1, 2, 5, 4}, 1296, 54, {8, 9, 12, 12}},
    {"max_pool2d unbatched ceil", {2, 3, 3}, 8.1600000000000019, 6.8399999999999981, {0.89999999999999991, 0.3600000000000001, 0.76000000000000001, 0.21999999999999997}},
    {"max_pool2d unbatched ceil indices", {2, 3, 3}, 238, -261, {1, 3, 9, 11}},
    {"max_pool1d", {2, 3, 4}, 11.800000000000002, 7.2399999999999993, {0.58000000000000007, 0.58000000000000007, 0.58000000000000007, 0.040000000000000036}},
    {"max_pool1d indices", {2, 3, 4}, 86, 62, {3, 3, 3, 5}},
    {"max_pool2d float32", {2, 3, 4, 4}, 75.93999981880188, -10.900000900030136, {0.86000001430511475, 0.46000000834465027, 0.6600000262260437, 0.51999998092651367}},
    {"avg_pool2d include pad", {2, 2, 4, 3}, 0.20444444444444454, -3.4777777777777774, {0.071111111111111125, -0.051111111111111107, 0.037777777777777771, 0.057777777777777789}},
    {"avg_pool2d exclude pad ceil", {2, 2, 4, 4}, 1.5811111111111111, -20.001111111111118, {0.16000000000000003, -0.076666666666666661, 0.056666666666666664, 0.45999999999999996}},
    {"avg_pool2d divisor", {1, 2, 6, 4}, 0.36799999999999972, -5.484, {0.072000000000000022, -0.23599999999999999, -0.156, -0.064000000000000015}},
    {"avg_pool1d", {2, 2, 4}, 0.12500000000000006, -5.5650000000000013, {-0.60999999999999999, -0.14000000000000001, 0.059999999999999942, 0.52999999999999992}},
    {"adaptive_avg_pool2d", {2, 3, 3, 4}, 0.79666666666666663, -12.183333333333334, {-0.056666666666666664, 0.0099999999999999898, 0.076666666666666647, -0.19333333333333338}},
    {"adaptive_avg_pool1d", {2, 2, 3}, 0.28000000000000003, 1.0333333333333332, {0.19999999999999996, 0.33333333333333331, -0.20666666666666669, -0.0066666666666665986}},
    {"adaptive_max_pool2d", {2, 2, 4, 3}, 35.399999999999999, -5.9399999999999977, {0.82000000000000006, 0.28000000000000003, 0.62000000000000011, 0.87999999999999989}},
    {"adaptive_max_pool2d indices", {2, 2, 4, 3}, 1030, 208, {7, 9, 4, 18}},
    {"adaptive_max_pool1d", {1, 3, 4}, 7.6399999999999997, 2.6800000000000006, {0.6399999999999999, 0.84000000000000008, 0.30000000000000004, 0.5}},
    {"adaptive_max_pool1d indices", {1, 3, 4}, 53, 16, {1, 4, 6, 9}},
    {"avg_pool2d include pad ceil", {2, 2, 4, 4}, 0.56777777777777794, -8.7633333333333354, {0.071111111111111125, -0.051111111111111107, 0.037777777777777771, 0.15333333333333332}},
    {"avg_pool1d include pad ceil", {2, 2, 4}, -0.28499999999999992, -5.0500000000000007, {-0.30499999999999999, -0.14000000000000001, 0.059999999999999942, 0.26499999999999996}},
    {"adaptive_avg_pool2d up", {1, 2, 5, 4}, 2.3849999999999998, -14.419999999999995, {0.12000000000000011, 0.4900000000000001, 0.22000000000000003, -0.42000000000000004}},
};
const Ref& ref(const std::string& name) {
  for (const Ref& r : kPoolRefs)
    if (r.name == name) return r;
  throw std::runtime_error("no reference row " + name);
}
}  // namespace

TEST_CASE("max pooling matches libtorch, indices included", "[pool]") {
  auto [v, i] = ember::max_pool2d_with_indices(inp({2, 3, 7, 7}, 40), 3, 2, 1);
  CHECK(i.dtype() == ember::kLong);
  check(v, ref("max_pool2d k3 s2 p1"));
  check(i, ref("max_pool2d k3 s2 p1 indices"));
  auto [v2, i2] = ember::max_pool2d_with_indices(inp({1, 2, 8, 7}, 41), {2, 3}, {2, 2}, {1, 1}, {2, 1}, true);
  check(v2, ref("max_pool2d dilation ceil"));
  check(i2, ref("max_pool2d dilation ceil indices"));
  auto [v3, i3] = ember::max_pool2d_with_indices(inp({2, 5, 5}, 42), 2, {}, 0, 1, true);
  check(v3, ref("max_pool2d unbatched ceil"));
  check(i3, ref("max_pool2d unbatched ceil indices"));
  auto [v4, i4] = ember::max_pool1d_with_indices(inp({2, 3, 9}, 43), 3, 2, 1, 2, true);
  check(v4, ref("max_pool1d"));
  check(i4, ref("max_pool1d indices"));
  check(ember::max_pool1d(inp({2, 3, 9}, 43), 3, 2, 1, 2, true), ref("max_pool1d"));
  check(ember::max_pool2d(inp({2, 3, 7, 7}, 40, ember::kFloat), 3, 2, 1), ref("max_pool2d float32"), 1e-6);
}

TEST_CASE("max pooling propagates NaN and routes the gradient to the maximum", "[pool]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Tensor x = ember::tensor({1.0, 5.0, nan, 2.0, 3.0, 4.0, 0.0, -1.0}).reshape({1, 1, 2, 4});
  auto [v, i] = ember::max_pool2d_with_indices(x, 2);
  CHECK(v.select(3, 0).item<double>() == 5.0);
  CHECK(std::isnan(v.select(3, 1).item<double>()));
  CHECK(i.select(3, 0).item<int64_t>() == 1);
  CHECK(i.select(3, 1).item<int64_t>() == 2);
  Tensor y = ember::tensor({1.0, 5.0, 7.0, 2.0, 3.0, 4.0, 0.0, -1.0}).reshape({1, 1, 2, 4}).requires_grad_(true);
  ember::max_pool2d(y, 2).sum().backward();
  CHECK(ember::equal(y.grad().reshape({-1}), ember::tensor({0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0})));
}

TEST_CASE("average and adaptive pooling match libtorch", "[pool]") {
  check(ember::avg_pool2d(inp({2, 2, 7, 6}, 44), 3, 2, 1, false, true), ref("avg_pool2d include pad"));
  check(ember::avg_pool2d(inp({2, 2, 7, 6}, 44), 3, 2, 1, true, false), ref("avg_pool2d exclude pad ceil"));
  check(ember::avg_pool2d(inp({1, 2, 5, 7}, 45), {2, 3}, {1, 2}, {1, 1}, true, true, 5), ref("avg_pool2d divisor"));
  check(ember::avg_pool1d(inp({2, 2, 9}, 46), 4, 3, 2, true, false), ref("avg_pool1d"));
  // ceil_mode windows that overhang the padding: the divisor counts only up to it.
  check(ember::avg_pool2d(inp({2, 2, 7, 6}, 44), 3, 2, 1, true, true), ref("avg_pool2d include pad ceil"));
  check(ember::avg_pool1d(inp({2, 2, 9}, 46), 4, 3, 2, true, true), ref("avg_pool1d include pad ceil"));
  check(ember::adaptive_avg_pool2d(inp({1, 2, 3, 3}, 51), {5, 4}), ref("adaptive_avg_pool2d up"));
  check(ember::adaptive_avg_pool2d(inp({2, 3, 7, 5}, 47), {3, 4}), ref("adaptive_avg_pool2d"));
  check(ember::adaptive_avg_pool1d(inp({2, 2, 7}, 48), 3), ref("adaptive_avg_pool1d"));
  auto [v, i] = ember::adaptive_max_pool2d(inp({2, 2, 7, 6}, 49), {4, 3});
  check(v, ref("adaptive_max_pool2d"));
  check(i, ref("adaptive_max_pool2d indices"));
  auto [v1, i1] = ember::adaptive_max_pool1d(inp({1, 3, 10}, 50), 4);
  check(v1, ref("adaptive_max_pool1d"));
  check(i1, ref("adaptive_max_pool1d indices"));
  // Unbatched input gives the batched result without its batch dim.
  Tensor x = inp({3, 7, 5}, 47);
  CHECK(ember::allclose(ember::adaptive_avg_pool2d(x, {2, 2}), ember::adaptive_avg_pool2d(x.unsqueeze(0), {2, 2})[0]));
}

TEST_CASE("pool errors name the op and the shapes", "[pool]") {
  Tensor x = ember::zeros({1, 2, 5, 5});
  require_shape_error([&] { ember::max_pool2d(x, {2, 2, 2}); }, "max_pool2d", "kernel_size must either be a single int");
  require_shape_error([&] { ember::max_pool2d(ember::zeros({5, 5}), 2); }, "max_pool2d",
                      "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got: [5, 5]");
  require_shape_error([&] { ember::max_pool2d(x, 2, 2, 2); }, "max_pool2d",
                      "pad should be at most half of kernel size, but got pad=2 and kernel_size=2");
  require_shape_error([&] { ember::max_pool2d(ember::zeros({1, 2, 2, 2}), 3); }, "max_pool2d",
                      "Given input size: (2x2x2). Calculated output size: (2x0x0). Output size is too small");
  require_shape_error([&] { ember::max_pool2d(x, 2, 0); }, "max_pool2d", "stride should be greater than zero");
  require_shape_error([&] { ember::max_pool2d(x, 2, 2, 0, 0); }, "max_pool2d",
                      "dilation should be greater than zero");
  require_shape_error([&] { ember::max_pool1d(x, 2); }, "max_pool1d", "Expected 2D or 3D input tensor, but got [1, 2, 5, 5]");
  require_shape_error([&] { ember::avg_pool2d(x, 2, 2, 0, false, true, 0); }, "avg_pool2d",
                      "divisor must be not zero");
  require_shape_error([&] { ember::avg_pool1d(ember::zeros({1, 2, 3}), 4); }, "avg_pool1d", "Output size is too small");
  require_shape_error([&] { ember::adaptive_avg_pool2d(x, {2}); }, "adaptive_avg_pool2d", "output_size must have 2");
  require_shape_error([&] { ember::adaptive_avg_pool2d(ember::zeros({1, 0, 5, 5}), {2, 2}); }, "adaptive_avg_pool2d",
                      "non-zero size for non-batch dimensions");
  require_shape_error([&] { ember::adaptive_max_pool2d(ember::zeros({5}), {2, 2}); }, "adaptive_max_pool2d",
                      "Expected 3D or 4D tensor, but got [5]");
  require_shape_error([&] { ember::adaptive_max_pool1d(x, {2}); }, "adaptive_max_pool1d", "Expected 2D or 3D tensor");
  CHECK_THROWS_AS(ember::max_pool2d(x.to(ember::kLong), 2), ember::DTypeError);
}

TEST_CASE("float 2x2 max pooling with stride 2 agrees with the general kernel, NaN, ties and -inf included",
          "[pool]") {
  // The float 2x2 stride-2 window has a vectorised path; double goes through the general
  // scan, whose order is libtorch's (checked above). Values are small integers (many
  // ties), with NaN and -inf mixed in, so both are exact in either type.
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  for (int64_t w : {2, 9, 16, 19, 35}) {
    for (int64_t pad : {0, 1}) {
      for (int64_t dil_h : {1, 2}) {
        const int64_t h = 6;
        Tensor x = ember::remainder((ember::arange(2 * 3 * h * w, ember::kDouble) / 2).floor() * 7, 5).reshape({2, 3, h, w});
        x.view({-1}).index_put_({ember::tensor({3, 17, 40, 41})}, ember::tensor({nan, -inf, nan, nan}).to(ember::kDouble));
        x.view({-1}).index_put_({ember::tensor({5, 6, 7, 8})}, ember::tensor({-inf, -inf, -inf, -inf}).to(ember::kDouble));
        INFO("w " << w << " padding " << pad << " dilation " << dil_h);
        auto [vd, id] = ember::max_pool2d_with_indices(x, 2, 2, pad, {dil_h, 1});
        auto [vf, iff] = ember::max_pool2d_with_indices(x.to(ember::kFloat), 2, 2, pad, {dil_h, 1});
        CHECK(ember::equal(id, iff));
        CHECK(ember::equal(vd.isnan(), vf.isnan()));
        auto no_nan = [](const Tensor& t) { return ember::where(t.isnan(), ember::zeros_like(t), t); };
        CHECK(ember::equal(no_nan(vd), no_nan(vf.to(ember::kDouble))));
      }
    }
  }
}
