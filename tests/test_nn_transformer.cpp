// MultiheadAttention, TransformerEncoderLayer and TransformerEncoder. Expected values come
// from libtorch 1.13's C++ frontend on this machine, with the same parameter fill and inputs
// (nn_module_ref_util.h).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/optim.h"
#include "nn_module_ref_util.h"

using namespace ember;
using nn_ref_util::expect_ref;
using nn_ref_util::fill;
using nn_ref_util::names_of;
using nn_ref_util::printed;
using nn_ref_util::seqt;
namespace F = ember::nn::functional;

namespace {
const double kInfD = std::numeric_limits<double>::infinity();
Tensor causal_bool(int64_t n) { return ones({n, n}).triu(1).to(kBool); }
Tensor causal_float(int64_t n) { return zeros({n, n}).masked_fill(causal_bool(n), -kInfD); }
Tensor bools(std::vector<int64_t> v, std::vector<int64_t> shape) { return tensor(v).view(shape).to(kBool); }
}  // namespace

TEST_CASE("nn::MultiheadAttention matches libtorch", "[nn][attention]") {
  nn::MultiheadAttention m(4, 2);
  CHECK(printed(*m) ==
        "ember::nn::MultiheadAttention(\n  (out_proj): ember::nn::Linear(in_features=4, out_features=4, bias=true)\n)");
  CHECK(names_of(m->named_parameters()) ==
        "in_proj_weight[12, 4] in_proj_bias[12] out_proj.weight[4, 4] out_proj.bias[4]");
  // libtorch's init: xavier_uniform_ in_proj_weight, zero biases.
  CHECK(m->in_proj_weight.abs().max().item<float>() <= std::sqrt(6.0 / 16.0) + 1e-6);
  CHECK(m->in_proj_bias.eq(0).all().item<bool>());
  CHECK(m->out_proj->bias.eq(0).all().item<bool>());
  fill(*m);
  Tensor q = seqt({3, 2, 4}, 0.5), k = seqt({5, 2, 4}, 0.3), v = seqt({5, 2, 4}, 0.7);
  auto [o, w] = m(q, k, v);
  expect_ref(o, {3, 2, 4},
             {-0.1656304, 0.04824808, -0.2819986, -0.6030575, -0.2228424, 0.01358622, -0.2310724, -0.5591605,
              -0.189147, 0.049321, -0.2582875, -0.5998306, -0.2253197, 0.01546282, -0.2282547, -0.5605261,
              -0.1670271, 0.04774329, -0.2806934, -0.602316, -0.1998011, -0.004056454, -0.257313, -0.5462764});
  expect_ref(w, {2, 3, 5},
             {0.2487653, 0.190769, 0.1237697, 0.311348, 0.1253481, 0.1315165, 0.1726258, 0.3009264,
              0.1025918, 0.2923394, 0.2359374, 0.2006251, 0.1294653, 0.2960158, 0.1379564, 0.2638687,
              0.1551489, 0.2074462, 0.2242981, 0.149238, 0.2797705, 0.1397515, 0.2209159, 0.2196441,
              0.139918, 0.1008493, 0.3050678, 0.1447892, 0.1406376, 0.3086562});
  auto [o2, w2] = m->forward(q, q, q, {}, true, {}, /*average_attn_weights=*/false);
  expect_ref(o2, {3, 2, 4},
             {-0.1660403, -0.03594573, -0.2968568, -0.5215581, -0.212369, -0.01247722, -0.2462721, -0.5358534,
              -0.2552366, 0.01579565, -0.1982774, -0.5554228, -0.2026316, -0.01470324, -0.2564132, -0.5354664,
              -0.1724998, -0.03468467, -0.2901685, -0.5216063, -0.2726663, 0.02223709, -0.1796797, -0.5584916});
  expect_ref(w2, {2, 2, 3, 3},
             {0.4958379, 0.1439521, 0.36021, 0.2433072, 0.4848311, 0.2718617, 0.4649068, 0.1555847,
              0.3795085, 0.4012586, 0.2377392, 0.3610022, 0.1600152, 0.6183607, 0.2216241, 0.3706427,
              0.2533656, 0.3759917, 0.363684, 0.4291451, 0.2071709, 0.3387985, 0.4730693, 0.1881321,
              0.2907555, 0.2506515, 0.458593, 0.3617048, 0.3286489, 0.3096463, 0.3427973, 0.3704083,
              0.2867945, 0.2527729, 0.1682192, 0.5790079});
  auto [o5, w5] = m->forward(q, k, v, {}, /*need_weights=*/false);
  CHECK_FALSE(w5.defined());
  CHECK(allclose(o5, o));
}

