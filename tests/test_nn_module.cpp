// nn::Module, holders and containers: registration, names, traversal, modes, cloning,
// printing, hooks, init and utils.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <sstream>

using namespace ember;

namespace {
struct NetImpl : nn::Module {
  NetImpl() {
    fc1 = register_module("fc1", nn::Linear(4, 3));
    fc2 = register_module("fc2", nn::Linear(nn::LinearOptions(3, 2).bias(false)));
    scale = register_parameter("scale", ones({1}));
    steps = register_buffer("steps", zeros({1}, kLong));
  }
  Tensor forward(const Tensor& x) { return fc2->forward(fc1->forward(x).relu()) * scale; }
  nn::Linear fc1{nullptr}, fc2{nullptr};
  Tensor scale, steps;
};
EMBER_MODULE(Net);
}  // namespace

TEST_CASE("nn::Module: named parameters, buffers and modules use dotted names") {
  Net net;
  auto params = net->named_parameters();
  REQUIRE(params.keys() == std::vector<std::string>{"scale", "fc1.weight", "fc1.bias", "fc2.weight"});
  CHECK(net->parameters().size() == 4);
  CHECK(net->parameters(false).size() == 1);
  CHECK(net->named_buffers().keys() == std::vector<std::string>{"steps"});
  auto mods = net->named_modules();
  CHECK(mods.keys() == std::vector<std::string>{"", "fc1", "fc2"});
  CHECK(net->children().size() == 2);
  CHECK(net->named_children().keys() == std::vector<std::string>{"fc1", "fc2"});
  for (const auto& p : net->parameters()) CHECK(p.requires_grad());
  CHECK(net->fc1->weight.sizes() == IntArrayRef({3, 4}));
  CHECK(!net->fc2->bias.defined());
}

TEST_CASE("nn::Module: train/eval propagate, zero_grad, to(dtype)") {
  Net net;
  CHECK(net->is_training());
  net->eval();
  CHECK(!net->fc1->is_training());
  net->train();
  CHECK(net->fc2->is_training());
  Tensor y = net->forward(randn({5, 4})).sum();
  y.backward();
  CHECK(net->fc1->weight.grad().defined());
  net->zero_grad();
  CHECK(net->fc1->weight.grad().abs().sum().item<double>() == 0.0);
  net->zero_grad(true);
  CHECK(!net->fc1->weight.grad().defined());
  net->to(kDouble);
  CHECK(net->fc1->weight.dtype() == kDouble);
  CHECK(net->steps.dtype() == kLong);  // only floating tensors change dtype
  CHECK(net->forward(randn({2, 4}, kDouble)).dtype() == kDouble);
}

TEST_CASE("nn::Linear: forward equals x W^T + b and default init bounds") {
  manual_seed(1);
  nn::Linear fc(6, 3);
  const double bound = 1.0 / std::sqrt(6.0);  // kaiming_uniform_(a=sqrt(5)) gives 1/sqrt(fan_in)
  CHECK(fc->weight.abs().max().item<double>() <= bound + 1e-6);
  CHECK(fc->bias.abs().max().item<double>() <= bound + 1e-6);
  Tensor x = randn({2, 6});
  Tensor expect = x.matmul(fc->weight.t()) + fc->bias;
  CHECK(allclose(fc(x), expect));
  Tensor x3 = randn({4, 2, 6});
  CHECK(fc(x3).sizes() == IntArrayRef({4, 2, 3}));
  REQUIRE_THROWS_AS(fc(randn({2, 5})), ShapeError);
}

