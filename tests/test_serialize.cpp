#include "core_helpers.h"
#include <ember/ember.h>
#include <ember/optim.h>
#include <ember/serialize.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {
using core_test::require_error;
using core_test::temp_path;
using ember::Tensor;
namespace optim = ember::optim;
namespace fs = std::filesystem;

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}


}  // namespace

TEST_CASE("serialize: tensors of every dtype round-trip through a file", "[serialize]") {
  const std::string path = temp_path("dtypes.emb");
  std::vector<Tensor> ts = {
      ember::tensor({{1.5, -2.0, 3.25}, {4.0, 5.0, -6.5}}),
      ember::arange(0, 7, ember::kDouble) / 3,
      ember::arange(-3, 5, ember::kLong),
      ember::arange(0, 4, ember::kInt),
      ember::arange(250, 256, ember::kByte),
      ember::tensor({true, false, true}),
      ember::scalar_tensor(42.5),
      ember::empty({0, 3}),
  };
  ember::save(ts, path);
  std::vector<Tensor> back;
  ember::load(back, path);
  REQUIRE(back.size() == ts.size());
  for (size_t i = 0; i < ts.size(); ++i) {
    INFO("tensor " << i);
    CHECK(back[i].dtype() == ts[i].dtype());
    CHECK(back[i].sizes() == ts[i].sizes());
    CHECK(back[i].equal(ts[i]));
  }
  // load() of a vector appends, as libtorch's does.
  ember::load(back, path);
  CHECK(back.size() == 2 * ts.size());
}

TEST_CASE("serialize: a single tensor, views and requires_grad", "[serialize]") {
  const std::string path = temp_path("single.emb");
  Tensor base = ember::arange(0, 12, ember::kFloat).reshape({3, 4});
  Tensor view = base.t();  // non-contiguous
  ember::save(view, path);
  Tensor back;
  ember::load(back, path);
  CHECK(back.sizes() == view.sizes());
  CHECK(back.is_contiguous());
  CHECK(back.equal(view));
  CHECK_FALSE(back.requires_grad());

  Tensor w = ember::randn({2, 2}).requires_grad_();
  ember::save(w, path);
  Tensor w2;
  ember::load(w2, path);
  CHECK(w2.requires_grad());
  CHECK(w2.is_leaf());
  CHECK(w2.equal(w));
}

TEST_CASE("serialize: loading into a defined tensor writes in place when it fits", "[serialize]") {
  const std::string path = temp_path("inplace.emb");
  ember::save(ember::full({2, 3}, 7.0), path);
  Tensor target = ember::zeros({2, 3});
  Tensor alias = target;
  void* data = target.data_ptr();
  ember::load(target, path);
  CHECK(target.data_ptr() == data);
  CHECK(alias.sum().item<double>() == 42.0);
  // A parameter keeps being a leaf that requires grad.
  Tensor param = ember::zeros({2, 3}).requires_grad_();
  ember::load(param, path);
  CHECK(param.is_leaf());
  CHECK(param.requires_grad());
  CHECK(param.sum().item<double>() == 42.0);
  // A different shape rebinds the handle to the loaded tensor.
  Tensor other = ember::zeros({5});
  ember::load(other, path);
  CHECK(other.sizes() == std::vector<int64_t>{2, 3});
}

TEST_CASE("serialize: archives hold values, nested archives and streams", "[serialize]") {
  ember::serialize::OutputArchive out, inner;
  inner.write("weight", ember::ones({2}));
  inner.write("running_mean", ember::zeros({2}), /*is_buffer=*/true);
  out.write("layer", inner);
  out.write("int", 7);
  out.write("double", 0.25);
  out.write("flag", true);
  out.write("name", "ember");
  out.write("none", ember::ArchiveValue());
  out.write("ints", std::vector<int64_t>{1, 2, 3});
  out.write("doubles", std::vector<double>{0.5, 1.5});
  out.write("tensors", std::vector<Tensor>{ember::ones({1}), Tensor(), ember::zeros({2})});
  CHECK(out.keys() == std::vector<std::string>{"layer", "int", "double", "flag", "name", "none", "ints",
                                               "doubles", "tensors"});
  std::stringstream stream;
  out.save_to(stream);

  ember::serialize::InputArchive in;
  in.load_from(stream);
  CHECK(in.keys().size() == 9);
  ember::ArchiveValue v;
  in.read("int", v);
  CHECK(v.toInt() == 7);
  in.read("double", v);
  CHECK(v.toDouble() == 0.25);
  in.read("flag", v);
  CHECK(v.toBool());
  in.read("name", v);
  CHECK(v.toStringRef() == "ember");
  in.read("none", v);
  CHECK(v.isNone());
  in.read("ints", v);
  CHECK(v.toIntVector() == std::vector<int64_t>{1, 2, 3});
  in.read("doubles", v);
  CHECK(v.toDoubleVector() == std::vector<double>{0.5, 1.5});
  in.read("tensors", v);
  auto list = v.toTensorVector();
  REQUIRE(list.size() == 3);
  CHECK_FALSE(list[1].defined());
  CHECK(list[2].equal(ember::zeros({2})));
  require_error([&] { v.toDouble(); }, {"[ember::ArchiveValue]", "expected Double", "TensorList"});

  ember::serialize::InputArchive layer;
  in.read("layer", layer);
  Tensor weight, mean;
  layer.read("weight", weight);
  layer.read("running_mean", mean, /*is_buffer=*/true);
  CHECK(weight.equal(ember::ones({2})));
  CHECK(mean.equal(ember::zeros({2})));
  CHECK_FALSE(layer.try_read("bias", weight));
  require_error([&] { layer.read("bias", weight); }, {"[ember::load]", "<stream>", "no tensor 'layer.bias'"});
  require_error([&] { in.read("int", layer); }, {"entry 'int' is a Int, not a nested archive"});
  require_error([&] { in.read("layer", weight); }, {"entry 'layer' is a nested archive, not a tensor"});
}