TEST_CASE("nn::MultiheadAttention masks", "[nn][attention]") {
  nn::MultiheadAttention m(4, 2);
  fill(*m);
  Tensor q = seqt({3, 2, 4}, 0.5), k = seqt({5, 2, 4}, 0.3), v = seqt({5, 2, 4}, 0.7);
  Tensor kpm = bools({0, 0, 0, 1, 1, 0, 0, 0, 0, 1}, {2, 5});
  Tensor am = seqt({3, 5}, 0.9);
  auto [o3, w3] = m(q, k, v, kpm, true, am);
  expect_ref(o3, {3, 2, 4},
             {-0.09610525, 0.009982526, -0.358463, -0.5786582, -0.2491568, -0.009779871, -0.2089952, -0.5317909,
              -0.1265599, 0.04297641, -0.3220251, -0.6050444, -0.1890779, -0.03030407, -0.2727961, -0.5228365,
              -0.07542636, -0.01731786, -0.3840926, -0.5560056, -0.2838401, 0.01533228, -0.1697581, -0.5497876});
  expect_ref(w3, {2, 3, 5},
             {0.2678085, 0.4275614, 0.3046301, 0, 0, 0.1039267, 0.1811943, 0.714879,
              0, 0, 0.663127, 0.2385198, 0.09835314, 0, 0, 0.194178,
              0.2405048, 0.3562641, 0.2090531, 0, 0.1103333, 0.07440758, 0.265386, 0.5498732,
              0, 0.3115043, 0.4082459, 0.1210375, 0.1592124, 0});
  // A uint8 key_padding_mask means the same as a bool one.
  auto [o3b, w3b] = m(q, k, v, kpm.to(kByte), true, am);
  CHECK(allclose(o3b, o3));

  auto [o4, w4] = m->forward(q, q, q, {}, true, causal_float(3));
  expect_ref(o4, {3, 2, 4},
             {-0.05608486, -0.02890421, -0.4055352, -0.5483077, -0.2352505, -0.01635158, -0.2240933, -0.5279571,
              -0.27189, 0.0394403, -0.1773362, -0.5752699, -0.1461529, -0.0226234, -0.3143282, -0.5380487,
              -0.1724998, -0.03468467, -0.2901685, -0.5216063, -0.2726663, 0.02223709, -0.1796797, -0.5584916});
  expect_ref(w4, {2, 3, 3},
             {1, 0, 0, 0.2698627, 0.7301372, 0, 0.4177747, 0.2044751,
              0.3777501, 1, 0, 0, 0.4489753, 0.5510247, 0, 0.2717642,
              0.2094354, 0.5188005});
  // A bool attn_mask marks the pairs that may not attend (PyTorch's meaning; libtorch 1.13's
  // C++ frontend would add it as 0/1): the same as the -inf float mask.
  auto [o4b, w4b] = m->forward(q, q, q, {}, true, causal_bool(3));
  CHECK(allclose(o4b, o4, 1e-5, 1e-6));
  CHECK(allclose(w4b, w4, 1e-5, 1e-6));
  // A 3-D attn_mask gives one mask per (batch, head).
  auto [o4c, w4c] = m->forward(q, q, q, {}, true, causal_float(3).unsqueeze(0).expand({4, 3, 3}).contiguous());
  CHECK(allclose(o4c, o4, 1e-5, 1e-6));

  CHECK_THROWS_NAMING(m(q, k, v, bools({0, 0, 0, 1}, {2, 2})), ShapeError, "nn::MultiheadAttention",
                      "key_padding_mask", "[2, 2]", "[2, 5]");
  CHECK_THROWS_NAMING(m->forward(q, k, v, {}, true, zeros({3, 4})), ShapeError, "nn::MultiheadAttention",
                      "attn_mask", "[3, 4]", "[3, 5]");
  CHECK_THROWS_NAMING(m->forward(q, k, v, {}, true, zeros({3, 5}, TensorOptions().dtype(kLong))), DTypeError,
                      "nn::MultiheadAttention", "attn_mask");
}

