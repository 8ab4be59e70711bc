// Factories: empty/zeros/ones/full, arange, linspace, eye, tensor(...), from_blob and
// the *_like family. Random factories are in test_random.cpp.
#include "core_helpers.h"

using namespace ember;
using core_test::close;
using core_test::ivalues;
using core_test::shape;
using core_test::values;

TEST_CASE("factories: empty, zeros, ones", "[factory]") {
  Tensor e = empty({2, 3});
  CHECK(shape(e) == std::vector<int64_t>{2, 3});
  CHECK(e.dtype() == kFloat);
  CHECK(e.is_contiguous());
  CHECK(empty({0}).numel() == 0);
  CHECK(empty({4}, dtype(kLong)).dtype() == kLong);

  CHECK(values(zeros({2, 2})) == std::vector<double>(4, 0.0));
  CHECK(values(ones({3}, dtype(kInt))) == std::vector<double>(3, 1.0));
  CHECK(ones({3}, dtype(kInt)).dtype() == kInt);
  CHECK(zeros({}).dim() == 0);
  CHECK(ivalues(ones({2}, dtype(kBool))) == std::vector<int64_t>{1, 1});
  CHECK(zeros({2}, requires_grad()).requires_grad());
  REQUIRE_EMBER_ERROR(zeros({2, -1}), ShapeError, "empty", "[2, -1]");
}

TEST_CASE("factories: full infers the dtype from the value", "[factory]") {
  // libtorch 1.13: full(7) -> Long, full(true) -> Bool, full(1.5) -> Float.
  Tensor l = full({2}, 7);
  CHECK(l.dtype() == kLong);
  CHECK(ivalues(l) == std::vector<int64_t>{7, 7});
  CHECK(full({2}, true).dtype() == kBool);
  Tensor f = full({2, 2}, 1.5);
  CHECK(f.dtype() == kFloat);
  CHECK(values(f) == std::vector<double>(4, 1.5));
  CHECK(full({1}, 1.5, dtype(kDouble)).dtype() == kDouble);
  CHECK(ivalues(full({1}, 2.7, dtype(kInt))) == std::vector<int64_t>{2});
}

TEST_CASE("factories: arange", "[factory]") {
  // Values and dtypes match libtorch 1.13.
  Tensor a = arange(5);
  CHECK(a.dtype() == kLong);
  CHECK(ivalues(a) == std::vector<int64_t>{0, 1, 2, 3, 4});
  Tensor b = arange(2, 6);
  CHECK(b.dtype() == kLong);
  CHECK(ivalues(b) == std::vector<int64_t>{2, 3, 4, 5});
  Tensor c = arange(10, 0, -3);
  CHECK(ivalues(c) == std::vector<int64_t>{10, 7, 4, 1});
  Tensor d = arange(1, 2.5, 0.5);
  CHECK(d.dtype() == kFloat);
  CHECK(values(d) == std::vector<double>{1, 1.5, 2});
  Tensor e = arange(0.0, 1.0, 0.25);
  CHECK(e.dtype() == kFloat);
  CHECK(values(e) == std::vector<double>{0, 0.25, 0.5, 0.75});
  // 0.1 steps: ten values, the last below the end (libtorch's float32 values).
  Tensor f = arange(0.0, 1.0, 0.1);
  REQUIRE(f.numel() == 10);
  CHECK(f[3].item<float>() == 0.30000001192092896f);
  CHECK(f[9].item<float>() == 0.89999997615814209f);
  CHECK(arange(0, 3, 1).numel() == 3);
  CHECK(arange(3, dtype(kDouble)).dtype() == kDouble);
  CHECK(arange(0).numel() == 0);
  CHECK(arange(5, requires_grad(true).dtype(kFloat)).requires_grad());
  REQUIRE_EMBER_ERROR(arange(0, 5, 0), Error, "arange", "step must be nonzero");
  REQUIRE_EMBER_ERROR(arange(5, 0, 1), Error, "arange", "inconsistent with step sign");
}

