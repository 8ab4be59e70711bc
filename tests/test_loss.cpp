// Losses and distances: values against libtorch (nn_reference.h) for every reduction,
// weights, ignore_index, label smoothing, probability targets, N-d inputs, large logits;
// gradients of the class losses; error paths.
#include "nn_test_util.h"

using namespace nn_test;
using ember::Tensor;
namespace Red = ember::Reduction;

namespace {
Tensor dbl(std::initializer_list<double> v) { return ember::tensor(v, ember::TensorOptions().dtype(ember::kDouble)); }
Tensor lng(std::initializer_list<int64_t> v) { return ember::tensor(v); }
}  // namespace

TEST_CASE("loss: Reduction enum matches at::Reduction", "[loss]") {
  CHECK(Red::None == 0);
  CHECK(Red::Mean == 1);
  CHECK(Red::Sum == 2);
  CHECK(Red::END == 3);
}

TEST_CASE("cross_entropy_loss and nll_loss: class indices, weights, ignore_index, smoothing", "[loss]") {
  namespace r = nn_ref;
  const nn_ref::Ref* ce[] = {&r::ce_r0, &r::ce_r1, &r::ce_r2};
  const nn_ref::Ref* ce_w[] = {&r::ce_w_r0, &r::ce_w_r1, &r::ce_w_r2};
  const nn_ref::Ref* ce_w_ign[] = {&r::ce_w_ign2_r0, &r::ce_w_ign2_r1, &r::ce_w_ign2_r2};
  const nn_ref::Ref* ce_ls[] = {&r::ce_ls01_r0, &r::ce_ls01_r1, &r::ce_ls01_r2};
  const nn_ref::Ref* ce_w_ign_ls[] = {&r::ce_w_ign2_ls02_r0, &r::ce_w_ign2_ls02_r1, &r::ce_w_ign2_ls02_r2};
  const nn_ref::Ref* nll_w_ign0[] = {&r::nll_w_ign0_r0, &r::nll_w_ign0_r1, &r::nll_w_ign0_r2};
  for (auto dt : {ember::kFloat, ember::kDouble}) {
    Tensor x = seq({4, 5}, 0.1, dt) * 2;
    Tensor t = lng({1, 0, 4, 2});
    Tensor w = dbl({0.5, 1.0, 2.0, 1.5, 0.25}).to(dt);
    for (int64_t red = 0; red < 3; ++red) {
      INFO("reduction " << red << " " << ember::toString(dt));
      const Tol tol = tol_for(dt);
      check_ref(ember::cross_entropy_loss(x, t, {}, red), *ce[red], tol);
      check_ref(ember::cross_entropy_loss(x, t, w, red), *ce_w[red], tol);
      check_ref(ember::cross_entropy_loss(x, t, w, red, 2), *ce_w_ign[red], tol);
      check_ref(ember::cross_entropy_loss(x, t, {}, red, -100, 0.1), *ce_ls[red], tol);
      check_ref(ember::cross_entropy_loss(x, t, w, red, 2, 0.2), *ce_w_ign_ls[red], tol);
      check_ref(ember::nll_loss(ember::log_softmax(x, 1), t, w, red, 0), *nll_w_ign0[red], tol);
    }
  }
}

TEST_CASE("cross_entropy_loss: class probability targets", "[loss]") {
  namespace r = nn_ref;
  const nn_ref::Ref* p[] = {&r::ce_prob_r0, &r::ce_prob_r1, &r::ce_prob_r2};
  const nn_ref::Ref* pw[] = {&r::ce_prob_w_ls03_r0, &r::ce_prob_w_ls03_r1, &r::ce_prob_w_ls03_r2};
  Tensor x = seq({4, 5}, 0.1) * 2;
  Tensor probs = ember::softmax(seq({4, 5}, 1.1), 1);
  Tensor w = dbl({0.5, 1.0, 2.0, 1.5, 0.25});
  for (int64_t red = 0; red < 3; ++red) {
    INFO("reduction " << red);
    check_ref(ember::cross_entropy_loss(x, probs, {}, red), *p[red]);
    check_ref(ember::cross_entropy_loss(x, probs, w, red, -100, 0.3), *pw[red]);
  }
}

