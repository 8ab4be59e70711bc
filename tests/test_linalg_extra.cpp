// linear, bilinear, einsum, baddbmm, tensordot, cross: values against libtorch
// (nn_reference.h), gradients, errors.
#include "nn_test_util.h"

using namespace nn_test;
using ember::Tensor;

TEST_CASE("linear and bilinear match libtorch", "[linalg_extra]") {
  Tensor x = seq({3, 4}, 0.1), w = seq({2, 4}, 0.7), b = seq({2}, 1.3);
  check_ref(ember::linear(x, w, b), nn_ref::linear_2d);
  check_ref(ember::linear(seq({2, 3, 4}, 0.2), w, b), nn_ref::linear_3d);
  check_ref(ember::linear(x, w), nn_ref::linear_nobias);
  check_ref(ember::linear(seq({4}, 0.2), w, b), nn_ref::linear_1d);
  // Non-contiguous 3-d input.
  Tensor x3 = seq({2, 4, 3}, 0.0);
  Tensor x3t = seq({2, 3, 4}, 0.2).transpose(1, 2).contiguous().transpose(1, 2);
  REQUIRE_FALSE(x3t.is_contiguous());
  check_ref(ember::linear(x3t, w, b), nn_ref::linear_3d);
  check_ref(ember::linear(x.to(ember::kFloat), w.to(ember::kFloat), b.to(ember::kFloat)), nn_ref::linear_2d,
            tol_for(ember::kFloat));
  Tensor b1 = seq({3, 4}, 0.3), b2 = seq({3, 5}, 0.6), bw = seq({2, 4, 5}, 0.9), bb = seq({2}, 0.1);
  check_ref(ember::bilinear(b1, b2, bw, bb), nn_ref::bilinear);
  check_ref(ember::bilinear(seq({2, 3, 4}, 0.3), seq({2, 3, 5}, 0.5), bw), nn_ref::bilinear_3d);
  // Gradients reach every argument (checked numerically in the op table).
  Tensor wg = w.clone().requires_grad_(true), bg = b.clone().requires_grad_(true);
  ember::linear(seq({2, 3, 4}, 0.2), wg, bg).sum().backward();
  CHECK(wg.grad().sizes() == w.sizes());
  CHECK(ember::allclose(bg.grad(), ember::full({2}, 6.0, ember::TensorOptions().dtype(ember::kDouble))));
}

TEST_CASE("einsum: common subscripts match libtorch", "[linalg_extra]") {
  namespace r = nn_ref;
  Tensor A = seq({3, 4}, 0.1), B = seq({4, 5}, 0.2), C = seq({2, 3, 4}, 0.3), D = seq({2, 4, 5}, 0.4),
         Q = seq({3, 3}, 0.5), v3 = seq({3}, 0.6), v4 = seq({4}, 0.7);
  Tensor b1 = seq({3, 4}, 0.3), bw = seq({2, 4, 5}, 0.9), b2 = seq({3, 5}, 0.6);
  check_ref(ember::einsum("ij,jk->ik", {A, B}), r::es_mm);
  check_ref(ember::einsum("ij,jk", {A, B}), r::es_mm_implicit);
  check_ref(ember::einsum("bij,bjk->bik", {C, D}), r::es_bmm);
  check_ref(ember::einsum("ij->ji", {A}), r::es_t);
  check_ref(ember::einsum("ii->i", {Q}), r::es_diag);
  check_ref(ember::einsum("ii", {Q}), r::es_trace);
  check_ref(ember::einsum("i,j->ij", {v3, v4}), r::es_outer);
  check_ref(ember::einsum("ij->j", {A}), r::es_sum);
  check_ref(ember::einsum("ij->", {A}), r::es_sumall);
  check_ref(ember::einsum("bn,anm,bm->ba", {b1, bw, b2}), r::es_bil);
  check_ref(ember::einsum("...ij,...jk->...ik", {C, D}), r::es_ell);
  check_ref(ember::einsum("...ij,jk->...ik", {C, B}), r::es_ell_bcast);
  check_ref(ember::einsum("...ij->...ji", {C}), r::es_ell_t);
  check_ref(ember::einsum("ba", {A}), r::es_implicit_order);
  check_ref(ember::einsum("i,i->", {v4, v4}), r::es_dot);
  check_ref(ember::einsum("ij,j->i", {A, v4}), r::es_mv);
  check_ref(ember::einsum("ij,jk,kl->il", {A, B, seq({5, 2}, 0.8)}), r::es_3op);
  check_ref(ember::einsum("bii->bi", {seq({2, 3, 3}, 0.1)}), r::es_batchdiag);
  check_ref(ember::einsum("ij,ij->ij", {A, A}), r::es_hadamard);
  check_ref(ember::einsum(" i j , j k -> i k ", {A, B}), r::es_mm);  // spaces are ignored
  // Ellipses of different ranks broadcast; an ellipsis missing from the output is summed.
  check_ref(ember::einsum("...ij,...jk->...ik", {seq({2, 1, 3, 4}, 0.1), seq({5, 4, 2}, 0.2)}), r::es_ell_rank);
  check_ref(ember::einsum("...ii->...i", {seq({2, 3, 3}, 0.3)}), r::es_ell_diag);
  check_ref(ember::einsum("...ij,...jk", {seq({2, 3, 4}, 0.3), seq({2, 4, 5}, 0.4)}), r::es_ell_implicit);
  check_ref(ember::einsum("...ij->ij", {seq({2, 3, 4}, 0.3)}), r::es_ell_dropped);
  // Upper-case labels, which sort before lower-case ones in the implicit output.
  check_ref(ember::einsum("Ab,bc->Ac", {seq({3, 4}, 0.1), seq({4, 2}, 0.2)}), r::es_upper);
  check_ref(ember::einsum("bA", {A}), r::es_implicit_mixed);
  // A label of size 1 in one operand broadcasts against the other.
  check_ref(ember::einsum("ij,ij->i", {seq({3, 1}, 0.1), seq({3, 4}, 0.2)}), r::es_bcast_label);
  for (bool cg : {false, true})
    check_ref(weighted_grad([&](const Tensor& t) { return ember::einsum("bn,anm,bm->ba", {t, bw, b2}); }, b1, cg),
              r::g_es_bil_b1);
}

