// Index ops: forward values (hand-computed, or computed with libtorch 1.13 where noted),
// non-contiguous operands, bounds and dtype errors, determinism of accumulation, and the
// gradient rules that the op table cannot see (padding_idx, scale_grad_by_freq).
#include "shape_index_util.h"

using namespace ember;
using shape_index_test::shape;
using shape_index_test::vals;
using V = std::vector<double>;
using S = std::vector<int64_t>;

TEST_CASE("index_select picks entries along a dim", "[index]") {
  Tensor m = arange(6.).view({2, 3});
  // libtorch values.
  CHECK(vals(m.index_select(1, tensor({2, 0, 2}))) == V{2, 0, 2, 5, 3, 5});
  CHECK(shape(m.index_select(1, tensor({2}).squeeze())) == S{2, 1});
  CHECK(vals(m.index_select(0, tensor({1}, kInt))) == V{3, 4, 5});
  CHECK(vals(index_select(m.t(), 0, tensor({2, 0}))) == V{2, 5, 0, 3});
  CHECK(vals(m.index_select(-1, arange(6).slice(0, 0, 6, 2).clamp_max(2))) == V{0, 2, 2, 3, 5, 5});
  Tensor s = scalar_tensor(5.).index_select(0, tensor({0}));
  CHECK(s.dim() == 0);
  CHECK(s.item<double>() == 5);
  CHECK(shape(m.index_select(0, empty({0}, kLong))) == S{0, 3});
  REQUIRE_THROWS_WITH_TYPE(m.index_select(1, tensor({3})), IndexError,
                           "[ember::index_select] index 3 is out of bounds for dimension 1 with size 3");
  REQUIRE_THROWS_WITH_TYPE(m.index_select(1, tensor({-1})), IndexError, "index -1 is out of bounds");
  REQUIRE_THROWS_WITH_TYPE(m.index_select(1, tensor({1.0})), DTypeError, "[ember::index_select] expected index to have dtype");
  REQUIRE_THROWS_WITH_TYPE(m.index_select(1, tensor({{0}})), IndexError, "index is supposed to be a vector");
  REQUIRE_THROWS_AS(m.index_select(2, tensor({0})), IndexError);
}

TEST_CASE("gather reads along a dim at per-element positions", "[index]") {
  Tensor m = arange(6.).view({2, 3});
  // libtorch: m.gather(1, [[0, 0], [1, 0]]) = [[0, 0], [4, 3]].
  CHECK(vals(m.gather(1, tensor({{0, 0}, {1, 0}}))) == V{0, 0, 4, 3});
  CHECK(vals(gather(m, 0, tensor({{1, 0, 1}}))) == V{3, 1, 5});
  CHECK(vals(m.t().gather(0, tensor({{2, 1}}))) == V{2, 4});
  CHECK(scalar_tensor(5.).gather(0, tensor({0}).squeeze()).item<double>() == 5);
  REQUIRE_THROWS_WITH_TYPE(m.gather(1, tensor({{0, 3}, {1, 0}})), IndexError,
                           "[ember::gather] index 3 is out of bounds for dimension 1 with size 3");
  REQUIRE_THROWS_WITH_TYPE(m.gather(1, tensor({{0, -1}, {1, 0}})), IndexError, "index -1 is out of bounds");
  REQUIRE_THROWS_WITH_TYPE(m.gather(1, tensor({0, 1})), ShapeError, "same number of dimensions");
  REQUIRE_THROWS_WITH_TYPE(m.gather(1, tensor({{0, 0}, {1, 0}, {1, 1}})), ShapeError,
                           "size does not match at dimension 0");
  REQUIRE_THROWS_WITH_TYPE(m.gather(1, tensor({{0}, {1}}, kInt)), DTypeError, "expected index to have dtype int64");
}

