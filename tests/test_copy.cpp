// Conversions and copies: to, contiguous, clone, copy_, fill_, zero_, detach.
#include "core_helpers.h"

using namespace ember;
using core_test::ivalues;
using core_test::shape;
using core_test::values;

TEST_CASE("copy: to(dtype) converts values", "[copy]") {
  Tensor f = tensor({-1.75, 0.5, 2.5, 300.25});
  Tensor l = f.to(kLong);
  CHECK(l.dtype() == kLong);
  CHECK(ivalues(l) == std::vector<int64_t>{-1, 0, 2, 300});  // truncation toward zero
  CHECK(values(f.to(kDouble)) == std::vector<double>{-1.75, 0.5, 2.5, 300.25});
  CHECK(ivalues(f.to(kBool)) == std::vector<int64_t>{1, 1, 1, 1});
  CHECK(ivalues(tensor({0.0, 0.25}).to(kBool)) == std::vector<int64_t>{0, 1});
  CHECK(ivalues(tensor({1, 255, 256}).to(kByte)) == std::vector<int64_t>{1, 255, 0});
  CHECK(values(tensor({true, false}).to(kFloat)) == std::vector<double>{1, 0});
  CHECK(ivalues(tensor({7, -8}).to(kInt)) == std::vector<int64_t>{7, -8});
  // Same dtype without copy=true returns the tensor itself.
  CHECK(f.to(kFloat).is_same(f));
  Tensor c = f.to(kFloat, false, /*copy=*/true);
  CHECK_FALSE(c.is_same(f));
  c.fill_(0);
  CHECK(f[0].item<float>() == -1.75f);
}

TEST_CASE("copy: to(TensorOptions), to(other), to(device)", "[copy]") {
  Tensor i = arange(4, dtype(kInt));
  Tensor d = i.to(TensorOptions().dtype(kDouble));
  CHECK(d.dtype() == kDouble);
  CHECK(values(d) == std::vector<double>{0, 1, 2, 3});
  CHECK(i.to(TensorOptions()).is_same(i));  // no dtype/device given: unchanged
  CHECK(i.to(ones({1}, dtype(kByte))).dtype() == kByte);
  CHECK(i.to(Device(kCPU)).is_same(i));
  CHECK(i.to(Device(kCPU), kFloat).dtype() == kFloat);
  CHECK(i.cpu().is_same(i));
  // Non-contiguous sources come out contiguous with the same logical values.
  Tensor t = arange(6).view({2, 3}).t();
  Tensor tf = t.to(kFloat);
  CHECK(tf.is_contiguous());
  CHECK(values(tf) == std::vector<double>{0, 3, 1, 4, 2, 5});
}

TEST_CASE("copy: contiguous and clone", "[copy]") {
  Tensor a = arange(6).view({2, 3});
  CHECK(a.contiguous().is_same(a));
  Tensor t = a.t();
  Tensor tc = t.contiguous();
  CHECK(tc.is_contiguous());
  CHECK(shape(tc) == std::vector<int64_t>{3, 2});
  CHECK(tc.strides().vec() == std::vector<int64_t>{2, 1});
  CHECK(ivalues(tc) == std::vector<int64_t>{0, 3, 1, 4, 2, 5});
  Tensor c = a.clone();
  CHECK(c.dtype() == kLong);
  CHECK(ivalues(c) == ivalues(a));
  c.fill_(9);  // independent storage
  CHECK(a[0][0].item<int64_t>() == 0);
  Tensor tcl = t.clone();
  CHECK(ivalues(tcl) == ivalues(t));
  CHECK(shape(tcl) == std::vector<int64_t>{3, 2});
}

TEST_CASE("copy: copy_ broadcasts and converts", "[copy]") {
  Tensor dst = zeros({2, 3});
  dst.copy_(tensor({1, 2, 3}));  // int64 row broadcast into a float matrix
  CHECK(values(dst) == std::vector<double>{1, 2, 3, 1, 2, 3});
  dst.copy_(tensor({{10.5}, {20.5}}, dtype(kDouble)));  // column broadcast
  CHECK(values(dst) == std::vector<double>{10.5, 10.5, 10.5, 20.5, 20.5, 20.5});
  dst.copy_(full({}, 7));  // 0-dim source
  CHECK(values(dst) == std::vector<double>(6, 7));
  Tensor li = zeros({3}, dtype(kLong));
  li.copy_(tensor({1.9, -1.9, 2.5}));
  CHECK(ivalues(li) == std::vector<int64_t>{1, -1, 2});
  // Into a non-contiguous destination, from a non-contiguous source.
  Tensor base = zeros({3, 2});
  base.t().copy_(arange(6).view({2, 3}));
  CHECK(values(base) == std::vector<double>{0, 3, 1, 4, 2, 5});
  Tensor src = arange(8, dtype(kFloat)).slice(0, 0, 8, 2);  // {0, 2, 4, 6}
  Tensor dst2 = zeros({8}).slice(0, 1, 8, 2);
  dst2.copy_(src);
  CHECK(values(dst2) == std::vector<double>{0, 2, 4, 6});
  const uint32_t v = dst._version();
  dst.copy_(ones({3}));
  CHECK(dst._version() == v + 1);  // in-place writes bump the version counter
  REQUIRE_EMBER_ERROR(zeros({2, 3}).copy_(ones({3, 3})), ShapeError, "copy_", "[3, 3]", "[2, 3]");
  REQUIRE_EMBER_ERROR(zeros({3}).copy_(ones({2, 3})), ShapeError, "copy_", "[2, 3]", "[3]");
}

