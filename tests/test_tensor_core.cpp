// Tensor core: the handle, properties, item/data_ptr, dtypes, Scalar and TensorOptions.
#include <thread>

#include "core_helpers.h"

using namespace ember;
using core_test::ivalues;
using core_test::shape;
using core_test::values;

TEST_CASE("tensor core: Tensor is an intrusive handle", "[core]") {
  Tensor undefined;
  CHECK_FALSE(undefined.defined());
  CHECK(undefined.use_count() == 0);

  Tensor a = zeros({2, 3});
  REQUIRE(a.defined());
  CHECK(a.use_count() == 1);
  {
    Tensor b = a;  // copies share the impl and bump the count
    CHECK(b.is_same(a));
    CHECK(a.use_count() == 2);
    CHECK(b.unsafeGetTensorImpl() == a.unsafeGetTensorImpl());
    b.fill_(5);
    CHECK(values(a) == std::vector<double>(6, 5.0));
  }
  CHECK(a.use_count() == 1);

  Tensor c = std::move(a);  // a move transfers the reference
  CHECK_FALSE(a.defined());  // NOLINT(bugprone-use-after-move)
  CHECK(c.use_count() == 1);

  Tensor d = ones({2});
  d = c;  // assignment releases the old impl and shares the new one
  CHECK(d.is_same(c));
  CHECK(c.use_count() == 2);
  CHECK_FALSE(ones({1}).is_same(ones({1})));
}

TEST_CASE("tensor core: sizes, strides and shape properties", "[core]") {
  Tensor t = zeros({2, 3, 4});
  CHECK(shape(t) == std::vector<int64_t>{2, 3, 4});
  CHECK(t.strides().vec() == std::vector<int64_t>{12, 4, 1});
  CHECK(t.size(0) == 2);
  CHECK(t.size(-1) == 4);
  CHECK(t.size(-3) == 2);
  CHECK(t.stride(-2) == 4);
  CHECK(t.dim() == 3);
  CHECK(t.ndimension() == 3);
  CHECK(t.numel() == 24);
  CHECK(t.dtype() == kFloat);
  CHECK(t.scalar_type() == kFloat);
  CHECK(t.device() == Device(kCPU));
  CHECK(t.device().str() == "cpu");
  CHECK(t.is_cpu());
  CHECK_FALSE(t.is_cuda());
  CHECK(t.is_contiguous());
  CHECK(t.is_floating_point());
  CHECK(t.element_size() == 4);
  CHECK(t.nbytes() == 96);
  CHECK(t.storage_offset() == 0);
  CHECK(t.toString() == "CPUFloatType");
  CHECK_FALSE(t.transpose(0, 2).is_contiguous());

  Tensor s = zeros({});
  CHECK(s.dim() == 0);
  CHECK(s.numel() == 1);
  CHECK(s.sizes().empty());
  // libtorch: "dimension specified as 0 but tensor has no dimensions".
  REQUIRE_EMBER_ERROR(s.size(0), IndexError, "size", "no dimensions");
  REQUIRE_EMBER_ERROR(s.stride(-1), IndexError, "stride", "no dimensions");
  REQUIRE_EMBER_ERROR(t.size(3), IndexError, "size", "[-3, 2]", "got 3");
  Tensor e = zeros({3, 0});
  CHECK(e.numel() == 0);
  CHECK(e.is_contiguous());
}

TEST_CASE("tensor core: the six dtypes", "[core]") {
  struct Row { ScalarType t; int64_t size; const char* name; bool floating; };
  const Row rows[] = {{kFloat, 4, "CPUFloatType", true}, {kDouble, 8, "CPUDoubleType", true},
                      {kLong, 8, "CPULongType", false},   {kInt, 4, "CPUIntType", false},
                      {kByte, 1, "CPUByteType", false},   {kBool, 1, "CPUBoolType", false}};
  for (const Row& r : rows) {
    INFO(toString(r.t));
    Tensor t = ones({3}, dtype(r.t));
    CHECK(t.dtype() == r.t);
    CHECK(t.element_size() == r.size);
    CHECK(static_cast<int64_t>(element_size(r.t)) == r.size);
    CHECK(t.toString() == r.name);
    CHECK(t.is_floating_point() == r.floating);
    CHECK(isFloatingType(r.t) == r.floating);
    CHECK(values(t) == std::vector<double>{1, 1, 1});
  }
  CHECK(std::string(toString(kByte)) == "Byte");
  CHECK(kInt64 == kLong);
  CHECK(kFloat64 == kDouble);
  CHECK(kUInt8 == kByte);
  CHECK(isIntegralType(kBool, true));
  CHECK_FALSE(isIntegralType(kBool, false));
  CHECK(isIntegralType(kInt, false));
}