TEST_CASE("nn::MultiheadAttention with kdim/vdim, add_bias_kv, add_zero_attn, no bias", "[nn][attention]") {
  nn::MultiheadAttention m2(nn::MultiheadAttentionOptions(4, 2).kdim(3).vdim(3).add_bias_kv(true).add_zero_attn(true));
  CHECK(names_of(m2->named_parameters()) ==
        "q_proj_weight[4, 4] k_proj_weight[4, 3] v_proj_weight[4, 3] in_proj_bias[12] bias_k[1, 1, 4] bias_v[1, 1, 4] "
        "out_proj.weight[4, 4] out_proj.bias[4]");
  fill(*m2);
  Tensor q = seqt({3, 2, 4}, 0.5), k2 = seqt({5, 2, 3}, 0.3), v2 = seqt({5, 2, 3}, 0.7);
  auto [p, pw] = m2(q, k2, v2);
  expect_ref(p, {3, 2, 4},
             {0.3359641, -0.1713959, -0.3898747, -0.1030161, 0.2359269, -0.09331989, -0.2756788, -0.1603835,
              0.259697, -0.1165887, -0.3036686, -0.1421904, 0.2240324, -0.08593673, -0.2624455, -0.1653669,
              0.3183979, -0.1596684, -0.3701818, -0.1111724, 0.2859173, -0.1241483, -0.3312598, -0.1396343});
  expect_ref(pw, {2, 3, 7},
             {0.1523278, 0.1915246, 0.08785359, 0.0995591, 0.2098507, 0.1273562, 0.131528, 0.1254396,
              0.09834753, 0.2113552, 0.1913302, 0.09322047, 0.1497882, 0.1305189, 0.1481502, 0.1711919,
              0.1117259, 0.1177315, 0.1802255, 0.1353535, 0.1356216, 0.1599681, 0.1382315, 0.1261747,
              0.144881, 0.1552877, 0.139423, 0.136034, 0.1925007, 0.1289156, 0.08905239, 0.1507838,
              0.1777428, 0.1298427, 0.131162, 0.09329943, 0.1434756, 0.2533277, 0.1255358, 0.09909656,
              0.1525142, 0.1327508});
  Tensor kpm = bools({0, 0, 0, 1, 1, 0, 0, 0, 0, 1}, {2, 5});
  auto [p2, pw2] = m2(q, k2, v2, kpm, true, seqt({3, 5}, 0.9), false);
  expect_ref(p2, {3, 2, 4},
             {0.3642376, -0.1734521, -0.418521, -0.1061548, 0.2844766, -0.1181768, -0.3287362, -0.1451482,
              0.255678, -0.09089316, -0.2949899, -0.1663121, 0.2717229, -0.09337289, -0.3114845, -0.1668236,
              0.2313423, -0.1133691, -0.27473, -0.1401622, 0.2585838, -0.1008701, -0.299705, -0.1571902});
  expect_ref(pw2, {2, 2, 3, 7},
             {0.1447389, 0.3429416, 0.2621187, 0, 0, 0.119012, 0.1311888, 0.07259811,
              0.06894892, 0.4180664, 0, 0, 0.2509895, 0.189397, 0.3144987, 0.1346424,
              0.08655919, 0, 0, 0.2300208, 0.2342788, 0.1623292, 0.4695233, 0.1474284,
              0, 0, 0.1128551, 0.1078641, 0.07903372, 0.08978549, 0.3563547, 0,
              0, 0.2377385, 0.2370877, 0.3480206, 0.188452, 0.04746116, 0, 0,
              0.2097416, 0.2063248, 0.101687, 0.2429283, 0.3097709, 0.1387225, 0, 0.1054303,
              0.1014611, 0.06701701, 0.07783865, 0.1499404, 0.3869278, 0, 0.1546334, 0.1636427,
              0.1753461, 0.1271434, 0.1679994, 0.09486514, 0, 0.2484015, 0.1862444, 0.1754577,
              0.250793, 0.1808614, 0.1753888, 0, 0.1092655, 0.1082337, 0.1022824, 0.07191154,
              0.08313103, 0.4469461, 0, 0.1511244, 0.1446045, 0.2168389, 0.1277895, 0.1195751,
              0.09718071, 0, 0.2190996, 0.2195163});
  // vdim may differ from kdim (libtorch 1.13's C++ frontend requires equal key/value sizes;
  // PyTorch does not).
  nn::MultiheadAttention m4(nn::MultiheadAttentionOptions(4, 2).kdim(3).vdim(5));
  auto [p4, pw4] = m4(q, k2, seqt({5, 2, 5}, 0.7));
  CHECK(p4.sizes() == IntArrayRef{3, 2, 4});
  CHECK(pw4.sizes() == IntArrayRef{2, 3, 5});

  nn::MultiheadAttention m3(nn::MultiheadAttentionOptions(4, 1).bias(false));
  CHECK(names_of(m3->named_parameters()) == "in_proj_weight[12, 4] out_proj.weight[4, 4]");
  fill(*m3);
  auto [r, rw] = m3(q, q, q);
  expect_ref(r, {3, 2, 4},
             {0.05754131, 0.05047949, -0.0483872, -0.05925418, 0.009698162, 0.003711273, -0.009025145, -0.005347923,
              -0.06418238, -0.0520107, 0.0547506, 0.06193935, 0.01771699, 0.01625161, -0.01476987, -0.01893003,
              0.05212456, 0.04268572, -0.0443838, -0.05073443, -0.06740528, -0.06820352, 0.05503704, 0.07818411});
  expect_ref(rw, {2, 3, 3},
             {0.4825617, 0.1569025, 0.3605357, 0.1397632, 0.6681526, 0.1920842, 0.4384037, 0.1743886,
              0.3872077, 0.3704334, 0.3848605, 0.2447061, 0.3377055, 0.4467286, 0.2155659, 0.2277932,
              0.1520914, 0.6201153});

  CHECK_THROWS_NAMING(nn::MultiheadAttention(4, 3), ShapeError, "nn::MultiheadAttention", "embed_dim (4)",
                      "num_heads (3)");
  CHECK_THROWS_NAMING(m2(q, seqt({5, 2, 4}, 0.3), v2), ShapeError, "nn::MultiheadAttention", "[5, 2, 4]");
  CHECK_THROWS_NAMING(m3(seqt({3, 2, 5}, 0.5), q, q), ShapeError, "nn::MultiheadAttention", "[3, 2, 5]",
                      "embed_dim=4");
  CHECK_THROWS_NAMING(m3(q, seqt({5, 3, 4}, 0.3), seqt({5, 3, 4}, 0.3)), ShapeError, "nn::MultiheadAttention",
                      "[5, 3, 4]");
}

