// Upsampling, padding and im2col/col2im forward values against libtorch 1.13 (reference
// numbers computed with libtorch on the inputs of conv_ref::inp), and error paths.
#include "conv_ref.h"

using conv_ref::check;
using conv_ref::inp;
using conv_ref::Ref;
using conv_ref::require_shape_error;
using ember::Tensor;

namespace {
// Reference rows computed with libtorch 1.13 (torch::upsample_nearest2d, F::pad, ...).
const std::vector<Ref> kResampleRefs = {
    {"upsample_nearest2d size", {1, 2, 7, 9}, 3.52, 29.299999999999983, {0.080000000000000071, 0.080000000000000071, 0.080000000000000071, 0.82000000000000006}},
    {"upsample_nearest2d scales", {1, 2, 7, 6}, 4.5200000000000005, -8.3200000000000038, {0.080000000000000071, 0.080000000000000071, 0.82000000000000006, 0.82000000000000006}},
    {"upsample_nearest2d double", {1, 2, 6, 8}, 0.47999999999999954, 26.900000000000006, {0.080000000000000071, 0.080000000000000071, 0.82000000000000006, 0.82000000000000006}},
    {"upsample_nearest1d size", {1, 2, 12}, -0.6800000000000006, 10.380000000000003, {0.30000000000000004, 0.30000000000000004, 0.30000000000000004, -0.97999999999999998}},
    {"upsample_nearest1d scale", {1, 2, 7}, -0.62000000000000033, 12.419999999999998, {0.30000000000000004, 0.30000000000000004, -0.97999999999999998, -0.23999999999999999}},
    {"upsample_bilinear2d", {1, 2, 7, 5}, 1.5714285714285698, -6.2757142857142876, {0.52000000000000002, 0.0080000000000000644, -0.76000000000000001, -0.31600000000000011}},
    {"upsample_bilinear2d align", {1, 2, 7, 5}, 1.8599999999999981, -9.3200000000000003, {0.52000000000000002, -0.12, -0.76000000000000001, -0.39000000000000001}},
    {"upsample_bilinear2d scales", {1, 2, 6, 6}, 0.016956521739130537, -0.55673913043478929, {0.52000000000000002, 0.32521739130434779, -0.23130434782608714, -0.74391304347826082}},
    {"upsample_bilinear2d down", {1, 2, 3, 2}, 0.29000000000000004, 3.6716666666666637, {0.23333333333333334, -0.17166666666666669, 0.5, 0.094999999999999932}},
    {"upsample_bilinear2d align one", {1, 2, 1, 4}, -0.18666666666666676, -3.6066666666666669, {0.52000000000000002, -0.33333333333333326, -0.51333333333333342, -0.020000000000000018}},
    {"upsample_bilinear2d align scales", {1, 2, 6, 6}, 1.4975999999999989, -8.9792000000000041, {0.52000000000000002, 0.0079999999999999516, -0.50400000000000011, -0.61199999999999988}},
    {"upsample_bilinear2d float32", {1, 2, 7, 5}, 1.5714289238676429, -6.2757099652662873, {0.51999998092651367, 0.0079999500885605812, -0.75999993085861206, -0.31599992513656616}},
    {"reflection_pad2d", {1, 2, 8, 10}, -1.099999999999999, 24.960000000000001, {-0.14000000000000001, -0.88, 0.39999999999999991, -0.88}},
    {"replication_pad2d", {1, 2, 6, 9}, 8.7599999999999945, -29.040000000000003, {0.95999999999999996, 0.95999999999999996, 0.95999999999999996, 0.95999999999999996}},
    {"reflection_pad1d", {2, 12}, -3.7999999999999989, 22.300000000000004, {-0.64000000000000001, 0.6399999999999999, -0.099999999999999978, -0.83999999999999997}},
    {"replication_pad1d", {1, 2, 11}, -1.699999999999998, 3.0999999999999983, {-0.62, -0.62, -0.62, -0.62}},
    {"constant_pad_nd", {2, 5, 7}, 28.940000000000001, -3.4599999999999991, {0.5, 0.54000000000000004, -0.73999999999999999, 0}},
    {"pad circular", {1, 1, 7, 7}, -2.2200000000000006, 32.159999999999989, {-0.85999999999999999, -0.12, -0.31999999999999995, 0.41999999999999993}},
    {"pad reflect 1d", {1, 2, 13}, 1.2200000000000006, 15.839999999999996, {-0.5, 0.78000000000000003, 0.040000000000000036, 0.78000000000000003}},
    {"im2col", {2, 18, 9}, -0.53999999999999482, 20.519999999999971, {0, 0, 0, -0.07999999999999996}},
    {"col2im", {2, 3, 5, 4}, 2.7199999999999998, -5.5400000000000169, {0.87999999999999989, -0.80000000000000004, -0.40000000000000002, -0.060000000000000053}},
};
const Ref& ref(const std::string& name) {
  for (const Ref& r : kResampleRefs)
    if (r.name == name) return r;
  throw std::runtime_error("no reference row " + name);
}
}  // namespace

