// Matrix products: mm, mv, dot, matmul (every rank combination), bmm, addmm, outer.
// Small cases are hand-computed; the broadcasting matmul cases were computed with
// libtorch 1.13; larger cases compare with a naive triple loop.
#include <limits>

#include "core_helpers.h"

using namespace ember;
using core_test::close;
using core_test::ivalues;
using core_test::shape;
using core_test::values;

namespace {
using I = std::vector<int64_t>;
using V = std::vector<double>;

// Reference product of two 2-D tensors (any strides) in double.
V naive_mm(const Tensor& a, const Tensor& b) {
  const V av = values(a), bv = values(b);
  const int64_t n = a.size(0), k = a.size(1), m = b.size(1);
  V r(static_cast<size_t>(n * m), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j)
      for (int64_t p = 0; p < k; ++p) r[static_cast<size_t>(i * m + j)] += av[static_cast<size_t>(i * k + p)] * bv[static_cast<size_t>(p * m + j)];
  return r;
}
}  // namespace

TEST_CASE("linalg: mm", "[linalg]") {
  Tensor a = tensor({{1.0, 2.0}, {3.0, 4.0}}), b = tensor({{5.0, 6.0}, {7.0, 8.0}});
  CHECK(values(mm(a, b)) == V{19, 22, 43, 50});
  CHECK(values(a.mm(b)) == V{19, 22, 43, 50});
  CHECK(ivalues(mm(tensor({{1, 2}, {3, 4}}), tensor({{5, 6}, {7, 8}}))) == I{19, 22, 43, 50});  // libtorch: Long
  CHECK(mm(tensor({{1, 2}}, dtype(kInt)), tensor({{3}, {4}}, dtype(kInt))).dtype() == kInt);
  CHECK(values(mm(a.to(kDouble), b.to(kDouble))) == V{19, 22, 43, 50});
  Tensor r = mm(ones({2, 3}), ones({3, 4}));
  CHECK(shape(r) == I{2, 4});
  CHECK(values(r) == V(8, 3.0));
  // Empty inner dimension gives zeros; empty outer dims give empty results.
  CHECK(values(mm(ones({2, 0}), ones({0, 2}))) == V{0, 0, 0, 0});
  CHECK(shape(mm(ones({0, 3}), ones({3, 2}))) == I{0, 2});
  // Larger, compared with a naive product.
  manual_seed(0);
  Tensor x = randn({17, 33}, dtype(kDouble)), y = randn({33, 9}, dtype(kDouble));
  CHECK(close(values(mm(x, y)), naive_mm(x, y), 1e-12));
}

TEST_CASE("linalg: mm with transposed and sliced operands", "[linalg]") {
  manual_seed(1);
  Tensor big = randn({8, 10}, dtype(kDouble));
  Tensor w = randn({6, 5}, dtype(kDouble));
  const std::vector<std::pair<Tensor, Tensor>> cases = {
      {big.slice(1, 0, 6).slice(0, 0, 4), w},               // row stride 10 (leading dim)
      {big.t().slice(0, 2, 8), big.slice(0, 0, 8)},          // transposed, offset
      {big.slice(1, 0, 10, 2), w.t()},                       // column step: needs a copy
      {big.slice(0, 0, 8, 2).slice(1, 1, 7), w},             // row step
      {big[3].unsqueeze(0), big.t()},                        // one row
      {big.select(1, 4).unsqueeze(1), big[0].unsqueeze(0)},  // one column times one row
      {w.t().t(), w.t()},
      {randn({1, 6}, dtype(kDouble)).expand({4, 6}), w},     // stride-0 rows
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    INFO("case " << i);
    const Tensor& a = cases[i].first;
    const Tensor& b = cases[i].second;
    CHECK(close(values(mm(a, b)), naive_mm(a, b), 1e-12));
    CHECK(close(values(matmul(a, b)), naive_mm(a, b), 1e-12));
  }
  // Float32 through sgemm, transposed both sides.
  Tensor af = arange(6, dtype(kFloat)).view({3, 2}).t();  // [[0,2,4],[1,3,5]]
  Tensor bf = arange(6, dtype(kFloat)).view({2, 3}).t();  // [[0,3],[1,4],[2,5]]
  CHECK(values(mm(af, bf)) == V{10, 28, 13, 40});
}