TEST_CASE("nn::MultiheadAttention batch_first, unbatched input, functional form", "[nn][attention]") {
  nn::MultiheadAttention m(4, 2);
  nn::MultiheadAttention mb(nn::MultiheadAttentionOptions(4, 2).batch_first(true));
  fill(*m);
  fill(*mb);
  Tensor q = seqt({3, 2, 4}, 0.5), k = seqt({5, 2, 4}, 0.3), v = seqt({5, 2, 4}, 0.7);
  auto [o, w] = m(q, k, v);
  auto [ob, wb] = mb(q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1));
  CHECK(allclose(ob.transpose(0, 1), o, 1e-5, 1e-6));
  CHECK(allclose(wb, w, 1e-5, 1e-6));

  // Unbatched (L, E) inputs are one sample.
  auto [ou, wu] = m(q.select(1, 1), k.select(1, 1), v.select(1, 1));
  CHECK(ou.sizes() == IntArrayRef{3, 4});
  CHECK(allclose(ou, o.select(1, 1), 1e-5, 1e-6));
  CHECK(allclose(wu, w[1], 1e-5, 1e-6));

  auto [of, wf] = F::multi_head_attention_forward(
      q, k, v,
      F::MultiheadAttentionForwardFuncOptions(4, 2, m->in_proj_weight, m->in_proj_bias, {}, {}, false, 0.0,
                                              m->out_proj->weight, m->out_proj->bias));
  CHECK(allclose(of, o));
  CHECK(allclose(wf, w));
}