TEST_CASE("scatter, scatter_ and scatter_add", "[index]") {
  Tensor idx = tensor({{0, 1, 2, 0}});
  // libtorch: zeros(3, 4).scatter(0, idx, ones(2, 5)) puts ones at (0,0), (1,1), (2,2), (0,3).
  CHECK(vals(zeros({3, 4}).scatter(0, idx, ones({2, 5}))) == V{1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0});
  CHECK(vals(zeros({3, 4}).scatter(0, idx, 2.5)) == V{2.5, 0, 0, 2.5, 0, 2.5, 0, 0, 0, 0, 2.5, 0});
  // libtorch: ones(3, 4).scatter(0, [[0, 1, 0, 0]], full(2, 5, 2), "multiply").
  CHECK(vals(ones({3, 4}).scatter(0, tensor({{0, 1, 0, 0}}), full({2, 5}, 2.0), "multiply")) ==
        V{2, 1, 2, 2, 1, 2, 1, 1, 1, 1, 1, 1});
  CHECK(vals(ones({3}).scatter(0, tensor({0, 0}), 2.0, "add")) == V{5, 1, 1});
  // libtorch: zeros(3).scatter_add(0, [0, 1, 0, 0], [1, 2, 3, 4]) = [8, 2, 0]; accumulates in index order.
  CHECK(vals(zeros({3}).scatter_add(0, tensor({0, 1, 0, 0}), tensor({1., 2., 3., 4.}))) == V{8, 2, 0});
  // Repeated targets: the last write in row-major order wins, every time.
  for (int rep = 0; rep < 3; ++rep)
    CHECK(vals(zeros({2}).scatter(0, tensor({1, 0, 1}), tensor({5., 6., 7.}))) == V{6, 7});
  Tensor t = zeros({2, 3});
  Tensor& r = t.scatter_(1, tensor({{2}, {0}}), tensor({{1.}, {2.}}));
  CHECK(&r == &t);
  CHECK(vals(t) == V{0, 0, 1, 2, 0, 0});
  t.scatter_add_(1, tensor({{2, 2}}), tensor({{1., 1.}}));
  CHECK(vals(t) == V{0, 0, 3, 2, 0, 0});
  // Non-contiguous destination, index and src.
  Tensor base = zeros({4, 3});
  Tensor dst = base.t();  // [3, 4] view
  Tensor ix = tensor({{3, 1, 0}, {0, 2, 0}}).t();  // [[3, 0], [1, 2], [0, 0]]
  Tensor sv = arange(12.).view({4, 3}).t();       // sv[i][j] = 3 * j + i
  REQUIRE_FALSE(ix.is_contiguous());
  dst.scatter_(1, ix, sv);
  CHECK(vals(dst) == V{3, 0, 0, 0, 0, 1, 4, 0, 5, 0, 0, 0});
  CHECK(vals(base.t()) == vals(dst));
  REQUIRE_THROWS_WITH_TYPE(zeros({3, 4}).scatter(0, idx, ones({2, 5}, kDouble)), DTypeError,
                           "[ember::scatter] expected self.dtype to be equal to src.dtype");
  REQUIRE_THROWS_WITH_TYPE(zeros({3, 4}).scatter(0, tensor({{3, 0, 0, 0}}), 1.0), IndexError,
                           "index 3 is out of bounds for dimension 0 with size 3");
  REQUIRE_THROWS_WITH_TYPE(ones({3, 4}).scatter(0, idx, ones({2, 5}), "mean"), Error,
                           "reduce argument must be either add or multiply");
  REQUIRE_THROWS_WITH_TYPE(zeros({3, 4}).scatter(0, idx, ones({1, 2})), ShapeError, "smaller than src");
  // A failed in-place scatter leaves self untouched (indices are checked first).
  Tensor keep = zeros({3});
  REQUIRE_THROWS_AS(keep.scatter_(0, tensor({0, 7}), tensor({1., 1.})), IndexError);
  CHECK(vals(keep) == V{0, 0, 0});
}

