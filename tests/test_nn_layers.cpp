// nn layer modules: forward values with explicitly set weights (hand-computed numbers),
// option defaults, train/eval behaviour, parameter names, printing, serialization, errors.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

namespace nn = ember::nn;
using ember::Tensor;

namespace {
std::string printed(const nn::Module& m) {
  std::ostringstream s;
  m.pretty_print(s);
  return s.str();
}
bool close(const Tensor& a, const Tensor& b, double tol = 1e-6) {
  return a.sizes() == b.sizes() && (a.to(ember::kDouble) - b.to(ember::kDouble)).abs().max().item<double>() <= tol;
}
}  // namespace

TEST_CASE("nn activations: forward values and printing") {
  Tensor x = ember::tensor({-2.0, -0.5, 0.0, 1.5, 7.0});
  CHECK(close(nn::ReLU()(x), ember::tensor({0.0, 0.0, 0.0, 1.5, 7.0})));
  CHECK(close(nn::ReLU6()(x), ember::tensor({0.0, 0.0, 0.0, 1.5, 6.0})));
  CHECK(close(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.5))(x),
              ember::tensor({-1.0, -0.25, 0.0, 1.5, 7.0})));
  CHECK(close(nn::Hardtanh()(x), ember::tensor({-1.0, -0.5, 0.0, 1.0, 1.0})));
  CHECK(close(nn::Sigmoid()(x), 1.0 / (1.0 + (-x).exp())));
  CHECK(close(nn::Tanh()(x), x.tanh()));
  CHECK(close(nn::Softsign()(x), x / (1.0 + x.abs())));
  CHECK(close(nn::ELU()(x).narrow(0, 0, 1), ember::tensor({std::exp(-2.0) - 1.0})));
  CHECK(close(nn::SiLU()(x), x * x.sigmoid()));
  CHECK(close(nn::LogSigmoid()(x), x.sigmoid().log()));
  Tensor row = ember::tensor({0.0, std::log(3.0)}).reshape({1, 2});
  CHECK(close(nn::Softmax(1)(row), ember::tensor({0.25, 0.75}).reshape({1, 2})));
  CHECK(close(nn::LogSoftmax(1)(row), ember::tensor({std::log(0.25), std::log(0.75)}).reshape({1, 2})));

  CHECK(printed(*nn::ReLU().ptr()) == "ember::nn::ReLU()");
  CHECK(printed(*nn::ReLU(nn::ReLUOptions(true)).ptr()) == "ember::nn::ReLU(inplace=true)");
  CHECK(printed(*nn::LeakyReLU().ptr()) == "ember::nn::LeakyReLU(negative_slope=0.01)");
  CHECK(printed(*nn::ELU().ptr()) == "ember::nn::ELU(alpha=1)");
  CHECK(printed(*nn::Softplus().ptr()) == "ember::nn::Softplus(beta=1, threshold=20)");
  CHECK(printed(*nn::Hardtanh().ptr()) == "ember::nn::Hardtanh(min_val=-1, max_val=1)");
  CHECK(printed(*nn::Softmax(1).ptr()) == "ember::nn::Softmax(dim=1)");
  CHECK(printed(*nn::GELU().ptr()) == "ember::nn::GELU()");
  CHECK(nn::GELUOptions().approximate() == "none");
  CHECK(nn::LeakyReLUOptions().negative_slope() == Approx(0.01));

  // In place: the input itself is overwritten.
  Tensor y = x.clone();
  nn::ReLU(nn::ReLUOptions(true))(y);
  CHECK(close(y, ember::tensor({0.0, 0.0, 0.0, 1.5, 7.0})));

  REQUIRE_THROWS_AS(nn::Hardtanh(nn::HardtanhOptions().min_val(2).max_val(1))(x), ember::Error);
}