TEST_CASE("linalg: mv, dot, outer", "[linalg]") {
  Tensor m = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  Tensor v = tensor({1.0, 0.0, -1.0});
  CHECK(values(mv(m, v)) == V{-2, -2});
  CHECK(shape(m.mv(v)) == I{2});
  CHECK(values(mv(m.t(), tensor({1.0, 1.0}))) == V{5, 7, 9});
  CHECK(values(mv(m, arange(6, dtype(kFloat)).slice(0, 0, 6, 2))) == V{16, 34});  // strided vector
  Tensor d = dot(tensor({1.0, 2.0, 3.0}), tensor({4.0, 5.0, 6.0}));
  CHECK(d.dim() == 0);
  CHECK(d.item<float>() == 32);
  CHECK(tensor({1, 2}).dot(tensor({3, 4})).item<int64_t>() == 11);
  CHECK(dot(m.select(1, 0), m.select(1, 2)).item<float>() == 1 * 3 + 4 * 6);  // strided views
  Tensor o = outer(tensor({1.0, 2.0}), tensor({3.0, 4.0, 5.0}));
  CHECK(shape(o) == I{2, 3});
  CHECK(values(o) == V{3, 4, 5, 6, 8, 10});
  CHECK(values(tensor({1.0, 2.0}).outer(tensor({-1.0}))) == V{-1, -2});
  CHECK(values(ger(tensor({2.0}), tensor({3.0}))) == V{6});
  REQUIRE_EMBER_ERROR(mv(m, tensor({1.0, 2.0})), ShapeError, "mv", "2x3", "(2)");
  REQUIRE_EMBER_ERROR(dot(tensor({1.0}), tensor({1.0, 2.0})), ShapeError, "dot", "[1]", "[2]");
  REQUIRE_EMBER_ERROR(dot(tensor({1.0}), tensor({1.0}, dtype(kDouble))), DTypeError, "dot", "Float", "Double");
  REQUIRE_EMBER_ERROR(outer(m, v), ShapeError, "outer", "[2, 3]");
}

TEST_CASE("linalg: matmul over every rank combination", "[linalg]") {
  Tensor v3 = arange(3, dtype(kFloat));
  Tensor m34 = arange(12, dtype(kFloat)).view({3, 4});
  // 1-D x 1-D: dot.
  CHECK(matmul(v3, v3).dim() == 0);
  CHECK(matmul(v3, v3).item<float>() == 5);
  // 2-D x 1-D and 1-D x 2-D.
  CHECK(values(matmul(m34.t(), v3)) == V{20, 23, 26, 29});
  CHECK(values(matmul(v3, m34)) == V{20, 23, 26, 29});
  CHECK(shape(matmul(v3, m34)) == I{4});
  // 2-D x 2-D.
  CHECK(shape(matmul(m34.t(), m34)) == I{4, 4});
  // 1-D x 3-D and 3-D x 1-D (libtorch 1.13 values).
  Tensor t234 = arange(24, dtype(kFloat)).view({2, 3, 4});
  Tensor r1 = matmul(v3, t234);
  CHECK(shape(r1) == I{2, 4});
  CHECK(values(r1) == V{20, 23, 26, 29, 56, 59, 62, 65});
  Tensor r2 = matmul(t234, arange(4, dtype(kFloat)));
  CHECK(shape(r2) == I{2, 3});
  CHECK(values(r2) == V{14, 38, 62, 86, 110, 134});
  // 3-D x 2-D folds the batch into rows.
  Tensor r3 = matmul(t234, m34.t());
  CHECK(shape(r3) == I{2, 3, 3});
  CHECK(close(values(r3[1]), naive_mm(t234[1], m34.t())));
  // 2-D x 3-D broadcasts the matrix over the batch.
  Tensor r4 = matmul(m34.t(), arange(18, dtype(kFloat)).view({2, 3, 3}));
  CHECK(shape(r4) == I{2, 4, 3});
  CHECK(close(values(r4[1]), naive_mm(m34.t(), arange(18, dtype(kFloat)).view({2, 3, 3})[1])));
  // Batched with broadcast batch dims: [2,1,2,3] @ [3,3,2] -> [2,3,2,2] (libtorch 1.13).
  Tensor r5 = matmul(arange(12, dtype(kFloat)).view({2, 1, 2, 3}), arange(18, dtype(kFloat)).view({3, 3, 2}));
  CHECK(shape(r5) == I{2, 3, 2, 2});
  CHECK(values(r5) == V{10, 13, 28, 40, 28, 31, 100, 112, 46, 49, 172, 184,
                        46, 67, 64, 94, 172, 193, 244, 274, 298, 319, 424, 454});
  // 1-D x 4-D.
  CHECK(shape(matmul(v3, zeros({5, 2, 3, 4}))) == I{5, 2, 4});
  CHECK(values(tensor({1.0, 2.0}).matmul(tensor({3.0, 4.0}))) == V{11});
  REQUIRE_EMBER_ERROR(matmul(t234, m34), ShapeError, "matmul", "[2, 3, 4]", "[3, 4]");
  REQUIRE_EMBER_ERROR(matmul(zeros({2, 2, 3}), zeros({3, 3, 2})), ShapeError, "matmul", "[2]", "[3]");
  REQUIRE_EMBER_ERROR(matmul(full({}, 1.0), v3), ShapeError, "matmul", "0D");
}