TEST_CASE("index_add, index_copy and index_fill", "[index]") {
  // libtorch: zeros(3, 2).index_add(0, [0, 2, 0], ones(3, 2), 2) = [[4, 4], [0, 0], [2, 2]].
  CHECK(vals(zeros({3, 2}).index_add(0, tensor({0, 2, 0}), ones({3, 2}), 2)) == V{4, 4, 0, 0, 2, 2});
  Tensor t = zeros({2, 3});
  t.index_add_(1, tensor({2, 2}, kInt), arange(4.).view({2, 2}));
  CHECK(vals(t) == V{0, 0, 1, 0, 0, 5});
  CHECK(vals(zeros({3}, kLong).index_add(0, tensor({1}), tensor({7}))) == V{0, 7, 0});
  REQUIRE_THROWS_WITH_TYPE(zeros({3, 2}).index_add(0, tensor({0, 2}), ones({3, 2})), ShapeError,
                           "[ember::index_add] number of indices (2) should be equal to source.size(dim) (3)");
  REQUIRE_THROWS_WITH_TYPE(zeros({3, 2}).index_add(0, tensor({0, 2, 0}), ones({3, 2}, kDouble)), DTypeError,
                           "self (Float) and source (Double) must have the same scalar type");
  REQUIRE_THROWS_WITH_TYPE(zeros({3, 2}).index_add(0, tensor({0, 5, 0}), ones({3, 2})), IndexError,
                           "index 5 is out of bounds for dimension 0 with size 3");
  Tensor m = arange(6.).view({2, 3});
  // libtorch values.
  CHECK(vals(m.index_fill(1, tensor({0, 2}), -1)) == V{-1, 1, -1, -1, 4, -1});
  CHECK(vals(m.index_copy(1, tensor({2, 0}), tensor({{10., 11.}, {12., 13.}}))) == V{11, 1, 10, 13, 4, 12});
  Tensor f = m.clone();
  f.index_fill_(0, tensor({1}), scalar_tensor(9.));
  CHECK(vals(f) == V{0, 1, 2, 9, 9, 9});
  f.index_copy_(0, tensor({0}), tensor({{7., 7., 7.}}));
  CHECK(vals(f) == V{7, 7, 7, 9, 9, 9});
  REQUIRE_THROWS_WITH_TYPE(m.index_fill(1, tensor({0}), ones({2})), ShapeError, "0-dimensional value tensor");
}

TEST_CASE("take and take_along_dim", "[index]") {
  Tensor m = arange(6.).view({2, 3});
  // libtorch values.
  CHECK(vals(take(m, tensor({{0, 5}, {-1, 2}}))) == V{0, 5, 5, 2});
  CHECK(shape(m.take(tensor({{0, 5}, {-1, 2}}))) == S{2, 2});
  CHECK(vals(take_along_dim(m, tensor({{0}, {2}}), 1)) == V{0, 5});
  CHECK(vals(m.take_along_dim(tensor({5, 0}))) == V{5, 0});
  CHECK(vals(take_along_dim(m, tensor({{2, 1}}), 1)) == V{2, 1, 5, 4});  // index broadcast over dim 0
  REQUIRE_THROWS_WITH_TYPE(take(m, tensor({6})), IndexError, "index 6 is out of bounds");
}