TEST_CASE("nn::Conv2d: defaults, init bounds, forward with set weights, printing") {
  nn::Conv2d conv(nn::Conv2dOptions(2, 3, 2));
  CHECK(conv->weight.sizes() == std::vector<int64_t>{3, 2, 2, 2});
  CHECK(conv->bias.sizes() == std::vector<int64_t>{3});
  CHECK(conv->options.stride().vec() == std::vector<int64_t>{1, 1});
  CHECK(conv->options.padding().vec() == std::vector<int64_t>{0, 0});
  CHECK(conv->options.groups() == 1);
  // kaiming_uniform_(a = sqrt(5)) gives bound 1/sqrt(fan_in) for weight and bias alike.
  const double bound = 1.0 / std::sqrt(8.0);
  CHECK(conv->weight.abs().max().item<float>() <= bound);
  CHECK(conv->bias.abs().max().item<float>() <= bound);
  CHECK(conv->weight.abs().max().item<float>() > bound / 2);

  {
    ember::NoGradGuard g;
    conv->weight.fill_(1.0);
    conv->bias.fill_(0.5);
  }
  // Input channel c holds c * 100 + (0..8) on a 3x3 grid; each 2x2 window over both
  // channels sums to 2 * (tl + tl+1 + tl+3 + tl+4) + 400 with tl its top-left value.
  Tensor x = ember::cat({ember::arange(9), ember::arange(9) + 100}).to(ember::kFloat).reshape({1, 2, 3, 3});
  Tensor out = conv(x);
  REQUIRE(out.sizes() == std::vector<int64_t>{1, 3, 2, 2});
  for (int c = 0; c < 3; ++c) {
    CHECK(out[0][c][0][0].item<float>() == Approx(2 * (0 + 1 + 3 + 4) + 400 + 0.5));
    CHECK(out[0][c][1][1].item<float>() == Approx(2 * (4 + 5 + 7 + 8) + 400 + 0.5));
  }
  CHECK(printed(*conv.ptr()) == "ember::nn::Conv2d(2, 3, kernel_size=[2, 2], stride=[1, 1])");
  nn::Conv2d c2(nn::Conv2dOptions(4, 8, {3, 5}).stride(2).padding(1).groups(2).bias(false));
  CHECK(printed(*c2.ptr()) ==
        "ember::nn::Conv2d(4, 8, kernel_size=[3, 5], stride=[2, 2], padding=[1, 1], groups=2, bias=false)");
  CHECK(c2->named_parameters().size() == 1);
  REQUIRE_THROWS_AS(nn::Conv2d(nn::Conv2dOptions(3, 4, 3).groups(2)), ember::ShapeError);
  try {
    nn::Conv2d(nn::Conv2dOptions(3, 4, 3).groups(2));
  } catch (const ember::ShapeError& e) {
    CHECK(std::string(e.what()).find("nn::Conv2d") != std::string::npos);
  }
}

TEST_CASE("nn pooling modules: values and printing") {
  Tensor x = ember::arange(16).to(ember::kFloat).reshape({1, 1, 4, 4});
  CHECK(close(nn::MaxPool2d(2)(x), ember::tensor({5.0f, 7.0f, 13.0f, 15.0f}).reshape({1, 1, 2, 2})));
  CHECK(close(nn::AvgPool2d(2)(x), ember::tensor({2.5f, 4.5f, 10.5f, 12.5f}).reshape({1, 1, 2, 2})));
  CHECK(close(nn::AdaptiveAvgPool2d(1)(x), ember::tensor({7.5f}).reshape({1, 1, 1, 1})));
  CHECK(printed(*nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(1)).ptr()) ==
        "ember::nn::MaxPool2d(kernel_size=[2, 2], stride=[1, 1], padding=[0, 0], dilation=[1, 1], ceil_mode=false)");
}

