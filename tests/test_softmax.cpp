// softmax, log_softmax, logsumexp: values against libtorch (nn_reference.h) along every
// dim, dtype argument, large inputs, gradients on both backward paths, errors.
#include "nn_test_util.h"

using namespace nn_test;
using ember::Tensor;

TEST_CASE("softmax: values along every dim match libtorch", "[softmax]") {
  namespace r = nn_ref;
  const nn_ref::Ref* sm[] = {&r::softmax_d0, &r::softmax_d1, &r::softmax_d2, &r::softmax_dm1};
  const nn_ref::Ref* lsm[] = {&r::log_softmax_d0, &r::log_softmax_d1, &r::log_softmax_d2, &r::log_softmax_dm1};
  const int64_t dims[] = {0, 1, 2, -1};
  for (auto dt : {ember::kFloat, ember::kDouble}) {
    Tensor s = seq({2, 3, 4}, 0.3, dt) * 3;
    for (int i = 0; i < 4; ++i) {
      INFO("dim " << dims[i] << " " << ember::toString(dt));
      Tensor y = ember::softmax(s, dims[i]);
      CHECK(y.dtype() == dt);
      check_ref(y, *sm[i], tol_for(dt));
      check_ref(ember::log_softmax(s, dims[i]), *lsm[i], tol_for(dt));
      check_ref(s.softmax(dims[i]), *sm[i], tol_for(dt));
      check_ref(s.log_softmax(dims[i]), *lsm[i], tol_for(dt));
    }
  }
  // Non-contiguous input.
  Tensor s = seq({2, 4, 3}, 0.0);
  Tensor st = (seq({2, 3, 4}, 0.3) * 3).transpose(1, 2).contiguous().transpose(1, 2);
  REQUIRE_FALSE(st.is_contiguous());
  check_ref(ember::softmax(st, 1), r::softmax_d1);
  check_ref(ember::log_softmax(st, 2), r::log_softmax_d2);
}

TEST_CASE("softmax: dtype argument, large inputs, rows summing to one", "[softmax]") {
  Tensor f = seq({2, 3, 4}, 0.3, ember::kFloat) * 3;
  Tensor y = ember::softmax(f, 1, ember::kDouble);
  CHECK(y.dtype() == ember::kDouble);
  check_ref(y, nn_ref::softmax_f_to_d, {1e-6, 1e-9});
  // Inputs around +-1000 would overflow exp without subtracting the max.
  Tensor lg = ember::tensor({1000.0, 1001.0, 1002.0, -1000.0, -1001.0, -1002.0}).reshape({2, 3});
  REQUIRE(lg.dtype() == ember::kFloat);
  check_ref(ember::softmax(lg, 1), nn_ref::softmax_large_f, {1e-6, 1e-7});
  check_ref(ember::log_softmax(lg, 1), nn_ref::log_softmax_large_f, {1e-6, 1e-7});
  Tensor big = seq({64, 33}, 0.1, ember::kFloat) * 50;
  Tensor sums = ember::softmax(big, 1).sum({1});
  CHECK(ember::allclose(sums, ember::ones({64}), 1e-5, 1e-6));
  CHECK(ember::allclose(ember::log_softmax(big, 0).exp().sum({0}), ember::ones({33}), 1e-5, 1e-6));
  // 0-dim and empty inputs.
  Tensor sc = ember::scalar_tensor(3.5);
  CHECK(ember::softmax(sc, 0).item<double>() == 1.0);
  CHECK(ember::log_softmax(sc, -1).item<double>() == 0.0);
  Tensor e = ember::zeros({0, 4});
  CHECK(ember::softmax(e, 1).sizes() == e.sizes());
}

