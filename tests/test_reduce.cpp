// Reductions: sum, mean, max/min, argmax/argmin, amax/amin (forward values, dtypes,
// shapes); sum_to. Values are hand-computed from arange inputs or computed with libtorch
// 1.13 where noted.
#include <cmath>
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
const double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

TEST_CASE("reduce: sum over all, dims, keepdim, dtype", "[reduce]") {
  Tensor a = arange(24, dtype(kFloat)).view({2, 3, 4});
  Tensor s = a.sum();
  CHECK(s.dim() == 0);
  CHECK(s.item<float>() == 276);
  CHECK(values(a.sum(0)) == V{12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34});
  CHECK(values(a.sum(1)) == V{12, 15, 18, 21, 48, 51, 54, 57});
  CHECK(values(a.sum(-1)) == V{6, 22, 38, 54, 70, 86});
  CHECK(shape(a.sum(1, true)) == I{2, 1, 4});
  CHECK(values(a.sum({0, 2})) == V{60, 92, 124});  // libtorch 1.13
  Tensor k = a.sum({0, 2}, true);
  CHECK(shape(k) == I{1, 3, 1});
  CHECK(values(k) == V{60, 92, 124});
  CHECK(values(a.sum({2, 0})) == V{60, 92, 124});  // order of dims does not matter
  CHECK(a.sum({0, 1, 2}).item<float>() == 276);
  CHECK(shape(a.sum({0, 1, 2}, true)) == I{1, 1, 1});
  // dtype: integer sums are int64; an explicit dtype converts first.
  Tensor i = arange(5, dtype(kInt));
  CHECK(i.sum().dtype() == kLong);
  CHECK(i.sum().item<int64_t>() == 10);
  CHECK(tensor({true, true, false}).sum().item<int64_t>() == 2);
  CHECK(tensor({200, 100}, dtype(kByte)).sum().item<int64_t>() == 300);  // no uint8 overflow
  Tensor d = a.sum(kDouble);
  CHECK(d.dtype() == kDouble);
  CHECK(d.item<double>() == 276);
  CHECK(a.sum({1}, false, kDouble).dtype() == kDouble);
  CHECK(tensor({1.5, 2.5}).sum(kInt).item<int>() == 3);  // converts, then sums: 1 + 2
  // Empty and 0-dim.
  CHECK(zeros({0}).sum().item<float>() == 0);
  CHECK(values(zeros({2, 0}).sum(1)) == V{0, 0});
  CHECK(zeros({0, 3}).sum(0).numel() == 3);
  CHECK(zeros({0, 3}).sum(1).numel() == 0);
  CHECK(full({}, 4.0).sum().item<float>() == 4);
  CHECK(full({}, 4.0).sum(0).item<float>() == 4);
  REQUIRE_EMBER_ERROR(a.sum(3), IndexError, "sum", "got 3");
  REQUIRE_EMBER_ERROR(a.sum({1, -2}), Error, "sum", "multiple times");
}

TEST_CASE("reduce: sum of many floats stays accurate", "[reduce]") {
  // 1e6 copies of 0.1f: naive float accumulation drifts by ~1%; the blocked sum must not.
  Tensor x = full({1000000}, 0.1f);
  CHECK(std::fabs(x.sum().item<float>() - 100000.0f) < 1.0f);
  Tensor y = full({1000, 1000}, 0.1f);
  for (double v : values(y.sum(0))) REQUIRE(std::fabs(v - 100.0) < 1e-3);
  for (double v : values(y.sum(1))) REQUIRE(std::fabs(v - 100.0) < 1e-3);
}