TEST_CASE("factories: linspace", "[factory]") {
  // libtorch 1.13 values (float32, filled from both ends).
  Tensor a = linspace(0, 1, 5);
  CHECK(a.dtype() == kFloat);
  CHECK(values(a) == std::vector<double>{0, 0.25, 0.5, 0.75, 1});
  CHECK(values(linspace(0, 10, 1)) == std::vector<double>{0});  // one step gives start
  CHECK(values(linspace(-1, 1, 4)) ==
        std::vector<double>{-1, -0.33333331346511841, 0.33333331346511841, 1});
  CHECK(values(linspace(0, 1, 7)) == std::vector<double>{0, 0.1666666716337204, 0.3333333432674408, 0.5,
                                                          0.66666662693023682, 0.83333331346511841, 1});
  Tensor i = linspace(0, 10, 4, dtype(kLong));
  CHECK(ivalues(i) == std::vector<int64_t>{0, 3, 6, 10});
  CHECK(linspace(0, 1, 0).numel() == 0);
  CHECK(values(linspace(0, 1, 3, dtype(kDouble))) == std::vector<double>{0, 0.5, 1});
  REQUIRE_EMBER_ERROR(linspace(0, 1, -1), Error, "linspace", "-1");
}

TEST_CASE("factories: eye", "[factory]") {
  Tensor a = eye(3);
  CHECK(a.dtype() == kFloat);
  CHECK(values(a) == std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1});
  Tensor b = eye(2, 3, dtype(kLong));
  CHECK(shape(b) == std::vector<int64_t>{2, 3});
  CHECK(ivalues(b) == std::vector<int64_t>{1, 0, 0, 0, 1, 0});
  CHECK(ivalues(eye(3, 2)) == std::vector<int64_t>{1, 0, 0, 1, 0, 0});
  CHECK(eye(0).numel() == 0);
  CHECK(eye(2, requires_grad()).requires_grad());
  CHECK(ivalues(eye(2, dtype(kBool))) == std::vector<int64_t>{1, 0, 0, 1});
}

TEST_CASE("factories: tensor from lists and vectors", "[factory]") {
  // dtypes as torch::tensor in libtorch 1.13.
  Tensor a = tensor({1, 2, 3});
  CHECK(a.dtype() == kLong);
  CHECK(ivalues(a) == std::vector<int64_t>{1, 2, 3});
  Tensor b = tensor({1.5, -2.0});
  CHECK(b.dtype() == kFloat);
  CHECK(values(b) == std::vector<double>{1.5, -2.0});
  CHECK(tensor({1.5f, 2.0f}).dtype() == kFloat);
  Tensor c = tensor({true, false});
  CHECK(c.dtype() == kBool);
  CHECK(ivalues(c) == std::vector<int64_t>{1, 0});
  Tensor d = tensor({{1, 2, 3}, {4, 5, 6}});
  CHECK(d.dtype() == kLong);
  CHECK(shape(d) == std::vector<int64_t>{2, 3});
  CHECK(ivalues(d) == std::vector<int64_t>{1, 2, 3, 4, 5, 6});
  Tensor e = tensor({{0.5, 1.5}, {2.5, 3.5}});
  CHECK(e.dtype() == kFloat);
  CHECK(values(e[1]) == std::vector<double>{2.5, 3.5});
  CHECK(tensor({1, 2}, dtype(kDouble)).dtype() == kDouble);
  CHECK(tensor({1.5}, requires_grad()).requires_grad());

  // std::vector: integers give Long and floating types the default dtype, like
  // torch::tensor(std::vector<T>); uint8 keeps its type.
  Tensor v = tensor(std::vector<int>{4, 5});
  CHECK(v.dtype() == kLong);
  CHECK(ivalues(v) == std::vector<int64_t>{4, 5});
  CHECK(tensor(std::vector<int64_t>{4, 5}).dtype() == kLong);
  Tensor w = tensor(std::vector<double>{0.25, 0.5});
  CHECK(w.dtype() == kFloat);
  CHECK(values(w) == std::vector<double>{0.25, 0.5});
  CHECK(tensor(std::vector<float>{1.f}).dtype() == kFloat);
  CHECK(tensor(std::vector<uint8_t>{1, 2}).dtype() == kByte);
  CHECK(tensor(std::vector<double>{1.0}, dtype(kDouble)).dtype() == kDouble);
  CHECK(tensor(std::vector<bool>{true, false, true}).dtype() == kBool);
  CHECK(ivalues(tensor(std::vector<bool>{true, false, true})) == std::vector<int64_t>{1, 0, 1});
  // The data is copied.
  std::vector<float> src{1, 2};
  Tensor x = tensor(src);
  src[0] = 9;
  CHECK(x[0].item<float>() == 1);

  CHECK(scalar_tensor(3).dtype() == kFloat);  // libtorch: default dtype
  CHECK(scalar_tensor(3).dim() == 0);
  CHECK(scalar_tensor(3, dtype(kLong)).item<int64_t>() == 3);
  REQUIRE_EMBER_ERROR(tensor({{1, 2}, {3}}), ShapeError, "tensor", "equal lengths");
}