TEST_CASE("cross_entropy_loss and nll_loss: 1-d and N-d inputs, all targets ignored", "[loss]") {
  Tensor x1 = seq({5}, 0.7);
  Tensor t0 = ember::scalar_tensor(3, ember::TensorOptions().dtype(ember::kLong));
  check_ref(ember::cross_entropy_loss(x1, t0), nn_ref::ce_1d);
  check_ref(ember::cross_entropy_loss(x1, t0, {}, Red::None), nn_ref::ce_1d_none);
  Tensor xnd = seq({2, 3, 2, 2}, 0.9);
  Tensor tnd = lng({0, 2, 1, 1, 2, 0, -100, 1}).reshape({2, 2, 2});
  check_ref(ember::cross_entropy_loss(xnd, tnd, {}, Red::None), nn_ref::ce_nd_none);
  check_ref(ember::cross_entropy_loss(xnd, tnd, dbl({1.0, 2.0, 0.5})), nn_ref::ce_nd_mean_w);
  check_ref(ember::cross_entropy_loss(xnd, tnd, {}, Red::Mean, -100, 0.15), nn_ref::ce_nd_ls);
  check_ref(ember::nll_loss2d(ember::log_softmax(xnd, 1), tnd, {}, Red::None), nn_ref::ce_nd_none);
  Tensor x3 = seq({2, 3, 4}, 0.2);
  Tensor t3 = lng({0, 1, 2, 1, 2, 2, 0, 0}).reshape({2, 4});
  check_ref(ember::nll_loss_nd(x3, t3, {}, Red::Sum), nn_ref::nll_3d_sum);
  check_ref(ember::nll_loss(x3, t3, {}, Red::Sum), nn_ref::nll_3d_sum);
  // Mean over no counted target is 0 / 0 (libtorch gives NaN).
  Tensor lp = ember::log_softmax(seq({4, 5}, 0.1) * 2, 1);
  check_ref(ember::nll_loss(lp, ember::full({4}, -100, ember::TensorOptions().dtype(ember::kLong))),
            nn_ref::nll_all_ignored);
  // uint8 targets are accepted like int64.
  CHECK(ember::allclose(ember::nll_loss(lp, lng({1, 0, 4, 2}).to(ember::kByte)), ember::nll_loss(lp, lng({1, 0, 4, 2}))));
}

TEST_CASE("cross_entropy_loss: gradients match libtorch on both backward paths", "[loss]") {
  Tensor x = seq({4, 5}, 0.1) * 2;
  Tensor t = lng({1, 0, 4, 2});
  Tensor w = dbl({0.5, 1.0, 2.0, 1.5, 0.25});
  Tensor probs = ember::softmax(seq({4, 5}, 1.1), 1);
  for (bool cg : {false, true}) {
    check_ref(weighted_grad([&](const Tensor& v) { return ember::cross_entropy_loss(v, t, w, Red::Mean, 2, 0.2); }, x, cg),
              nn_ref::g_ce_w_ign2_ls02);
    check_ref(weighted_grad([&](const Tensor& v) { return ember::cross_entropy_loss(v, probs, w); }, x, cg),
              nn_ref::g_ce_prob_w);
  }
}

TEST_CASE("regression losses: mse, l1, smooth_l1, huber", "[loss]") {
  namespace r = nn_ref;
  const nn_ref::Ref* mse[] = {&r::mse_r0, &r::mse_r1, &r::mse_r2};
  const nn_ref::Ref* l1[] = {&r::l1_r0, &r::l1_r1, &r::l1_r2};
  const nn_ref::Ref* sl1[] = {&r::smoothl1_b05_r0, &r::smoothl1_b05_r1, &r::smoothl1_b05_r2};
  const nn_ref::Ref* hub[] = {&r::huber_d07_r0, &r::huber_d07_r1, &r::huber_d07_r2};
  for (auto dt : {ember::kFloat, ember::kDouble}) {
    Tensor a = seq({2, 3}, 0.2, dt), b = seq({2, 3}, 1.4, dt);
    for (int64_t red = 0; red < 3; ++red) {
      INFO("reduction " << red << " " << ember::toString(dt));
      check_ref(ember::mse_loss(a, b, red), *mse[red], tol_for(dt));
      check_ref(ember::l1_loss(a, b, red), *l1[red], tol_for(dt));
      check_ref(ember::smooth_l1_loss(a, b, red, 0.5), *sl1[red], tol_for(dt));
      check_ref(ember::huber_loss(a, b, red, 0.7), *hub[red], tol_for(dt));
    }
  }
  Tensor a = seq({2, 3}, 0.2), b = seq({2, 3}, 1.4);
  check_ref(ember::smooth_l1_loss(a, b, Red::Mean, 0.0), r::smoothl1_b0);
  check_ref(ember::mse_loss(a, b.select(0, 0), Red::None), r::mse_bcast);
  // The target gets a gradient too.
  Tensor tb = b.clone().requires_grad_(true);
  ember::mse_loss(a, tb, Red::Sum).backward();
  CHECK(ember::allclose(tb.grad(), 2 * (b - a)));
}

