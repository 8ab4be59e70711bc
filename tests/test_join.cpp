// Joining and rearranging: forward values (hand-computed, or computed with libtorch 1.13
// where noted), dtype rules, non-contiguous inputs, error paths and a few gradients
// whose shape matters (the op table checks the values of all of them).
#include "shape_index_util.h"

using namespace ember;
using shape_index_test::shape;
using shape_index_test::vals;
using V = std::vector<double>;
using S = std::vector<int64_t>;

TEST_CASE("cat joins along a dim with libtorch's dtype promotion", "[join]") {
  Tensor a = arange(6.).view({2, 3}), b = arange(6., 10.).view({2, 2});
  Tensor c = cat({a, b}, 1);
  CHECK(shape(c) == S{2, 5});
  CHECK(vals(c) == V{0, 1, 2, 6, 7, 3, 4, 5, 8, 9});
  CHECK(vals(cat({a, a}, -2)) == V{0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5});
  // libtorch: cat({tensor({1, 2}), tensor({1.5})}) is float [1, 2, 1.5]; bool with int32 gives int32.
  Tensor p = cat({tensor({1, 2}), tensor({1.5})});
  CHECK(p.dtype() == kFloat);
  CHECK(vals(p) == V{1, 2, 1.5});
  CHECK(cat({tensor({true}), tensor({3}, kInt)}).dtype() == kInt);
  CHECK(concat({a, a}).sizes() == IntArrayRef{4, 3});
  CHECK(concatenate({a, a}, 1).sizes() == IntArrayRef{2, 6});
}

TEST_CASE("cat skips 1-D empty tensors and accepts non-contiguous inputs", "[join]") {
  // libtorch: cat({empty({0}), ones({2, 3})}, 1) is ones({2, 3}).
  Tensor e = empty({0});
  Tensor c = cat({e, ones({2, 3}), e}, 1);
  CHECK(shape(c) == S{2, 3});
  CHECK(vals(c) == V(6, 1.0));
  CHECK(shape(cat({e, e})) == S{0});
  // Transposed and strided inputs.
  Tensor t = arange(6.).view({2, 3}).t();                 // [[0,3],[1,4],[2,5]]
  Tensor s = arange(12.).view({3, 4}).slice(1, 0, 4, 2);  // [[0,2],[4,6],[8,10]]
  REQUIRE_FALSE(t.is_contiguous());
  REQUIRE_FALSE(s.is_contiguous());
  CHECK(vals(cat({t, s}, 1)) == V{0, 3, 0, 2, 1, 4, 4, 6, 2, 5, 8, 10});
  CHECK(vals(cat({t, s}, 0)) == V{0, 3, 1, 4, 2, 5, 0, 2, 4, 6, 8, 10});
}

TEST_CASE("cat errors name the op and the offending tensor", "[join]") {
  REQUIRE_THROWS_WITH_TYPE(cat(std::vector<Tensor>{}), ShapeError, "[ember::cat] expected a non-empty list");
  REQUIRE_THROWS_WITH_TYPE(cat({scalar_tensor(1.), scalar_tensor(2.)}), ShapeError, "zero-dimensional tensor (at position 0)");
  REQUIRE_THROWS_WITH_TYPE(cat({ones({2, 3}), ones({2})}), ShapeError, "same number of dimensions: got 2 and 1");
  REQUIRE_THROWS_WITH_TYPE(cat({ones({2, 3}), ones({3, 3})}, 1), ShapeError,
                           "Expected size 2 but got size 3 for tensor number 1");
  REQUIRE_THROWS_WITH_TYPE(cat({ones({2, 3}), ones({2, 3})}, 2), IndexError, "[ember::cat] Dimension out of range");
}

