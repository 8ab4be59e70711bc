// The error catalogue: one row per kind of misuse a user runs into. Each row makes a bad
// call and checks that what comes out is an ember::Error of the expected subclass whose
// message starts with "[ember::<op>]" and names the offending values (both shapes, the
// dtype, the device, the index, the path), as DESIGN §6 asks.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <typeinfo>
#include <vector>

#include "core_helpers.h"

using namespace ember;
namespace F = ember::nn::functional;

namespace {

enum class Kind { Any, Shape, DType, Device, Index, NotImplemented };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Any: return "Error";
    case Kind::Shape: return "ShapeError";
    case Kind::DType: return "DTypeError";
    case Kind::Device: return "DeviceError";
    case Kind::Index: return "IndexError";
    case Kind::NotImplemented: return "NotImplementedError";
  }
  return "?";
}

bool is_kind(const Error& e, Kind k) {
  switch (k) {
    case Kind::Any: return true;
    case Kind::Shape: return dynamic_cast<const ShapeError*>(&e) != nullptr;
    case Kind::DType: return dynamic_cast<const DTypeError*>(&e) != nullptr;
    case Kind::Device: return dynamic_cast<const DeviceError*>(&e) != nullptr;
    case Kind::Index: return dynamic_cast<const IndexError*>(&e) != nullptr;
    case Kind::NotImplemented: return dynamic_cast<const NotImplementedError*>(&e) != nullptr;
  }
  return false;
}

struct BadCall {
  const char* name;
  std::function<void()> call;
  Kind kind;
  std::string op;                  // the message must start with "[ember::<op>]"
  std::vector<std::string> parts;  // and contain each of these
};

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string("ember_catalogue_") + name)).string();
}

Tensor leaf(IntArrayRef sizes) { return randn(sizes, TensorOptions().requires_grad(true)); }