TEST_CASE("binary cross entropy, with and without logits", "[loss]") {
  namespace r = nn_ref;
  const nn_ref::Ref* bce[] = {&r::bce_r0, &r::bce_r1, &r::bce_r2};
  const nn_ref::Ref* bce_w[] = {&r::bce_w_r0, &r::bce_w_r1, &r::bce_w_r2};
  const nn_ref::Ref* bcel[] = {&r::bcel_r0, &r::bcel_r1, &r::bcel_r2};
  const nn_ref::Ref* bcel_w[] = {&r::bcel_w_pw_r0, &r::bcel_w_pw_r1, &r::bcel_w_pw_r2};
  Tensor p = ember::sigmoid(seq({2, 3}, 0.4) * 2), t = ember::sigmoid(seq({2, 3}, 2.0));
  Tensor w = dbl({0.5, 1.0, 2.0});
  Tensor logits = dbl({-100.0, -3.0, 0.0, 0.5, 3.0, 100.0}).reshape({2, 3});
  Tensor pw = dbl({2.0, 0.5, 3.0});
  for (int64_t red = 0; red < 3; ++red) {
    INFO("reduction " << red);
    check_ref(ember::binary_cross_entropy(p, t, {}, red), *bce[red]);
    check_ref(ember::binary_cross_entropy(p, t, w.expand({2, 3}), red), *bce_w[red]);
    check_ref(ember::binary_cross_entropy_with_logits(logits, t, {}, {}, red), *bcel[red]);
    check_ref(ember::binary_cross_entropy_with_logits(logits, t, w, pw, red), *bcel_w[red]);
  }
  // Probabilities of exactly 0 and 1 give the clamped loss of 100, and finite gradients.
  Tensor edges = dbl({0.0, 1.0, 0.0, 1.0}).requires_grad_(true);
  Tensor le = ember::binary_cross_entropy(edges, dbl({0.0, 1.0, 1.0, 0.0}), {}, Red::None);
  check_ref(le, r::bce_edges);
  le.sum().backward();
  CHECK(ember::isfinite(edges.grad()).all().item<bool>());
  // Logits of +-1000 in float32 stay finite.
  Tensor lf = (logits * 10).to(ember::kFloat);
  check_ref(ember::binary_cross_entropy_with_logits(lf, t.to(ember::kFloat), {}, {}, Red::None), r::bcel_f_large,
            {1e-6, 1e-5});
  for (bool cg : {false, true}) {
    check_ref(weighted_grad([&](const Tensor& v) { return ember::binary_cross_entropy(v, t, w.expand({2, 3})); }, p, cg),
              r::g_bce_w);
    check_ref(weighted_grad([&](const Tensor& v) { return ember::binary_cross_entropy_with_logits(v, t, w, pw); }, logits,
                            cg),
              r::g_bcel_w_pw);
  }
}

TEST_CASE("kl_div, margin_ranking_loss, cosine_embedding_loss", "[loss]") {
  namespace r = nn_ref;
  const nn_ref::Ref* kl[] = {&r::kl_r0, &r::kl_r1, &r::kl_r2};
  const nn_ref::Ref* kll[] = {&r::kl_logt_r0, &r::kl_logt_r1, &r::kl_logt_r2};
  const nn_ref::Ref* mrl[] = {&r::mrl_m05_r0, &r::mrl_m05_r1, &r::mrl_m05_r2};
  const nn_ref::Ref* cel[] = {&r::cel_m02_r0, &r::cel_m02_r1, &r::cel_m02_r2};
  Tensor lp = ember::log_softmax(seq({2, 3}, 0.6), 1);
  Tensor kt = dbl({0.2, 0.0, 0.8, 0.5, 0.25, 0.25}).reshape({2, 3});
  Tensor lt = ember::log_softmax(seq({2, 3}, 2.2), 1);
  Tensor i1 = seq({4}, 0.1), i2 = seq({4}, 0.8), y = dbl({1.0, -1.0, 1.0, -1.0});
  Tensor e1 = seq({4, 3}, 0.3), e2 = seq({4, 3}, 1.7);
  for (int64_t red = 0; red < 3; ++red) {
    INFO("reduction " << red);
    check_ref(ember::kl_div(lp, kt, red), *kl[red]);
    check_ref(ember::kl_div(lp, lt, red, true), *kll[red]);
    check_ref(ember::margin_ranking_loss(i1, i2, y, 0.5, red), *mrl[red]);
    check_ref(ember::cosine_embedding_loss(e1, e2, y, 0.2, red), *cel[red]);
  }
  check_ref(ember::cosine_embedding_loss(e1[0], e2[0], ember::scalar_tensor(-1.0, ember::TensorOptions().dtype(ember::kDouble)),
                                         -0.5, Red::None),
            r::cel_0d);
  // A zero target probability gives no NaN in the gradient of kl_div.
  Tensor ktg = kt.clone().requires_grad_(true);
  ember::kl_div(lp, ktg, Red::Sum).backward();
  CHECK(ember::isfinite(ktg.grad()).all().item<bool>());
  for (bool cg : {false, true})
    check_ref(weighted_grad([&](const Tensor& v) { return ember::kl_div(v, kt, Red::Sum); }, lp, cg), r::g_kl);
}