TEST_CASE("nn::BatchNorm: running statistics, momentum, eval, buffers") {
  nn::BatchNorm1d bn(2);
  CHECK(bn->options.eps() == Approx(1e-5));
  CHECK(bn->options.momentum().value() == Approx(0.1));
  CHECK(bn->options.affine());
  CHECK(bn->options.track_running_stats());
  Tensor x = ember::tensor({1.0f, 10.0f, 3.0f, 20.0f}).reshape({2, 2});
  Tensor y = bn(x);
  // Batch mean [2, 15], biased variance [1, 25]: normalized values are +-1.
  CHECK(close(y, ember::tensor({-1.0f, -1.0f, 1.0f, 1.0f}).reshape({2, 2}), 1e-4));
  // running_mean = 0.9 * 0 + 0.1 * mean; running_var uses the unbiased variance [2, 50].
  CHECK(close(bn->running_mean, ember::tensor({0.2f, 1.5f}), 1e-5));
  CHECK(close(bn->running_var, ember::tensor({0.9f + 0.2f, 0.9f + 5.0f}), 1e-5));
  CHECK(bn->num_batches_tracked.item<int64_t>() == 1);
  bn->eval();
  Tensor z = bn(x);
  CHECK(close(z, (x - bn->running_mean) / (bn->running_var + 1e-5).sqrt(), 1e-5));
  CHECK(bn->num_batches_tracked.item<int64_t>() == 1);

  // momentum = nullopt: the cumulative average of the batch means.
  nn::BatchNorm1d cum(nn::BatchNormOptions(1).momentum(std::nullopt));
  cum(ember::tensor({1.0f, 3.0f}).reshape({2, 1}));
  cum(ember::tensor({5.0f, 7.0f}).reshape({2, 1}));
  CHECK(cum->running_mean.item<float>() == Approx(4.0f));
  CHECK(printed(*cum.ptr()) ==
        "ember::nn::BatchNorm1d(1, eps=1e-05, momentum=None, affine=true, track_running_stats=true)");

  nn::Sequential seq(nn::Conv2d(nn::Conv2dOptions(1, 2, 3)), nn::BatchNorm2d(2));
  auto params = seq->named_parameters();
  auto buffers = seq->named_buffers();
  CHECK(params.keys() == std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias"});
  CHECK(buffers.keys() == std::vector<std::string>{"1.running_mean", "1.running_var", "1.num_batches_tracked"});
  CHECK(printed(*nn::BatchNorm2d(4).ptr()) ==
        "ember::nn::BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)");
  REQUIRE_THROWS_AS(nn::BatchNorm2d(2)(ember::zeros({2, 2})), ember::ShapeError);
}

TEST_CASE("nn::Dropout: train zeroes and rescales, eval is identity") {
  nn::Dropout d;
  CHECK(d->options.p() == Approx(0.5));
  CHECK(printed(*d.ptr()) == "ember::nn::Dropout(p=0.5, inplace=false)");
  Tensor x = ember::ones({1000});
  Tensor y = d(x);
  // Every kept element becomes 1 / (1 - p) = 2.
  CHECK(((y == 0) | (y == 2)).all().item<bool>());
  const double kept = (y == 2).sum().item<int64_t>();
  CHECK(kept > 400);
  CHECK(kept < 600);
  d->eval();
  CHECK(close(d(x), x));
  REQUIRE_THROWS_AS(nn::Dropout(1.5), ember::Error);
}

TEST_CASE("nn loss modules: reduction tags and values") {
  Tensor a = ember::tensor({1.0, 2.0, 4.0});
  Tensor b = ember::tensor({0.0, 2.0, 1.0});
  CHECK(nn::MSELoss()(a, b).item<double>() == Approx(10.0 / 3));
  CHECK(nn::MSELoss(nn::MSELossOptions(ember::kSum))(a, b).item<double>() == Approx(10.0));
  CHECK(close(nn::L1Loss(nn::L1LossOptions().reduction(ember::kNone))(a, b), ember::tensor({1.0, 0.0, 3.0})));
  Tensor logits = ember::tensor({0.0, std::log(3.0)}).reshape({1, 2});
  Tensor target = ember::tensor({int64_t{1}});
  CHECK(nn::CrossEntropyLoss()(logits, target).item<double>() == Approx(-std::log(0.75)));
  // label smoothing 0.2 over 2 classes: 0.9 * -log(0.75) + 0.1 * -log(0.25).
  CHECK(nn::CrossEntropyLoss(nn::CrossEntropyLossOptions().label_smoothing(0.2))(logits, target).item<double>() ==
        Approx(-0.9 * std::log(0.75) - 0.1 * std::log(0.25)));
  CHECK(nn::NLLLoss(nn::NLLLossOptions().reduction(ember::kSum))(logits.log_softmax(1), target).item<double>() ==
        Approx(-std::log(0.75)));
  CHECK(nn::BCELoss()(ember::tensor({0.5}), ember::tensor({1.0})).item<double>() == Approx(std::log(2.0)));
  CHECK(nn::CrossEntropyLossOptions().ignore_index() == -100);
  CHECK(nn::CrossEntropyLossOptions().reduction().index() == 1);
  CHECK(printed(*nn::CrossEntropyLoss().ptr()) == "ember::nn::CrossEntropyLoss()");
}

TEST_CASE("nn::Module save/load round trip through ember::save / ember::load") {
  auto make = [] {
    return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 2, 3)), nn::BatchNorm2d(2), nn::ReLU(),
                          nn::Flatten(), nn::Linear(8, 3));
  };
  nn::Sequential a = make();
  a->train();
  a->forward(ember::randn({4, 1, 4, 4}));  // moves the running statistics off their defaults
  const std::string path = "/tmp/ember_nn_layers_roundtrip.pt";
  ember::save(a, path);
  nn::Sequential b = make();
  ember::load(b, path);
  auto pa = a->named_parameters(), pb = b->named_parameters();
  REQUIRE(pa.size() == pb.size());
  for (const auto& p : pa) CHECK(close(p.value(), pb[p.key()], 0));
  auto ba = a->named_buffers(), bb = b->named_buffers();
  REQUIRE(ba.size() == 3);
  for (const auto& p : ba) CHECK(close(p.value(), bb[p.key()], 0));
  // Loaded in place: the module's own handles see the values.
  CHECK(close(b[0]->as<nn::Conv2dImpl>()->weight, pa["0.weight"], 0));
  a->eval();
  b->eval();
  Tensor x = ember::randn({2, 1, 4, 4});
  CHECK(close(a->forward(x), b->forward(x), 0));

  // A module of a different shape refuses the archive, naming the parameter.
  nn::Sequential c(nn::Conv2d(nn::Conv2dOptions(1, 5, 3)));
  try {
    ember::load(c, path);
    FAIL("load of mismatched shapes did not throw");
  } catch (const ember::ShapeError& e) {
    CHECK(std::string(e.what()).find("weight") != std::string::npos);
  }
  std::remove(path.c_str());
}

