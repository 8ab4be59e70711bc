// LayerNorm, GroupNorm, InstanceNorm, Embedding, EmbeddingBag, Bilinear and their
// nn::functional forms. Expected values come from libtorch 1.13's C++ frontend on this
// machine, with the same parameter fill and inputs (nn_module_ref_util.h).
#include <catch2/catch.hpp>

#include <cmath>

#include "ember/ember.h"
#include "ember/nn.h"
#include "nn_module_ref_util.h"

using namespace ember;
using nn_ref_util::expect_ref;
using nn_ref_util::fill;
using nn_ref_util::names_of;
using nn_ref_util::printed;
using nn_ref_util::seqt;
namespace F = ember::nn::functional;

TEST_CASE("nn::LayerNorm matches libtorch", "[nn][norm]") {
  nn::LayerNorm ln(nn::LayerNormOptions({3, 4}));
  CHECK(printed(*ln) == "ember::nn::LayerNorm([3, 4], eps=1e-05, elementwise_affine=true)");
  CHECK(names_of(ln->named_parameters()) == "weight[3, 4] bias[3, 4]");
  CHECK(ln->weight.eq(1).all().item<bool>());
  CHECK(ln->bias.eq(0).all().item<bool>());
  fill(*ln);
  Tensor x = seqt({2, 3, 4}, 0.5);
  expect_ref(ln(x), {2, 3, 4},
             {0.2890674, 0.3814073, 0.5137253, 0.567766, 0.4580737, 0.1981516, -0.1015821, -0.3035884,
              -0.3323219, -0.220497, -0.08061097, -0.02263062, 0.2890674, 0.3419563, 0.4668871, 0.5551445,
              0.5013577, 0.2838086, -0.01263126, -0.2482389, -0.3192388, -0.2242923, -0.06040002, 0.04821554});

  nn::LayerNorm ln2(nn::LayerNormOptions({4}).elementwise_affine(false).eps(1e-3));
  CHECK(printed(*ln2) == "ember::nn::LayerNorm([4], eps=0.001, elementwise_affine=false)");
  CHECK(ln2->parameters().empty());
  expect_ref(ln2(x), {2, 3, 4},
             {-1.533929, -0.2110912, 0.7183058, 1.026714, 1.254318, 0.5494699, -0.4112269, -1.392561,
              0.170665, -1.077476, -0.5945083, 1.50132, -1.457037, -0.3308249, 0.62139, 1.166472,
              1.163436, 0.6237057, -0.3281257, -1.459016, 1.517485, -0.5717239, -1.075436, 0.129675});
  expect_ref(F::layer_norm(x, F::LayerNormFuncOptions({4}).weight(seqt({4}, 0.3)).bias(seqt({4}, 0.7)).eps(1e-3)),
             {2, 3, 4},
             {-0.0533039, 0.6351533, 1.46024, 1.672446, 0.2250562, 0.9313298, 0.7325754, -0.3633029,
              0.1168715, 0.2977672, 0.6145022, 2.071814, -0.04562757, 0.5885268, 1.397805, 1.790049,
              0.2159832, 0.9602385, 0.7861106, -0.4192235, 0.2513291, 0.4947163, 0.3046802, 0.9176142});

  CHECK_THROWS_NAMING(ln(zeros({2, 3, 5})), ShapeError, "nn::LayerNorm", "[2, 3, 5]", "[3, 4]");
  CHECK_THROWS_NAMING(nn::LayerNorm(nn::LayerNormOptions({3, 0})), ShapeError, "nn::LayerNorm", "[3, 0]");
}

TEST_CASE("nn::LayerNorm gradcheck in float64", "[nn][norm]") {
  nn::LayerNorm ln(nn::LayerNormOptions({3}));
  ln->to(kDouble);
  fill(*ln);
  Tensor x = seqt({2, 3}, 0.5).to(kDouble).requires_grad_(true);
  autograd::variable_list inputs = {x, ln->weight, ln->bias};
  CHECK(autograd::gradcheck([&](const autograd::variable_list& in) { return autograd::variable_list{ln(in[0])}; },
                            inputs));
}