TEST_CASE("distances: cosine_similarity, pairwise_distance, triplet_margin_loss", "[loss]") {
  namespace r = nn_ref;
  Tensor e1 = seq({4, 3}, 0.3), e2 = seq({4, 3}, 1.7);
  check_ref(ember::cosine_similarity(e1, e2), r::cos_sim_d1);
  check_ref(ember::cosine_similarity(e1, e2, 0), r::cos_sim_d0);
  Tensor z = e1.clone();
  z.select(0, 1).zero_();
  check_ref(ember::cosine_similarity(z, e2), r::cos_sim_zero);
  check_ref(ember::cosine_similarity(e1, e2[0]), r::cos_sim_bcast);
  check_ref(ember::pairwise_distance(e1, e2), r::pd_p2);
  check_ref(ember::pairwise_distance(e1, e2, 1, 1e-6, true), r::pd_p1_keep);
  check_ref(ember::pairwise_distance(e1, e2, 3), r::pd_p3);
  check_ref(ember::pairwise_distance(e1, e2, std::numeric_limits<double>::infinity()), r::pd_pinf);
  check_ref(ember::pairwise_distance(e1[0], e2[0]), r::pd_1d);
  Tensor an = seq({4, 3}, 0.0), po = seq({4, 3}, 0.5), ne = seq({4, 3}, 3.0);
  const nn_ref::Ref* tml[] = {&r::tml_r0, &r::tml_r1, &r::tml_r2};
  for (int64_t red = 0; red < 3; ++red) check_ref(ember::triplet_margin_loss(an, po, ne, 1.0, 2, 1e-6, false, red), *tml[red]);
  check_ref(ember::triplet_margin_loss(an, po, ne, 1.5, 1, 1e-6, true, Red::None), r::tml_swap_p1);
  check_ref(ember::triplet_margin_loss(an, po, ne, 3.0, 2, 1e-6, false, Red::None), r::tml_m3);
  check_ref(ember::triplet_margin_loss(an, po, ne, 3.0), r::tml_m3_mean);
  for (bool cg : {false, true}) {
    check_ref(weighted_grad([&](const Tensor& v) { return ember::cosine_similarity(v, e2); }, e1, cg), r::g_cos_sim_d1);
    check_ref(weighted_grad([&](const Tensor& v) { return ember::pairwise_distance(v, e2, 3); }, e1, cg), r::g_pd_p3);
    check_ref(weighted_grad([&](const Tensor& v) { return ember::triplet_margin_loss(v, po, ne, 1.5, 2, 1e-6, true, Red::None); },
                            an, cg),
              r::g_tml_swap);
  }
  // A zero vector has a finite gradient.
  Tensor zg = z.clone().requires_grad_(true);
  ember::cosine_similarity(zg, e2).sum().backward();
  CHECK(ember::isfinite(zg.grad()).all().item<bool>());
}

TEST_CASE("loss: bad class indices raise IndexError naming the op and the value", "[loss]") {
  Tensor x = seq({4, 5}, 0.1);
  CHECK_OP_ERROR(ember::cross_entropy_loss(x, lng({1, 5, 0, 2})), ember::IndexError, "cross_entropy_loss",
                 "Target 5 is out of bounds");
  CHECK_OP_ERROR(ember::nll_loss(x, lng({1, 0, -1, 2})), ember::IndexError, "nll_loss", "Target -1 is out of bounds");
  CHECK_OP_ERROR(ember::nll_loss(x, lng({1, 0, -100, 7}), {}, Red::Sum), ember::IndexError, "nll_loss", "Target 7");
  // ignore_index is allowed anywhere, also inside [0, C).
  CHECK_NOTHROW(ember::nll_loss(x, lng({1, 0, -100, 2})));
  CHECK_NOTHROW(ember::nll_loss(x, lng({1, 9, 3, 2}), {}, Red::Mean, 9));
  CHECK_OP_ERROR(ember::cross_entropy_loss(seq({2, 3, 2}, 0.0), lng({0, 1, 2, 3}).reshape({2, 2})), ember::IndexError,
                 "cross_entropy_loss", "Target 3");
}

