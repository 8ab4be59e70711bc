// The C++ tensor indexing API (ember::indexing): t.index({...}) and t.index_put_({...}, v)
// spelled as libtorch's. Expected values were computed with libtorch 1.13 unless noted.
#include "shape_index_util.h"

#include <sstream>

using namespace ember;
using namespace ember::indexing;
using shape_index_test::shape;
using shape_index_test::vals;
using V = std::vector<double>;
using S = std::vector<int64_t>;

TEST_CASE("indexing API: integers, slices, None and Ellipsis give views", "[indexing]") {
  Tensor c = arange(24).view({2, 3, 4});
  Tensor r = c.index({Slice(-2, None), Slice(1, 100, 2), -1});
  CHECK(shape(r) == S{2, 1});
  CHECK(vals(r) == V{7, 19});
  Tensor e = c.index({Ellipsis, None, 1});
  CHECK(shape(e) == S{2, 3, 1});
  CHECK(vals(e) == V{1, 5, 9, 13, 17, 21});
  CHECK(shape(c.index({"...", 0})) == S{2, 3});
  CHECK(shape(c.index({None})) == S{1, 2, 3, 4});
  CHECK(shape(c.index({Slice(None, 3), Slice(1, None, 2)})) == S{2, 1, 4});
  CHECK(vals(c.index({1, Slice(), Slice(None, None, 3)})) == V{12, 15, 16, 19, 20, 23});
  CHECK(vals(c.index({-1, -1})) == V{20, 21, 22, 23});
  // Views share storage: writing through one is seen by the base.
  Tensor v = c.index({0, Slice(1, 3)});
  v.fill_(-1);
  CHECK(c.index({0, 1, 0}).item<int64_t>() == -1);
  CHECK(c.index({1, 1, 0}).item<int64_t>() == 16);
  Tensor a = c.index({Ellipsis});
  CHECK_FALSE(a.is_same(c));
  CHECK(a.data_ptr() == c.data_ptr());
}

TEST_CASE("indexing API: bools, tensors and masks", "[indexing]") {
  Tensor c = arange(24).view({2, 3, 4});
  Tensor m = c.index({Slice(0, 2), 1, None, Ellipsis, tensor({true, false, true, true})});
  CHECK(shape(m) == S{2, 1, 3});
  CHECK(vals(m) == V{4, 6, 7, 16, 18, 19});
  CHECK(shape(c.index({true})) == S{1, 2, 3, 4});
  CHECK(shape(c.index({false, 0})) == S{0, 3, 4});
  CHECK(vals(c.index({scalar_tensor(1, kLong)})) == vals(c.select(0, 1)));
  CHECK(shape(c.index({scalar_tensor(true, kBool)})) == S{1, 2, 3, 4});
  CHECK(vals(c.index({Slice(), tensor({2, 0}), 3})) == V{11, 3, 23, 15});
  CHECK(vals(c[tensor({1})].reshape({-1})) == vals(c.select(0, 1)));
  // A 2-D mask consumes both of its dims (NumPy's rule): c[mask, 1] = c[mask][:, 1].
  Tensor mk = tensor({true, false, true, false, false, true}).view({2, 3});
  CHECK(vals(c.index({mk})) == vals(c.index({mk, Slice()})));
  CHECK(vals(c.index({mk, 1})) == V{1, 9, 21});
  CHECK(vals(c.index({c > 20})) == V{21, 22, 23});
}

