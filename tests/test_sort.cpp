// sort, argsort, topk, kthvalue, median and mode: values against libtorch 1.13 ("libtorch"
// marks numbers computed with it on the same inputs) and against a per-slice std::sort
// reference along every dim, stable order of ties, NaN as the largest value, 0-dim and
// empty inputs, gradients that go back to the selected positions, and errors.
#include <algorithm>
#include <limits>
#include <numeric>

#include "scan_test_util.h"

using namespace scan_test;
using ember::Tensor;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

Tensor input_a() {
  return make({1.0, -2.0, 3.5, 0.25, 4.0, 0.5, -1.5, 2.0, -3.0, 1.25, 0.75, -0.5,
               2.5, 3.0, -4.0, 1.0, 0.0, -1.0, 2.25, 5.0, 1.5, -2.5, 0.5, 3.25},
              {2, 3, 4});
}

// The [3, 4] input with ties of the libtorch reference values.
Tensor input_s() { return make({3, 1, 2, 1, 3, 0, 2, 1, 3, 0, 2, 2}, {3, 4}); }

// Positions of one row in the order of a stable sort (NaN largest).
std::vector<int64_t> stable_order(const std::vector<double>& row, bool descending) {
  std::vector<int64_t> idx(row.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) {
    const double x = row[static_cast<size_t>(a)], y = row[static_cast<size_t>(b)];
    if (std::isnan(x) || std::isnan(y)) return descending ? std::isnan(x) && !std::isnan(y) : !std::isnan(x) && std::isnan(y);
    return descending ? x > y : x < y;
  });
  return idx;
}

}  // namespace

TEST_CASE("sort: NaN sorts largest, ties keep input order", "[sort]") {
  Tensor s = make({2.0, kNaN, 1.0, 2.0, kNaN, 1.0, 0.0}, {7});
  auto [v, i] = s.sort();
  check_values(v, {7}, {0, 1, 1, 2, 2, kNaN, kNaN});  // libtorch
  check_values(i, {7}, {6, 2, 5, 0, 3, 1, 4});
  CHECK(i.dtype() == ember::kLong);
  auto [vd, id] = s.sort(0, /*descending=*/true);
  check_values(vd, {7}, {kNaN, kNaN, 2, 2, 1, 1, 0});  // libtorch
  check_values(id, {7}, {1, 4, 0, 3, 2, 5, 6});
  auto [vs, is] = s.sort(/*stable=*/true, 0, true);
  check_values(is, {7}, {1, 4, 0, 3, 2, 5, 6});  // libtorch
  check_values(s.argsort(), {7}, {6, 2, 5, 0, 3, 1, 4});
  check_values(s.argsort(/*stable=*/true, 0, true), {7}, {1, 4, 0, 3, 2, 5, 6});
  check_values(ember::argsort(s, int64_t{-1}, true), {7}, {1, 4, 0, 3, 2, 5, 6});
  Tensor t = input_s();
  auto [v0, i0] = t.sort(0);
  check_values(v0, {3, 4}, {3, 0, 2, 1, 3, 0, 2, 1, 3, 1, 2, 2});  // libtorch
  check_values(i0, {3, 4}, {0, 1, 0, 0, 1, 2, 1, 1, 2, 0, 2, 2});
  auto [v1, i1] = ember::sort(t, 1, true);
  check_values(v1, {3, 4}, {3, 2, 1, 1, 3, 2, 1, 0, 3, 2, 2, 0});  // libtorch
  check_values(i1, {3, 4}, {0, 2, 1, 3, 0, 2, 3, 1, 0, 2, 3, 1});
  auto [v2, i2] = ember::sort(t, std::optional<bool>(true), 0, true);
  check_values(v2, {3, 4}, {3, 1, 2, 2, 3, 0, 2, 1, 3, 0, 2, 1});  // libtorch
  check_values(i2, {3, 4}, {0, 0, 0, 2, 1, 1, 1, 0, 2, 2, 2, 1});
  auto [va, ia] = input_a().sort(0, true);
  check_values(ia, {2, 3, 4}, {1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0});  // libtorch
}