TEST_CASE("nearest upsampling matches libtorch", "[resample]") {
  Tensor x = inp({1, 2, 3, 4}, 60);
  check(ember::upsample_nearest2d(x, {7, 9}), ref("upsample_nearest2d size"));
  check(ember::upsample_nearest2d(x, std::nullopt, std::vector<double>{2.5, 1.7}), ref("upsample_nearest2d scales"));
  check(ember::upsample_nearest2d(x, {6, 8}), ref("upsample_nearest2d double"));
  // The size overload with explicit scales takes the same source step as the vec one.
  check(ember::upsample_nearest2d(x, {7, 6}, 2.5, 1.7), ref("upsample_nearest2d scales"));
  check(ember::upsample_nearest1d(inp({1, 2, 5}, 61), {12}), ref("upsample_nearest1d size"));
  check(ember::upsample_nearest1d(inp({1, 2, 5}, 61), std::nullopt, std::vector<double>{1.5}),
        ref("upsample_nearest1d scale"));
}

TEST_CASE("bilinear upsampling matches libtorch for both corner rules", "[resample]") {
  Tensor x = inp({1, 2, 4, 3}, 62);
  check(ember::upsample_bilinear2d(x, {7, 5}, false), ref("upsample_bilinear2d"));
  check(ember::upsample_bilinear2d(x, {7, 5}, true), ref("upsample_bilinear2d align"));
  check(ember::upsample_bilinear2d(x, std::nullopt, false, std::vector<double>{1.5, 2.3}),
        ref("upsample_bilinear2d scales"));
  check(ember::upsample_bilinear2d(x, {3, 2}, false), ref("upsample_bilinear2d down"));
  check(ember::upsample_bilinear2d(x, {6, 6}, false, 1.5, 2.3), ref("upsample_bilinear2d scales"));
  // With align_corners the scale factors set only the size.
  check(ember::upsample_bilinear2d(x, std::nullopt, true, std::vector<double>{1.5, 2.3}),
        ref("upsample_bilinear2d align scales"));
  check(ember::upsample_bilinear2d(x, {1, 4}, true), ref("upsample_bilinear2d align one"));
  check(ember::upsample_bilinear2d(inp({1, 2, 4, 3}, 62, ember::kFloat), {7, 5}, false),
        ref("upsample_bilinear2d float32"), 1e-6);
}

TEST_CASE("padding modes match libtorch", "[resample]") {
  check(ember::reflection_pad2d(inp({1, 2, 4, 5}, 63), {2, 3, 1, 3}), ref("reflection_pad2d"));
  check(ember::replication_pad2d(inp({1, 2, 4, 5}, 64), {3, 1, 2, 0}), ref("replication_pad2d"));
  check(ember::reflection_pad1d(inp({2, 5}, 65), {3, 4}), ref("reflection_pad1d"));
  check(ember::replication_pad1d(inp({1, 2, 4}, 66), {5, 2}), ref("replication_pad1d"));
  check(ember::constant_pad_nd(inp({2, 3, 4}, 67), {1, 2, -1, 3}, 0.5), ref("constant_pad_nd"));
  check(ember::pad(inp({2, 3, 4}, 67), {1, 2, -1, 3}, "constant", 0.5), ref("constant_pad_nd"));
  check(ember::pad(inp({1, 1, 3, 4}, 68), {2, 1, 1, 3}, "circular"), ref("pad circular"));
  check(ember::pad(inp({1, 2, 6}, 69), {2, 5}, "reflect"), ref("pad reflect 1d"));
  CHECK(ember::equal(ember::pad(inp({1, 2, 4, 5}, 64), {3, 1, 2, 0}, "replicate"),
                     ember::replication_pad2d(inp({1, 2, 4, 5}, 64), {3, 1, 2, 0})));
  // Integer tensors pad with a constant too.
  Tensor i = ember::constant_pad_nd(ember::arange(3), {1, 1}, 7);
  CHECK(i.dtype() == ember::kLong);
  CHECK(ember::equal(i, ember::tensor({7, 0, 1, 2, 7})));
}

