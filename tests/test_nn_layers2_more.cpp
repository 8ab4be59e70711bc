// nn modules of issue 5's second slice, continued: SmoothL1Loss, HuberLoss,
// BCEWithLogitsLoss, KLDivLoss (values against libtorch 1.13, tests/nn_layers2_reference.h),
// Dropout2d / AlphaDropout, container printing, Module::as with holders, and forward /
// backward hooks of the recurrent modules.
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
}  // namespace

TEST_CASE("nn::SmoothL1Loss, HuberLoss: values, options, printing", "[nn][layers2]") {
  Tensor x = seq({3, 4}, 0.1), t = seq({3, 4}, 1.7);
  CHECK(nn::SmoothL1LossOptions().beta() == 1.0);
  CHECK(nn::HuberLossOptions().delta() == 1.0);
  nn::SmoothL1Loss s(nn::SmoothL1LossOptions().beta(0.5));
  check_ref(s(x, t), nn_ref2::smooth_l1);
  CHECK(printed(*s) == std::string(nn_ref2::print_smooth_l1));
  check_ref(F::smooth_l1_loss(x, t, F::SmoothL1LossFuncOptions(ember::kNone)), nn_ref2::smooth_l1_none);
  nn::HuberLoss h(nn::HuberLossOptions().delta(0.7).reduction(ember::kSum));
  check_ref(h(x, t), nn_ref2::huber);
  CHECK(printed(*h) == std::string(nn_ref2::print_huber));
  check_ref(F::huber_loss(x, t, F::HuberLossFuncOptions().reduction(ember::kNone)), nn_ref2::huber_none);
  CHECK(printed(*nn::SmoothL1Loss()) == std::string(nn_ref2::print_smooth_l1_default));
  CHECK(printed(*nn::HuberLoss()) == std::string(nn_ref2::print_huber_default));
  REQUIRE_THROWS_AS(s(x, seq({3, 5}, 0.2)), ember::ShapeError);
}

TEST_CASE("nn::BCEWithLogitsLoss: weight and pos_weight, buffers, gradients", "[nn][layers2]") {
  Tensor x = seq({3, 4}, 0.1);
  Tensor tb = (seq({3, 4}, 2.3) + 2) / 4;
  Tensor w = seq({4}, 0.3).abs(), pw = seq({4}, 1.9).abs() + 0.5;
  nn::BCEWithLogitsLoss b(nn::BCEWithLogitsLossOptions().weight(w).pos_weight(pw));
  check_ref(b(x, tb), nn_ref2::bce_logits);
  CHECK(printed(*b) == std::string(nn_ref2::print_bce_logits));
  CHECK(printed(*nn::BCEWithLogitsLoss()) == std::string(nn_ref2::print_bce_logits_default));
  CHECK(b->named_buffers().keys() == std::vector<std::string>{"weight", "pos_weight"});
  CHECK(nn::BCEWithLogitsLoss()->named_buffers().is_empty());
  check_ref(F::binary_cross_entropy_with_logits(
                x, tb, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(ember::kNone)),
            nn_ref2::bce_logits_none);
  // The loss is differentiable in the logits through the module.
  namespace ag = ember::autograd;
  Tensor xg = x.clone().requires_grad_(true);
  CHECK(ag::gradcheck([&](const ag::variable_list& v) { return ag::variable_list{b(v[0], tb)}; }, {xg}));
  REQUIRE_THROWS_AS(b(x, tb.narrow(1, 0, 3)), ember::ShapeError);
}

