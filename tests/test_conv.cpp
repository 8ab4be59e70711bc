// Convolution forward values against libtorch 1.13 (reference numbers computed with
// libtorch on the inputs of conv_ref::inp), error paths, and autograd plumbing beyond
// the op table (unused gradients, double backward through a training-like loss).
#include "conv_ref.h"

using conv_ref::check;
using conv_ref::inp;
using conv_ref::Ref;
using conv_ref::require_shape_error;
using ember::Tensor;

namespace {
// Reference rows computed with libtorch 1.13 (torch::conv2d etc. on the same inputs).
const std::vector<Ref> kConvRefs = {
    {"conv2d basic", {2, 4, 5, 5}, -46.376000000000019, 26.386399999999984, {0.15680000000000022, 1.1747999999999994, -0.59479999999999988, 0.18080000000000018}},
    {"conv2d stride pad dil groups", {2, 6, 4, 7}, -66.377200000000002, 265.10920000000016, {0.85680000000000001, -0.26520000000000021, 1.0899999999999999, 0.30280000000000012}},
    {"conv2d same dilated", {1, 3, 6, 6}, 3.3199999999999998, -51.645599999999973, {0.81040000000000023, 1.3331999999999999, -0.052399999999999773, -0.55400000000000005}},
    {"conv2d same asymmetric", {1, 2, 6, 5}, 0.94320000000000304, -11.163200000000003, {1.8895999999999999, 0.16799999999999954, -1.4728000000000001, -0.7300000000000002}},
    {"conv2d valid", {1, 2, 3, 3}, 2.299599999999999, 40.484000000000002, {-1.7552000000000003, -0.84440000000000004, 0.47039999999999982, -1.2815999999999996}},
    {"conv2d unbatched pointwise", {2, 5, 5}, -4.936799999999999, -15.842000000000002, {-0.045199999999999796, 1.7748000000000002, 0.48400000000000004, -0.24120000000000008}},
    {"conv2d depthwise stride 3", {2, 6, 3, 3}, -39.572799999999994, -46.157999999999966, {-1.3068, -1.7315999999999998, -1.4967999999999999, -1.3072000000000004}},
    {"conv2d float32", {2, 6, 4, 7}, -66.377201752737164, 265.10919237695634, {0.85680001974105835, -0.26520007848739624, 1.0900000333786011, 0.30280005931854248}},
    {"conv1d", {2, 6, 4}, -1.1508000000000003, 19.199999999999999, {-0.73119999999999996, 0.87999999999999989, -0.68279999999999985, 0.7844000000000001}},
    {"conv1d same", {1, 3, 9}, 0.37039999999999851, 21.726799999999997, {-0.97279999999999989, 0.073999999999999844, 1.3947999999999998, -0.96079999999999999}},
    {"conv_transpose2d", {2, 3, 6, 8}, 83.46239999999996, -30.336800000000004, {1.96, 0.20399999999999974, 0.16280000000000006, 0.93239999999999978}},
    {"conv_transpose2d groups dilation", {1, 4, 10, 9}, -4.2852000000000015, -94.90079999999999, {-0.14000000000000004, -0.67800000000000005, 0.18560000000000007, 0.54079999999999995}},
    {"conv_transpose2d unbatched pointwise", {3, 3, 3}, 0.87440000000000029, 3.5879999999999996, {0.10479999999999998, -0.10240000000000003, 0.25600000000000001, 0.048799999999999982}},
    {"conv_transpose1d", {2, 3, 10}, -11.193200000000004, -60.667599999999993, {0.57399999999999984, 0.78119999999999989, 0.91439999999999988, -0.55800000000000016}},
    {"conv_transpose1d groups", {1, 2, 12}, 1.3200000000000003, -3.8387999999999964, {0.40959999999999996, 0, 0.15359999999999996, -0.45440000000000008}},
    {"conv2d same even dilated", {1, 2, 7, 6}, 2.2063999999999986, -9.4395999999999987, {-0.48439999999999994, 1.0247999999999999, 0.81519999999999981, 0.10200000000000001}},
    {"conv_transpose2d output_padding from dilation", {1, 3, 7, 8}, -11.372800000000058, 0.83199999999998386, {-0.099199999999999955, -1.246, -1.3595999999999999, -0.38400000000000001}},
    {"conv_transpose2d output_padding from dilation grad input", {1, 2, 4, 3}, 0.37919999999999932, -16.573599999999999, {0.60880000000000023, 0.6304000000000004, 0.3287999999999997, -1.3191999999999999}},
    {"conv_transpose2d output_padding from dilation grad weight", {2, 3, 2, 3}, -2.6907999999999994, -26.603599999999986, {1.4547999999999999, 1.1348, -0.35679999999999973, -1.994}},
    {"conv2d grad input", {2, 4, 6, 5}, 1.0755999999999972, -85.595199999999991, {-0.25120000000000009, -0.68679999999999997, 0.35759999999999986, 0.55360000000000009}},
    {"conv2d grad weight", {6, 2, 3, 2}, -29.947999999999993, -89.654000000000011, {0.79120000000000024, 1.0004, 0.18720000000000003, 1.6012000000000004}},
    {"conv2d grad bias", {6}, -1.1799999999999988, -27.560000000000009, {-0.11999999999999988, -0.41999999999999971, -0.71999999999999953, -1.02}},
};
const Ref& ref(const std::string& name) {
  for (const Ref& r : kConvRefs)
    if (r.name == name) return r;
  throw std::runtime_error("no reference row " + name);
}
}  // namespace