TEST_CASE("cat backward splits the gradient and casts it back to each input's dtype", "[join][autograd]") {
  Tensor a = ones({2, 2}, requires_grad()), b = ones({2, 1}, TensorOptions(kDouble).requires_grad(true));
  Tensor c = cat({a, b}, 1);
  CHECK(c.dtype() == kDouble);
  (c * arange(6., TensorOptions(kDouble)).view({2, 3})).sum().backward();
  CHECK(a.grad().dtype() == kFloat);
  CHECK(vals(a.grad()) == V{0, 1, 3, 4});
  CHECK(vals(b.grad()) == V{2, 5});
}

TEST_CASE("cat_out writes into out", "[join]") {
  Tensor out = empty({1}, kDouble);
  cat_out(out, {tensor({1., 2.}), tensor({3.})});
  CHECK(out.dtype() == kDouble);
  CHECK(vals(out) == V{1, 2, 3});
}

TEST_CASE("stack and the *stack family", "[join]") {
  Tensor a = tensor({1, 2}), b = tensor({3, 4});
  CHECK(vals(stack({a, b})) == V{1, 2, 3, 4});
  Tensor s = stack({a, b}, -1);
  CHECK(shape(s) == S{2, 2});
  CHECK(vals(s) == V{1, 3, 2, 4});
  REQUIRE_THROWS_WITH_TYPE(stack({ones({2}), ones({3})}), ShapeError,
                           "[ember::stack] stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1");
  // libtorch: hstack -> [1, 2, 3]; vstack -> [[1, 2], [3, 4]]; dstack -> [1, 2, 2] [[[1, 3], [2, 4]]];
  // column_stack({[1, 2], [[3, 4], [5, 6]]}) -> [[1, 3, 4], [2, 5, 6]].
  CHECK(vals(hstack({a, tensor({3})})) == V{1, 2, 3});
  CHECK(shape(vstack({a, b})) == S{2, 2});
  CHECK(shape(row_stack({a, b})) == S{2, 2});
  Tensor d = dstack({a, b});
  CHECK(shape(d) == S{1, 2, 2});
  CHECK(vals(d) == V{1, 3, 2, 4});
  CHECK(vals(column_stack({a, tensor({{3, 4}, {5, 6}})})) == V{1, 3, 4, 2, 5, 6});
  CHECK(vals(hstack({ones({2, 1}), zeros({2, 2})})) == V{1, 0, 0, 1, 0, 0});
  CHECK(shape(atleast_1d(scalar_tensor(1.))) == S{1});
  CHECK(shape(atleast_2d(a)) == S{1, 2});
  CHECK(shape(atleast_3d(a)) == S{1, 2, 1});
  CHECK(shape(atleast_3d(ones({2, 3}))) == S{2, 3, 1});
}

TEST_CASE("flip, fliplr, flipud and rot90", "[join]") {
  Tensor m = arange(6.).view({2, 3});
  CHECK(vals(m.flip({0, 1})) == V{5, 4, 3, 2, 1, 0});
  CHECK(vals(m.flip({-1})) == V{2, 1, 0, 5, 4, 3});
  CHECK(vals(m.t().flip({0})) == V{2, 5, 1, 4, 0, 3});  // non-contiguous input
  CHECK(vals(m.fliplr()) == V{2, 1, 0, 5, 4, 3});
  CHECK(vals(m.flipud()) == V{3, 4, 5, 0, 1, 2});
  CHECK(vals(m.flip({})) == vals(m));
  REQUIRE_THROWS_WITH_TYPE(m.flip({0, 0}), IndexError, "[ember::flip] dim 0 appears multiple times");
  REQUIRE_THROWS_AS(m.flip({2}), IndexError);
  // libtorch: rot90(m, 1) = [[2, 5], [1, 4], [0, 3]], rot90(m, -1) = [[3, 0], [4, 1], [5, 2]].
  CHECK(vals(rot90(m)) == V{2, 5, 1, 4, 0, 3});
  CHECK(vals(m.rot90(-1)) == V{3, 0, 4, 1, 5, 2});
  CHECK(vals(rot90(m, 2)) == V{5, 4, 3, 2, 1, 0});
  CHECK(vals(rot90(m, 4)) == vals(m));
  REQUIRE_THROWS_WITH_TYPE(rot90(m, 1, {0, 0}), IndexError, "[ember::rot90] expected rotation dims to be different");
}