TEST_CASE("nn::KLDivLoss: kBatchMean, log_target, reductions", "[nn][layers2]") {
  Tensor x = seq({3, 4}, 0.1), t = seq({3, 4}, 1.7);
  Tensor lp = ember::log_softmax(x, 1), q = ember::softmax(t, 1);
  nn::KLDivLoss k(nn::KLDivLossOptions().reduction(ember::kBatchMean));
  check_ref(k(lp, q), nn_ref2::kl_batchmean);
  CHECK(printed(*k) == std::string(nn_ref2::print_kl));
  CHECK(printed(*nn::KLDivLoss()) == std::string(nn_ref2::print_kl_default));
  CHECK(nn::KLDivLossOptions().log_target() == false);
  CHECK(nn::KLDivLossOptions().reduction().index() == 3);  // kMean
  check_ref(F::kl_div(lp, q.log(), F::KLDivFuncOptions().log_target(true)), nn_ref2::kl_mean_logtarget);
  check_ref(F::kl_div(lp, q, F::KLDivFuncOptions().reduction(ember::kSum)), nn_ref2::kl_sum);
  check_ref(F::kl_div(lp, q, F::KLDivFuncOptions(ember::kNone)), nn_ref2::kl_none);
  namespace ag = ember::autograd;
  Tensor lg = lp.detach().requires_grad_(true);
  CHECK(ag::gradcheck([&](const ag::variable_list& v) { return ag::variable_list{k(v[0], q)}; }, {lg}));
}

TEST_CASE("nn::Dropout2d, AlphaDropout: train/eval, whole channels, printing, errors", "[nn][layers2]") {
  CHECK(printed(*nn::Dropout2d()) == std::string(nn_ref2::print_dropout2d));
  CHECK(printed(*nn::Dropout2d(nn::Dropout2dOptions(0.3).inplace(true))) == std::string(nn_ref2::print_dropout2d_p));
  CHECK(printed(*nn::AlphaDropout()) == std::string(nn_ref2::print_alpha_dropout));
  CHECK(printed(*nn::AlphaDropout(nn::AlphaDropoutOptions(0.2))) == std::string(nn_ref2::print_alpha_dropout_p));

  ember::manual_seed(7);
  Tensor x = ember::ones({8, 16, 5, 5}, ember::kDouble);
  nn::Dropout2d d(0.5);
  Tensor y = d(x);
  // Every channel is either all zero or all 1 / (1 - p) = 2.
  Tensor per_channel_min = y.amin({2, 3}), per_channel_max = y.amax({2, 3});
  CHECK(ember::equal(per_channel_min, per_channel_max));
  const double zeros = (per_channel_max == 0).sum().item<double>();
  const double twos = (per_channel_max == 2).sum().item<double>();
  CHECK(zeros + twos == 128);
  CHECK(zeros > 32);
  CHECK(zeros < 96);
  // Unbatched [C, H, W] input: channels still dropped as a whole.
  Tensor y3 = d(ember::ones({16, 4, 4}, ember::kDouble));
  CHECK(y3.sizes() == std::vector<int64_t>{16, 4, 4});
  CHECK(ember::equal(y3.amin({1, 2}), y3.amax({1, 2})));
  d->eval();
  CHECK(ember::equal(d(x), x));
  // F::dropout2d in place writes into its argument.
  Tensor z = ember::ones({2, 6, 3, 3}, ember::kDouble);
  F::dropout2d(z, F::Dropout2dFuncOptions().p(1.0).inplace(true));
  CHECK(z.abs().sum().item<double>() == 0.0);

  // AlphaDropout keeps zero mean / unit variance of standard normal inputs.
  Tensor n = ember::randn({200000}, ember::kDouble);
  nn::AlphaDropout a(0.3);
  Tensor an = a(n);
  CHECK(std::fabs(an.mean().item<double>()) < 0.02);
  CHECK(std::fabs(an.var().item<double>() - 1.0) < 0.03);
  CHECK(!ember::equal(an, n));
  a->eval();
  CHECK(ember::equal(a(n), n));
  // F::alpha_dropout defaults to training = false (libtorch's default): the identity.
  CHECK(ember::equal(F::alpha_dropout(n), n));

  CHECK_OP_ERROR(nn::Dropout2d(1.5), ember::Error, "nn::Dropout2d", "between 0 and 1");
  CHECK_OP_ERROR(nn::AlphaDropout(-0.1), ember::Error, "nn::AlphaDropout", "between 0 and 1");
  CHECK_OP_ERROR(F::dropout2d(ember::ones({4, 4})), ember::ShapeError, "nn::functional::dropout2d", "4-D");
  CHECK_OP_ERROR(F::alpha_dropout(n, F::AlphaDropoutFuncOptions().p(2)), ember::Error,
                 "nn::functional::alpha_dropout", "between 0 and 1");
}

