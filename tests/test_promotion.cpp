// libtorch's type promotion: promote_types, result_type with dimensioned tensors, 0-dim
// tensors and wrapped scalars, can_cast, and the dtypes ops produce. Every expected dtype
// below was computed with libtorch 1.13 on this machine.
#include "core_helpers.h"

using namespace ember;
using core_test::ivalues;
using core_test::values;

namespace {
Tensor vec(ScalarType t) { return ones({2}, dtype(t)); }
Tensor zd(ScalarType t) { return ones({}, dtype(t)); }
}  // namespace

TEST_CASE("promotion: promote_types table", "[promotion]") {
  CHECK(promote_types(kByte, kInt) == kInt);
  CHECK(promote_types(kInt, kLong) == kLong);
  CHECK(promote_types(kLong, kFloat) == kFloat);
  CHECK(promote_types(kFloat, kDouble) == kDouble);
  CHECK(promote_types(kBool, kByte) == kByte);
  CHECK(promote_types(kBool, kBool) == kBool);
  CHECK(promote_types(kInt, kFloat) == kFloat);
  CHECK(promote_types(kDouble, kByte) == kDouble);
  CHECK(promote_types(kHalf, kBFloat16) == kFloat);
  CHECK(promote_types(kLong, kHalf) == kHalf);
}

TEST_CASE("promotion: tensors with dimensions promote by dtype", "[promotion]") {
  // libtorch 1.13: float+double -> double, bool+long -> long, uint8+int32 -> int32.
  CHECK((vec(kFloat) + vec(kDouble)).dtype() == kDouble);
  CHECK((vec(kBool) + vec(kLong)).dtype() == kLong);
  CHECK((vec(kByte) + vec(kInt)).dtype() == kInt);
  CHECK((vec(kInt) + vec(kFloat)).dtype() == kFloat);
  CHECK((vec(kByte) * vec(kBool)).dtype() == kByte);
  CHECK((vec(kBool) * vec(kBool)).dtype() == kBool);
  CHECK(maximum(vec(kInt), vec(kFloat)).dtype() == kFloat);
  CHECK(result_type(vec(kInt), vec(kLong)) == kLong);
}

TEST_CASE("promotion: 0-dim tensors only win across categories", "[promotion]") {
  // libtorch 1.13 results.
  CHECK((zd(kDouble) + vec(kFloat)).dtype() == kFloat);   // same category: the vector wins
  CHECK((zd(kLong) + vec(kInt)).dtype() == kInt);
  CHECK((zd(kDouble) + vec(kInt)).dtype() == kDouble);    // higher category: the 0-dim type
  CHECK((zd(kFloat) + vec(kLong)).dtype() == kFloat);
  CHECK((vec(kInt) + zd(kBool)).dtype() == kInt);
  CHECK((zd(kInt) + zd(kFloat)).dtype() == kFloat);       // all 0-dim: ordinary promotion
  CHECK((zd(kDouble) + zd(kFloat)).dtype() == kDouble);
  CHECK((zd(kLong) + zd(kInt)).dtype() == kLong);
  CHECK((zd(kDouble) * zd(kLong)).dtype() == kDouble);
  CHECK(result_type(zd(kDouble), vec(kFloat)) == kFloat);
}

TEST_CASE("promotion: scalars take the default dtype only across categories", "[promotion]") {
  // libtorch 1.13 results.
  CHECK((vec(kLong) + 2.5).dtype() == kFloat);
  CHECK((vec(kInt) + 2).dtype() == kInt);
  CHECK((vec(kInt) + 2.5).dtype() == kFloat);
  CHECK((vec(kBool) + true).dtype() == kBool);
  CHECK((vec(kBool) + 1).dtype() == kLong);
  CHECK((vec(kBool) + 1.5).dtype() == kFloat);
  CHECK((vec(kDouble) + 1.5).dtype() == kDouble);
  CHECK((vec(kFloat) * 2).dtype() == kFloat);
  CHECK((2.5 * vec(kInt)).dtype() == kFloat);
  CHECK((zd(kInt) + 2).dtype() == kInt);
  CHECK(result_type(vec(kByte), Scalar(-1)) == kByte);
  CHECK(result_type(vec(kLong), Scalar(true)) == kLong);
  CHECK(result_type(zd(kLong), Scalar(2.5)) == kFloat);
  // uint8 + (-1) stays uint8 and wraps: libtorch gives {0, 1} for {1, 2}.
  Tensor u = tensor({1, 2}, dtype(kByte)) + (-1);
  CHECK(u.dtype() == kByte);
  CHECK(ivalues(u) == std::vector<int64_t>{0, 1});
  // The float default dtype decides what an integer tensor becomes.
  set_default_dtype(kDouble);
  CHECK((vec(kLong) + 2.5).dtype() == kDouble);
  CHECK((vec(kFloat) + 2.5).dtype() == kFloat);
  set_default_dtype(kFloat);
}