TEST_CASE("roll wraps elements around", "[join]") {
  Tensor m = arange(6.).view({2, 3});
  // Values computed with libtorch.
  CHECK(vals(m.roll({1}, {1})) == V{2, 0, 1, 5, 3, 4});
  CHECK(vals(m.roll({1})) == V{5, 0, 1, 2, 3, 4});
  CHECK(vals(m.roll({-4, 1}, {1, 0})) == V{4, 5, 3, 1, 2, 0});
  CHECK(vals(m.t().roll({1}, {0})) == V{2, 5, 0, 3, 1, 4});
  CHECK(vals(m.roll({3}, {1})) == vals(m));
  CHECK(vals(roll(m, {1, 1}, {1, 1})) == V{1, 2, 0, 4, 5, 3});  // repeated dims add up
  REQUIRE_THROWS_WITH_TYPE(m.roll({1, 1}, {1}), ShapeError, "[ember::roll] shifts and dimensions must align");
  CHECK(roll(scalar_tensor(2.), {1}, {0}).item<double>() == 2);
  CHECK(vals(roll(empty({0, 3}), {1}, {1})).empty());
}

TEST_CASE("repeat, tile and repeat_interleave", "[join]") {
  Tensor m = arange(6.).view({2, 3});
  Tensor r = m.repeat({2, 1, 2});
  CHECK(shape(r) == S{2, 2, 6});
  CHECK(vals(r.select(0, 1)) == V{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5});
  CHECK(vals(m.t().repeat({1, 2})) == V{0, 3, 0, 3, 1, 4, 1, 4, 2, 5, 2, 5});
  CHECK(shape(m.repeat({0, 2})) == S{0, 6});
  REQUIRE_THROWS_WITH_TYPE(m.repeat({2}), ShapeError, "[ember::repeat] number of dimensions of repeat dims");
  CHECK(vals(m.tile({2})) == V{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5});
  CHECK(shape(tile(m, {2, 1, 1})) == S{2, 2, 3});
  // libtorch values.
  CHECK(vals(m.repeat_interleave(2)) == V{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5});
  CHECK(vals(m.repeat_interleave(2, 0)) == V{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5});
  CHECK(vals(m.repeat_interleave(tensor({1, 0, 2}), 1)) == V{0, 2, 2, 3, 5, 5});
  CHECK(vals(m.repeat_interleave(tensor({2}), 1)) == V{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5});
  Tensor ri = repeat_interleave(tensor({2, 0, 1}));
  CHECK(ri.dtype() == kLong);
  CHECK(vals(ri) == V{0, 0, 2});
  REQUIRE_THROWS_WITH_TYPE(m.repeat_interleave(tensor({1, 2}), 1), ShapeError, "repeats must have the same size");
  REQUIRE_THROWS_WITH_TYPE(m.repeat_interleave(tensor({-1, 0, 2}), 1), ShapeError, "repeats can not be negative");
  REQUIRE_THROWS_AS(m.repeat_interleave(tensor({1., 2., 3.}), 1), DTypeError);
}

TEST_CASE("tril and triu keep a triangle of the last two dims", "[join]") {
  Tensor q = arange(1., 13.).view({3, 4});
  // libtorch values.
  CHECK(vals(q.tril()) == V{1, 0, 0, 0, 5, 6, 0, 0, 9, 10, 11, 0});
  CHECK(vals(q.tril(-1)) == V{0, 0, 0, 0, 5, 0, 0, 0, 9, 10, 0, 0});
  CHECK(vals(q.triu(1)) == V{0, 2, 3, 4, 0, 0, 7, 8, 0, 0, 0, 12});
  CHECK(vals(triu(q, -1)) == V{1, 2, 3, 4, 5, 6, 7, 8, 0, 10, 11, 12});
  Tensor b = ones({2, 2, 2}, kBool).tril();
  CHECK(b.dtype() == kBool);
  CHECK(vals(b) == V{1, 0, 1, 1, 1, 0, 1, 1});
  CHECK(vals(q.t().triu()) == V{1, 5, 9, 0, 6, 10, 0, 0, 11, 0, 0, 0});
  Tensor w = q.clone();
  w.tril_(1);
  CHECK(vals(w) == V{1, 2, 0, 0, 5, 6, 7, 0, 9, 10, 11, 12});
  w.triu_(1);
  CHECK(vals(w) == V{0, 2, 0, 0, 0, 0, 7, 0, 0, 0, 0, 12});
  REQUIRE_THROWS_WITH_TYPE(tensor({1., 2.}).tril(), ShapeError, "[ember::tril] input tensor must have at least 2 dimensions");
}