TEST_CASE("reduce: mean", "[reduce]") {
  Tensor a = arange(24, dtype(kFloat)).view({2, 3, 4});
  CHECK(a.mean().item<float>() == 11.5f);
  CHECK(values(a.mean({-1, 0})) == V{7.5, 11.5, 15.5});  // libtorch 1.13
  CHECK(values(a.mean(1)) == V{4, 5, 6, 7, 16, 17, 18, 19});
  CHECK(shape(a.mean(2, true)) == I{2, 3, 1});
  CHECK(a.mean(kDouble).dtype() == kDouble);
  Tensor i = arange(4);
  CHECK(i.mean(kFloat).item<float>() == 1.5f);  // an int tensor with an explicit dtype
  CHECK(values(mean(tensor({{1.0, 2.0}, {4.0, 8.0}}), {0})) == V{2.5, 5});
  CHECK(std::isnan(zeros({0}).mean().item<float>()));
  REQUIRE_EMBER_ERROR(i.mean(), DTypeError, "mean", "Long", "floating point");
  REQUIRE_EMBER_ERROR(i.mean({0}), DTypeError, "mean", "Long");
}

TEST_CASE("reduce: mean of float16 and bfloat16 sums in float and rounds once", "[reduce]") {
  // 60000 + 60000 overflows float16 (max 65504); the mean does not. 1/3 rounds once:
  // float16 0.33325195 (step 2^-12), bfloat16 0.333984375 (step 2^-9).
  Tensor h = tensor({60000.0, 60000.0}).to(kHalf);
  CHECK(h.mean().dtype() == kHalf);
  CHECK(h.mean().item<float>() == 60000.0f);
  CHECK(tensor({1.0, 0.0, 0.0}).to(kHalf).mean().item<float>() == 0.33325195f);
  Tensor b = tensor({{1.0, 0.0, 0.0}, {3.0, 3.0, 3.0}}).to(kBFloat16);
  CHECK(values(b.mean(1)) == V{0.333984375, 3.0});
  CHECK(b.mean(1).dtype() == kBFloat16);
}

TEST_CASE("reduce: max and min", "[reduce]") {
  Tensor a = tensor({{2.0, 5.0, 5.0}, {7.0, 7.0, 1.0}});
  CHECK(a.max().item<float>() == 7);
  CHECK(a.min().item<float>() == 1);
  CHECK(a.max().dim() == 0);
  auto [mv, mi] = a.max(1);
  CHECK(values(mv) == V{5, 7});
  CHECK(ivalues(mi) == I{1, 0});  // first index on ties (libtorch 1.13)
  CHECK(mi.dtype() == kLong);
  auto [nv, ni] = a.min(0);
  CHECK(values(nv) == V{2, 5, 1});
  CHECK(ivalues(ni) == I{0, 0, 1});
  auto [kv, ki] = a.max(0, true);
  CHECK(shape(kv) == I{1, 3});
  CHECK(shape(ki) == I{1, 3});
  CHECK(ivalues(ki) == I{1, 1, 0});
  auto [tv, ti] = max(tensor({{2, 5, 5}, {7, 5, 1}}), 0);
  CHECK(ivalues(ti) == I{1, 0, 0});  // libtorch 1.13
  CHECK(tv.dtype() == kLong);
  // NaN propagates and is the max/min at its first position.
  Tensor n = tensor({1.0, kNaN, 5.0, kNaN});
  CHECK(std::isnan(n.max().item<float>()));
  CHECK(std::isnan(n.min().item<float>()));
  auto [nmv, nmi] = n.max(0);
  CHECK(std::isnan(nmv.item<float>()));
  CHECK(nmi.item<int64_t>() == 1);
  // 0-dim input: dim 0 is accepted and the index is 0.
  auto [zv, zi] = full({}, 3.0).max(0);
  CHECK(zv.item<float>() == 3);
  CHECK(zi.item<int64_t>() == 0);
  CHECK(zi.dim() == 0);
  CHECK(tensor({true, false}).max().item<bool>());
  CHECK(tensor({3, -9}, dtype(kInt)).min().item<int>() == -9);
  REQUIRE_EMBER_ERROR(zeros({0}).max(), Error, "max", "numel() == 0");
  REQUIRE_EMBER_ERROR(zeros({0, 2}).max(0), IndexError, "max", "non-zero size");
  auto [ev, ei] = zeros({0, 2}).max(1);  // reducing a non-empty dim of an empty tensor
  CHECK(shape(ev) == I{0});
  CHECK(shape(ei) == I{0});
}