std::vector<BadCall> catalogue() {
  const Tensor a = zeros({2, 3}), b = zeros({4, 3});
  return {
      // ---- shape mismatches ----------------------------------------------------------
      {"add of unbroadcastable shapes", [=] { (void)(a + b); }, Kind::Shape, "add", {"[2, 3]", "[4, 3]"}},
      {"mm inner sizes", [] { (void)mm(zeros({2, 3}), zeros({4, 5})); }, Kind::Shape, "mm",
       {"[2, 3]", "[4, 5]", "3", "4"}},
      {"matmul batch dims", [] { (void)matmul(zeros({5, 2, 3}), zeros({4, 3, 2})); }, Kind::Shape, "matmul",
       {"[5, 2, 3]", "[4, 3, 2]"}},
      {"bmm", [] { (void)bmm(zeros({2, 2, 3}), zeros({2, 4, 2})); }, Kind::Shape, "bmm", {"[2, 2, 3]", "[2, 4, 2]"}},
      {"cat of mismatched sizes", [] { (void)cat({zeros({2, 3}), zeros({2, 4})}, 0); }, Kind::Shape, "cat",
       {"[2, 3]", "[2, 4]"}},
      {"stack of mismatched sizes", [] { (void)stack({zeros({2, 3}), zeros({3, 2})}); }, Kind::Shape, "stack",
       {"[2, 3]", "[3, 2]"}},
      {"view to a different numel", [=] { (void)a.view({4}); }, Kind::Shape, "view", {"[4]", "6"}},
      {"view of a non-contiguous tensor", [=] { (void)zeros({2, 3}).t().view({6}); }, Kind::Shape, "view",
       {"[3, 2]", "[6]", "reshape"}},
      {"reshape to a different numel", [=] { (void)a.reshape({5, -1}); }, Kind::Shape, "reshape", {"[5, -1]", "6"}},
      {"expand to incompatible size", [=] { (void)a.expand({4, 4}); }, Kind::Shape, "expand", {"[2, 3]", "[4, 4]"}},
      {"conv2d channel mismatch", [] { (void)conv2d(zeros({1, 3, 8, 8}), zeros({4, 2, 3, 3})); }, Kind::Shape,
       "conv2d", {"[1, 3, 8, 8]", "[4, 2, 3, 3]"}},
      {"nn::Linear with wrong in_features",
       [] {
         nn::Linear fc(4, 2);
         (void)fc->forward(zeros({3, 5}));
       },
       Kind::Shape, "nn::Linear", {"[3, 5]", "4"}},
      {"cross_entropy batch mismatch", [] { (void)F::cross_entropy(zeros({3, 5}), zeros({4}, kLong)); },
       Kind::Shape, "cross_entropy_loss", {"[3, 5]", "[4]"}},
      {"mse_loss shapes", [] { (void)F::mse_loss(zeros({3, 5}), zeros({5, 3})); }, Kind::Shape, "mse_loss",
       {"[3, 5]", "[5, 3]"}},
      {"in-place op cannot broadcast self", [=] { Tensor c = zeros({3}); c.add_(zeros({2, 3})); }, Kind::Shape,
       "add_", {"[3]", "[2, 3]"}},
      // ---- bad dims --------------------------------------------------------------------
      {"sum over a dim out of range", [=] { (void)a.sum(2); }, Kind::Index, "sum", {"[-2, 1]", "got 2"}},
      {"softmax dim out of range", [=] { (void)a.softmax(3); }, Kind::Index, "softmax", {"[-2, 1]", "got 3"}},
      {"transpose dim out of range", [=] { (void)a.transpose(0, -3); }, Kind::Index, "transpose", {"got -3"}},
      {"squeeze dim out of range", [=] { (void)a.squeeze(4); }, Kind::Index, "squeeze", {"got 4"}},
      {"cat dim out of range", [] { (void)cat({zeros({2}), zeros({2})}, 1); }, Kind::Index, "cat", {"got 1"}},
      // ---- dtype misuse ----------------------------------------------------------------
      {"mm of Long by Float", [] { (void)mm(zeros({2, 2}, kLong), zeros({2, 2})); }, Kind::DType, "mm",
       {"Long", "Float"}},
      {"index with a float tensor", [=] { (void)a.index({zeros({2})}); }, Kind::DType, "index", {"Float"}},
      {"index_select with a float index", [=] { (void)a.index_select(0, zeros({1})); }, Kind::DType, "index_select",
       {"Float"}},
      {"bitwise_and on float", [=] { (void)bitwise_and(a, a); }, Kind::DType, "bitwise_and", {"Float"}},
      {"requires_grad on an integer tensor", [] { (void)zeros({2}, kLong).requires_grad_(); }, Kind::DType,
       "requires_grad_", {"Long"}},
      {"embedding with float indices", [] { (void)embedding(zeros({5, 2}), zeros({3})); }, Kind::DType,
       "embedding", {"Float"}},
      {"nll_loss with float targets", [] { (void)F::nll_loss(zeros({3, 5}), zeros({3})); }, Kind::DType,
       "nll_loss_nd", {"Long", "Float"}},
      {"in-place result cannot be cast", [] { Tensor i = zeros({2}, kLong); i.mul_(1.5); }, Kind::DType, "mul_",
       {"Float", "Long"}},
      // ---- devices ---------------------------------------------------------------------
      {"factory on cuda without CUDA", [] { (void)zeros({2}, TensorOptions().device(kCUDA)); }, Kind::Device,
       "zeros", {"cuda", "[2]"}},
      {"moving to cuda without CUDA", [=] { (void)a.to(Device(kCUDA)); }, Kind::Device, "to",
       {"cuda", "[2, 3]", "cpu"}},
      {"bad device string", [] { (void)Device("tpu:0"); }, Kind::Device, "Device", {"tpu:0"}},
      // ---- bad indices -----------------------------------------------------------------
      {"index_select out of range", [=] { (void)a.index_select(1, tensor({0, 3})); }, Kind::Index, "index_select",
       {"3", "size 3"}},
      {"gather out of range", [=] { (void)a.gather(1, tensor({{0, 5}, {1, 0}})); }, Kind::Index, "gather",
       {"5", "size 3"}},
      {"embedding index out of range", [] { (void)embedding(zeros({5, 2}), tensor({1, 7})); }, Kind::Index,
       "embedding", {"7", "size 5", "[5, 2]"}},
      {"select out of range", [=] { (void)a.select(0, 2); }, Kind::Index, "select", {"2", "[2, 3]"}},
      {"operator[] out of range", [=] { (void)a[-3]; }, Kind::Index, "select", {"-3"}},
      {"narrow past the end", [=] { (void)a.narrow(1, 2, 2); }, Kind::Index, "narrow", {"2", "3"}},
      {"take out of range", [=] { (void)take(a, tensor({6})); }, Kind::Index, "take", {"6", "[2, 3]"}},
      // ---- backward misuse -------------------------------------------------------------
      {"backward of a non-scalar without gradient", [] { (leaf({2, 3}) * 2).backward(); }, Kind::Any, "backward",
       {"scalar", "[2, 3]"}},
      {"backward twice without retain_graph",
       [] {
         Tensor y = (leaf({3}) * leaf({3})).sum();
         y.backward();
         y.backward();
       },
       Kind::Any, "backward", {"second time", "retain_graph"}},
      {"backward of a tensor not requiring grad", [] { zeros({}).backward(); }, Kind::Any, "backward",
       {"does not require grad"}},
      {"backward with a gradient of the wrong shape", [] { (leaf({3}) * 2).backward(ones({2})); }, Kind::Shape,
       "backward", {"[2]", "[3]"}},
      {"in-place on a leaf requiring grad", [] { leaf({3}).mul_(2); }, Kind::Any, "mul_",
       {"leaf Variable that requires grad"}},
      {"in-place on a view of a leaf requiring grad", [] { leaf({2, 3})[0].add_(1); }, Kind::Any, "add_",
       {"a view of a leaf Variable that requires grad", "[3]", "[2, 3]"}},
      {"saved tensor modified in place",
       [] {
         Tensor x = leaf({3});
         Tensor y = x * 1;
         Tensor z = y.sin();  // saves y
         y.mul_(2);
         z.sum().backward();
       },
       Kind::Any, "backward", {"modified by an inplace operation", "SinBackward0", "version"}},
      // ---- module options --------------------------------------------------------------
      {"Linear with negative features", [] { nn::Linear fc(-1, 2); }, Kind::Shape, "nn::Linear", {"-1"}},
      {"Conv2d groups not dividing channels", [] { nn::Conv2d c(nn::Conv2dOptions(3, 4, 3).groups(2)); },
       Kind::Shape, "nn::Conv2d", {"groups", "3", "2"}},
      {"Conv2d forward with wrong channels",
       [] {
         nn::Conv2d c(nn::Conv2dOptions(3, 4, 3));
         (void)c->forward(zeros({1, 2, 5, 5}));
       },
       Kind::Shape, "conv2d", {"[1, 2, 5, 5]", "3"}},
      {"BatchNorm2d with wrong channels",
       [] {
         nn::BatchNorm2d bn(3);
         (void)bn->forward(zeros({2, 4, 5, 5}));
       },
       Kind::Shape, "batch_norm", {"3", "4"}},
      {"Dropout probability above one", [] { nn::Dropout d(1.5); }, Kind::Any, "nn::Dropout", {"1.5"}},
      // ---- optimizers ------------------------------------------------------------------
      {"SGD with a negative learning rate", [] { optim::SGD sgd({leaf({2})}, optim::SGDOptions(-0.1)); }, Kind::Any,
       "optim::SGD", {"Invalid learning rate", "-0.1"}},
      {"Adam with a negative learning rate",
       [] { optim::Adam adam({leaf({2})}, optim::AdamOptions(-1e-3)); }, Kind::Any, "optim::Adam",
       {"Invalid learning rate", "-0.001"}},
      {"SGD over a non-leaf tensor", [] { optim::SGD sgd({leaf({2}) * 2}, optim::SGDOptions(0.1)); }, Kind::Any,
       "optim::add_param_group", {"non-leaf", "[2]"}},
      // ---- files -----------------------------------------------------------------------
      {"load from a missing file",
       [] {
         Tensor t;
         ember::load(t, temp_path("does_not_exist.pt"));
       },
       Kind::Any, "load", {"ember_catalogue_does_not_exist.pt"}},
      {"load from a corrupt file",
       [] {
         const std::string path = temp_path("corrupt.pt");
         { std::ofstream(path) << "this is not an ember archive"; }
         Tensor t;
         ember::load(t, path);
       },
       Kind::Any, "load", {"ember_catalogue_corrupt.pt"}},
      {"MNIST from a missing root", [] { data::datasets::MNIST m(temp_path("no_mnist_here")); }, Kind::Any,
       "data::MNIST", {"ember_catalogue_no_mnist_here"}},
      // ---- data loading ----------------------------------------------------------------
      {"data loader with batch_size 0",
       [] { (void)data::make_data_loader(data::datasets::TensorDataset(zeros({4, 2})), data::DataLoaderOptions(0)); },
       Kind::Any, "data::DataLoader", {"batch_size", "0"}},
      {"stacking examples of different shapes",
       [] { (void)data::transforms::Stack<data::TensorExample>().apply_batch({zeros({2}), zeros({3})}); },
       Kind::Shape, "data::Stack", {"[2]", "[3]"}},
  };
}

}  // namespace