TEST_CASE("conv2d matches libtorch", "[conv]") {
  using ember::conv2d;
  check(conv2d(inp({2, 3, 7, 6}, 1), inp({4, 3, 3, 2}, 2), inp({4}, 3)), ref("conv2d basic"));
  check(conv2d(inp({2, 4, 8, 7}, 4), inp({6, 2, 3, 3}, 5), inp({6}, 6), {2, 1}, {1, 2}, {1, 2}, 2),
        ref("conv2d stride pad dil groups"));
  check(conv2d(inp({1, 2, 6, 6}, 7), inp({3, 2, 3, 3}, 8), {}, 1, "same", 2), ref("conv2d same dilated"));
  check(conv2d(inp({1, 2, 6, 5}, 9), inp({2, 2, 4, 3}, 10), {}, 1, "same"), ref("conv2d same asymmetric"));
  check(conv2d(inp({1, 2, 5, 5}, 11), inp({2, 2, 3, 3}, 12), inp({2}, 13), 1, "valid"), ref("conv2d valid"));
  check(conv2d(inp({3, 5, 5}, 14), inp({2, 3, 1, 1}, 15), inp({2}, 16)), ref("conv2d unbatched pointwise"));
  check(conv2d(inp({2, 3, 9, 9}, 17), inp({6, 1, 3, 3}, 18), inp({6}, 19), 3, 1, 1, 3), ref("conv2d depthwise stride 3"));
  const auto f = ember::kFloat;
  Tensor y = conv2d(inp({2, 4, 8, 7}, 4, f), inp({6, 2, 3, 3}, 5, f), inp({6}, 6, f), {2, 1}, {1, 2}, {1, 2}, 2);
  CHECK(y.dtype() == ember::kFloat);
  check(y, ref("conv2d float32"), 1e-5);
}