TEST_CASE("nn::MultiheadAttention dropout acts in training only", "[nn][attention]") {
  manual_seed(7);
  nn::MultiheadAttention m(nn::MultiheadAttentionOptions(4, 2).dropout(0.5));
  Tensor q = seqt({3, 2, 4}, 0.5);
  auto [o1, w1] = m->forward(q, q, q, {}, true, {}, false);
  auto [o2, w2] = m->forward(q, q, q, {}, true, {}, false);
  CHECK_FALSE(allclose(w1, w2));
  CHECK(w1.eq(0).any().item<bool>());  // dropped weights
  m->eval();
  auto [e1, f1] = m->forward(q, q, q, {}, true, {}, false);
  auto [e2, f2] = m->forward(q, q, q, {}, true, {}, false);
  CHECK(e1.equal(e2));
  CHECK(allclose(f1.sum({-1}), ones({2, 2, 3}), 1e-5, 1e-6));  // rows of a softmax
}

TEST_CASE("nn::MultiheadAttention gradcheck in float64", "[nn][attention]") {
  nn::MultiheadAttention m(nn::MultiheadAttentionOptions(4, 2).add_bias_kv(true));
  m->to(kDouble);
  Tensor q = seqt({2, 1, 4}, 0.5).to(kDouble).requires_grad_(true);
  Tensor k = seqt({3, 1, 4}, 0.3).to(kDouble).requires_grad_(true);
  Tensor v = seqt({3, 1, 4}, 0.7).to(kDouble).requires_grad_(true);
  Tensor kpm = bools({0, 0, 1}, {1, 3});
  autograd::variable_list inputs = {q, k, v};
  for (auto& p : m->parameters()) inputs.push_back(p);
  CHECK(autograd::gradcheck([&](const autograd::variable_list& in) {
    auto [o, w] = m->forward(in[0], in[1], in[2], kpm, true, seqt({2, 3}, 0.9).to(kDouble));
    return autograd::variable_list{o, w};
  }, inputs));
}