TEST_CASE("diag, diag_embed and diagflat", "[join]") {
  Tensor v = tensor({1., 2.});
  // libtorch values.
  CHECK(vals(v.diag()) == V{1, 0, 0, 2});
  CHECK(vals(v.diag(1)) == V{0, 1, 0, 0, 0, 2, 0, 0, 0});
  Tensor lo = v.diag(-2);
  CHECK(shape(lo) == S{4, 4});
  CHECK(vals(lo) == V{0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0});
  Tensor q = arange(1., 13.).view({3, 4});
  CHECK(vals(q.diag(1)) == V{2, 7, 12});
  CHECK(vals(q.diag(-2)) == V{9});
  CHECK(vals(q.t().diag()) == V{1, 6, 11});
  REQUIRE_THROWS_WITH_TYPE(ones({2, 2, 2}).diag(), ShapeError, "[ember::diag] supports 1D or 2D");
  Tensor e = diag_embed(tensor({{1., 2.}, {3., 4.}}), 1);
  CHECK(shape(e) == S{2, 3, 3});
  CHECK(vals(e) == V{0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0});
  Tensor f = diagflat(tensor({{1., 2.}, {3., 4.}}), -1);
  CHECK(shape(f) == S{5, 5});
  CHECK(vals(f.diagonal(-1)) == V{1, 2, 3, 4});
  CHECK(vals(f).size() == 25);
}

TEST_CASE("movedim, swapaxes and unflatten are views", "[join]") {
  Tensor c = arange(24).view({2, 3, 4});
  Tensor m = c.movedim(0, 2);
  CHECK(shape(m) == S{3, 4, 2});
  CHECK(m.storage_offset() == c.storage_offset());
  CHECK(vals(m.select(0, 1).select(0, 2)) == V{6, 18});
  CHECK(shape(c.movedim({0, 1}, {2, 0})) == S{3, 4, 2});
  CHECK(vals(c.movedim({0, 1}, {2, 0})) == vals(m));
  CHECK(shape(movedim(c, -1, 0)) == S{4, 2, 3});
  CHECK(shape(moveaxis(c, 1, 2)) == S{2, 4, 3});
  CHECK(shape(c.swapaxes(0, 2)) == S{4, 3, 2});
  CHECK(shape(swapdims(c, 0, 1)) == S{3, 2, 4});
  REQUIRE_THROWS_WITH_TYPE(c.movedim({0, 1}, {2}), ShapeError,
                           "[ember::movedim] invalid source or destination dims: source ([0, 1] dims)");
  REQUIRE_THROWS_WITH_TYPE(c.movedim({0, 0}, {2, 1}), IndexError, "repeated dim in `source` ([0, 0])");
  REQUIRE_THROWS_WITH_TYPE(c.movedim({0, 1}, {2, 2}), IndexError, "repeated dim in `destination`");
  Tensor u = c.unflatten(2, {2, -1});
  CHECK(shape(u) == S{2, 3, 2, 2});
  CHECK(vals(u) == vals(c));
  CHECK(shape(c.unflatten(-1, {2, 2})) == S{2, 3, 2, 2});
  CHECK(shape(c.transpose(0, 2).unflatten(0, {2, 2})) == S{2, 2, 3, 2});  // a non-contiguous dim splits as a view
  REQUIRE_THROWS_WITH_TYPE(c.unflatten(2, {3, 2}), ShapeError,
                           "[ember::unflatten] provided sizes [3, 2] don't multiply up to the size of dim 2 (4)");
}