TEST_CASE("conv1d and transposed convolutions match libtorch", "[conv]") {
  check(ember::conv1d(inp({2, 4, 10}, 20), inp({6, 2, 3}, 21), inp({6}, 22), 2, 1, 2, 2), ref("conv1d"));
  check(ember::conv1d(inp({1, 2, 9}, 23), inp({3, 2, 4}, 24), {}, 1, "same"), ref("conv1d same"));
  check(ember::conv_transpose2d(inp({2, 4, 3, 4}, 25), inp({4, 3, 3, 3}, 26), inp({3}, 27), 2, 1, 1),
        ref("conv_transpose2d"));
  check(ember::conv_transpose2d(inp({1, 4, 4, 3}, 28), inp({4, 2, 2, 3}, 29), {}, {2, 3}, {0, 1}, {1, 2}, 2, {2, 1}),
        ref("conv_transpose2d groups dilation"));
  check(ember::conv_transpose2d(inp({2, 3, 3}, 30), inp({2, 3, 1, 1}, 31)), ref("conv_transpose2d unbatched pointwise"));
  check(ember::conv_transpose1d(inp({2, 2, 5}, 32), inp({2, 3, 3}, 33), inp({3}, 34), 2, 1, 1), ref("conv_transpose1d"));
  check(ember::conv_transpose1d(inp({1, 4, 4}, 35), inp({4, 1, 2}, 36), {}, 3, 0, 0, 2, 2), ref("conv_transpose1d groups"));
}

TEST_CASE("conv gradients match libtorch", "[conv]") {
  // Even kernel with dilation: "same" padding is symmetric again.
  check(ember::conv2d(inp({1, 2, 7, 6}, 52), inp({2, 2, 2, 4}, 53), {}, 1, "same", 2), ref("conv2d same even dilated"));
  {
    Tensor x = inp({2, 4, 6, 5}, 58).requires_grad_(true), w = inp({6, 2, 3, 2}, 59).requires_grad_(true);
    Tensor b = inp({6}, 60).requires_grad_(true);
    Tensor y = ember::conv2d(x, w, b, {2, 1}, {1, 1}, {1, 2}, 2);
    y.backward(inp(y.sizes().vec(), 61));
    check(x.grad(), ref("conv2d grad input"));
    check(w.grad(), ref("conv2d grad weight"));
    check(b.grad(), ref("conv2d grad bias"));
  }
  {
    // output_padding 1 is allowed by the dilation, not the stride: the transposed output
    // is taller than a convolution of the input would give back.
    Tensor x = inp({1, 2, 4, 3}, 54).requires_grad_(true), w = inp({2, 3, 2, 3}, 55).requires_grad_(true);
    check(ember::conv_transpose2d(x, w, inp({3}, 56), 1, 0, 1, 1, 2), ref("conv_transpose2d output_padding from dilation"));
    Tensor y = ember::conv_transpose2d(x, w, {}, 1, 0, 1, 1, 2);
    y.backward(inp(y.sizes().vec(), 57));
    check(x.grad(), ref("conv_transpose2d output_padding from dilation grad input"));
    check(w.grad(), ref("conv_transpose2d output_padding from dilation grad weight"));
  }
}

TEST_CASE("convolution dispatches to the direct and transposed forms", "[conv]") {
  Tensor x = inp({2, 4, 8, 7}, 4), w = inp({6, 2, 3, 3}, 5), b = inp({6}, 6);
  Tensor a = ember::convolution(x, w, b, {2, 1}, {1, 2}, {1, 2}, false, {0}, 2);
  check(a, ref("conv2d stride pad dil groups"));
  Tensor t = ember::convolution(inp({2, 2, 5}, 32), inp({2, 3, 3}, 33), inp({3}, 34), {2}, {1}, {1}, true, {1}, 1);
  check(t, ref("conv_transpose1d"));
  // Non-contiguous input: same values as the contiguous one.
  Tensor xt = x.transpose(2, 3).contiguous().transpose(2, 3);
  REQUIRE_FALSE(xt.is_contiguous());
  CHECK(ember::allclose(ember::conv2d(xt, w, b, {2, 1}, {1, 2}, {1, 2}, 2), a));
}