TEST_CASE("reduce: argmax, argmin", "[reduce]") {
  // libtorch 1.13 values.
  CHECK(tensor({1, 3, 3, 2}).argmax().item<int64_t>() == 1);
  CHECK(tensor({1.0, kNaN, 5.0, kNaN}).argmax().item<int64_t>() == 1);
  CHECK(ivalues(tensor({{2, 1, 1}, {0, 0, 5}}).argmin(1)) == I{1, 0});
  Tensor a = arange(12, dtype(kFloat)).view({3, 4});
  CHECK(a.argmax().item<int64_t>() == 11);  // index into the flattened tensor
  CHECK(a.argmin().item<int64_t>() == 0);
  CHECK(a.argmax().dim() == 0);
  CHECK(ivalues(a.argmax(0)) == I{2, 2, 2, 2});
  CHECK(ivalues(a.argmin(-1)) == I{0, 0, 0});
  CHECK(shape(a.argmax(1, true)) == I{3, 1});
  CHECK(ivalues(argmax(a.t(), 1)) == I{2, 2, 2, 2});
  CHECK(argmin(a.t()).item<int64_t>() == 0);
  CHECK(argmax(tensor({{1, 9}, {8, 0}})).item<int64_t>() == 1);
  CHECK(argmax(tensor({{1, 9}, {8, 0}}).t()).item<int64_t>() == 2);  // flat order of the view
  REQUIRE_EMBER_ERROR(zeros({0}).argmax(), Error, "argmax", "numel() == 0");
}

TEST_CASE("reduce: amax and amin", "[reduce]") {
  Tensor a = arange(24).view({2, 3, 4});
  CHECK(ivalues(a.amax({0, 2})) == I{15, 19, 23});  // libtorch 1.13
  CHECK(ivalues(a.amin({0, 2})) == I{0, 4, 8});
  CHECK(a.amax().item<int64_t>() == 23);
  CHECK(a.amin().item<int64_t>() == 0);
  CHECK(shape(a.amax(1, true)) == I{2, 1, 4});
  CHECK(ivalues(a.amax(1)) == I{8, 9, 10, 11, 20, 21, 22, 23});
  CHECK(ivalues(amin(a.permute({2, 0, 1}), {2})) == I{0, 12, 1, 13, 2, 14, 3, 15});
  CHECK(std::isnan(amax(tensor({1.0, kNaN}), {0}).item<float>()));
  REQUIRE_EMBER_ERROR(zeros({2, 0}).amax(1), IndexError, "amax", "non-zero size");
}