TEST_CASE("serialize: writer functions receive the whole file", "[serialize]") {
  ember::serialize::OutputArchive out;
  Tensor big = ember::arange(0, 4096, ember::kFloat);
  out.write("x", big);
  std::string bytes;
  out.save_to([&](const void* p, size_t n) {
    bytes.append(static_cast<const char*>(p), n);
    return n;
  });
  CHECK(bytes.size() > 4096 * 4);
  ember::serialize::InputArchive in;
  in.load_from(bytes.data(), bytes.size());
  Tensor x;
  in.read("x", x);
  CHECK(x.equal(big));
  require_error([&] { out.save_to([](const void*, size_t n) { return n / 2; }); }, {"writer function wrote"});
}

TEST_CASE("serialize: bad files raise errors naming the path and the problem", "[serialize]") {
  const std::string good = temp_path("good.emb");
  ember::save(ember::arange(0, 100, ember::kFloat), good);
  const std::string bytes = read_bytes(good);
  Tensor t;

  const std::string missing = temp_path("does_not_exist.emb");
  require_error([&] { ember::load(t, missing); }, {"[ember::load]", "cannot open", missing, "No such file"});

  const std::string junk = temp_path("junk.emb");
  write_bytes(junk, "this is not an archive at all, just some text");
  require_error([&] { ember::load(t, junk); }, {"[ember::load]", junk, "header of", "limit"});

  const std::string empty = temp_path("empty.emb");
  write_bytes(empty, "");
  require_error([&] { ember::load(t, empty); }, {empty, "truncated", "8-byte header length"});

  const std::string header_only = temp_path("header_only.emb");
  write_bytes(header_only, bytes.substr(0, 20));
  require_error([&] { ember::load(t, header_only); }, {header_only, "truncated", "header length"});

  const std::string truncated = temp_path("truncated.emb");
  write_bytes(truncated, bytes.substr(0, bytes.size() - 17));
  require_error([&] { ember::load(t, truncated); }, {"[ember::load]", truncated, "truncated", "'0'"});

  const std::string trailing = temp_path("trailing.emb");
  write_bytes(trailing, bytes + "xyz");
  require_error([&] { ember::load(t, trailing); }, {trailing, "3 bytes after the last tensor"});

  const std::string vec_file = temp_path("vec.emb");
  ember::save(std::vector<Tensor>{}, vec_file);
  require_error([&] { ember::load(t, vec_file); }, {vec_file, "no tensor '0'"});

  const std::string unwritable = temp_path("no_such_dir/x.emb");
  require_error([&] { ember::save(t, unwritable); }, {"[ember::save]", "cannot open", unwritable});

  // The original still loads.
  ember::load(t, good);
  CHECK(t.equal(ember::arange(0, 100, ember::kFloat)));
}