TEST_CASE("convolution_backward gives the tape's gradients", "[conv]") {
  for (bool transposed : {false, true}) {
    INFO("transposed " << transposed);
    Tensor x = inp({2, 4, 5}, 1).requires_grad_(true);
    Tensor w = (transposed ? inp({4, 3, 3}, 2) : inp({6, 2, 3}, 2)).requires_grad_(true);
    Tensor b = inp({6}, 3).requires_grad_(true);  // 6 output channels either way
    Tensor y = ember::convolution(x, w, b, {2}, {1}, {2}, transposed, {transposed ? 1 : 0}, 2);
    Tensor gy = inp(y.sizes().vec(), 4);
    y.backward(gy);
    auto [gx, gw, gb] = ember::convolution_backward(gy, x, w, b.sizes(), {2}, {1}, {2}, transposed,
                                                    {transposed ? 1 : 0}, 2, {true, true, true});
    CHECK(ember::allclose(gx, x.grad()));
    CHECK(ember::allclose(gw, w.grad()));
    CHECK(ember::allclose(gb, b.grad()));
    auto [nx, nw, nb] = ember::convolution_backward(gy, x, w, std::nullopt, {2}, {1}, {2}, transposed,
                                                    {transposed ? 1 : 0}, 2, {false, true, false});
    CHECK_FALSE(nx.defined());
    CHECK(ember::allclose(nw, w.grad()));
    CHECK_FALSE(nb.defined());
  }
  Tensor x = ember::zeros({1, 2, 5, 5}), w = ember::zeros({3, 2, 3, 3});
  require_shape_error([&] {
    ember::convolution_backward(ember::zeros({1, 3, 4, 4}), x, w, std::nullopt, {1}, {0}, {1}, false, {0}, 1,
                                {true, true, true});
  }, "convolution_backward", "expected grad_output of size [1, 3, 3, 3]");
}

TEST_CASE("convolutions of an empty batch", "[conv]") {
  Tensor x = ember::zeros({0, 3, 6, 6}).requires_grad_(true), w = ember::randn({4, 3, 3, 3}).requires_grad_(true);
  Tensor y = ember::conv2d(x, w, {}, 1, 1);
  CHECK(y.sizes() == ember::IntArrayRef({0, 4, 6, 6}));
  y.sum().backward();
  CHECK(x.grad().sizes() == x.sizes());
  CHECK(ember::equal(w.grad(), ember::zeros({4, 3, 3, 3})));
  CHECK(ember::conv_transpose2d(ember::zeros({0, 4, 3, 3}), w, {}, 2).sizes() == ember::IntArrayRef({0, 3, 7, 7}));
}

TEST_CASE("conv2d on a batch larger than one column chunk", "[conv]") {
  // Batch 40 of 16 x 14 x 14 inputs spans several im2col chunks; every sample must match
  // the same convolution run on that sample alone.
  Tensor x = ember::randn({40, 16, 14, 14}), w = ember::randn({8, 16, 3, 3}), b = ember::randn({8});
  Tensor y = ember::conv2d(x, w, b, 1, 1);
  for (int64_t i : {0, 17, 39}) {
    Tensor yi = ember::conv2d(x.select(0, i), w, b, 1, 1);
    CHECK(ember::allclose(y.select(0, i), yi, 1e-5, 1e-5));
  }
  Tensor g = ember::randn(y.sizes());
  Tensor xs = x.detach().requires_grad_(true), ws = w.detach().requires_grad_(true);
  ember::conv2d(xs, ws, b, 1, 1).backward(g);
  // Weight gradient = sum over samples of the per-sample gradients.
  Tensor acc = ember::zeros(w.sizes());
  for (int64_t i = 0; i < 40; ++i) {
    Tensor wi = w.detach().requires_grad_(true);
    ember::conv2d(x.select(0, i), wi, b, 1, 1).backward(g.select(0, i));
    acc = acc + wi.grad();
  }
  CHECK(ember::allclose(ws.grad(), acc, 1e-4, 1e-4));
}

