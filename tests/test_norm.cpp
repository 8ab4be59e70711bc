// batch_norm, layer_norm, group_norm, instance_norm: outputs and running statistics
// against libtorch (nn_reference.h), gradients, errors.
#include "nn_test_util.h"

using namespace nn_test;
using ember::Tensor;

namespace {
Tensor dbl(std::initializer_list<double> v) { return ember::tensor(v, ember::TensorOptions().dtype(ember::kDouble)); }
}  // namespace

TEST_CASE("batch_norm: training updates running stats in place, eval uses them", "[norm]") {
  Tensor bx = seq({4, 3, 2}, 0.25) * 1.5 + 0.3;
  Tensor w = dbl({1.5, 0.5, -1.0}), b = dbl({0.1, -0.2, 0.3});
  Tensor rm = dbl({0.5, -0.5, 1.0}), rv = dbl({1.0, 2.0, 0.5});
  Tensor rm1 = rm.clone(), rv1 = rv.clone();
  const auto v0 = rm1._version();
  check_ref(ember::batch_norm(bx, w, b, rm1, rv1, true, 0.1, 1e-5, false), nn_ref::bn_train);
  check_ref(rm1, nn_ref::bn_train_rm);
  check_ref(rv1, nn_ref::bn_train_rv);
  CHECK(rm1._version() > v0);
  check_ref(ember::batch_norm(bx, w, b, rm, rv, false, 0.1, 1e-5, false), nn_ref::bn_eval);
  check_ref(ember::batch_norm(bx, {}, {}, {}, {}, true, 0.1, 1e-3, false), nn_ref::bn_train_noaffine_nostats);
  Tensor b2 = seq({5, 2}, 0.6);
  Tensor rm2 = ember::zeros({2}, ember::TensorOptions().dtype(ember::kDouble));
  Tensor rv2 = ember::ones({2}, ember::TensorOptions().dtype(ember::kDouble));
  check_ref(ember::batch_norm(b2, {}, {}, rm2, rv2, true, 0.3, 1e-5, false), nn_ref::bn_2d);
  check_ref(rm2, nn_ref::bn_2d_rm);
  check_ref(rv2, nn_ref::bn_2d_rv);
  // float32 input with the same statistics.
  Tensor rmf = rm.to(ember::kFloat), rvf = rv.to(ember::kFloat);
  Tensor yf = ember::batch_norm(bx.to(ember::kFloat), w.to(ember::kFloat), b.to(ember::kFloat), rmf, rvf, true, 0.1, 1e-5,
                                false);
  CHECK(yf.dtype() == ember::kFloat);
  check_ref(yf, nn_ref::bn_train, tol_for(ember::kFloat));
  check_ref(rvf, nn_ref::bn_train_rv, tol_for(ember::kFloat));
}

TEST_CASE("batch_norm: running stats are not recorded and gradients match libtorch", "[norm]") {
  Tensor bx = seq({4, 3, 2}, 0.25) * 1.5 + 0.3;
  Tensor w = dbl({1.5, 0.5, -1.0}), b = dbl({0.1, -0.2, 0.3});
  for (bool cg : {false, true})
    check_ref(weighted_grad([&](const Tensor& x) { return ember::batch_norm(x, w, b, {}, {}, true, 0.1, 1e-5, false); }, bx,
                            cg),
              nn_ref::g_bn_train);
  Tensor x = bx.clone().requires_grad_(true);
  Tensor rm = ember::zeros({3}, ember::TensorOptions().dtype(ember::kDouble));
  Tensor rv = ember::ones({3}, ember::TensorOptions().dtype(ember::kDouble));
  Tensor y = ember::batch_norm(x, w, b, rm, rv, true, 0.1, 1e-5, false);
  CHECK_FALSE(rm.requires_grad());
  CHECK_FALSE(rv.requires_grad());
  CHECK(rm.grad_fn() == nullptr);
  y.sum().backward();  // the in-place update of the running stats does not disturb backward
  CHECK(x.grad().defined());
}

TEST_CASE("layer_norm and group_norm match libtorch", "[norm]") {
  Tensor lx = seq({2, 3, 4}, 0.45) * 2;
  Tensor lw = seq({4}, 1.0), lb = seq({4}, 2.0);
  const std::vector<int64_t> n4{4};
  const std::vector<int64_t> n34{3, 4};
  check_ref(ember::layer_norm(lx, n4, lw, lb), nn_ref::ln_4);
  check_ref(ember::layer_norm(lx, n34, {}, {}, 1e-3), nn_ref::ln_34_noaffine);
  check_ref(ember::layer_norm(lx.to(ember::kFloat), n4, lw.to(ember::kFloat), lb.to(ember::kFloat)), nn_ref::ln_4,
            tol_for(ember::kFloat));
  Tensor gx = seq({2, 6, 3}, 0.15) * 2;
  Tensor gw = seq({6}, 0.3), gb = seq({6}, 0.9);
  check_ref(ember::group_norm(gx, 3, gw, gb), nn_ref::gn_3);
  check_ref(ember::group_norm(gx, 2, {}, {}, 1e-3), nn_ref::gn_2_noaffine);
  for (bool cg : {false, true}) {
    check_ref(weighted_grad([&](const Tensor& x) { return ember::layer_norm(x, n4, lw, lb); }, lx, cg), nn_ref::g_ln_4);
    check_ref(weighted_grad([&](const Tensor& x) { return ember::group_norm(x, 3, gw, gb); }, gx, cg), nn_ref::g_gn_3);
  }
}