TEST_CASE("promotion: dtypes of ops beyond add", "[promotion]") {
  // libtorch 1.13 results.
  CHECK((vec(kLong) / vec(kLong)).dtype() == kFloat);
  CHECK((vec(kInt) / vec(kInt)).dtype() == kFloat);
  CHECK((vec(kBool) / vec(kBool)).dtype() == kFloat);
  CHECK((vec(kDouble) / 2).dtype() == kDouble);
  CHECK(pow(vec(kLong), 2.5).dtype() == kFloat);
  CHECK(pow(2.5, vec(kLong)).dtype() == kFloat);
  CHECK(pow(2, vec(kLong)).dtype() == kLong);
  CHECK(vec(kLong).pow(2).dtype() == kLong);
  CHECK(vec(kFloat).pow(vec(kLong)).dtype() == kFloat);
  CHECK(remainder(vec(kLong), 1.5).dtype() == kFloat);
  CHECK(where(vec(kBool), vec(kLong), scalar_tensor(2.5)).dtype() == kFloat);
  CHECK(where(vec(kBool), 1.0, 0.0).dtype() == kFloat);
  CHECK(where(vec(kBool), 1, 0).dtype() == kLong);
  CHECK(where(vec(kBool), vec(kInt), 2.5).dtype() == kFloat);
  CHECK(clamp(vec(kLong), 0.5).dtype() == kFloat);
  CHECK(clamp(vec(kLong), 1).dtype() == kLong);
  CHECK(vec(kLong).masked_fill(vec(kBool), 2.5).dtype() == kLong);
  CHECK((vec(kInt) == 2.5).dtype() == kBool);
  // int32 {2, 3} == 2.5 compares in float: both false (libtorch).
  CHECK(ivalues(tensor({2, 3}, dtype(kInt)) == 2.5) == std::vector<int64_t>{0, 0});
  CHECK(exp(vec(kLong)).dtype() == kFloat);
  CHECK(sqrt(vec(kBool)).dtype() == kFloat);
  CHECK(abs(vec(kInt)).dtype() == kInt);
  CHECK((-vec(kByte)).dtype() == kByte);
  CHECK(vec(kBool).sum().dtype() == kLong);
  CHECK(vec(kInt).sum().dtype() == kLong);
  CHECK(vec(kByte).sum().dtype() == kLong);
  CHECK(vec(kFloat).sum().dtype() == kFloat);
  CHECK(vec(kInt).mean(kFloat).dtype() == kFloat);
  CHECK(vec(kInt).any().dtype() == kBool);
  CHECK(vec(kByte).any().dtype() == kByte);  // libtorch keeps uint8 for any/all
  CHECK(vec(kByte).all().dtype() == kByte);
}

TEST_CASE("promotion: can_cast follows the same-kind rule", "[promotion]") {
  CHECK(can_cast(kLong, kFloat));
  CHECK(can_cast(kFloat, kDouble));
  CHECK(can_cast(kDouble, kFloat));
  CHECK(can_cast(kBool, kByte));
  CHECK_FALSE(can_cast(kFloat, kLong));
  CHECK_FALSE(can_cast(kDouble, kBool));
  CHECK_FALSE(can_cast(kLong, kBool));
  CHECK(can_cast(kBool, kBool));
  CHECK(can_cast(kInt, kByte));
}