TEST_CASE("advanced indexing with index tensors and masks", "[index]") {
  Tensor c = arange(24).view({2, 3, 4});
  using O = std::vector<std::optional<Tensor>>;
  // libtorch: c[[0, 1], :, [3, 0]] = [[3, 7, 11], [12, 16, 20]] (separated indices lead).
  Tensor a = index(c, O{tensor({0, 1}), std::nullopt, tensor({3, 0})});
  CHECK(shape(a) == S{2, 3});
  CHECK(vals(a) == V{3, 7, 11, 12, 16, 20});
  // libtorch: c[:, [0, 2], [[1], [3]]] -> [2, 2, 2] = [[[1, 9], [3, 11]], [[13, 21], [15, 23]]].
  Tensor b = c.index(O{std::nullopt, tensor({0, 2}), tensor({{1}, {3}})});
  CHECK(shape(b) == S{2, 2, 2});
  CHECK(vals(b) == V{1, 9, 3, 11, 13, 21, 15, 23});
  CHECK(vals(index(c, O{tensor({-1})})) == vals(c.select(0, 1)));
  CHECK(shape(index(c, O{std::nullopt, tensor({1})})) == S{2, 1, 4});
  // A 2-D mask consumes two dims: libtorch gives rows 0, 2 of batch 0 and row 2 of batch 1.
  Tensor mk = tensor({true, false, true, false, false, true}).view({2, 3});
  Tensor r = index(c, O{mk});
  CHECK(shape(r) == S{3, 4});
  CHECK(vals(r.select(1, 0)) == V{0, 8, 20});
  CHECK(vals(index(c.transpose(0, 2), O{tensor({3}), tensor({0})})) == V{3, 15});  // non-contiguous self
  CHECK(shape(index(c, O{empty({0}, kLong)})) == S{0, 3, 4});
  REQUIRE_THROWS_WITH_TYPE(index(c, O{tensor({2})}), IndexError,
                           "[ember::index] index 2 is out of bounds for dimension 0 with size 2");
  REQUIRE_THROWS_WITH_TYPE(index(c, O{std::nullopt, tensor({5})}), IndexError,
                           "index 5 is out of bounds for dimension 1 with size 3");
  REQUIRE_THROWS_WITH_TYPE(index(c, O{tensor({0, 1}), tensor({0, 1, 2})}), IndexError,
                           "shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]");
  REQUIRE_THROWS_WITH_TYPE(index(c, O{tensor({true, false, true})}), IndexError,
                           "the shape of the mask [3] at index 0 does not match the shape of the indexed tensor [2, 3, 4]");
  REQUIRE_THROWS_WITH_TYPE(index(c, O{tensor({0}), tensor({0}), tensor({0}), tensor({0})}), IndexError,
                           "too many indices for tensor of dimension 3");
  REQUIRE_THROWS_WITH_TYPE(index(c, O{tensor({0.5})}), DTypeError,
                           "tensors used as indices must be long, int, byte or bool tensors");
}

TEST_CASE("index_put and index_put_ write, accumulate and broadcast", "[index]") {
  using O = std::vector<std::optional<Tensor>>;
  Tensor x = zeros({3, 4});
  x.index_put_(O{tensor({0, 2}), tensor({3, 3})}, tensor({7., 8.}));
  CHECK(vals(x.select(1, 3)) == V{7, 0, 8});
  x.index_put_(O{x > 6}, scalar_tensor(-1.));
  CHECK(vals(x.select(1, 3)) == V{-1, 0, -1});
  // libtorch: accumulate adds each repeat: rows 0 twice.
  Tensor acc = x.index_put(O{tensor({0, 0})}, tensor({1., 2., 3., 4.}), true);
  CHECK(vals(acc.select(0, 0)) == V{2, 4, 6, 7});
  CHECK(vals(x.select(0, 0)) == V{0, 0, 0, -1});  // out-of-place left x alone
  // Without accumulate the last write wins, deterministically.
  Tensor last = zeros({3}).index_put(O{tensor({1, 1, 1})}, tensor({1., 2., 3.}));
  CHECK(vals(last) == V{0, 3, 0});
  Tensor sum = zeros({3}).index_put(O{tensor({1, 1, 1})}, tensor({1., 2., 3.}), true);
  CHECK(vals(sum) == V{0, 6, 0});
  // Non-contiguous destination: writes land in the base.
  Tensor base = zeros({4, 3});
  Tensor view = base.t();
  view.index_put_(O{std::nullopt, tensor({2})}, tensor({1., 2., 3.}).unsqueeze(1));
  CHECK(vals(base.select(0, 2)) == V{1, 2, 3});
  // Out of place from a strided self: the copy has its own geometry.
  Tensor strided = arange(24.).view({3, 8}).slice(1, 0, 8, 2);  // [[0, 2, 4, 6], [8, ...], [16, ...]]
  Tensor put = strided.index_put(O{tensor({2, 0})}, tensor({-1., -2., -3., -4.}).unsqueeze(0));
  CHECK(vals(put) == V{-1, -2, -3, -4, 8, 10, 12, 14, -1, -2, -3, -4});
  REQUIRE_THROWS_WITH_TYPE(x.index_put_(O{tensor({0, 1})}, ones({3, 4})), ShapeError,
                           "shape mismatch: value tensor of shape [3, 4] cannot be broadcast to indexing result of shape [2, 4]");
  REQUIRE_THROWS_WITH_TYPE(x.index_put_(O{tensor({0, 1})}, ones({2, 4}, kDouble)), DTypeError,
                           "index put requires the source and destination dtypes match, got Float for the destination and Double");
  Tensor keep = zeros({3});
  REQUIRE_THROWS_AS(keep.index_put_(O{tensor({0, 3})}, ones({2})), IndexError);
  CHECK(vals(keep) == V{0, 0, 0});
}