TEST_CASE("nn::Sequential: chaining, names, indexing, clone is deep") {
  nn::Sequential seq(nn::Linear(3, 4), nn::Functional(relu), nn::Linear(4, 1));
  CHECK(seq->size() == 3);
  CHECK(seq->named_parameters().keys() == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"});
  Tensor x = randn({5, 3});
  Tensor manual = seq->at<nn::LinearImpl>(2).forward(relu(seq->at<nn::LinearImpl>(0).forward(x)));
  CHECK(allclose(seq->forward(x), manual));
  auto copy = std::dynamic_pointer_cast<nn::SequentialImpl>(seq->clone());
  REQUIRE(copy);
  CHECK(allclose(copy->forward(x), seq->forward(x)));
  {
    NoGradGuard ng;
    copy->at<nn::LinearImpl>(0).weight.fill_(0);
  }
  CHECK(seq->at<nn::LinearImpl>(0).weight.abs().sum().item<double>() > 0);  // original untouched
  nn::Sequential named({{"fc", nn::Linear(2, 2)}, {"act", nn::Functional(ember::tanh)}});
  CHECK(named->named_parameters().keys() == std::vector<std::string>{"fc.weight", "fc.bias"});
}

TEST_CASE("nn::Module: pretty printing like libtorch") {
  Net net;
  std::ostringstream os;
  os << *net;
  CHECK(os.str() ==
        "(anonymous namespace)::NetImpl(\n"
        "  (fc1): ember::nn::Linear(in_features=4, out_features=3, bias=true)\n"
        "  (fc2): ember::nn::Linear(in_features=3, out_features=2, bias=false)\n"
        ")");
}

TEST_CASE("nn containers: ModuleList, ModuleDict, ParameterList, ParameterDict") {
  nn::ModuleList list(nn::Linear(2, 2), nn::Linear(2, 3));
  list->push_back(nn::Identity());
  CHECK(list->size() == 3);
  CHECK(list->named_parameters().keys() == std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias"});
  CHECK(list->ptr<nn::LinearImpl>(1)->options.out_features() == 3);
  nn::ModuleDict dict({{"a", nn::Linear(1, 1).ptr()}, {"b", nn::Identity().ptr()}});
  CHECK(dict->keys() == std::vector<std::string>{"a", "b"});
  CHECK(dict->contains("a"));
  REQUIRE_THROWS_AS(dict["zzz"], IndexError);
  nn::ParameterList plist(randn({2}), randn({3}));
  CHECK(plist->size() == 2);
  CHECK(plist->named_parameters().keys() == std::vector<std::string>{"0", "1"});
  nn::ParameterDict pdict;
  pdict->insert("w", randn({2, 2}, requires_grad()));
  pdict->insert("frozen", randn({2}));
  CHECK(pdict->named_parameters().keys() == std::vector<std::string>{"w", "frozen"});
  CHECK(pdict["w"].requires_grad());  // libtorch keeps the tensor's own requires_grad
  CHECK(!pdict["frozen"].requires_grad());
}

TEST_CASE("nn::Module: registration errors name the module call") {
  struct M : nn::Module {};
  M m;
  m.register_parameter("w", zeros({1}));
  REQUIRE_THROWS_WITH(m.register_parameter("w", zeros({1})), Catch::Contains("already defined"));
  REQUIRE_THROWS_WITH(m.register_parameter("a.b", zeros({1})), Catch::Contains("[ember::nn::Module::register_parameter]"));
  REQUIRE_THROWS_AS(m.register_parameter("i", zeros({1}, kLong)), DTypeError);
  REQUIRE_THROWS_AS(m.clone(), NotImplementedError);
}

TEST_CASE("nn::Module: forward and backward hooks") {
  nn::Linear fc(2, 2);
  int pre = 0, post = 0, back = 0;
  fc->register_forward_pre_hook([&](nn::Module&, const std::vector<Tensor>& in) { pre += static_cast<int>(in.size()); });
  unsigned h = fc->register_forward_hook([&](nn::Module&, const std::vector<Tensor>&, const Tensor& out) {
    post += static_cast<int>(out.size(1));
  });
  fc->register_full_backward_hook([&](nn::Module&, const Tensor& g) { back += static_cast<int>(g.numel()); });
  fc(randn({3, 2})).sum().backward();
  CHECK(pre == 1);
  CHECK(post == 2);
  CHECK(back == 6);
  fc->remove_hook(h);
  fc(randn({3, 2}));
  CHECK(post == 2);
}

TEST_CASE("nn::init: gains, fans, xavier/kaiming bounds, eye, orthogonal") {
  CHECK(nn::init::calculate_gain(kReLU) == Approx(std::sqrt(2.0)));
  CHECK(nn::init::calculate_gain(kTanh) == Approx(5.0 / 3.0));
  CHECK(nn::init::calculate_gain(kLeakyReLU, 0.2) == Approx(std::sqrt(2.0 / 1.04)));
  Tensor w = empty({20, 30});
  auto [fi, fo] = nn::init::_calculate_fan_in_and_fan_out(empty({8, 4, 3, 3}));
  CHECK(fi == 36);
  CHECK(fo == 72);
  nn::init::xavier_uniform_(w);
  CHECK(w.abs().max().item<double>() <= std::sqrt(6.0 / 50.0) + 1e-6);
  nn::init::kaiming_normal_(w, 0, kFanOut, kReLU);
  CHECK((w - w.mean()).square().mean().sqrt().item<double>() == Approx(std::sqrt(2.0 / 20.0)).epsilon(0.2));
  Tensor e = empty({3, 4});
  nn::init::eye_(e);
  CHECK(e.equal(eye(3, 4)));
  Tensor q = empty({5, 3});
  nn::init::orthogonal_(q);
  CHECK(allclose(q.t().matmul(q), eye(3), 1e-4, 1e-5));
  Tensor q2 = empty({3, 5});
  nn::init::orthogonal_(q2, 2.0);
  CHECK(allclose(q2.matmul(q2.t()), 4 * eye(3), 1e-4, 1e-4));
}

TEST_CASE("nn::utils: clip_grad_norm_, clip_grad_value_, vector round trip") {
  Tensor a = zeros({2}, requires_grad()), b = zeros({1}, requires_grad());
  a.mutable_grad() = tensor({3.0, 0.0});
  b.mutable_grad() = tensor({4.0});
  double total = nn::utils::clip_grad_norm_({a, b}, 1.0);
  CHECK(total == Approx(5.0));
  CHECK(a.grad()[0].item<double>() == Approx(3.0 / 5.0).epsilon(1e-5));
  CHECK(b.grad()[0].item<double>() == Approx(4.0 / 5.0).epsilon(1e-5));
  b.mutable_grad() = tensor({-7.0});
  nn::utils::clip_grad_value_({b}, 2.0);
  CHECK(b.grad()[0].item<double>() == -2.0);
  b.mutable_grad() = tensor({std::numeric_limits<double>::infinity()});
  REQUIRE_THROWS_AS(nn::utils::clip_grad_norm_({a, b}, 1.0, 2.0, true), Error);
  Tensor v = nn::utils::parameters_to_vector({a, b});
  CHECK(v.sizes() == IntArrayRef({3}));
  nn::utils::vector_to_parameters(tensor({1.0, 2.0, 3.0}), {a, b});
  CHECK(a[1].item<double>() == 2.0);
  CHECK(b[0].item<double>() == 3.0);
}