TEST_CASE("nn::GroupNorm matches libtorch", "[nn][norm]") {
  nn::GroupNorm gn(2, 4);
  CHECK(printed(*gn) == "ember::nn::GroupNorm(2, 4, eps=1e-05, affine=true)");
  CHECK(names_of(gn->named_parameters()) == "weight[4] bias[4]");
  fill(*gn);
  Tensor x = seqt({2, 4, 3}, 0.4);
  expect_ref(gn(x), {2, 4, 3},
             {0.2890674, 0.2890674, 0.2890674, 0.3902585, 0.3999252, 0.3557456, 0.581734, 0.4524281,
              0.3095256, 0.07821953, -0.05970077, -0.1358488, 0.2890674, 0.2890674, 0.2890674, 0.319977,
              0.3973334, 0.4680768, 0.3636974, 0.4549809, 0.4428666, 0.2823614, 0.02047485, -0.3110507});
  expect_ref(F::group_norm(x, F::GroupNormFuncOptions(4).eps(1e-3)), {2, 4, 3},
             {-1.259338, 0.08966389, 1.169675, 0.378856, 0.8210511, -1.199909, 1.197592, 0.0405541,
              -1.238146, 1.305423, -0.2290949, -1.076327, -1.067368, -0.2409969, 1.308365, -1.236172,
              0.036259, 1.199913, -1.246458, 0.7561091, 0.4903477, 1.166501, 0.09497734, -1.261478});
  expect_ref(F::group_norm(x, F::GroupNormFuncOptions(2).weight(seqt({4}, 0.3)).bias(seqt({4}, 0.9))), {2, 4, 3},
             {-0.08911949, 0.03102236, 0.1272079, 1.170759, 1.205459, 1.046871, 1.946785, 1.534987,
              1.079888, -0.04767529, -0.4795762, -0.7180358, -0.02382614, 0.003084959, 0.05354054, 0.9184756,
              1.196155, 1.450097, 1.252408, 1.543117, 1.504537, 0.5916001, -0.2285043, -1.266685});
  CHECK(nn::GroupNorm(nn::GroupNormOptions(2, 4).affine(false))->parameters().empty());

  CHECK_THROWS_NAMING(nn::GroupNorm(3, 4), ShapeError, "nn::GroupNorm", "num_groups (3)");
  CHECK_THROWS_NAMING(gn(zeros({2, 3, 3})), ShapeError, "nn::GroupNorm", "[2, 3, 3]");
}

TEST_CASE("nn::InstanceNorm1d/2d match libtorch", "[nn][norm]") {
  nn::InstanceNorm1d in1(3);
  CHECK(printed(*in1) ==
        "ember::nn::InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=false, track_running_stats=false)");
  CHECK(in1->parameters().empty());
  CHECK(in1->buffers().empty());
  Tensor x = seqt({2, 3, 5}, 0.3);
  expect_ref(in1(x), {2, 3, 5},
             {-1.564441, -0.6358291, 0.1812362, 0.8137684, 1.205266, 1.071939, 0.853984, 0.2901942,
              -0.5690685, -1.647048, 1.525859, 0.6621959, -0.1351154, -0.7948535, -1.258086, -0.9409347,
              -0.8846098, -0.3884493, 0.5032266, 1.710767, -1.491546, -0.6836643, 0.09606019, 0.7779772,
              1.301173, 0.7173973, 0.9202299, 0.539624, -0.3904216, -1.786829});
  // An unbatched (C, L) input is one sample.
  CHECK(allclose(in1(x[1]), in1(x)[1], 1e-5, 1e-6));

  nn::InstanceNorm2d in2(nn::InstanceNorm2dOptions(3).affine(true).track_running_stats(true));
  CHECK(printed(*in2) ==
        "ember::nn::InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)");
  CHECK(names_of(in2->named_parameters()) == "weight[3] bias[3]");
  CHECK(names_of(in2->named_buffers()) == "running_mean[3] running_var[3] num_batches_tracked[]");
  fill(*in2);
  Tensor x2 = seqt({2, 3, 2, 3}, 0.6);
  expect_ref(in2(x2), {2, 3, 2, 3},
             {0.2890674, 0.2890674, 0.2890674, 0.2890674, 0.2890674, 0.2890674, 0.2883865, 0.2006015,
              0.1855393, 0.2484616, 0.3673877, 0.5007734, 0.4332633, 0.4797594, 0.4169982, 0.2669041,
              0.08190915, -0.07336248, 0.2890674, 0.2890674, 0.2890674, 0.2890674, 0.2890674, 0.2890674,
              0.4614799, 0.4072573, 0.3232865, 0.238901, 0.1835791, 0.1766462, -0.08630243, 0.09210645,
              0.2879601, 0.4328413, 0.4761387, 0.4027275});
  expect_ref(in2->running_mean, {3},
             {0.02290197, -0.03216712, 0.03479031});
  expect_ref(in2->running_var, {3},
             {0.9412117, 0.9454443, 0.9469013});
  in2->eval();
  expect_ref(in2(x2), {2, 3, 2, 3},
             {0.2890674, 0.2890674, 0.2890674, 0.2890674, 0.2890674, 0.2890674, 0.243, 0.1998971,
              0.1925015, 0.2233967, 0.28179, 0.347283, 0.4371349, 0.468006, 0.4263356, 0.3266805,
              0.2038529, 0.1007602, 0.2890674, 0.2890674, 0.2890674, 0.2890674, 0.2890674, 0.2890674,
              0.4064203, 0.3658424, 0.3030024, 0.2398519, 0.1984514, 0.1932632, 0.1187152, 0.2293725,
              0.35085, 0.4407119, 0.4675671, 0.422034});

  Tensor rm = zeros({3}), rv = ones({3});
  expect_ref(F::instance_norm(x, F::InstanceNormFuncOptions().running_mean(rm).running_var(rv).momentum(0.2)), {2, 3, 5},
             {-1.564441, -0.6358291, 0.1812362, 0.8137684, 1.205266, 1.071939, 0.853984, 0.2901942,
              -0.5690685, -1.647048, 1.525859, 0.6621959, -0.1351154, -0.7948535, -1.258086, -0.9409347,
              -0.8846098, -0.3884493, 0.5032266, 1.710767, -1.491546, -0.6836643, 0.09606019, 0.7779772,
              1.301173, 0.7173973, 0.9202299, 0.539624, -0.3904216, -1.786829});
  expect_ref(rm, {3},
             {-0.02182484, 0.1106898, 0.03748462});
  expect_ref(rv, {3},
             {0.81713, 0.8245544, 0.8177156});

  CHECK_THROWS_NAMING(in1(zeros({2, 3, 4, 4})), ShapeError, "nn::InstanceNorm1d", "[2, 3, 4, 4]");
  CHECK_THROWS_NAMING(in2(zeros({2, 4, 2, 2})), ShapeError, "nn::InstanceNorm2d", "[2, 4, 2, 2]");
}