TEST_CASE("tensor core: item and data_ptr", "[core]") {
  Tensor f = full({}, 2.5);
  CHECK(f.item<float>() == 2.5f);
  CHECK(f.item<double>() == 2.5);
  CHECK(f.item<int64_t>() == 2);  // converted like c10::Scalar::to
  CHECK(f.item().isFloatingPoint());
  CHECK(f.item().toDouble() == 2.5);

  Tensor l = full({1, 1}, int64_t(-7));  // one element of any shape
  CHECK(l.item<int64_t>() == -7);
  CHECK(l.item().isIntegral(false));
  CHECK(l.item().toLong() == -7);
  Tensor b = full({}, true);
  CHECK(b.item<bool>());
  CHECK(b.item().isBoolean());
  CHECK(ones({1}, dtype(kByte)).item<uint8_t>() == 1);
  CHECK(full({1}, 3, dtype(kInt)).item<int32_t>() == 3);

  Tensor t = arange(6, dtype(kInt)).view({2, 3});
  int32_t* p = t.data_ptr<int32_t>();
  CHECK(p[4] == 4);
  p[4] = 40;  // writes through data_ptr are the tensor's values
  CHECK(t[1][1].item<int32_t>() == 40);
  // data_ptr of a view points at the view's first element.
  CHECK(*t[1].data_ptr<int32_t>() == 3);
  CHECK(t.data_ptr() == static_cast<void*>(p));

  REQUIRE_EMBER_ERROR(t.data_ptr<float>(), DTypeError, "data_ptr", "Float", "Int", "[2, 3]");
  REQUIRE_EMBER_ERROR(t.item<int>(), ShapeError, "item", "6 elements", "[2, 3]");
}

TEST_CASE("tensor core: requires_grad and TensorOptions", "[core]") {
  Tensor a = zeros({2});
  CHECK_FALSE(a.requires_grad());
  a.requires_grad_();
  CHECK(a.requires_grad());
  CHECK(a.is_leaf());
  a.requires_grad_(false);
  CHECK_FALSE(a.requires_grad());

  Tensor b = ones({2}, requires_grad());
  CHECK(b.requires_grad());
  Tensor c = ones({2}, dtype(kDouble).requires_grad(true));
  CHECK(c.requires_grad());
  CHECK(c.dtype() == kDouble);
  Tensor d = zeros({2}, TensorOptions().dtype(kLong).device(kCPU));
  CHECK(d.dtype() == kLong);
  CHECK_FALSE(d.requires_grad());

  TensorOptions o;
  CHECK_FALSE(o.has_dtype());
  CHECK(o.dtype() == kFloat);  // the default dtype when unset
  CHECK(o.device() == Device(kCPU));
  CHECK_FALSE(o.requires_grad());
  TensorOptions o2 = dtype(kInt);
  CHECK(o2.has_dtype());
  CHECK(o2.dtype() == kInt);
  CHECK(o2.requires_grad(true).requires_grad());
  CHECK_FALSE(o2.requires_grad());  // builders return copies
  TensorOptions o3 = kDouble;  // implicit from a dtype, as libtorch
  CHECK(o3.dtype() == kDouble);
  CHECK(ember::device(kCPU).device().is_cpu());
  CHECK(Device("cpu") == Device(kCPU));
  CHECK(Device("cuda:1").index() == 1);
  CHECK_THROWS_AS(Device("tpu"), DeviceError);

  // options() of a tensor round-trips dtype and device.
  Tensor e = zeros({1}, dtype(kByte));
  CHECK(e.options().dtype() == kByte);
  CHECK(zeros({1}, e.options()).dtype() == kByte);
}

TEST_CASE("tensor core: Scalar", "[core]") {
  Scalar i = 3;
  CHECK(i.isIntegral(false));
  CHECK_FALSE(i.isFloatingPoint());
  CHECK(i.type() == kLong);
  CHECK(i.toDouble() == 3.0);
  CHECK(i.to<float>() == 3.0f);
  Scalar d = 2.5;
  CHECK(d.isFloatingPoint());
  CHECK(d.type() == kDouble);
  CHECK(d.toLong() == 2);
  CHECK(d.to<int>() == 2);
  Scalar f = 1.5f;
  CHECK(f.isFloatingPoint());
  Scalar b = true;
  CHECK(b.isBoolean());
  CHECK(b.isIntegral(true));
  CHECK_FALSE(b.isIntegral(false));
  CHECK(b.type() == kBool);
  CHECK(b.toLong() == 1);
  Scalar u = uint8_t(200);
  CHECK(u.toLong() == 200);
  CHECK((-d).toDouble() == -2.5);
  CHECK((-i).toLong() == -3);
  CHECK(Scalar().toLong() == 0);
  std::ostringstream os;
  os << d << ' ' << i << ' ' << b;
  CHECK(os.str() == "2.5 3 true");
}

TEST_CASE("tensor core: default dtype", "[core]") {
  CHECK(get_default_dtype() == kFloat);
  set_default_dtype(kDouble);
  CHECK(zeros({1}).dtype() == kDouble);
  CHECK(tensor({1.5}).dtype() == kDouble);
  CHECK((arange(3) / 2).dtype() == kDouble);
  set_default_dtype(kFloat);
  CHECK(zeros({1}).dtype() == kFloat);
  REQUIRE_EMBER_ERROR(set_default_dtype(kLong), DTypeError, "set_default_dtype", "Long");
}