TEST_CASE("error catalogue: every bad call raises a typed ember::Error naming the op and values",
          "[errors][catalogue]") {
  const auto rows = catalogue();
  CHECK(rows.size() >= 40);
  for (const BadCall& row : rows) {
    INFO("row: " << row.name);
    std::string message;
    bool thrown = false, typed = false;
    try {
      row.call();
    } catch (const Error& e) {
      thrown = true;
      typed = is_kind(e, row.kind);
      message = e.what();
    } catch (const std::exception& e) {
      // Not an ember::Error: report what escaped instead.
      message = std::string("non-ember exception: ") + e.what();
    }
    INFO("message: " << message);
    INFO("expected type: " << kind_name(row.kind));
    CHECK(thrown);
    CHECK(typed);
    CHECK(message.rfind("[ember::" + row.op + "]", 0) == 0);
    for (const std::string& part : row.parts) {
      INFO("expected part: " << part);
      CHECK(message.find(part) != std::string::npos);
    }
  }
}

TEST_CASE("error catalogue: a parameter without a gradient is skipped by step, as in libtorch",
          "[errors][catalogue]") {
  Tensor used = ones({2}, TensorOptions().requires_grad(true));
  Tensor unused = ones({2}, TensorOptions().requires_grad(true));
  optim::SGD sgd({used, unused}, optim::SGDOptions(0.5));
  (used * 3).sum().backward();
  REQUIRE_NOTHROW(sgd.step());
  CHECK(core_test::values(used) == std::vector<double>{-0.5, -0.5});  // 1 - 0.5 * 3
  CHECK(core_test::values(unused) == std::vector<double>{1, 1});
  CHECK_FALSE(unused.grad().defined());
}