TEST_CASE("nn printing of a Sequential of the new modules matches libtorch", "[nn][layers2]") {
  nn::Sequential s(nn::Conv1d(1, 2, 3), nn::MaxPool1d(2), nn::Dropout2d(0.1),
                   nn::Upsample(nn::UpsampleOptions().scale_factor(std::vector<double>{2})));
  std::ostringstream os;
  os << *s;
  CHECK(os.str() == std::string(nn_ref2::print_sequential));
  CHECK(s->named_parameters().keys() == std::vector<std::string>{"0.weight", "0.bias"});
  Tensor y = s->forward(ember::ones({2, 1, 8}));
  CHECK(y.sizes() == std::vector<int64_t>{2, 2, 6});
}

TEST_CASE("nn::Module::as works with Impl types and with holders", "[nn][layers2]") {
  nn::Sequential s(nn::Linear(3, 4), nn::ReLU(), nn::ConvTranspose1d(2, 2, 3));
  std::shared_ptr<nn::Module> first = s[0];
  nn::LinearImpl* by_impl = first->as<nn::LinearImpl>();
  nn::LinearImpl* by_holder = first->as<nn::Linear>();
  REQUIRE(by_impl != nullptr);
  CHECK(by_impl == by_holder);
  CHECK(by_impl->options.out_features() == 4);
  CHECK(first->as<nn::Conv1d>() == nullptr);
  CHECK(s[2]->as<nn::ConvTranspose1d>() != nullptr);
  CHECK(s[1]->as<nn::ReLUImpl>() != nullptr);
  const nn::Module& cref = *first;
  const nn::LinearImpl* c = cref.as<nn::Linear>();
  CHECK(c == by_impl);
}

TEST_CASE("nn recurrent modules fire forward and backward hooks", "[nn][layers2]") {
  auto count_hooks = [](nn::Module& m, int& pre, int& post, int& back, std::vector<int64_t>& out_sizes) {
    m.register_forward_pre_hook([&pre](nn::Module&, const std::vector<Tensor>&) { ++pre; });
    m.register_forward_hook([&post, &out_sizes](nn::Module&, const std::vector<Tensor>& in, const Tensor& out) {
      ++post;
      CHECK(in[0].defined());
      out_sizes = out.sizes().vec();
    });
    m.register_full_backward_hook([&back](nn::Module&, const Tensor&) { ++back; });
  };
  Tensor x = ember::ones({5, 2, 3});
  {
    nn::LSTM m(3, 4);
    int pre = 0, post = 0, back = 0;
    std::vector<int64_t> sizes;
    count_hooks(*m, pre, post, back, sizes);
    auto [out, hc] = m->forward(x);
    CHECK(pre == 1);
    CHECK(post == 1);
    CHECK(sizes == std::vector<int64_t>{5, 2, 4});
    out.sum().backward();
    CHECK(back == 1);
  }
  {
    nn::GRU m(nn::GRUOptions(3, 4).num_layers(2));
    int pre = 0, post = 0, back = 0;
    std::vector<int64_t> sizes;
    count_hooks(*m, pre, post, back, sizes);
    auto [out, h] = m->forward(x);
    out.sum().backward();
    CHECK((pre == 1 && post == 1 && back == 1));
  }
  {
    nn::RNN m(3, 4);
    int pre = 0, post = 0, back = 0;
    std::vector<int64_t> sizes;
    count_hooks(*m, pre, post, back, sizes);
    m->forward(x);
    m->forward(x);
    CHECK((pre == 2 && post == 2));
  }
  {
    nn::LSTMCell c(3, 4);
    nn::GRUCell g(3, 4);
    nn::RNNCell r(3, 4);
    int pre = 0, post = 0, back = 0;
    std::vector<int64_t> sizes;
    count_hooks(*c, pre, post, back, sizes);
    count_hooks(*g, pre, post, back, sizes);
    count_hooks(*r, pre, post, back, sizes);
    Tensor xi = ember::ones({2, 3});
    auto [h1, c1] = c->forward(xi);
    Tensor h2 = g(xi);
    Tensor h3 = r(xi);
    CHECK((pre == 3 && post == 3));
    CHECK(sizes == std::vector<int64_t>{2, 4});
    (h1.sum() + h2.sum() + h3.sum()).backward();
    CHECK(back == 3);
  }
}