TEST_CASE("linalg: bmm", "[linalg]") {
  Tensor a = arange(12, dtype(kFloat)).view({2, 2, 3});
  Tensor b = arange(12, dtype(kFloat)).view({2, 3, 2});
  Tensor r = bmm(a, b);
  CHECK(shape(r) == I{2, 2, 2});
  CHECK(values(r[0]) == naive_mm(a[0], b[0]));
  CHECK(values(r[1]) == naive_mm(a[1], b[1]));
  // Transposed batches and a batch with stride 0.
  Tensor at = arange(12, dtype(kFloat)).view({2, 3, 2}).transpose(1, 2);
  CHECK(values(a.bmm(at.transpose(1, 2))[1]) == naive_mm(a[1], at[1].t()));
  Tensor e = arange(6, dtype(kFloat)).view({1, 3, 2}).expand({2, 3, 2});
  Tensor re = bmm(a, e);
  CHECK(values(re[0]) == naive_mm(a[0], e[0]));
  CHECK(values(re[1]) == naive_mm(a[1], e[0]));
  Tensor bt = arange(12, dtype(kFloat)).view({3, 2, 2}).permute({1, 0, 2});  // batch not outermost in memory
  CHECK(values(bmm(a, bt)[1]) == naive_mm(a[1], bt[1]));
  REQUIRE_EMBER_ERROR(bmm(a, a), ShapeError, "bmm", "[2, 2, 3]");
  REQUIRE_EMBER_ERROR(bmm(a, zeros({3, 3, 2})), ShapeError, "bmm", "batch", "[3, 3, 2]");
  REQUIRE_EMBER_ERROR(bmm(a[0], b[0]), ShapeError, "bmm", "3-D", "[2, 3]");
}

TEST_CASE("linalg: addmm with beta and alpha", "[linalg]") {
  // libtorch 1.13: addmm(ones, arange(4).view(2,2), eye(2), 0.5, 2) = {0.5, 2.5, 4.5, 6.5}.
  CHECK(values(addmm(ones({2, 2}), arange(4, dtype(kFloat)).view({2, 2}), eye(2), 0.5, 2)) ==
        V{0.5, 2.5, 4.5, 6.5});
  Tensor m1 = tensor({{1.0, 2.0}, {3.0, 4.0}}), m2 = tensor({{5.0, 6.0}, {7.0, 8.0}});
  CHECK(values(addmm(zeros({2, 2}), m1, m2)) == V{19, 22, 43, 50});
  CHECK(values(addmm(tensor({1.0, -1.0}), m1, m2)) == V{20, 21, 44, 49});  // broadcast bias row
  CHECK(values(tensor({{1.0}, {2.0}}).addmm(m1, m2, 2, 1)) == V{21, 24, 47, 54});
  // beta = 0 ignores self, even NaN.
  Tensor nan_self = full({2, 2}, std::numeric_limits<double>::quiet_NaN());
  CHECK(values(addmm(nan_self, m1, m2, 0, 1)) == V{19, 22, 43, 50});
  CHECK(values(addmm(ones({2, 2}), m1.t(), m2.t(), 1, -1)) == V{-22, -30, -33, -45});
  REQUIRE_EMBER_ERROR(addmm(ones({3}), m1, m2), ShapeError, "addmm", "[3]");
  REQUIRE_EMBER_ERROR(addmm(ones({2, 2}), m1, ones({3, 2})), ShapeError, "addmm", "2x2", "3x2");
}

TEST_CASE("linalg: integer products wrap around on overflow", "[linalg]") {
  const int64_t big = int64_t(1) << 62;
  CHECK(ivalues(mm(tensor({{big, big}}), tensor({{int64_t(2)}, {int64_t(2)}}))) == I{0});
  CHECK(ivalues(mm(tensor({{3, 4}}, dtype(kInt)), tensor({{5}, {6}}, dtype(kInt)))) == I{39});
}

TEST_CASE("linalg: gradients of transposed operands come back in their layout", "[linalg]") {
  // linear's weight enters addmm as weight.t(): its gradient is computed as
  // (grad^T @ input)^T, so the weight's .grad() is contiguous and equals grad^T @ input.
  manual_seed(4);
  Tensor x = randn({6, 5}, requires_grad());
  Tensor w = randn({3, 5}, requires_grad());
  Tensor b = randn({3}, requires_grad());
  Tensor g = randn({6, 3});
  linear(x, w, b).backward(g);
  CHECK(w.grad().is_contiguous());
  CHECK(allclose(w.grad(), mm(g.t(), x), 1e-5, 1e-6));
  CHECK(allclose(x.grad(), mm(g, w), 1e-5, 1e-6));
  CHECK(allclose(b.grad(), g.sum(0), 1e-5, 1e-6));
  // The same through mm, and a column-major first operand.
  Tensor a = randn({5, 4}, requires_grad());
  Tensor m = randn({5, 3}, requires_grad());
  Tensor h = randn({4, 3});
  mm(a.t(), m).backward(h);
  CHECK(a.grad().is_contiguous());
  CHECK(allclose(a.grad(), mm(m, h.t()), 1e-5, 1e-6));
  CHECK(allclose(m.grad(), mm(a, h), 1e-5, 1e-6));
  // alpha scales both operand gradients.
  Tensor a2 = randn({4, 5}, requires_grad());
  Tensor w2 = randn({3, 5}, requires_grad());
  addmm(zeros({4, 3}), a2, w2.t(), 1, 2).backward(h);
  CHECK(allclose(w2.grad(), 2 * mm(h.t(), a2), 1e-5, 1e-6));
  CHECK(allclose(a2.grad(), 2 * mm(h, w2), 1e-5, 1e-6));
}