namespace {

std::vector<Tensor> params_like(const std::vector<Tensor>& src) {
  std::vector<Tensor> p;
  for (const auto& t : src) p.push_back(t.detach().clone().requires_grad_());
  return p;
}
Tensor quad_loss(const std::vector<Tensor>& p) {
  Tensor target = ember::tensor({1.0, -2.0, 0.5});
  return (p[0] - target).pow(2).sum() + (p[1] * p[1]).sum() * 0.1;
}
void train(optim::Optimizer& opt, const std::vector<Tensor>& p, int steps) {
  for (int i = 0; i < steps; ++i) {
    opt.step([&] {
      opt.zero_grad();
      Tensor l = quad_loss(p);
      l.backward();
      return l;
    });
  }
}

/// Trains an optimizer, saves it, loads the state into a fresh optimizer over copies of
/// the parameters, and checks that both then take identical steps.
template <class Opt, class Options>
void check_optimizer_round_trip(const Options& options, const std::string& file) {
  std::vector<Tensor> p = {ember::tensor({0.3, 0.1, -0.4}).requires_grad_(), ember::tensor({{1.0, 2.0}}).requires_grad_()};
  Opt opt(p, options);
  train(opt, p, 3);
  opt.param_groups()[0].options().set_lr(opt.param_groups()[0].options().get_lr() * 0.5);
  const std::string path = temp_path(file);
  ember::save(opt, path);

  std::vector<Tensor> q = params_like(p);
  Opt restored(q, options);
  ember::load(restored, path);
  CHECK(restored.param_groups()[0].options().get_lr() == opt.param_groups()[0].options().get_lr());
  CHECK(restored.state().size() == opt.state().size());
  train(opt, p, 2);
  train(restored, q, 2);
  for (size_t i = 0; i < p.size(); ++i) CHECK(q[i].equal(p[i]));
}

}  // namespace

TEST_CASE("serialize: optimizer state round-trips", "[serialize][optim]") {
  check_optimizer_round_trip<optim::SGD>(optim::SGDOptions(0.1).momentum(0.9).nesterov(true), "sgd.emb");
  check_optimizer_round_trip<optim::Adam>(optim::AdamOptions(0.05).amsgrad(true), "adam.emb");
  check_optimizer_round_trip<optim::AdamW>(optim::AdamWOptions(0.05), "adamw.emb");
  check_optimizer_round_trip<optim::RMSprop>(optim::RMSpropOptions(0.01).centered(true).momentum(0.5),
                                             "rmsprop.emb");
  check_optimizer_round_trip<optim::Adagrad>(optim::AdagradOptions(0.1).lr_decay(0.01), "adagrad.emb");
  check_optimizer_round_trip<optim::LBFGS>(optim::LBFGSOptions(0.5).max_iter(3).history_size(4), "lbfgs.emb");
  check_optimizer_round_trip<optim::LBFGS>(optim::LBFGSOptions(1).max_iter(3).line_search_fn("strong_wolfe"),
                                           "lbfgs_wolfe.emb");
}

TEST_CASE("serialize: loaded optimizer state equals the saved state", "[serialize][optim]") {
  std::vector<Tensor> p = {ember::tensor({0.3, 0.1, -0.4}).requires_grad_(), ember::tensor({{1.0, 2.0}}).requires_grad_()};
  optim::Adam opt(p, optim::AdamOptions(0.1).weight_decay(0.01));
  train(opt, p, 2);
  const std::string path = temp_path("adam_state.emb");
  ember::save(opt, path);
  auto q = params_like(p);
  optim::Adam other(q, optim::AdamOptions(0.5));
  ember::load(other, path);
  CHECK(static_cast<optim::AdamOptions&>(other.param_groups()[0].options()) ==
        static_cast<optim::AdamOptions&>(opt.param_groups()[0].options()));
  for (size_t i = 0; i < p.size(); ++i) {
    const auto& a = static_cast<const optim::AdamParamState&>(*opt.state().at(optim::state_key(p[i])));
    const auto& b = static_cast<const optim::AdamParamState&>(*other.state().at(optim::state_key(q[i])));
    CHECK(a == b);
    CHECK(b.step() == 2);
  }
}

TEST_CASE("serialize: optimizer load errors", "[serialize][optim]") {
  std::vector<Tensor> p = {ember::zeros({3}, ember::requires_grad()), ember::zeros({2}, ember::requires_grad())};
  optim::SGD opt(p, optim::SGDOptions(0.1).momentum(0.9));
  const std::string path = temp_path("sgd_two.emb");
  ember::save(opt, path);

  optim::SGD fewer({ember::zeros({3}, ember::requires_grad())}, optim::SGDOptions(0.1));
  require_error([&] { ember::load(fewer, path); }, {"[ember::optim::load]", "different size", "1 in the optimizer"});

  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{ember::zeros({3}, ember::requires_grad())});
  groups.emplace_back(std::vector<Tensor>{ember::zeros({2}, ember::requires_grad())});
  optim::SGD two_groups(groups, optim::SGDOptions(0.1));
  require_error([&] { ember::load(two_groups, path); }, {"different number of parameter groups"});

  optim::Adam adam(params_like(p), optim::AdamOptions());
  require_error([&] { ember::load(adam, path); }, {"[ember::load]", path, "'param_groups.0.options.betas'"});

  const std::string tensor_file = temp_path("just_a_tensor.emb");
  ember::save(ember::ones({2}), tensor_file);
  require_error([&] { ember::load(opt, tensor_file); }, {tensor_file, "no entry 'optimizer_version'"});
}