TEST_CASE("instance_norm matches libtorch, running stats averaged over the batch", "[norm]") {
  Tensor ix = seq({2, 3, 4}, 0.8) * 2;
  Tensor w = dbl({1.5, 0.5, -1.0}), b = dbl({0.1, -0.2, 0.3});
  Tensor rm = dbl({0.5, -0.5, 1.0}), rv = dbl({1.0, 2.0, 0.5});
  Tensor rm3 = rm.clone(), rv3 = rv.clone();
  check_ref(ember::instance_norm(ix, w, b, rm3, rv3, true, 0.1, 1e-5, false), nn_ref::in_train);
  check_ref(rm3, nn_ref::in_train_rm);
  check_ref(rv3, nn_ref::in_train_rv);
  check_ref(ember::instance_norm(ix, w, b, rm, rv, false, 0.1, 1e-5, false), nn_ref::in_eval);
  check_ref(ember::instance_norm(ix, {}, {}, {}, {}, true, 0.1, 1e-5, false), nn_ref::in_nostats);
  // Gradient flows to input, weight and bias.
  Tensor x = ix.clone().requires_grad_(true), wg = w.clone().requires_grad_(true), bg = b.clone().requires_grad_(true);
  ember::instance_norm(x, wg, bg, {}, {}, true, 0.1, 1e-5, false).pow(2).sum().backward();
  CHECK(x.grad().defined());
  CHECK(wg.grad().sizes() == w.sizes());
  CHECK(bg.grad().sizes() == b.sizes());
}

TEST_CASE("local_response_norm matches libtorch's functional", "[norm]") {
  check_ref(ember::local_response_norm(seq({2, 5, 3}, 0.2) * 2, 3, 1e-2, 0.75, 1.0), nn_ref::lrn_3d);
  check_ref(ember::local_response_norm(seq({2, 4, 2, 3}, 0.4) * 3, 2, 0.1, 0.5, 2.0), nn_ref::lrn_4d);
  check_ref(ember::local_response_norm(seq({1, 3, 4}, 0.6), 7), nn_ref::lrn_big_size);
  for (bool cg : {false, true})
    check_ref(weighted_grad([](const Tensor& x) { return ember::local_response_norm(x, 3, 1e-2, 0.75, 1.0); },
                            seq({2, 5, 3}, 0.2) * 2, cg),
              nn_ref::g_lrn_3d);
}

TEST_CASE("normalization: errors name the op", "[norm]") {
  Tensor x = seq({4, 3, 2}, 0.0);
  Tensor c3 = ember::ones({3}, ember::TensorOptions().dtype(ember::kDouble));
  Tensor c4 = ember::ones({4}, ember::TensorOptions().dtype(ember::kDouble));
  CHECK_OP_ERROR(ember::batch_norm(x, c4, {}, {}, {}, true, 0.1, 1e-5, false), ember::ShapeError, "batch_norm",
                 "weight should contain 3 elements not 4");
  CHECK_OP_ERROR(ember::batch_norm(x, {}, {}, c4, c3, true, 0.1, 1e-5, false), ember::ShapeError, "batch_norm",
                 "running_mean");
  CHECK_OP_ERROR(ember::batch_norm(x, {}, {}, {}, {}, false, 0.1, 1e-5, false), ember::Error, "batch_norm",
                 "evaluation mode");
  CHECK_OP_ERROR(ember::batch_norm(seq({4}, 0.0), {}, {}, {}, {}, true, 0.1, 1e-5, false), ember::ShapeError, "batch_norm",
                 "at least 2");
  CHECK_OP_ERROR(ember::batch_norm(ember::ones({2, 3}, ember::TensorOptions().dtype(ember::kLong)), {}, {}, {}, {}, true,
                                   0.1, 1e-5, false),
                 ember::DTypeError, "batch_norm", "floating point");
  const std::vector<int64_t> n3{3};
  const std::vector<int64_t> n2{2};
  CHECK_OP_ERROR(ember::layer_norm(x, n3), ember::ShapeError, "layer_norm", "normalized_shape=[3]");
  CHECK_OP_ERROR(ember::layer_norm(x, {}), ember::ShapeError, "layer_norm", "at least 1-dimensional");
  CHECK_OP_ERROR(ember::layer_norm(x, n2, c3), ember::ShapeError, "layer_norm", "weight");
  CHECK_OP_ERROR(ember::group_norm(x, 2), ember::ShapeError, "group_norm", "divisible by num_groups");
  CHECK_OP_ERROR(ember::group_norm(x, 3, c4), ember::ShapeError, "group_norm", "weight");
  CHECK_OP_ERROR(ember::instance_norm(x, {}, c4, {}, {}, true, 0.1, 1e-5, false), ember::ShapeError, "instance_norm",
                 "bias");
  CHECK_OP_ERROR(ember::local_response_norm(seq({2, 3}, 0.0), 2), ember::ShapeError, "local_response_norm", "3D or higher");
  CHECK_OP_ERROR(ember::local_response_norm(x, 0), ember::Error, "local_response_norm", "size");
}