TEST_CASE("conv gradients: only what is needed, bias sum, second order", "[conv]") {
  Tensor x = inp({2, 3, 5, 5}, 1), w = inp({4, 3, 3, 3}, 2).requires_grad_(true), b = inp({4}, 3).requires_grad_(true);
  Tensor y = ember::conv2d(x, w, b, 1, 1);
  y.sum().backward();
  CHECK_FALSE(x.grad().defined());
  REQUIRE(w.grad().defined());
  // d(sum y)/db = number of output positions per channel.
  CHECK(ember::allclose(b.grad(), ember::full({4}, 50.0, ember::TensorOptions().dtype(ember::kDouble))));
  // Double backward: the gradient of (sum of squared input gradients) w.r.t. w.
  Tensor xi = inp({2, 3, 5, 5}, 1).requires_grad_(true);
  Tensor out = ember::conv2d(xi, w, b, 2, 1);
  auto gx = ember::autograd::grad({out.square().sum()}, {xi}, {}, true, true);
  Tensor penalty = gx[0].square().sum();
  auto gw = ember::autograd::grad({penalty}, {w});
  REQUIRE(gw[0].defined());
  CHECK(gw[0].sizes() == w.sizes());
  CHECK(gw[0].abs().sum().item<double>() > 0);
}

TEST_CASE("conv errors name the op and the shapes", "[conv]") {
  Tensor x = ember::zeros({1, 3, 8, 8}), w = ember::zeros({4, 3, 3, 3});
  require_shape_error([&] { ember::conv2d(ember::zeros({3, 8}), w); }, "conv2d",
                      "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [3, 8]");
  require_shape_error([&] { ember::conv2d(x, ember::zeros({4, 4, 3, 3})); }, "conv2d",
                      "Given groups=1, weight of size [4, 4, 3, 3], expected input[1, 3, 8, 8] to have 4 channels, "
                      "but got 3 channels instead");
  require_shape_error([&] { ember::conv2d(ember::zeros({1, 4, 8, 8}), ember::zeros({3, 2, 3, 3}), {}, 1, 1, 1, 2); },
                      "conv2d", "expected weight to be divisible by 2 at dimension 0");
  require_shape_error([&] { ember::conv2d(ember::zeros({1, 3, 2, 2}), w); }, "conv2d",
                      "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be "
                      "greater than actual input size");
  require_shape_error([&] { ember::conv2d(x, w, ember::zeros({3})); }, "conv2d", "expected bias to be 1-dimensional with 4");
  require_shape_error([&] { ember::conv2d(x, w, {}, 0); }, "conv2d", "non-positive stride");
  require_shape_error([&] { ember::conv2d(x, w, {}, 1, -1); }, "conv2d", "negative padding");
  require_shape_error([&] { ember::conv2d(x, w, {}, 1, 1, 0); }, "conv2d", "dilation should be greater than zero");
  require_shape_error([&] { ember::conv2d(x, w, {}, {1, 1, 1}); }, "conv2d", "stride=[1, 1, 1]");
  require_shape_error([&] { ember::conv2d(x, w, {}, 2, "same"); }, "conv2d", "strided convolutions");
  require_shape_error([&] { ember::conv2d(x, w, {}, 1, "full"); }, "conv2d", "Invalid padding string: 'full'");
  require_shape_error([&] { ember::conv1d(x, w); }, "conv1d", "Expected 2D (unbatched) or 3D (batched) input to conv1d");
  require_shape_error([&] { ember::conv1d(ember::zeros({1, 3, 8}), w); }, "conv1d",
                      "Expected 4-dimensional input for 4-dimensional weight");
  require_shape_error([&] { ember::conv_transpose2d(x, ember::zeros({4, 2, 3, 3})); }, "conv_transpose2d",
                      "Given transposed=1, weight of size [4, 2, 3, 3], expected input[1, 3, 8, 8] to have 4 channels");
  require_shape_error([&] { ember::conv_transpose2d(x, ember::zeros({3, 2, 3, 3}), {}, 1, 1, 1); }, "conv_transpose2d",
                      "output padding must be smaller than either stride or dilation");
  require_shape_error([&] { ember::conv_transpose2d(ember::zeros({1, 3, 1, 1}), ember::zeros({3, 2, 3, 3}), {}, 1, 2); }, "conv_transpose2d",
                      "Output size is too small");
  CHECK_THROWS_AS(ember::conv2d(x, w.to(ember::kDouble)), ember::DTypeError);
  CHECK_THROWS_AS(ember::conv2d(x.to(ember::kLong), w.to(ember::kLong)), ember::DTypeError);
}