TEST_CASE("sort and argsort: every dim, contiguous or not, both directions", "[sort]") {
  auto [x, nc] = test_pair(11);
  // Ties on purpose: values rounded to halves.
  Tensor xr = (x * 2).round() / 2;
  Tensor ncr = xr.permute({2, 0, 1}).contiguous().permute({1, 2, 0});
  REQUIRE_FALSE(nc.is_contiguous());
  REQUIRE_FALSE(ncr.is_contiguous());
  for (const Tensor& in : {x, nc, xr, ncr}) {
    for (int64_t d = 0; d < 3; ++d) {
      for (bool desc : {false, true}) {
        INFO("dim " << d << " descending " << desc << " contiguous " << in.is_contiguous());
        auto [v, i] = in.sort(d, desc);
        auto rows = rows_along(in, d), vrows = rows_along(v, d), irows = rows_along(i, d);
        auto arows = rows_along(in.argsort(d, desc), d);
        for (size_t r = 0; r < rows.size(); ++r) {
          auto order = stable_order(rows[r], desc);
          for (size_t j = 0; j < order.size(); ++j) {
            CHECK(irows[r][j] == static_cast<double>(order[j]));
            CHECK(arows[r][j] == static_cast<double>(order[j]));
            CHECK(vrows[r][j] == rows[r][static_cast<size_t>(order[j])]);
          }
        }
      }
    }
  }
}

TEST_CASE("sort: integer, bool, 0-dim and empty inputs", "[sort]") {
  Tensor i = ember::tensor({5, 3, 9, 3, 1, 7}).reshape({2, 3});
  auto [v, ix] = i.sort(1);
  CHECK(v.dtype() == ember::kLong);
  check_values(v, {2, 3}, {3, 5, 9, 1, 3, 7});  // libtorch
  check_values(ix, {2, 3}, {1, 0, 2, 1, 0, 2});
  auto [vb, ib] = ember::tensor({true, false}).sort(0);
  CHECK(vb.dtype() == ember::kBool);
  check_values(vb, {2}, {0, 1});
  check_values(ib, {2}, {1, 0});
  Tensor i32 = ember::tensor({3, -1, 2}, ember::TensorOptions().dtype(ember::kInt));
  check_values(std::get<0>(i32.sort(0, true)), {3}, {3, 2, -1});
  auto [v0, i0] = ember::scalar_tensor(3.0).sort();
  check_values(v0, {}, {3});
  check_values(i0, {}, {0});
  auto [ve, ie] = ember::empty({2, 0}).sort(1);
  CHECK(ve.sizes() == std::vector<int64_t>{2, 0});
  CHECK(ie.sizes() == std::vector<int64_t>{2, 0});
  auto [vf, iff] = ember::empty({0, 3}).sort(1);
  CHECK(vf.sizes() == std::vector<int64_t>{0, 3});
  check_values(std::get<0>(ember::tensor({2.0f, 1.0f}).sort()), {2}, {1, 2});
  CHECK(std::get<0>(ember::tensor({2.0f, 1.0f}).sort()).dtype() == ember::kFloat);
}