TEST_CASE("nn::functional::batch_norm matches libtorch", "[nn][norm]") {
  Tensor x = seqt({4, 3}, 0.45);
  Tensor rm = seqt({3}, 0.2), rv = seqt({3}, 0.3).abs() + 0.5;
  expect_ref(F::batch_norm(x, rm, rv,
                           F::BatchNormFuncOptions().weight(seqt({3}, 0.8)).bias(seqt({3}, 0.1)).training(true).momentum(0.2)),
             {4, 3},
             {0.0929357, 0.6607819, 1.350918, 0.2281333, 1.115067, 1.183924, 0.1285422, -0.01578015,
              -0.4106545, -0.05027754, -0.9653913, -0.9421071});
  expect_ref(rm, {3},
             {0.1089443, 0.2547712, 0.3875184});
  expect_ref(rv, {3},
             {0.5957868, 0.8538095, 1.074287});
  expect_ref(F::batch_norm(x, rm, rv, F::BatchNormFuncOptions().eps(1e-3)), {4, 3},
             {-0.01179368, 0.2897771, 0.4377722, 1.144008, 0.7479553, 0.3124081, 0.292606, -0.3925832,
              -0.8846571, -1.236121, -1.350332, -1.283624});
  REQUIRE_THROWS_AS(F::batch_norm(x, rm, rv, F::BatchNormFuncOptions().momentum(std::nullopt)), Error);
}