TEST_CASE("contiguous copies every kind of view", "[join]") {
  Tensor base = arange(12.).view({3, 4});
  Tensor tr = base.t();
  Tensor tc = tr.contiguous();
  CHECK(tc.is_contiguous());
  CHECK(vals(tc) == V{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  Tensor sl = base.slice(1, 1, 4, 2);
  CHECK(vals(sl.contiguous()) == V{1, 3, 5, 7, 9, 11});
  Tensor ex = tensor({1., 2.}).unsqueeze(1).expand({2, 3});
  CHECK_FALSE(ex.is_contiguous());
  CHECK(vals(ex.contiguous()) == V{1, 1, 1, 2, 2, 2});
  Tensor dg = base.diagonal(1);
  CHECK(vals(dg.contiguous()) == V{1, 6, 11});
  Tensor pm = arange(24.).view({2, 3, 4}).permute({2, 0, 1});
  Tensor pc = pm.contiguous();
  CHECK(pc.is_contiguous());
  CHECK(vals(pc.select(0, 1)) == V{1, 5, 9, 13, 17, 21});
  Tensor se = base.select(1, 2);
  CHECK(vals(se.contiguous()) == V{2, 6, 10});
  // Contiguous copies are new storage; contiguous tensors are returned as they are.
  Tensor copy = tr.contiguous();
  copy.fill_(0);
  CHECK(base.sum().item<double>() == 66);
  CHECK(base.contiguous().is_same(base));
  // view_as and reshape_as.
  Tensor flat = arange(6.);
  CHECK(shape(flat.view_as(ones({2, 3}))) == S{2, 3});
  CHECK(shape(tr.reshape_as(ones({2, 6}))) == S{2, 6});
  CHECK(vals(tr.reshape_as(ones({12}))) == vals(tc));
  REQUIRE_THROWS_AS(tr.view_as(ones({12})), ShapeError);
}

TEST_CASE("tril_indices and triu_indices", "[join]") {
  // libtorch: tril_indices(3, 4, 1) and triu_indices(3, 3, -1).
  Tensor l = tril_indices(3, 4, 1);
  CHECK(l.dtype() == kLong);
  CHECK(shape(l) == S{2, 9});
  CHECK(vals(l) == V{0, 0, 1, 1, 1, 2, 2, 2, 2, 0, 1, 0, 1, 2, 0, 1, 2, 3});
  CHECK(vals(triu_indices(3, 3, -1)) == V{0, 0, 0, 1, 1, 1, 2, 2, 0, 1, 2, 0, 1, 2, 1, 2});
}

TEST_CASE("join ops record the right backward shapes", "[join][autograd]") {
  Tensor x = arange(6., TensorOptions(kDouble)).view({2, 3}).requires_grad_(true);
  Tensor w = arange(12., TensorOptions(kDouble)).view({2, 6});
  (x.repeat({1, 2}) * w).sum().backward();
  // d/dx of sum(repeat(x) * w): each x[i][j] collects w[i][j] + w[i][j + 3].
  CHECK(vals(x.grad()) == V{0 + 3, 1 + 4, 2 + 5, 6 + 9, 7 + 10, 8 + 11});
  x.mutable_grad() = Tensor();
  (x.flip({1}) * w.narrow(1, 0, 3)).sum().backward();
  CHECK(vals(x.grad()) == V{2, 1, 0, 8, 7, 6});
  x.mutable_grad() = Tensor();
  (x.roll({1}, {1}) * w.narrow(1, 0, 3)).sum().backward();
  CHECK(vals(x.grad()) == V{1, 2, 0, 7, 8, 6});
  x.mutable_grad() = Tensor();
  x.triu().sum().backward();
  CHECK(vals(x.grad()) == V{1, 1, 1, 0, 1, 1});
}