TEST_CASE("copy: fill_ and zero_", "[copy]") {
  Tensor t = ones({2, 2}, dtype(kInt));
  t.fill_(-4);
  CHECK(ivalues(t) == std::vector<int64_t>{-4, -4, -4, -4});
  t.fill_(2.9);  // converted to the tensor's dtype
  CHECK(ivalues(t) == std::vector<int64_t>{2, 2, 2, 2});
  t.zero_();
  CHECK(ivalues(t) == std::vector<int64_t>{0, 0, 0, 0});
  Tensor f = zeros({3});
  f.fill_(full({}, 1.5));
  CHECK(values(f) == std::vector<double>{1.5, 1.5, 1.5});
  // Through a non-contiguous view: only the viewed elements change.
  Tensor m = zeros({3, 3});
  m.diagonal().fill_(1);
  m.select(1, 2).zero_();
  CHECK(values(m) == std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 0});
  Tensor b = zeros({2}, dtype(kBool));
  b.fill_(true);
  CHECK(ivalues(b) == std::vector<int64_t>{1, 1});
  const uint32_t v = f._version();
  f.zero_();
  CHECK(f._version() == v + 1);
  REQUIRE_EMBER_ERROR(f.fill_(ones({2})), ShapeError, "fill_", "1 dim");
}

TEST_CASE("copy: detach shares storage and leaves the graph", "[copy]") {
  Tensor x = ones({3}, requires_grad());
  Tensor y = x * 2;
  Tensor d = y.detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.grad_fn() == nullptr);
  CHECK(d.is_leaf());
  CHECK(d.data_ptr() == y.data_ptr());
  d.fill_(5);  // writes through the detached tensor are visible in y
  CHECK(values(y) == std::vector<double>{5, 5, 5});
  CHECK(y._version() == d._version());  // one version counter
  Tensor xd = x.detach();
  CHECK(xd.data_ptr() == x.data_ptr());
  CHECK_FALSE(xd.requires_grad());
  CHECK(x.requires_grad());
  // detach_ turns a tensor into a leaf in place.
  Tensor z = x * 3;
  z.detach_();
  CHECK_FALSE(z.requires_grad());
  CHECK(z.grad_fn() == nullptr);
}

TEST_CASE("copy: Half and BFloat16 convert to and from float, rounding to nearest even", "[copy]") {
  // Expected values from numpy's float16 and from bfloat16's round-to-nearest-even rule.
  Tensor x = ember::tensor({1.0f / 3.0f, 65504.0f, 65520.0f, 1e-8f, 6e-8f, -2.5f, 0.0f});
  Tensor h = x.to(ember::kHalf);
  CHECK(h.dtype() == ember::kHalf);
  CHECK(h.element_size() == 2);
  Tensor back = h.to(ember::kFloat);
  CHECK(back[0].item<float>() == 0.333251953125f);
  CHECK(back[1].item<float>() == 65504.0f);
  CHECK(std::isinf(back[2].item<float>()));  // rounds past the largest half
  CHECK(back[3].item<float>() == 0.0f);
  CHECK(back[4].item<float>() == 5.9604644775390625e-08f);  // the smallest subnormal, 2^-24
  CHECK(back[5].item<float>() == -2.5f);

  Tensor b = x.to(ember::kBFloat16).to(ember::kFloat);
  CHECK(b[0].item<float>() == 0.333984375f);
  CHECK(b[1].item<float>() == 65536.0f);
  CHECK(b[5].item<float>() == -2.5f);

  CHECK(ember::tensor({std::nanf("")}).to(ember::kHalf).to(ember::kFloat).isnan().item<bool>());
  CHECK(ember::full({3}, 1.5, ember::kHalf).to(ember::kDouble).equal(ember::full({3}, 1.5, ember::kDouble)));
  CHECK(ember::tensor({0.0f, 2.0f}).to(ember::kBFloat16).to(ember::kBool).equal(ember::tensor({false, true})));
  CHECK(ember::tensor({int64_t{-3}, int64_t{7}}).to(ember::kHalf).to(ember::kLong).equal(ember::tensor({int64_t{-3}, int64_t{7}})));
}