TEST_CASE("reduce: max, min and their indices on long rows match a scalar scan", "[reduce]") {
  // Long enough for the vectorised and blocked paths, with odd lengths for their tails.
  manual_seed(11);
  Tensor a = randn({37, 1031});
  float* p = a.data_ptr<float>();
  p[5 * 1031 + 700] = std::numeric_limits<float>::quiet_NaN();   // one NaN in row 5
  p[9 * 1031 + 3] = std::numeric_limits<float>::quiet_NaN();     // two in row 9
  p[9 * 1031 + 1000] = std::numeric_limits<float>::quiet_NaN();
  p[12 * 1031 + 40] = std::numeric_limits<float>::infinity();    // infinities are not NaN
  p[12 * 1031 + 41] = -std::numeric_limits<float>::infinity();
  p[20 * 1031 + 1030] = 50.0f;                                   // the extremum in the tail
  p[21 * 1031 + 1030] = -50.0f;
  p[22 * 1031 + 100] = 9.0f;                                     // ties: the first index
  p[22 * 1031 + 900] = 9.0f;
  auto [mx, mxi] = a.max(1);
  auto [mn, mni] = a.min(1);
  Tensor amx = a.amax(1), amn = a.amin(1);
  for (int64_t r = 0; r < 37; ++r) {
    INFO("row " << r);
    const float* row = p + r * 1031;
    int64_t bi = 0, si = 0;
    for (int64_t i = 1; i < 1031; ++i) {
      if (std::isnan(row[bi])) break;
      if (std::isnan(row[i]) || row[i] > row[bi]) bi = i;
    }
    for (int64_t i = 1; i < 1031; ++i) {
      if (std::isnan(row[si])) break;
      if (std::isnan(row[i]) || row[i] < row[si]) si = i;
    }
    CHECK(mxi[r].item<int64_t>() == bi);
    CHECK(mni[r].item<int64_t>() == si);
    if (std::isnan(row[bi])) {
      CHECK(std::isnan(mx[r].item<float>()));
      CHECK(std::isnan(amx[r].item<float>()));
      CHECK(std::isnan(mn[r].item<float>()));
      CHECK(std::isnan(amn[r].item<float>()));
    } else {
      CHECK(mx[r].item<float>() == row[bi]);
      CHECK(amx[r].item<float>() == row[bi]);
      CHECK(mn[r].item<float>() == row[si]);
      CHECK(amn[r].item<float>() == row[si]);
    }
  }
  CHECK(mxi[22].item<int64_t>() == 100);
  CHECK(mx[12].item<float>() == std::numeric_limits<float>::infinity());
  CHECK(mn[12].item<float>() == -std::numeric_limits<float>::infinity());
  // Whole-tensor reductions over several blocks: NaN wins wherever it is.
  Tensor big = randn({300001});
  float* q = big.data_ptr<float>();
  q[300000] = 100.0f;
  q[7] = -100.0f;
  CHECK(big.max().item<float>() == 100.0f);
  CHECK(big.min().item<float>() == -100.0f);
  CHECK(big.argmax().item<int64_t>() == 300000);
  CHECK(big.argmin().item<int64_t>() == 7);
  q[200000] = std::numeric_limits<float>::quiet_NaN();
  CHECK(std::isnan(big.max().item<float>()));
  CHECK(std::isnan(big.min().item<float>()));
  CHECK(big.argmax().item<int64_t>() == 200000);
  // Integers and doubles take the same paths.
  Tensor li = arange(100000).remainder(977);
  CHECK(li.max().item<int64_t>() == 976);
  CHECK(li.min().item<int64_t>() == 0);
  CHECK(ivalues(std::get<1>(li.view({10, 10000}).max(1))).front() == 976);
  Tensor d = big.to(kDouble);
  CHECK(std::isnan(d.max().item<double>()));
  CHECK(d.slice(0, 0, 200000).max().item<double>() == static_cast<double>(big.slice(0, 0, 200000).max().item<float>()));
}

TEST_CASE("reduce: sum_to undoes broadcasting", "[reduce]") {
  Tensor g = arange(24, dtype(kFloat)).view({2, 3, 4});
  CHECK(values(sum_to(g, {4})) == V{60, 66, 72, 78});
  CHECK(values(sum_to(g, {3, 1})) == V{60, 92, 124});
  CHECK(shape(sum_to(g, {1, 3, 1})) == I{1, 3, 1});
  CHECK(sum_to(g, {}).item<float>() == 276);
  CHECK(sum_to(g, {2, 3, 4}).is_same(g));
  REQUIRE_EMBER_ERROR(sum_to(g, {5}), ShapeError, "sum_to", "[2, 3, 4]", "[5]");
  REQUIRE_EMBER_ERROR(sum_to(ones({2}), {3, 2}), ShapeError, "sum_to", "larger");
}
