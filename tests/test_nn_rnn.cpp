// RNN/LSTM/GRU modules: forward values against libtorch 1.13 (computed with libtorch's C++
// frontend on this machine, same deterministic weights and inputs), names, shapes, errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "ember/ember.h"
#include "ember/nn.h"

using namespace ember;

namespace {
void fill(nn::Module& m) {
  NoGradGuard g;
  int k = 0;
  for (auto& p : m.named_parameters()) {
    Tensor t = p.value();
    std::vector<float> vals(static_cast<size_t>(t.numel()));
    for (size_t j = 0; j < vals.size(); ++j) vals[j] = static_cast<float>(0.3 * std::sin(0.37 * j + 1.3 * k));
    t.copy_(tensor(vals).view(t.sizes()));
    ++k;
  }
}
Tensor seqt(std::vector<int64_t> s, double a) {
  int64_t n = 1;
  for (auto d : s) n *= d;
  std::vector<float> vals(static_cast<size_t>(n));
  for (size_t j = 0; j < vals.size(); ++j) vals[j] = static_cast<float>(std::sin(a * j + 0.1));
  return tensor(vals).view(s);
}
void expect_close(const Tensor& got, std::vector<float> want) {
  REQUIRE(got.numel() == static_cast<int64_t>(want.size()));
  Tensor w = tensor(want).view(got.sizes());
  INFO("got " << got);
  CHECK(allclose(got.contiguous(), w, 1e-4, 1e-5));
}
}  // namespace

TEST_CASE("nn::RNN matches libtorch (2 layers, bidirectional, batch_first)", "[nn][rnn]") {
  nn::RNN m(nn::RNNOptions(4, 3).num_layers(2).bidirectional(true).batch_first(true));
  auto names = m->named_parameters();
  std::vector<std::string> want = {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                   "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                                   "bias_hh_l0_reverse", "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
                                   "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse",
                                   "bias_hh_l1_reverse"};
  REQUIRE(names.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) CHECK(names.keys()[i] == want[i]);
  CHECK(names["weight_ih_l1"].sizes() == std::vector<int64_t>{3, 6});
  for (auto& p : m->parameters()) CHECK(p.abs().max().item<double>() <= 1.0 / std::sqrt(3.0) + 1e-6);
  fill(*m);
  auto [o, h] = m->forward(seqt({2, 3, 4}, 0.5));
  expect_close(o, {0.127995, 0.686689, 0.302034, -0.414550, 0.287186, 0.589870, 0.194745, 0.706030, 0.554210, -0.327844, 0.230906, 0.410936, 0.504991, 0.511063, 0.661776, 0.143404, 0.287244, 0.029754, 0.170697, 0.671053, 0.294187, -0.394784, 0.309329, 0.567012, 0.127592, 0.732617, 0.553532, -0.372252, 0.228369, 0.456717, 0.506975, 0.515361, 0.655754, 0.138350, 0.284729, 0.038212});
  expect_close(h, {-0.468189, -0.784236, -0.043209, -0.473467, -0.757939, -0.001110, 0.332456, 0.814805, 0.429386, 0.485851, 0.781945, 0.283773, 0.504991, 0.511063, 0.661776, 0.506975, 0.515361, 0.655754, -0.414550, 0.287186, 0.589870, -0.394784, 0.309329, 0.567012});
  nn::RNN r(nn::RNNOptions(4, 3).nonlinearity(kReLU));
  fill(*r);
  auto [o2, h2] = r->forward(seqt({3, 2, 4}, 0.5), seqt({1, 2, 3}, 0.3));
  expect_close(o2, {0.775938, 0.402596, 0.000000, 0.692099, 0.395416, 0.000000, 0.000000, 0.000000, 0.000000, 0.707773, 0.322570, 0.000000, 0.045697, 0.330510, 0.000000, 0.000000, 0.000000, 0.000000});
  expect_close(h2, {0.045697, 0.330510, 0.000000, 0.000000, 0.000000, 0.000000});
}