TEST_CASE("topk: largest and smallest, every dim, NaN and ties", "[sort][topk]") {
  Tensor a = input_a();
  auto [v, i] = a.topk(2, 1);
  check_values(v, {2, 2, 4}, {4, 1.25, 3.5, 2, 1, 0.5, 0.75, 0.25, 2.5, 3, 2.25, 5, 1.5, -1, 0.5, 3.25});  // libtorch
  check_values(i, {2, 2, 4}, {1, 2, 0, 1, 0, 1, 2, 0, 0, 0, 1, 1, 2, 1, 2, 2});
  auto [vs, is] = a.topk(3, 2, /*largest=*/false);
  check_values(vs, {2, 3, 3}, {-2, 0.25, 1, -1.5, 0.5, 2, -3, -0.5, 0.75, -4, 1, 2.5, -1, 0, 2.25, -2.5, 0.5, 1.5});
  check_values(is, {2, 3, 3}, {1, 3, 0, 2, 1, 3, 0, 3, 2, 2, 3, 0, 1, 0, 2, 1, 2, 0});  // libtorch
  // NaN is the largest; equal values are taken in input order (libtorch leaves that open).
  Tensor s = make({2.0, kNaN, 1.0, 2.0, kNaN, 1.0, 0.0}, {7});
  auto [vn, in] = s.topk(3);
  check_values(vn, {3}, {kNaN, kNaN, 2});  // libtorch
  check_values(in, {3}, {1, 4, 0});
  auto [vl, il] = s.topk(3, 0, false);
  check_values(vl, {3}, {0, 1, 1});  // libtorch
  check_values(il, {3}, {6, 2, 5});
  auto [vu, iu] = s.topk(3, -1, true, /*sorted=*/false);  // ember returns sorted order anyway
  check_values(vu, {3}, {kNaN, kNaN, 2});
  check_values(std::get<0>(ember::tensor({2, 2, 1, 1, 1}).topk(3)), {3}, {2, 2, 1});  // libtorch
  // Every dim and k against a stable sort of each slice.
  auto [x, nc] = test_pair(5);
  for (const Tensor& t : {x, nc}) {
    for (int64_t d = 0; d < 3; ++d) {
      for (int64_t k = 0; k <= t.size(d); ++k) {
        for (bool largest : {true, false}) {
          INFO("dim " << d << " k " << k << " largest " << largest);
          auto [tv, ti] = t.topk(k, d, largest);
          auto rows = rows_along(t, d), vrows = rows_along(tv, d), irows = rows_along(ti, d);
          CHECK(tv.size(d) == k);
          for (size_t r = 0; r < rows.size(); ++r) {
            auto order = stable_order(rows[r], largest);
            for (int64_t j = 0; j < k; ++j) {
              CHECK(irows[r][static_cast<size_t>(j)] == static_cast<double>(order[static_cast<size_t>(j)]));
              CHECK(vrows[r][static_cast<size_t>(j)] == rows[r][static_cast<size_t>(order[static_cast<size_t>(j)])]);
            }
          }
        }
      }
    }
  }
  // Long slices with few picks (the one-pass heap path), with ties and NaN, both layouts.
  ember::manual_seed(21);
  Tensor longer = (ember::randn({3, 200}, ember::TensorOptions().dtype(ember::kDouble)) * 2).round();
  longer.select(1, 17).fill_(kNaN);
  longer.select(1, 90).fill_(kNaN);
  for (const Tensor& t : {longer, longer.t().contiguous().t()}) {
    for (int64_t k : {1, 5, 12}) {
      for (bool largest : {true, false}) {
        INFO("k " << k << " largest " << largest << " contiguous " << t.is_contiguous());
        auto [tv, ti] = t.topk(k, 1, largest);
        auto rows = rows_along(t, 1), vrows = rows_along(tv, 1), irows = rows_along(ti, 1);
        for (size_t r = 0; r < rows.size(); ++r) {
          auto order = stable_order(rows[r], largest);
          for (int64_t j = 0; j < k; ++j) {
            const double expect = rows[r][static_cast<size_t>(order[static_cast<size_t>(j)])];
            CHECK(irows[r][static_cast<size_t>(j)] == static_cast<double>(order[static_cast<size_t>(j)]));
            CHECK((vrows[r][static_cast<size_t>(j)] == expect || (std::isnan(expect) && std::isnan(vrows[r][static_cast<size_t>(j)]))));
          }
        }
      }
    }
  }
  auto [v0, i0] = ember::scalar_tensor(3.0).topk(1);
  check_values(v0, {}, {3});
  check_values(i0, {}, {0});
  CHECK(std::get<0>(ember::ones({0}).topk(0)).sizes() == std::vector<int64_t>{0});
}