TEST_CASE("nn::TransformerEncoderLayer matches libtorch", "[nn][transformer]") {
  nn::TransformerEncoderLayer l(nn::TransformerEncoderLayerOptions(4, 2).dim_feedforward(8));
  CHECK(printed(*l) == R"(ember::nn::TransformerEncoderLayerImpl(
  (self_attn): ember::nn::MultiheadAttention(
    (out_proj): ember::nn::Linear(in_features=4, out_features=4, bias=true)
  )
  (linear1): ember::nn::Linear(in_features=4, out_features=8, bias=true)
  (dropout): ember::nn::Dropout(p=0.1, inplace=false)
  (linear2): ember::nn::Linear(in_features=8, out_features=4, bias=true)
  (norm1): ember::nn::LayerNorm([4], eps=1e-05, elementwise_affine=true)
  (norm2): ember::nn::LayerNorm([4], eps=1e-05, elementwise_affine=true)
  (dropout1): ember::nn::Dropout(p=0.1, inplace=false)
  (dropout2): ember::nn::Dropout(p=0.1, inplace=false)
))");
  CHECK(names_of(l->named_parameters()) ==
        "self_attn.in_proj_weight[12, 4] self_attn.in_proj_bias[12] self_attn.out_proj.weight[4, 4] "
        "self_attn.out_proj.bias[4] linear1.weight[8, 4] linear1.bias[8] linear2.weight[4, 8] linear2.bias[4] "
        "norm1.weight[4] norm1.bias[4] norm2.weight[4] norm2.bias[4]");
  fill(*l);
  Tensor x = seqt({3, 2, 4}, 0.5);
  Tensor train1 = l(x), train2 = l(x);
  CHECK_FALSE(allclose(train1, train2));  // dropout while training
  l->eval();
  expect_ref(l(x), {3, 2, 4},
             {0.5009023, 0.08836697, 0.1916055, -0.1694917, 0.2783201, -0.06286086, 0.5409907, 0.1913189,
              0.3463897, -0.09221186, 0.4871066, 0.1285408, 0.4972139, 0.141393, 0.1919028, -0.2346712,
              0.2820781, -0.06641356, 0.5361562, 0.1925522, 0.2871794, -0.0650559, 0.5440447, 0.1699791});
  Tensor kpm = bools({0, 0, 1, 0, 0, 0}, {2, 3});
  expect_ref(l(x, causal_float(3), kpm), {3, 2, 4},
             {0.4902349, 0.05419024, 0.249207, -0.1590951, 0.2804051, -0.06589156, 0.5356146, 0.1963947,
              0.3678481, -0.1036993, 0.4369486, 0.1478116, 0.4935258, 0.1408624, 0.2110429, -0.245908,
              0.2809648, -0.06482932, 0.5389828, 0.1899368, 0.2871794, -0.0650559, 0.5440447, 0.1699791});
  CHECK(allclose(l(x, causal_bool(3), kpm), l(x, causal_float(3), kpm), 1e-5, 1e-6));

  nn::TransformerEncoderLayer lg(nn::TransformerEncoderLayerOptions(4, 2).dim_feedforward(8).activation(kGELU));
  fill(*lg);
  lg->eval();
  expect_ref(lg(x), {3, 2, 4},
             {0.5106014, 0.09766888, 0.1116936, -0.1188585, 0.2383736, -0.04778207, 0.4740782, 0.337952,
              0.3264827, -0.1038591, 0.4452111, 0.2374904, 0.5075809, 0.15577, 0.1139156, -0.1947606,
              0.2430047, -0.0525507, 0.4696684, 0.3383361, 0.2510427, -0.05781942, 0.489347, 0.3051974});
  // A callable activation.
  nn::TransformerEncoderLayer lc(nn::TransformerEncoderLayerOptions(4, 2).dim_feedforward(8).activation(
      std::function<Tensor(const Tensor&)>([](const Tensor& t) { return gelu(t); })));
  fill(*lc);
  lc->eval();
  CHECK(allclose(lc(x), lg(x), 1e-5, 1e-6));

  CHECK_THROWS_NAMING(l(seqt({3, 2, 5}, 0.5)), ShapeError, "nn::TransformerEncoderLayer", "[3, 2, 5]");
  CHECK_THROWS_NAMING(nn::TransformerEncoderLayer(5, 2), ShapeError, "nn::MultiheadAttention", "embed_dim (5)");
  CHECK_THROWS_NAMING(nn::TransformerEncoderLayer(nn::TransformerEncoderLayerOptions(4, 2).activation(kTanh)), Error,
                      "nn::TransformerEncoderLayer", "activation");
}