TEST_CASE("nn::Embedding matches libtorch", "[nn][embedding]") {
  nn::Embedding e(nn::EmbeddingOptions(10, 3).padding_idx(-2));
  CHECK(printed(*e) == "ember::nn::Embedding(num_embeddings=10, embedding_dim=3, padding_idx=8)");
  CHECK(names_of(e->named_parameters()) == "weight[10, 3]");
  CHECK(*e->options.padding_idx() == 8);
  CHECK(e->weight[8].abs().sum().item<float>() == 0.0f);
  CHECK(e->weight.abs().sum().item<float>() > 0.0f);
  fill(*e);
  Tensor idx = tensor(std::vector<int64_t>{1, 8, 3, 9, 0, 8}).view({2, 3});
  Tensor y = e(idx);
  expect_ref(y, {2, 3, 3},
             {0.2687096, 0.2987643, 0.2883826, 0.1554685, 0.05216685, -0.05819531, -0.0561884, -0.1589508,
              -0.2402, -0.160681, -0.2414193, -0.2894826, 0, 0.1084846, 0.2022864, 0.1554685,
              0.05216685, -0.05819531});
  (y * seqt({2, 3, 3}, 0.3)).sum().backward();
  expect_ref(e->weight.grad(), {10, 3},
             {-0.5298361, -0.7568025, -0.9161659, 0.09983341, 0.3894183, 0.6442177, 0, 0,
              0, 0.9463001, 0.8084964, 0.5984721, 0, 0, 0, 0,
              0, 0, 0, 0, 0, 0, 0, 0,
              0, 0, 0, 0.3349881, 0.04158066, -0.2555411});  // the padding row gets no gradient

  nn::Embedding em(nn::EmbeddingOptions(10, 3).max_norm(0.4));
  CHECK(printed(*em) == "ember::nn::Embedding(num_embeddings=10, embedding_dim=3, max_norm=0.4)");
  fill(*em);
  expect_ref(em(idx), {2, 3, 3},
             {0.2173145, 0.2416207, 0.2332247, 0.1554685, 0.05216685, -0.05819531, -0.0561884, -0.1589508,
              -0.2402, -0.1568544, -0.2356699, -0.2825886, 0, 0.1084846, 0.2022864, 0.1554685,
              0.05216685, -0.05819531});
  expect_ref(em->weight, {10, 3},
             {0, 0.1084846, 0.2022864, 0.2173145, 0.2416207, 0.2332247, 0.2389696, 0.1572133,
              0.05417888, -0.0561884, -0.1589508, -0.2402, -0.2889393, -0.2985719, -0.2677943, -0.200772,
              -0.1065761, 0.002044392, 0.1103882, 0.2037914, 0.2696124, 0.2989427, 0.2878124, 0.2377281,
              0.1554685, 0.05216685, -0.05819531, -0.1568544, -0.2356699, -0.2825886});  // looked-up rows renormalized in place
  nn::Embedding e2(nn::EmbeddingOptions(10, 3).max_norm(0.4).norm_type(1.0).scale_grad_by_freq(true));
  CHECK(printed(*e2) ==
        "ember::nn::Embedding(num_embeddings=10, embedding_dim=3, max_norm=0.4, norm_type=1, scale_grad_by_freq=true)");

  auto pre = nn::Embedding::from_pretrained(seqt({4, 2}, 0.3), nn::EmbeddingFromPretrainedOptions().padding_idx(1));
  CHECK(printed(*pre) == "ember::nn::Embedding(num_embeddings=4, embedding_dim=2, padding_idx=1)");
  CHECK_FALSE(pre->weight.requires_grad());
  CHECK(pre->weight.equal(seqt({4, 2}, 0.3)));  // the pretrained rows are kept, padding row included
  auto pre2 = nn::Embedding::from_pretrained(seqt({4, 2}, 0.3), nn::EmbeddingFromPretrainedOptions().freeze(false));
  CHECK(pre2->weight.requires_grad());
  expect_ref(F::embedding(idx, seqt({10, 2}, 0.2), F::EmbeddingFuncOptions().padding_idx(8)), {2, 3, 2},
             {0.4794255, 0.6442177, -0.1577457, -0.3507832, 0.9635582, 0.997495, -0.5298361, -0.6877661,
              0.09983341, 0.2955202, -0.1577457, -0.3507832});

  CHECK_THROWS_NAMING(nn::Embedding(nn::EmbeddingOptions(10, 3).padding_idx(10)), IndexError, "nn::Embedding",
                      "padding_idx 10");
  CHECK_THROWS_NAMING(nn::Embedding(nn::EmbeddingOptions(10, 3).padding_idx(-11)), IndexError, "nn::Embedding");
  CHECK_THROWS_NAMING(nn::Embedding::from_pretrained(zeros({4})), ShapeError, "nn::Embedding::from_pretrained", "[4]");
  REQUIRE_THROWS_AS(e(tensor(std::vector<int64_t>{10})), Error);
  REQUIRE_THROWS_AS(e(zeros({2})), DTypeError);
}