TEST_CASE("kthvalue, median and mode along a dim", "[sort][kthvalue]") {
  Tensor a = input_a();
  auto [kv, ki] = a.kthvalue(3, 2, /*keepdim=*/true);
  check_values(kv, {2, 3, 1}, {1, 2, 0.75, 2.5, 2.25, 1.5});  // libtorch
  check_values(ki, {2, 3, 1}, {0, 3, 2, 0, 2, 0});
  auto [mv, mi] = a.median(0);
  check_values(mv, {3, 4}, {1, -2, -4, 0.25, 0, -1, -1.5, 2, -3, -2.5, 0.5, -0.5});  // libtorch
  check_values(mi, {3, 4}, {0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0});
  auto [mv2, mi2] = a.median(-1);
  check_values(mv2, {2, 3}, {0.25, 0.5, -0.5, 1, 0, 0.5});  // libtorch
  check_values(mi2, {2, 3}, {3, 1, 3, 3, 0, 2});
  Tensor s = input_s();
  auto [sk, ski] = s.kthvalue(2, 1);
  check_values(sk, {3}, {1, 1, 2});  // libtorch values
  check_values(ski, {3}, {3, 3, 2});  // first of equal values (libtorch's quickselect gives 3, 3, 3)
  auto [sm, smi] = s.median(1);
  check_values(sm, {3}, {1, 1, 2});  // libtorch
  check_values(smi, {3}, {3, 3, 2});
  auto [sm0, smi0] = s.median(0, true);
  check_values(sm0, {1, 4}, {3, 0, 2, 1});  // libtorch
  check_values(smi0, {1, 4}, {1, 2, 1, 1});
  auto [mo, moi] = s.mode(1);
  check_values(mo, {3}, {1, 0, 2});  // libtorch: the smallest most frequent value, its last index
  check_values(moi, {3}, {3, 1, 3});
  auto [mo0, moi0] = s.mode(0);
  check_values(mo0, {4}, {3, 0, 2, 1});  // libtorch
  check_values(moi0, {4}, {2, 2, 2, 1});
  auto [m1, m1i] = make({2, 1, 2, 1, 3, 1, 2}, {7}).mode();
  check_values(m1, {}, {1});  // libtorch
  check_values(m1i, {}, {5});
  auto [m2, m2i] = make({3, 3, 2, 1, 1, 2}, {6}).mode();
  check_values(m2, {}, {1});  // libtorch
  check_values(m2i, {}, {4});
  // A slice with NaN has NaN as median, at its first NaN (libtorch).
  Tensor n = make({2.0, kNaN, 1.0, 2.0, kNaN, 1.0, 0.0}, {7});
  auto [nm, nmi] = n.median(0);
  check_values(nm, {}, {kNaN});
  check_values(nmi, {}, {1});
  check_values(std::get<0>(n.kthvalue(2)), {}, {1});  // libtorch
  check_values(std::get<0>(n.kthvalue(6)), {}, {kNaN});
  // 0-dim inputs.
  auto [k0, k0i] = ember::scalar_tensor(3.0).kthvalue(1);
  check_values(k0, {}, {3});
  check_values(k0i, {}, {0});
  check_values(std::get<0>(ember::scalar_tensor(3.0).median(0, true)), {}, {3});
}