TEST_CASE("im2col and col2im match libtorch", "[resample]") {
  check(ember::im2col(inp({2, 3, 6, 5}, 70), {2, 3}, {2, 1}, {1, 0}, {2, 1}), ref("im2col"));
  check(ember::col2im(inp({2, 12, 6}, 71), {5, 4}, {2, 2}, {1, 1}, {0, 1}, {2, 2}), ref("col2im"));
  // Unbatched forms drop the batch dim.
  Tensor x = inp({3, 6, 5}, 70);
  CHECK(ember::equal(ember::im2col(x, {2, 3}, {2, 1}, {1, 0}, {2, 1}),
                     ember::im2col(x.unsqueeze(0), {2, 3}, {2, 1}, {1, 0}, {2, 1})[0]));
}

TEST_CASE("resample errors name the op and the shapes", "[resample]") {
  Tensor x = ember::zeros({1, 2, 4, 4});
  require_shape_error([&] { ember::upsample_nearest2d(ember::zeros({2, 4, 4}), {8, 8}); }, "upsample_nearest2d",
                      "It is expected input_size equals to 4, but got size 3");
  require_shape_error([&] { ember::upsample_nearest2d(x, {8}); }, "upsample_nearest2d",
                      "It is expected output_size equals to 2, but got size 1");
  require_shape_error([&] { ember::upsample_bilinear2d(x, {0, 3}, false); }, "upsample_bilinear2d",
                      "Input and output sizes should be greater than 0");
  require_shape_error([&] { ember::upsample_bilinear2d(x, std::nullopt, false, std::nullopt); }, "upsample_bilinear2d",
                      "Must specify exactly one of output_size and scale_factors");
  require_shape_error([&] { ember::reflection_pad2d(x, {4, 0, 0, 0}); }, "reflection_pad2d",
                      "Padding size should be less than the corresponding input dimension, but got: padding (4, 0) at "
                      "dimension 3 of input [1, 2, 4, 4]");
  require_shape_error([&] { ember::reflection_pad1d(ember::zeros({1, 2, 3}), {1, 3}); }, "reflection_pad1d",
                      "padding (1, 3) at dimension 2");
  require_shape_error([&] { ember::replication_pad2d(x, {1, 1}); }, "replication_pad2d", "padding size is expected to be 4");
  require_shape_error([&] { ember::replication_pad1d(ember::zeros({1, 2, 3}), {-2, -1}); }, "replication_pad1d",
                      "is too small");
  require_shape_error([&] { ember::constant_pad_nd(x, {1, 2, 3}); }, "constant_pad_nd",
                      "Length of pad must be even but instead it equals 3");
  require_shape_error([&] { ember::constant_pad_nd(ember::zeros({3}), {1, 1, 1, 1}); }, "constant_pad_nd",
                      "Length of pad should be no more than twice the number of dimensions");
  require_shape_error([&] { ember::constant_pad_nd(ember::zeros({3}), {-2, -2}); }, "constant_pad_nd",
                      "resulted in a negative output size");
  require_shape_error([&] { ember::pad(x, {5, 0, 0, 0}, "circular"); }, "pad", "wrapping around more than once");
  require_shape_error([&] { ember::pad(ember::zeros({2, 2, 2, 2, 2}), {1, 1}, "reflect"); }, "pad", "non-constant");
  CHECK_THROWS_AS(ember::pad(x, {1, 1}, "reflect", 1.0), ember::Error);
  CHECK_THROWS_WITH(ember::pad(x, {1, 1}, "wrap"), Catch::Contains("[ember::pad] Unrecognised padding mode wrap"));
  require_shape_error([&] { ember::im2col(x, {2}, {1, 1}, {0, 0}, {1, 1}); }, "im2col",
                      "It is expected kernel_size equals to 2, but got size 1");
  require_shape_error([&] { ember::im2col(x, {5, 5}, {1, 1}, {0, 0}, {1, 1}); }, "im2col",
                      "calculated shape of the array of sliding blocks as (0, 0)");
  require_shape_error([&] { ember::col2im(ember::zeros({1, 10, 9}), {4, 4}, {2, 2}, {1, 1}, {0, 0}, {1, 1}); }, "col2im",
                      "to be divisible by the product of kernel_size");
  require_shape_error([&] { ember::col2im(ember::zeros({1, 8, 10}), {4, 4}, {2, 2}, {1, 1}, {0, 0}, {1, 1}); }, "col2im",
                      "sliding blocks 3 * 3 = 9, but got input.size(2)=10");
}