TEST_CASE("nn::LSTM and nn::GRU match libtorch", "[nn][rnn]") {
  nn::LSTM m(nn::LSTMOptions(4, 3).num_layers(2).bidirectional(true).batch_first(true));
  fill(*m);
  auto [o, hc] = m->forward(seqt({2, 3, 4}, 0.5));
  expect_close(o, {0.002775, -0.083606, -0.046925, 0.268830, 0.041285, 0.036050, 0.005498, -0.128906, -0.092531, 0.197743, 0.055780, 0.022115, -0.006970, -0.152796, -0.136023, 0.096287, 0.056511, 0.012281, -0.000176, -0.082403, -0.049271, 0.266022, 0.041166, 0.037453, 0.005614, -0.128415, -0.091282, 0.204860, 0.052205, 0.020930, -0.006115, -0.153192, -0.134979, 0.096405, 0.057132, 0.011492});
  expect_close(std::get<0>(hc), {-0.094713, 0.008176, 0.084229, -0.088655, -0.003478, 0.069592, -0.069057, -0.354587, -0.251568, -0.107665, -0.330625, -0.230375, -0.006970, -0.152796, -0.136023, -0.006115, -0.153192, -0.134979, 0.268830, 0.041285, 0.036050, 0.266022, 0.041166, 0.037453});
  expect_close(std::get<1>(hc), {-0.284931, 0.016993, 0.111916, -0.265926, -0.006999, 0.092098, -0.132710, -0.622326, -0.653033, -0.207255, -0.628114, -0.603701, -0.017526, -0.417315, -0.344701, -0.015347, -0.419313, -0.342061, 0.531943, 0.108169, 0.089427, 0.530021, 0.106948, 0.092822});
  auto [o2, hc2] = m->forward(seqt({2, 3, 4}, 0.5), std::make_tuple(seqt({4, 2, 3}, 0.3), seqt({4, 2, 3}, 0.7)));
  expect_close(o2, {0.148454, -0.101835, -0.301685, 0.253972, 0.107869, 0.159501, 0.079666, -0.129977, -0.206593, 0.255510, 0.155182, 0.159021, 0.028652, -0.153989, -0.189890, 0.174118, 0.230498, 0.245979, -0.168691, -0.398279, -0.369219, 0.313564, 0.054479, 0.052238, -0.109015, -0.285758, -0.279629, 0.287225, 0.096689, 0.015680, -0.072658, -0.271797, -0.240558, 0.274240, 0.127286, -0.012610});
  nn::GRU g(nn::GRUOptions(4, 3).num_layers(2).bidirectional(true).batch_first(true));
  fill(*g);
  auto [og, hg] = g->forward(seqt({2, 3, 4}, 0.5));
  expect_close(og, {0.044852, -0.236306, 0.017468, 0.351777, 0.058340, 0.079165, 0.094443, -0.340601, -0.022488, 0.261201, 0.109965, 0.033727, 0.089281, -0.274715, -0.178062, 0.126483, 0.121142, 0.022854, 0.042223, -0.233202, 0.017695, 0.351939, 0.057300, 0.080661, 0.094182, -0.340914, -0.022136, 0.262589, 0.110282, 0.030531, 0.091291, -0.276397, -0.178328, 0.127578, 0.121414, 0.020818});
  expect_close(hg, {-0.288097, 0.218280, 0.131117, -0.278472, 0.205083, 0.095121, 0.063688, -0.525222, -0.469224, -0.019020, -0.518755, -0.443672, 0.089281, -0.274715, -0.178062, 0.091291, -0.276397, -0.178328, 0.351777, 0.058340, 0.079165, 0.351939, 0.057300, 0.080661});
}

TEST_CASE("nn cells match libtorch", "[nn][rnn]") {
  nn::LSTMCell c(4, 3);
  fill(*c);
  auto [h, cc] = c->forward(seqt({2, 4}, 0.5), std::make_tuple(seqt({2, 3}, 0.3), seqt({2, 3}, 0.7)));
  expect_close(h, {-0.097356, -0.079450, 0.254356, 0.197362, -0.131785, -0.352454});
  expect_close(cc, {-0.149425, -0.127663, 0.550659, 0.495642, -0.194185, -0.517897});
  nn::GRUCell g(4, 3);
  fill(*g);
  expect_close(g->forward(seqt({2, 4}, 0.5), seqt({2, 3}, 0.3)), {-0.227144, -0.235786, 0.334365, 0.440077, -0.012219, 0.409693});
  nn::RNNCell r(4, 3);
  fill(*r);
  expect_close(r->forward(seqt({2, 4}, 0.5), seqt({2, 3}, 0.3)), {0.650369, 0.382168, -0.774231, 0.599329, 0.376020, -0.664334});
}

TEST_CASE("nn::LSTMCell gradcheck in float64", "[nn][rnn]") {
  nn::LSTMCell c(3, 2);
  c->to(kDouble);
  auto x = seqt({2, 3}, 0.5).to(kDouble).requires_grad_(true);
  auto h = seqt({2, 2}, 0.3).to(kDouble).requires_grad_(true);
  auto s = seqt({2, 2}, 0.7).to(kDouble).requires_grad_(true);
  auto params = c->parameters();
  autograd::variable_list inputs = {x, h, s};
  for (auto& p : params) inputs.push_back(p);
  CHECK(autograd::gradcheck([&](const autograd::variable_list& in) {
    auto [h1, c1] = c->forward(in[0], std::make_tuple(in[1], in[2]));
    return autograd::variable_list{h1, c1};
  }, inputs));
}

TEST_CASE("nn::RNN shape errors", "[nn][rnn]") {
  nn::LSTM m(4, 3);
  REQUIRE_THROWS_AS(m->forward(zeros({2, 3, 5})), ShapeError);
  REQUIRE_THROWS_WITH(m->forward(zeros({2, 3, 5})), Catch::Contains("nn::LSTM"));
  REQUIRE_THROWS_AS(m->forward(zeros({2, 3, 4}), std::make_tuple(zeros({2, 3, 3}), zeros({1, 3, 3}))), ShapeError);
  nn::GRU g(4, 3);
  REQUIRE_THROWS_AS(g->forward(zeros({4})), ShapeError);
  nn::GRUCell gc(4, 3);
  REQUIRE_THROWS_AS(gc->forward(zeros({2, 4}), zeros({3, 3})), ShapeError);
  REQUIRE_THROWS_WITH(gc->forward(zeros({2, 4}), zeros({3, 3})), Catch::Contains("nn::GRUCell"));
}