TEST_CASE("nn::EmbeddingBag matches libtorch", "[nn][embedding]") {
  nn::EmbeddingBag b(nn::EmbeddingBagOptions(10, 3).mode(kSum));
  CHECK(printed(*b) == "ember::nn::EmbeddingBag(num_embeddings=10, embedding_dim=3, mode=kSum)");
  CHECK(names_of(b->named_parameters()) == "weight[10, 3]");
  fill(*b);
  Tensor in = tensor(std::vector<int64_t>{1, 2, 4, 5, 4, 3, 2, 9});
  Tensor off = tensor(std::vector<int64_t>{0, 4});
  expect_ref(b(in, off), {2, 3},
             {0.017968, 0.05082954, 0.07681151, -0.266839, -0.5417287, -0.7432981});
  expect_ref(b(in, off, seqt({8}, 0.6)), {2, 3},
             {-0.2876257, -0.2574382, -0.1924076, -0.1546627, -0.04741343, 0.06625306});

  nn::EmbeddingBag bm(10, 3);
  CHECK(printed(*bm) == "ember::nn::EmbeddingBag(num_embeddings=10, embedding_dim=3)");
  fill(*bm);
  expect_ref(bm(in, off), {2, 3},
             {0.004492, 0.01270739, 0.01920288, -0.06670976, -0.1354322, -0.1858245});
  expect_ref(bm(tensor(std::vector<int64_t>{1, 2, 4, 5, 4, 9}).view({2, 3})), {2, 3},
             {0.07291332, 0.05246854, 0.02492237, -0.2167974, -0.2155224, -0.1850775});
  nn::EmbeddingBag bx(nn::EmbeddingBagOptions(10, 3).mode(kMax));
  CHECK(printed(*bx) == "ember::nn::EmbeddingBag(num_embeddings=10, embedding_dim=3, mode=kMax)");
  fill(*bx);
  expect_ref(bx(in, tensor(std::vector<int64_t>{0, 3, 5})), {3, 3},
             {0.2687096, 0.2987643, 0.2883826, -0.200772, -0.1065761, 0.002044392, 0.2389696, 0.1572133,
              0.05417888});
  nn::EmbeddingBag bl(nn::EmbeddingBagOptions(10, 3).mode(kSum).include_last_offset(true));
  fill(*bl);
  expect_ref(bl(in, tensor(std::vector<int64_t>{0, 3, 5, 8})), {3, 3},
             {0.21874, 0.1574056, 0.07476711, -0.4897112, -0.405148, -0.2657499, 0.02210024, -0.2431568,
              -0.4755037});
  // An empty bag gives zeros; sum mode equals the sum of the Embedding lookups.
  Tensor e0 = b(in, tensor(std::vector<int64_t>{0, 0, 4}));
  CHECK(e0[0].abs().sum().item<float>() == 0.0f);
  CHECK(allclose(e0[1], F::embedding(in.slice(0, 0, 4), b->weight).sum({0}), 1e-5, 1e-6));

  CHECK_THROWS_NAMING(bm(in, off, seqt({8}, 0.6)), Error, "nn::functional::embedding_bag", "kMean");
  CHECK_THROWS_NAMING(bm(in.view({2, 4}), off), ShapeError, "nn::functional::embedding_bag", "[2]");
  CHECK_THROWS_NAMING(bm(in), ShapeError, "nn::functional::embedding_bag", "offsets");
  CHECK_THROWS_NAMING(bm(in.view({2, 2, 2})), ShapeError, "nn::functional::embedding_bag", "[2, 2, 2]");
  CHECK_THROWS_NAMING(b(in, off, seqt({7}, 0.6)), ShapeError, "nn::functional::embedding_bag", "[7]", "[8]");
}

TEST_CASE("nn::Bilinear matches libtorch", "[nn][linear]") {
  nn::Bilinear m(3, 4, 2);
  CHECK(printed(*m) == "ember::nn::Bilinear(in1_features=3, in2_features=4, out_features=2, bias=true)");
  CHECK(names_of(m->named_parameters()) == "weight[2, 3, 4] bias[2]");
  const double bound = 1.0 / std::sqrt(3.0);
  CHECK(m->weight.abs().max().item<float>() <= bound + 1e-6);
  CHECK(m->weight.abs().max().item<float>() > 0.5 * bound);
  fill(*m);
  expect_ref(m(seqt({2, 3}, 0.3), seqt({2, 4}, 0.7)), {2, 2},
             {0.3234366, 0.7991201, -0.1208007, -0.1503923});
  CHECK(nn::Bilinear(nn::BilinearOptions(3, 4, 2).bias(false))->parameters().size() == 1);
  CHECK_THROWS_NAMING(m(zeros({2, 3}), zeros({2, 5})), ShapeError, "nn::Bilinear", "[2, 3]", "[2, 5]");
  CHECK_THROWS_NAMING(m(zeros({2, 3}), zeros({3, 4})), ShapeError, "nn::Bilinear", "[3, 4]");
}