TEST_CASE("einsum: errors name the op", "[linalg_extra]") {
  Tensor A = seq({3, 4}, 0.1), B = seq({4, 5}, 0.2);
  CHECK_OP_ERROR(ember::einsum("ij,jk->ik", {A}), ember::Error, "einsum", "fewer operands");
  CHECK_OP_ERROR(ember::einsum("ij->ij", {A, B}), ember::Error, "einsum", "more operands");
  CHECK_OP_ERROR(ember::einsum("ijk->i", {A}), ember::ShapeError, "einsum", "number of subscripts");
  CHECK_OP_ERROR(ember::einsum("ij,jk->iz", {A, B}), ember::Error, "einsum", "output subscript z");
  CHECK_OP_ERROR(ember::einsum("ij,jk->ii", {A, B}), ember::Error, "einsum", "more than once");
  CHECK_OP_ERROR(ember::einsum("i1,jk->ik", {A, B}), ember::Error, "einsum", "invalid subscript");
  CHECK_OP_ERROR(ember::einsum("ij,kj->ik", {A, B}), ember::ShapeError, "einsum", "subscript j");
  CHECK_OP_ERROR(ember::einsum("ii->i", {A}), ember::ShapeError, "einsum", "repeated");
  CHECK_OP_ERROR(ember::einsum("..i.,jk", {A, B}), ember::Error, "einsum", "ellipsis");
  CHECK_OP_ERROR(ember::einsum("ij,jk", {A, B.to(ember::kFloat)}), ember::DTypeError, "einsum", "same dtype");
  CHECK_OP_ERROR(ember::einsum("ij", {}), ember::Error, "einsum", "at least one operand");
}

TEST_CASE("baddbmm and tensordot match libtorch", "[linalg_extra]") {
  Tensor M = seq({3, 2, 3}, 0.2), b1 = seq({3, 2, 4}, 0.4), b2 = seq({3, 4, 3}, 0.6);
  check_ref(ember::baddbmm(M, b1, b2, 0.5, 2.0), nn_ref::baddbmm);
  check_ref(M.baddbmm(b1, b2, 0.5, 2.0), nn_ref::baddbmm);
  check_ref(ember::baddbmm(seq({3}, 0.1), b1, b2), nn_ref::baddbmm_bcast);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Tensor nans = ember::full({3, 2, 3}, nan, ember::TensorOptions().dtype(ember::kDouble));
  check_ref(ember::baddbmm(nans, b1, b2, 0.0, 1.5), nn_ref::baddbmm_beta0);  // beta 0 ignores self
  Tensor Mi = M.clone();
  Tensor& r = Mi.baddbmm_(b1, b2, 0.5, 2.0);
  CHECK(r.is_same(Mi));
  check_ref(Mi, nn_ref::baddbmm);
  check_ref(ember::tensordot(seq({3, 4, 5}, 0.1), seq({4, 3, 2}, 0.2), {0, 1}, {1, 0}), nn_ref::tensordot);
  check_ref(ember::tensordot(seq({3, 1}, 0.1), seq({4, 2}, 0.2), {1}, {0}), nn_ref::tensordot_bcast);
  // Gradients of baddbmm against the composition.
  Tensor Mg = M.clone().requires_grad_(true), g1 = b1.clone().requires_grad_(true), g2 = b2.clone().requires_grad_(true);
  ember::baddbmm(Mg, g1, g2, 0.5, 2.0).pow(2).sum().backward();
  Tensor Mh = M.clone().requires_grad_(true), h1 = b1.clone().requires_grad_(true), h2 = b2.clone().requires_grad_(true);
  (0.5 * Mh + 2.0 * ember::bmm(h1, h2)).pow(2).sum().backward();
  CHECK(ember::allclose(Mg.grad(), Mh.grad()));
  CHECK(ember::allclose(g1.grad(), h1.grad()));
  CHECK(ember::allclose(g2.grad(), h2.grad()));
  CHECK(ember::baddbmm(Mg, g1, g2).grad_fn()->name() == "BaddbmmBackward0");
}