TEST_CASE("masked_select, masked_scatter and nonzero", "[index]") {
  Tensor m = arange(6.).view({2, 3});
  // libtorch values.
  CHECK(vals(masked_select(m, m > 2)) == V{3, 4, 5});
  CHECK(vals(m.masked_select(tensor({true, false, true}))) == V{0, 2, 3, 5});
  CHECK(vals(m.t().masked_select(m.t() > 3)) == V{4, 5});
  CHECK(shape(masked_select(m, m > 10)) == S{0});
  CHECK(vals(masked_select(scalar_tensor(4.), scalar_tensor(true, kBool))) == V{4});
  CHECK(vals(masked_select(m, tensor({true, false, true}).unsqueeze(1).expand({3, 2}).t())) == V{0, 2, 3, 5});
  REQUIRE_THROWS_WITH_TYPE(masked_select(m, tensor({1, 0, 1})), DTypeError, "[ember::masked_select] expected a bool");
  CHECK(vals(zeros({2, 3}).masked_scatter(tensor({true, false, true}), arange(10.))) == V{0, 0, 1, 2, 0, 3});
  Tensor z = zeros({2, 3});
  z.masked_scatter_(z.eq(0).logical_and(arange(6).view({2, 3}) > 3), tensor({8., 9., 10.}));
  CHECK(vals(z) == V{0, 0, 0, 0, 8, 9});
  REQUIRE_THROWS_WITH_TYPE(zeros({2, 3}).masked_scatter(tensor({true, false, true}), arange(3.)), ShapeError,
                           "number of elements of source (3) < number of ones in mask (4)");
  Tensor nz = nonzero(tensor({{0, 1, 0}, {2, 0, 3}}));
  CHECK(nz.dtype() == kLong);
  CHECK(shape(nz) == S{3, 2});
  CHECK(vals(nz) == V{0, 1, 1, 0, 1, 2});
  CHECK(vals(tensor({0., 1.5, -2.}).t().nonzero()) == V{1, 2});
  CHECK(vals(arange(6).view({2, 3}).t().nonzero()) == V{0, 1, 1, 0, 1, 1, 2, 0, 2, 1});  // non-contiguous: row-major order
  CHECK(shape(nonzero(scalar_tensor(3))) == S{1, 0});
  CHECK(shape(argwhere(zeros({2, 2}))) == S{0, 2});
}

TEST_CASE("one_hot", "[index]") {
  Tensor o = one_hot(tensor({0, 2, 1}));
  CHECK(o.dtype() == kLong);
  CHECK(vals(o) == V{1, 0, 0, 0, 0, 1, 0, 1, 0});
  CHECK(shape(one_hot(tensor({{0, 2}}), 4)) == S{1, 2, 4});
  CHECK(shape(one_hot(empty({0}, kLong), 3)) == S{0, 3});
  REQUIRE_THROWS_WITH_TYPE(one_hot(tensor({0, 2, 1}), 2), IndexError, "[ember::one_hot] class values must be smaller than num_classes");
  REQUIRE_THROWS_WITH_TYPE(one_hot(tensor({0, -2, 1})), IndexError, "class values must be non-negative");
  REQUIRE_THROWS_WITH_TYPE(one_hot(tensor({0., 1.})), DTypeError, "one_hot is only applicable to index tensors");
}