TEST_CASE("nn::functional: FuncOptions wrappers match the modules") {
  namespace F = ember::nn::functional;
  Tensor x = ember::arange(16).to(ember::kFloat).reshape({1, 1, 4, 4}) - 8;
  CHECK(close(F::relu(x), nn::ReLU()(x)));
  CHECK(close(F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.2)),
              nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2))(x)));
  CHECK(close(F::max_pool2d(x, F::MaxPool2dFuncOptions(2)), nn::MaxPool2d(2)(x)));
  CHECK(close(F::avg_pool2d(x, F::AvgPool2dFuncOptions(2).stride(1)), nn::AvgPool2d(nn::AvgPool2dOptions(2).stride(1))(x)));
  Tensor w = ember::ones({1, 1, 2, 2});
  Tensor conv = F::conv2d(x, w, F::Conv2dFuncOptions().bias(ember::tensor({1.0f})).stride(2));
  CHECK(close(conv, ember::tensor({-32 + 10 + 1.0f, -32 + 18 + 1.0f, -32 + 42 + 1.0f, -32 + 50 + 1.0f}).reshape({1, 1, 2, 2})));
  CHECK(close(F::dropout(x, F::DropoutFuncOptions().training(false)), x));
  Tensor logits = ember::tensor({0.0, std::log(3.0)}).reshape({1, 2});
  Tensor target = ember::tensor({int64_t{1}});
  CHECK(close(F::softmax(logits, F::SoftmaxFuncOptions(1)), ember::tensor({0.25, 0.75}).reshape({1, 2})));
  CHECK(F::cross_entropy(logits, target, F::CrossEntropyFuncOptions().label_smoothing(0.2)).item<double>() ==
        Approx(-0.9 * std::log(0.75) - 0.1 * std::log(0.25)));
  CHECK(F::nll_loss(F::log_softmax(logits, 1), target).item<double>() == Approx(-std::log(0.75)));
  CHECK(F::mse_loss(ember::tensor({1.0, 3.0}), ember::tensor({0.0, 0.0}), F::MSELossFuncOptions(ember::kSum))
            .item<double>() == Approx(10.0));
  REQUIRE_THROWS_AS(F::dropout(x, F::DropoutFuncOptions().p(2)), ember::Error);
}