TEST_CASE("factories: from_blob borrows memory", "[factory]") {
  float data[6] = {0, 1, 2, 3, 4, 5};
  Tensor t = from_blob(data, {2, 3});
  CHECK(t.dtype() == kFloat);
  CHECK(t.data_ptr<float>() == data);
  CHECK(values(t) == std::vector<double>{0, 1, 2, 3, 4, 5});
  data[4] = 40;  // writes to the memory are visible in the tensor
  CHECK(t[1][1].item<float>() == 40);
  t[0][2].fill_(-2);  // and writes to the tensor land in the memory
  CHECK(data[2] == -2);
  t.add_(1);
  CHECK(data[0] == 1);

  int64_t ints[4] = {1, 2, 3, 4};
  Tensor s = from_blob(ints, {2, 2}, {1, 2}, dtype(kLong));  // column-major view
  CHECK(ivalues(s) == std::vector<int64_t>{1, 3, 2, 4});
  CHECK_FALSE(s.is_contiguous());
  Tensor g = from_blob(data, {3}, requires_grad());
  CHECK(g.requires_grad());
}

TEST_CASE("factories: from_blob calls the deleter once, after the last view", "[factory]") {
  int calls = 0;
  void* seen = nullptr;
  auto* buf = new double[4]{1, 2, 3, 4};
  {
    Tensor v;
    {
      Tensor t = from_blob(buf, {4}, [&](void* p) { ++calls; seen = p; delete[] static_cast<double*>(p); },
                           dtype(kDouble));
      v = t.narrow(0, 1, 2);  // a view keeps the storage alive
      Tensor w = t.view({2, 2});
      CHECK(calls == 0);
    }
    CHECK(calls == 0);
    CHECK(values(v) == std::vector<double>{2, 3});
  }
  CHECK(calls == 1);
  CHECK(seen == buf);
}

TEST_CASE("factories: the *_like family", "[factory]") {
  Tensor x = arange(6, dtype(kInt)).view({2, 3}).t();  // non-contiguous source
  Tensor z = zeros_like(x);
  CHECK(shape(z) == std::vector<int64_t>{3, 2});
  CHECK(z.dtype() == kInt);
  CHECK(values(z) == std::vector<double>(6, 0));
  Tensor o = ones_like(x, dtype(kDouble));
  CHECK(o.dtype() == kDouble);
  CHECK(values(o) == std::vector<double>(6, 1));
  Tensor e = empty_like(x);
  CHECK(shape(e) == std::vector<int64_t>{3, 2});
  CHECK(e.dtype() == kInt);
  Tensor f = full_like(x, 2.5);  // keeps x's integer dtype (as libtorch)
  CHECK(f.dtype() == kInt);
  CHECK(values(f) == std::vector<double>(6, 2));
  CHECK(values(full_like(x, 2.5, dtype(kFloat))) == std::vector<double>(6, 2.5));
  Tensor r = rand_like(ones({2, 2}, dtype(kDouble)));
  CHECK(r.dtype() == kDouble);
  CHECK(shape(r) == std::vector<int64_t>{2, 2});
  CHECK(randn_like(ones({3})).dtype() == kFloat);
  Tensor ri = randint_like(x, 5);
  CHECK(ri.dtype() == kInt);
  for (double v : values(ri)) CHECK((v >= 0 && v < 5));
  for (double v : values(randint_like(x, -3, -1))) CHECK((v >= -3 && v < -1));
  CHECK(zeros_like(ones({2}), requires_grad()).requires_grad());
  CHECK_FALSE(zeros_like(ones({2}, requires_grad())).requires_grad());
}