TEST_CASE("kthvalue, median, mode: every dim and k against sorted slices", "[sort][kthvalue]") {
  auto [x, nc] = test_pair(9);
  Tensor xi = (x * 1.5).round();  // repeated values for mode
  Tensor nci = xi.permute({2, 0, 1}).contiguous().permute({1, 2, 0});
  for (const Tensor& t : {x, nc, xi, nci}) {
    for (int64_t d = 0; d < 3; ++d) {
      INFO("dim " << d << " contiguous " << t.is_contiguous());
      auto rows = rows_along(t, d);
      const int64_t n = t.size(d);
      for (int64_t k = 1; k <= n; ++k) {
        auto [v, i] = t.kthvalue(k, d);
        auto vr = values(v), ir = values(i);
        for (size_t r = 0; r < rows.size(); ++r) {
          auto order = stable_order(rows[r], false);
          CHECK(ir[r] == static_cast<double>(order[static_cast<size_t>(k - 1)]));
          CHECK(vr[r] == rows[r][static_cast<size_t>(order[static_cast<size_t>(k - 1)])]);
        }
      }
      auto [mv, mi] = t.median(d);
      auto [mo, moi] = t.mode(d);
      auto mvr = values(mv), mir = values(mi), mor = values(mo), moir = values(moi);
      for (size_t r = 0; r < rows.size(); ++r) {
        auto order = stable_order(rows[r], false);
        CHECK(mir[r] == static_cast<double>(order[static_cast<size_t>((n - 1) / 2)]));
        CHECK(mvr[r] == rows[r][static_cast<size_t>(order[static_cast<size_t>((n - 1) / 2)])]);
        // Mode by counting: the smallest of the most frequent values, its last index.
        double best = 0;
        int64_t best_count = 0, best_index = -1;
        for (size_t j = 0; j < rows[r].size(); ++j) {
          const double val = rows[r][j];
          const int64_t c = std::count(rows[r].begin(), rows[r].end(), val);
          if (c > best_count || (c == best_count && val < best)) {
            best = val;
            best_count = c;
          }
        }
        for (size_t j = 0; j < rows[r].size(); ++j)
          if (rows[r][j] == best) best_index = static_cast<int64_t>(j);
        CHECK(mor[r] == best);
        CHECK(moir[r] == static_cast<double>(best_index));
      }
    }
  }
}

TEST_CASE("median of all elements", "[sort][median]") {
  check_values(input_a().median(), {}, {0.75});  // libtorch (lower median of 24 values)
  check_values(make({1, 2, 4, 4, 3}, {5}).median(), {}, {3});
  Tensor i = ember::tensor({5, 3, 9, 3, 1, 7}).reshape({2, 3});
  CHECK(i.median().dtype() == ember::kLong);
  check_values(i.median(), {}, {3});  // libtorch
  check_values(make({2.0, kNaN, 1.0}, {3}).median(), {}, {kNaN});
  check_values(ember::empty({0}).median(), {}, {kNaN});  // libtorch
  check_values(input_a().transpose(0, 2).median(), {}, {0.75});
  REQUIRE_THROWS_AS(ember::empty({0}, ember::TensorOptions().dtype(ember::kLong)).median(), ember::IndexError);
}