TEST_CASE("cross and linalg_cross match libtorch", "[linalg_extra]") {
  Tensor c1 = seq({4, 3}, 0.3).pow(3), c2 = seq({4, 3}, 0.9).exp();
  check_ref(ember::cross(c1, c2), nn_ref::cross2_default);
  check_ref(c1.cross(c2, 1), nn_ref::cross2_default);
  check_ref(ember::cross(c1.t().contiguous(), c2.t().contiguous(), 0), nn_ref::cross2_dim1);
  check_ref(ember::linalg_cross(seq({2, 1, 3}, 0.3).pow(3), seq({1, 4, 3}, 0.5).exp()), nn_ref::cross2_bcast);
  check_ref(ember::cross(seq({3, 3}, 0.1), seq({3, 3}, 0.2)), nn_ref::cross_3x3_default);
  Tensor ci = ember::cross(ember::tensor({1, 2, 3}), ember::tensor({4, 5, 6}), 0);
  CHECK(ci.dtype() == ember::kLong);
  check_ref(ci, nn_ref::cross_int);
  for (bool cg : {false, true})
    check_ref(weighted_grad([&](const Tensor& t) { return ember::cross(t, c2, 1); }, c1, cg), nn_ref::g_cross2);
}

TEST_CASE("linalg extras: errors name the op", "[linalg_extra]") {
  Tensor x = seq({3, 4}, 0.1), w = seq({2, 4}, 0.7);
  CHECK_OP_ERROR(ember::linear(x, seq({2, 5}, 0.0)), ember::ShapeError, "linear", "in_features 5");
  CHECK_OP_ERROR(ember::linear(x, w, seq({3}, 0.0)), ember::ShapeError, "linear", "bias");
  CHECK_OP_ERROR(ember::bilinear(x, seq({3, 5, 1}, 0.0), seq({2, 4, 5}, 0.0)), ember::ShapeError, "bilinear",
                 "input dimensions do not match");
  CHECK_OP_ERROR(ember::bilinear(x, seq({2, 5}, 0.0), seq({2, 4, 5}, 0.0)), ember::ShapeError, "bilinear",
                 "batch dimensions");
  CHECK_OP_ERROR(ember::bilinear(x, seq({3, 5}, 0.0), seq({2, 3, 5}, 0.0)), ember::ShapeError, "bilinear", "input1 size");
  CHECK_OP_ERROR(ember::bilinear(x, seq({3, 5}, 0.0), seq({2, 4, 6}, 0.0)), ember::ShapeError, "bilinear", "input2 size");
  CHECK_OP_ERROR(ember::baddbmm(seq({2, 2, 3}, 0.0), seq({2, 2, 4}, 0.0), seq({2, 5, 3}, 0.0)), ember::ShapeError,
                 "baddbmm", "batch2");
  CHECK_OP_ERROR(ember::baddbmm(seq({4, 3}, 0.0), seq({2, 2, 4}, 0.0), seq({2, 4, 3}, 0.0)), ember::ShapeError, "baddbmm",
                 "broadcast");
  CHECK_OP_ERROR(ember::baddbmm(seq({2, 3}, 0.0), seq({2, 4}, 0.0), seq({4, 3}, 0.0)), ember::ShapeError, "baddbmm", "3-D");
  CHECK_OP_ERROR(ember::tensordot(x, x, {0}, {0, 1}), ember::ShapeError, "tensordot", "same length");
  CHECK_OP_ERROR(ember::tensordot(x, x, {1}, {0}), ember::ShapeError, "tensordot", "contracted dimensions need to match");
  CHECK_OP_ERROR(ember::cross(seq({2, 4}, 0.0), seq({2, 4}, 0.0)), ember::ShapeError, "cross", "no dimension of size 3");
  CHECK_OP_ERROR(ember::linalg_cross(seq({4, 3}, 0.0), seq({3}, 0.0)), ember::ShapeError, "linalg_cross",
                 "same number of dimensions");
  CHECK_OP_ERROR(ember::linalg_cross(x, x, 1), ember::ShapeError, "linalg_cross", "must have length 3");
}