TEST_CASE("logsumexp: values, keepdim, infinities, integers", "[softmax]") {
  Tensor s = seq({2, 3, 4}, 0.3) * 3;
  check_ref(ember::logsumexp(s, {1}), nn_ref::logsumexp_d1);
  check_ref(ember::logsumexp(s, {0, 2}, true), nn_ref::logsumexp_d02_keep);
  check_ref(s.logsumexp({0, 2}, true), nn_ref::logsumexp_d02_keep);
  Tensor lg = ember::tensor({1000.0, 1001.0, 1002.0, -1000.0, -1001.0, -1002.0}).reshape({2, 3});
  check_ref(ember::logsumexp(lg, {1}), nn_ref::logsumexp_large_f, {1e-7, 1e-4});
  const double inf = std::numeric_limits<double>::infinity();
  Tensor infs = ember::tensor(std::vector<double>{-inf, -inf, inf, 1.0, 1.0, 2.0}, ember::TensorOptions().dtype(ember::kDouble)).reshape({3, 2});
  check_ref(ember::logsumexp(infs, {1}), nn_ref::logsumexp_inf);
  Tensor ints = ember::tensor({1, 2, 3, 4}).reshape({2, 2});
  Tensor li = ember::logsumexp(ints, {1});
  CHECK(li.dtype() == ember::kFloat);
  check_ref(li, nn_ref::logsumexp_int, {1e-6, 1e-7});
  check_ref(ember::logsumexp(ember::scalar_tensor(2.5, ember::TensorOptions().dtype(ember::kDouble)), {0}),
            nn_ref::logsumexp_scalar);
  CHECK(ember::logsumexp(s, {-1}).sizes() == ember::IntArrayRef({2, 3}));
}

TEST_CASE("softmax family: gradients match libtorch on both backward paths", "[softmax]") {
  Tensor s = seq({2, 3, 4}, 0.3) * 3;
  for (bool cg : {false, true}) {
    INFO("create_graph " << cg);
    check_ref(weighted_grad([](const Tensor& x) { return ember::softmax(x, 1); }, s, cg), nn_ref::g_softmax_d1);
    check_ref(weighted_grad([](const Tensor& x) { return ember::log_softmax(x, 2); }, s, cg), nn_ref::g_log_softmax_d2);
    check_ref(weighted_grad([](const Tensor& x) { return ember::logsumexp(x, {0, 2}); }, s, cg),
              nn_ref::g_logsumexp_d02);
  }
  Tensor x = s.clone().requires_grad_(true);
  CHECK(ember::softmax(x, 0).grad_fn()->name() == "SoftmaxBackward0");
  CHECK(ember::log_softmax(x, 0).grad_fn()->name() == "LogSoftmaxBackward0");
  CHECK(ember::logsumexp(x, {0}).grad_fn()->name() == "LogsumexpBackward0");
  // Through the dtype argument the gradient comes back in the input's dtype.
  Tensor f = seq({3, 4}, 0.1, ember::kFloat).requires_grad_(true);
  ember::softmax(f, 1, ember::kDouble).select(1, 0).sum().backward();
  CHECK(f.grad().dtype() == ember::kFloat);
  CHECK(std::fabs(f.grad().sum().item<double>()) < 1e-6);  // softmax rows sum to 1
}

TEST_CASE("softmax family: errors name the op", "[softmax]") {
  Tensor i = ember::arange(6).reshape({2, 3});
  CHECK_OP_ERROR(ember::softmax(i, 1), ember::DTypeError, "softmax", "Long");
  CHECK_OP_ERROR(ember::log_softmax(i, 1), ember::DTypeError, "log_softmax", "floating point");
  CHECK_OP_ERROR(ember::softmax(i, 1, ember::kLong), ember::DTypeError, "softmax", "dtype");
  Tensor x = seq({2, 3}, 0.0);
  CHECK_OP_ERROR(ember::softmax(x, 2), ember::IndexError, "softmax", "out of range");
  CHECK_OP_ERROR(ember::log_softmax(x, -3), ember::IndexError, "log_softmax", "out of range");
  CHECK_OP_ERROR(ember::logsumexp(x, {5}), ember::IndexError, "logsumexp", "out of range");
  CHECK_OP_ERROR(ember::logsumexp(x, {1, -1}), ember::Error, "logsumexp", "multiple times");
}