TEST_CASE("nn::TransformerEncoderLayer norm_first, batch_first, layer_norm_eps", "[nn][transformer]") {
  nn::TransformerEncoderLayer l(
      nn::TransformerEncoderLayerOptions(4, 2).dim_feedforward(8).norm_first(true).layer_norm_eps(1e-3));
  CHECK(l->norm1->options.eps() == 1e-3);
  fill(*l);
  l->eval();
  Tensor x = seqt({3, 2, 4}, 0.5);
  // PyTorch's pre-norm order: x + sa(norm1(x)), then + ff(norm2(.)).
  Tensor n1 = l->norm1(x);
  Tensor h = x + std::get<0>(l->self_attn(n1, n1, n1));
  Tensor want = h + l->linear2(relu(l->linear1(l->norm2(h))));
  CHECK(allclose(l(x), want, 1e-5, 1e-6));

  nn::TransformerEncoderLayer a(nn::TransformerEncoderLayerOptions(4, 2).dim_feedforward(8));
  nn::TransformerEncoderLayer b(nn::TransformerEncoderLayerOptions(4, 2).dim_feedforward(8).batch_first(true));
  fill(*a);
  fill(*b);
  a->eval();
  b->eval();
  Tensor kpm = bools({0, 0, 1, 0, 0, 0}, {2, 3});
  CHECK(allclose(b->forward(x.transpose(0, 1), {}, kpm).transpose(0, 1), a->forward(x, {}, kpm), 1e-5, 1e-6));
}

TEST_CASE("nn::TransformerEncoder matches libtorch", "[nn][transformer]") {
  nn::TransformerEncoder enc(nn::TransformerEncoderOptions(nn::TransformerEncoderLayerOptions(4, 2).dim_feedforward(8), 2)
                                 .norm(nn::AnyModule(nn::LayerNorm(nn::LayerNormOptions({4})))));
  const std::string p = printed(*enc);
  CHECK(p.rfind("ember::nn::TransformerEncoderImpl(\n  (layers): ember::nn::ModuleList(\n    (0): "
                "ember::nn::TransformerEncoderLayerImpl(\n      (self_attn): ember::nn::MultiheadAttention(\n",
                0) == 0);
  CHECK(p.find("\n    (1): ember::nn::TransformerEncoderLayerImpl(\n") != std::string::npos);
  CHECK(p.find("\n  (norm): ember::nn::LayerNorm([4], eps=1e-05, elementwise_affine=true)\n)") != std::string::npos);
  auto names = enc->named_parameters();
  REQUIRE(names.size() == 26);
  CHECK(names.keys()[0] == "layers.0.self_attn.in_proj_weight");
  CHECK(names.keys()[2] == "layers.0.self_attn.out_proj.weight");
  CHECK(names.keys()[12] == "layers.1.self_attn.in_proj_weight");
  CHECK(names.keys()[23] == "layers.1.norm2.bias");
  CHECK(names.keys()[24] == "norm.weight");
  CHECK(names.keys()[25] == "norm.bias");
  // The layers are deep copies: same initial values, separate storage.
  CHECK(names["layers.0.linear1.weight"].equal(names["layers.1.linear1.weight"]));
  CHECK(names["layers.0.linear1.weight"].data_ptr() != names["layers.1.linear1.weight"].data_ptr());
  fill(*enc);
  enc->eval();
  Tensor x = seqt({3, 2, 4}, 0.5);
  expect_ref(enc(x), {3, 2, 4},
             {0.2972905, 0.2598456, 0.2332456, 0.6432163, 0.2703179, 0.2944666, 0.0904977, 0.5915844,
              0.278564, 0.2928798, 0.1049107, 0.6071966, 0.295715, 0.2574758, 0.2389088, 0.6406994,
              0.2705555, 0.2947067, 0.09037327, 0.5914232, 0.2716195, 0.2937561, 0.09350736, 0.5952411});
  Tensor kpm = bools({0, 0, 1, 0, 0, 0}, {2, 3});
  expect_ref(enc(x, causal_float(3), kpm), {3, 2, 4},
             {0.2934041, 0.2654319, 0.2036088, 0.6468685, 0.2721777, 0.2939614, 0.09387371, 0.5956587,
              0.2806213, 0.2938219, 0.1061549, 0.6079585, 0.2944052, 0.2585918, 0.2311923, 0.6422859,
              0.2696784, 0.2947217, 0.08921247, 0.5899636, 0.2716252, 0.2937558, 0.09351555, 0.5952508});

  // Without a norm and with no layers the input comes back unchanged.
  nn::TransformerEncoder none(nn::TransformerEncoderOptions(nn::TransformerEncoderLayerOptions(4, 2), 0));
  CHECK(none(x).equal(x));
  CHECK(none->parameters().empty());
}