TEST_CASE("embedding looks rows up and routes gradients to them", "[index][autograd]") {
  Tensor m = arange(6.).view({2, 3});
  Tensor e = embedding(m, tensor({{1, 0}, {1, 1}}));
  CHECK(shape(e) == S{2, 2, 3});
  CHECK(vals(e) == V{3, 4, 5, 0, 1, 2, 3, 4, 5, 3, 4, 5});
  CHECK(vals(embedding(m, tensor({1}, kInt))) == V{3, 4, 5});
  REQUIRE_THROWS_WITH_TYPE(embedding(m, tensor({1.})), DTypeError, "[ember::embedding] expected indices to have dtype Long or Int");
  REQUIRE_THROWS_WITH_TYPE(embedding(m, tensor({2})), IndexError, "index 2 is out of bounds for dimension 0 with size 2");
  REQUIRE_THROWS_WITH_TYPE(embedding(ones({2}), tensor({0})), ShapeError, "'weight' must be 2-D");

  // libtorch: embedding(w, [[1, 0], [1, 3]], padding_idx=0, scale_grad_by_freq=true) with the
  // upstream gradient arange(8).view(2, 2, 2) gives w.grad = [[0, 0], [2, 3], [0, 0], [6, 7]].
  Tensor w = arange(8.).view({4, 2}).requires_grad_(true);
  Tensor idx = tensor({{1, 0}, {1, 3}});
  (embedding(w, idx, 0, true) * arange(8.).view({2, 2, 2})).sum().backward();
  CHECK(vals(w.grad()) == V{0, 0, 2, 3, 0, 0, 6, 7});
  // Without the options: row 1 collects both of its lookups, padding row 0 gets its gradient.
  w.mutable_grad() = Tensor();
  (embedding(w, idx) * arange(8.).view({2, 2, 2})).sum().backward();
  CHECK(vals(w.grad()) == V{2, 3, 4, 6, 0, 0, 6, 7});
}

TEST_CASE("index ops backward through gather, scatter and index_put", "[index][autograd]") {
  using O = std::vector<std::optional<Tensor>>;
  Tensor x = arange(6., TensorOptions(kDouble)).view({2, 3}).requires_grad_(true);
  // gather reads x[0][0] twice and x[1][1] once.
  x.gather(1, tensor({{0, 0}, {1, 1}})).select(0, 0).sum().backward();
  CHECK(vals(x.grad()) == V{2, 0, 0, 0, 0, 0});
  x.mutable_grad() = Tensor();
  // index with repeats accumulates.
  index(x, O{tensor({1, 1, 0})}).sum().backward();
  CHECK(vals(x.grad()) == V{1, 1, 1, 2, 2, 2});
  x.mutable_grad() = Tensor();
  // scatter: overwritten positions of self get no gradient; src gets the gradient where it was written.
  Tensor src = ones({1, 3}, TensorOptions(kDouble).requires_grad(true));
  (x.scatter(0, tensor({{1, 0, 1}}), src) * arange(6., TensorOptions(kDouble)).view({2, 3})).sum().backward();
  CHECK(vals(x.grad()) == V{0, 0, 2, 0, 4, 0});
  CHECK(vals(src.grad()) == V{3, 1, 5});
  // index_put_ on a tensor that is not a leaf records the write.
  Tensor v = tensor({10., 20.}, TensorOptions(kDouble).requires_grad(true));
  Tensor y = x * 1;
  y.index_put_(O{tensor({0, 1}), tensor({2, 0})}, v);
  (y * 2).sum().backward();
  CHECK(vals(v.grad()) == V{2, 2});
}