TEST_CASE("sort family gradients go to the selected positions", "[sort][grad]") {
  Tensor x = input_a().requires_grad_(true);
  Tensor w = ember::arange(24, ember::TensorOptions().dtype(ember::kDouble)).reshape({2, 3, 4}) * 0.1 - 1;
  auto grad_of = [&](const Tensor& y, const Tensor& wt) { return ember::autograd::grad({(y * wt).sum()}, {x})[0]; };
  check_values(grad_of(std::get<0>(x.sort(1, true)), w), {2, 3, 4},
               {-0.6, -0.1, -0.8, -0.3, -1, -0.5, 0, -0.7, -0.2, -0.9, -0.4, 0.1,
                0.2, 0.3, 1.2, 1.3, 1, 0.7, 0.4, 0.5, 0.6, 1.1, 0.8, 0.9});  // libtorch
  check_values(grad_of(std::get<0>(x.topk(2, 2)), w.narrow(2, 0, 2)), {2, 3, 4},
               {-0.9, 0, -1, 0, -0.6, 0, 0, -0.5, 0, -0.2, -0.1, 0, 0.3, 0.2, 0, 0, 0, 0, 0.7, 0.6, 1.1, 0, 0, 1});
  // kthvalue/median/mode without keepdim: the gradient lands on the returned index.
  Tensor wk = w.select(2, 0);
  auto [kv, ki] = x.kthvalue(3, 2);
  Tensor gk = grad_of(kv, wk);
  auto gkr = rows_along(gk, 2);
  auto kir = values(ki), wkr = values(wk);
  for (size_t r = 0; r < gkr.size(); ++r)
    for (size_t j = 0; j < 4; ++j) CHECK(gkr[r][j] == (static_cast<double>(j) == kir[r] ? wkr[r] : 0.0));
  auto [mv, mi] = x.median(1, true);
  Tensor gm = grad_of(mv, w.narrow(1, 0, 1));
  CHECK(gm.sum().item<double>() == Approx(w.narrow(1, 0, 1).sum().item<double>()));
  CHECK((gm != 0).sum().item<int64_t>() == 8);
  // median(): shared evenly among elements equal to the median (libtorch).
  Tensor m = make({2, 1, 2, 2}, {4}).requires_grad_(true);
  m.median().backward();
  check_values(m.grad(), {4}, {1.0 / 3, 0, 1.0 / 3, 1.0 / 3});
  Tensor m2 = make({2, 1, 2, 2}, {4}).requires_grad_(true);
  std::get<0>(m2.median(0)).backward();
  check_values(m2.grad(), {4}, {1, 0, 0, 0});  // libtorch
  // A long sort takes the one-hot gradient in chunks; it must equal the permuted weights.
  ember::manual_seed(1);
  Tensor big = ember::randn({2, 3000}, ember::TensorOptions().dtype(ember::kDouble)).requires_grad_(true);
  Tensor gw = ember::randn({2, 3000}, ember::TensorOptions().dtype(ember::kDouble));
  auto [bv, bi] = big.sort(1);
  Tensor gb = ember::autograd::grad({(bv * gw).sum()}, {big})[0];
  auto gbr = values(gb), gwr = values(gw), bir = values(bi);
  bool ok = true;
  for (size_t r = 0; r < 2; ++r)
    for (size_t j = 0; j < 3000; ++j)
      ok = ok && gbr[r * 3000 + static_cast<size_t>(bir[r * 3000 + j])] == gwr[r * 3000 + j];
  CHECK(ok);
  // Indices never require grad.
  CHECK_FALSE(std::get<1>(x.sort()).requires_grad());
  CHECK_FALSE(std::get<1>(x.topk(1)).requires_grad());
}

TEST_CASE("sort family: errors name the op", "[sort][errors]") {
  Tensor t = make({2, 1, 2, 1, 3, 1, 2}, {7});
  REQUIRE_THROWS_AS(t.topk(8), ember::IndexError);
  CHECK_THAT(message_of([&] { t.topk(8); }), Catch::Contains("[ember::topk]") && Catch::Contains("selected index k out of range"));
  REQUIRE_THROWS_AS(t.topk(-1), ember::IndexError);
  REQUIRE_THROWS_AS(t.kthvalue(0), ember::IndexError);
  CHECK_THAT(message_of([&] { t.kthvalue(0); }),
             Catch::Contains("[ember::kthvalue]") && Catch::Contains("selected index k out of range"));
  REQUIRE_THROWS_AS(t.kthvalue(8), ember::IndexError);
  REQUIRE_THROWS_AS(t.sort(2), ember::IndexError);
  CHECK_THAT(message_of([&] { t.sort(2); }), Catch::Contains("[ember::sort]") && Catch::Contains("out of range"));
  REQUIRE_THROWS_AS(t.argsort(int64_t{1}), ember::IndexError);
  REQUIRE_THROWS_AS(t.topk(1, 3), ember::IndexError);
  REQUIRE_THROWS_AS(t.median(1), ember::IndexError);
  CHECK_THAT(message_of([&] { t.median(1); }), Catch::Contains("[ember::median]"));
  REQUIRE_THROWS_AS(t.mode(-2), ember::IndexError);
  REQUIRE_THROWS_AS(t.kthvalue(1, 1), ember::IndexError);
  REQUIRE_THROWS_AS(ember::empty({0}).median(0), ember::IndexError);
  CHECK_THAT(message_of([] { ember::empty({0}).median(0); }),
             Catch::Contains("[ember::median]") && Catch::Contains("non-zero size"));
  REQUIRE_THROWS_AS(ember::empty({2, 0}).mode(1), ember::IndexError);
}