TEST_CASE("nn::TransformerEncoderLayer clone is a deep copy", "[nn][transformer]") {
  nn::TransformerEncoderLayer l(nn::TransformerEncoderLayerOptions(4, 2).dim_feedforward(8));
  fill(*l);
  l->eval();
  auto c = std::dynamic_pointer_cast<nn::TransformerEncoderLayerImpl>(l->clone());
  REQUIRE(c != nullptr);
  c->eval();  // reset() inside clone re-creates the submodules in training mode
  CHECK(names_of(c->named_parameters()) == names_of(l->named_parameters()));
  CHECK(c->self_attn->in_proj_weight.data_ptr() != l->self_attn->in_proj_weight.data_ptr());
  Tensor x = seqt({3, 2, 4}, 0.5);
  CHECK(c->forward(x).equal(l(x)));
  {
    NoGradGuard g;
    c->linear1->weight.zero_();
  }
  CHECK_FALSE(c->forward(x).equal(l(x)));
}

TEST_CASE("a tiny TransformerEncoder trains with Adam", "[nn][transformer]") {
  manual_seed(3);
  nn::TransformerEncoder enc(
      nn::TransformerEncoderOptions(nn::TransformerEncoderLayerOptions(8, 2).dim_feedforward(16).dropout(0.0), 2));
  nn::Linear head(8, 1);
  std::vector<Tensor> params = enc->parameters();
  for (auto& p : head->parameters()) params.push_back(p);
  optim::Adam opt(params, optim::AdamOptions(1e-2));
  Tensor x = randn({5, 4, 8});
  Tensor target = x.sum({0, 2}).unsqueeze(1) * 0.1;  // (N, 1) from the whole sequence
  double first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    opt.zero_grad();
    Tensor y = head(enc(x).mean({0}));
    Tensor loss = mse_loss(y, target);
    loss.backward();
    opt.step();
    if (step == 0) first = loss.item<double>();
    last = loss.item<double>();
  }
  INFO("first loss " << first << ", last loss " << last);
  CHECK(last < 0.5 * first);
  for (auto& p : params) CHECK(p.grad().defined());
}

TEST_CASE("nn::MultiheadAttention: forward hooks see the inputs and the attention output") {
  ember::manual_seed(0);
  ember::nn::MultiheadAttention mha(ember::nn::MultiheadAttentionOptions(4, 2));
  int pre = 0, post = 0;
  ember::Tensor seen;
  mha->register_forward_pre_hook([&](ember::nn::Module&, const std::vector<ember::Tensor>& in) {
    ++pre;
    CHECK(in.size() == 3);
  });
  mha->register_forward_hook(
      [&](ember::nn::Module&, const std::vector<ember::Tensor>&, const ember::Tensor& out) { ++post, seen = out; });
  ember::Tensor x = ember::randn({3, 1, 4});
  auto [out, weights] = mha->forward(x, x, x);
  CHECK(pre == 1);
  CHECK(post == 1);
  CHECK(seen.is_same(out));
  CHECK(weights.sizes() == std::vector<int64_t>{1, 3, 3});
}