TEST_CASE("indexing API: errors", "[indexing]") {
  Tensor c = arange(24).view({2, 3, 4});
  REQUIRE_THROWS_WITH_TYPE(c.index({5}), IndexError, "[ember::index] index 5 is out of bounds for dimension 0 with size 2");
  REQUIRE_THROWS_WITH_TYPE(c.index({0, 1, 2, 3}), IndexError, "too many indices for tensor of dimension 3");
  REQUIRE_THROWS_WITH_TYPE(c.index({Slice(None, None, -1)}), IndexError, "step must be greater than zero");
  REQUIRE_THROWS_WITH_TYPE(c.index({tensor({0.5})}), DTypeError, "tensors used as indices must be long, int, byte or bool");
  REQUIRE_THROWS_WITH_TYPE(c.index({"..", 0}), Error, "expected \"...\" to represent an ellipsis index");
  REQUIRE_THROWS_WITH_TYPE(Slice(0, 1, 0), Error, "slice step cannot be zero");
  REQUIRE_THROWS_WITH_TYPE(c.index({tensor({2})}), IndexError, "index 2 is out of bounds for dimension 0 with size 2");
  REQUIRE_THROWS_WITH_TYPE(scalar_tensor(1.).index({0}), IndexError, "too many indices for tensor of dimension 0");
}

TEST_CASE("indexing API: index_put_ assigns through views and tensor indices", "[indexing]") {
  Tensor x = zeros({3, 4});
  x.index_put_({Slice(), 1}, 5);
  x.index_put_({tensor({0, 2}), tensor({3, 3})}, tensor({7.f, 8.f}));
  x.index_put_({x > 6}, -1);
  CHECK(vals(x) == V{0, 5, 0, -1, 0, 5, 0, 0, 0, 5, 0, -1});
  x.index_put_({0}, ones({1, 4}));  // leading 1s of the value are dropped, as NumPy does
  CHECK(vals(x.index({0})) == V{1, 1, 1, 1});
  x.index_put_({Slice(1, None), Slice(None, 2)}, scalar_tensor(2.f));
  CHECK(vals(x) == V{1, 1, 1, 1, 2, 2, 0, 0, 2, 2, 0, -1});
  x.index_put_({Ellipsis, -1}, tensor({9.f, 8.f, 7.f}));
  CHECK(vals(x.select(1, 3)) == V{9, 8, 7});
  x.index_put_({false}, 100);  // selects nothing
  CHECK(vals(x.select(1, 3)) == V{9, 8, 7});
  REQUIRE_THROWS_AS(x.index_put_({0}, ones({2, 4})), ShapeError);
  REQUIRE_THROWS_WITH_TYPE(x.index_put_({tensor({0})}, ones({1, 4}, kDouble)), DTypeError, "dtypes match");
  std::ostringstream os;
  os << std::vector<TensorIndex>{Slice(1, None, 2), None, Ellipsis, 3, true};
  CHECK(os.str() == "(1:9223372036854775807:2, None, ..., 3, true)");
}

TEST_CASE("indexing API: index_put_ records the write for autograd", "[indexing][autograd]") {
  auto opts = TensorOptions(kDouble).requires_grad(true);
  Tensor a = tensor({1., 2.}, opts), b = tensor({3., 4., 5.}, opts);
  // Build a tensor row by row from pieces that require grad.
  Tensor h = zeros({3, 2}, kDouble);
  h.index_put_({0}, a);
  h.index_put_({Slice(1, 3), 0}, b.index({Slice(0, 2)}) * 2);
  h.index_put_({h > 9}, 0.5);  // a mask that selects nothing
  Tensor w = arange(6., TensorOptions(kDouble)).view({3, 2});
  (h * w).sum().backward();
  CHECK(vals(a.grad()) == V{0, 1});
  CHECK(vals(b.grad()) == V{4, 8, 0});  // d/db of 2 * (b0 * w[1][0] + b1 * w[2][0])
  // Overwritten entries pass no gradient to what was there before.
  Tensor c = tensor({1., 2., 3.}, opts);
  Tensor d = c * 1;
  d.index_put_({1}, scalar_tensor(0., kDouble));
  d.sum().backward();
  CHECK(vals(c.grad()) == V{1, 0, 1});
  // A leaf that requires grad cannot be written in place.
  Tensor leaf = zeros({2}, opts);
  REQUIRE_THROWS_WITH_TYPE(leaf.index_put_({0}, 1.0), Error, "a leaf Variable that requires grad");
}