TEST_CASE("loss: shape, dtype and argument errors name the op", "[loss]") {
  Tensor x = seq({4, 5}, 0.1);
  CHECK_OP_ERROR(ember::cross_entropy_loss(x, lng({1, 0, 2})), ember::ShapeError, "cross_entropy_loss", "batch_size (4)");
  CHECK_OP_ERROR(ember::nll_loss(x, lng({1, 0, 2, 1}).to(ember::kInt)), ember::DTypeError, "nll_loss", "Long");
  CHECK_OP_ERROR(ember::nll_loss(x, lng({1, 0, 2, 1}), dbl({1.0, 2.0})), ember::ShapeError, "nll_loss", "weight");
  CHECK_OP_ERROR(ember::nll_loss_nd(seq({2, 3, 4}, 0.0), lng({0, 1, 2}).reshape({1, 3})), ember::ShapeError, "nll_loss_nd",
                 "batch_size");
  CHECK_OP_ERROR(ember::nll_loss_nd(seq({2, 3, 4}, 0.0), lng({0, 1, 2, 0, 1, 2}).reshape({2, 3})), ember::ShapeError,
                 "nll_loss_nd", "Expected target size [2, 4]");
  CHECK_OP_ERROR(ember::nll_loss2d(x, lng({1, 0, 2, 1})), ember::ShapeError, "nll_loss2d", "4D");
  CHECK_OP_ERROR(ember::cross_entropy_loss(x, lng({1, 0, 2, 1}), {}, Red::Mean, -100, 1.5), ember::Error,
                 "cross_entropy_loss", "label_smoothing");
  CHECK_OP_ERROR(ember::cross_entropy_loss(x, x, {}, Red::Mean, 1), ember::Error, "cross_entropy_loss", "ignore_index");
  CHECK_OP_ERROR(ember::cross_entropy_loss(x, lng({1, 0, 2, 1}), {}, 7), ember::Error, "cross_entropy_loss", "reduction");
  CHECK_OP_ERROR(ember::mse_loss(x, seq({3, 5}, 0.0)), ember::ShapeError, "mse_loss", "[3, 5]");
  CHECK_OP_ERROR(ember::l1_loss(x, seq({4, 2}, 0.0)), ember::ShapeError, "l1_loss", "target");
  CHECK_OP_ERROR(ember::mse_loss(ember::arange(4), ember::arange(4)), ember::DTypeError, "mse_loss", "floating point");
  CHECK_OP_ERROR(ember::smooth_l1_loss(x, x, Red::Mean, -1.0), ember::Error, "smooth_l1_loss", "negative");
  CHECK_OP_ERROR(ember::huber_loss(x, x, Red::Mean, 0.0), ember::Error, "huber_loss", "non-positive");
  CHECK_OP_ERROR(ember::binary_cross_entropy(ember::sigmoid(x), seq({4, 1}, 0.0)), ember::ShapeError,
                 "binary_cross_entropy", "target size");
  CHECK_OP_ERROR(ember::binary_cross_entropy(x, ember::sigmoid(x)), ember::Error, "binary_cross_entropy",
                 "between 0 and 1");
  CHECK_OP_ERROR(ember::binary_cross_entropy_with_logits(x, seq({3}, 0.0)), ember::ShapeError,
                 "binary_cross_entropy_with_logits", "target");
  CHECK_OP_ERROR(ember::cosine_embedding_loss(x, x, dbl({1.0, -1.0})), ember::ShapeError, "cosine_embedding_loss", "");
  CHECK_OP_ERROR(ember::cosine_embedding_loss(x, x, ember::ones({4, 1})), ember::ShapeError, "cosine_embedding_loss",
                 "multi-target");
  CHECK_OP_ERROR(ember::triplet_margin_loss(x, x, x[0]), ember::ShapeError, "triplet_margin_loss", "same dimension");
  CHECK_OP_ERROR(ember::cosine_similarity(x, seq({3, 5}, 0.0)), ember::ShapeError, "cosine_similarity", "x2");
  CHECK_OP_ERROR(ember::cosine_similarity(ember::arange(3), ember::arange(3), 0), ember::DTypeError, "cosine_similarity",
                 "floating point");
  CHECK_OP_ERROR(ember::pairwise_distance(x, seq({2, 5}, 0.0)), ember::ShapeError, "pairwise_distance", "x1");
  CHECK_OP_ERROR(ember::pairwise_distance(x, x, -1), ember::Error, "pairwise_distance", "non-negative");
}
