// Every kernel family on non-contiguous inputs (transposed, permuted, sliced with steps,
// expanded with stride 0, offset views) and non-contiguous outputs: results must equal
// those of the same op on contiguous copies, and hand-computed references.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core_helpers.h"

using namespace ember;
using core_test::close;
using core_test::ivalues;
using core_test::shape;
using core_test::values;

namespace {
using V = std::vector<double>;
using I = std::vector<int64_t>;

// Views with the same logical shape [3, 4, 5] and different memory layouts.
// Integer layouts hold small values with many ties (first index wins on ties).
std::vector<std::pair<const char*, Tensor>> layouts(ScalarType t, double scale = 1) {
  manual_seed(11);
  Tensor base = (randn({3, 4, 5}, dtype(kDouble)) * scale).to(t);
  std::vector<std::pair<const char*, Tensor>> r;
  r.emplace_back("contiguous", base);
  r.emplace_back("permuted", base.permute({2, 0, 1}).contiguous().permute({1, 2, 0}));
  r.emplace_back("transposed", base.transpose(0, 2).contiguous().transpose(0, 2));
  Tensor wide = zeros({3, 4, 10}, dtype(t));
  wide.slice(2, 0, 10, 2).copy_(base);
  r.emplace_back("stepped", wide.slice(2, 0, 10, 2));
  Tensor big = zeros({5, 6, 7}, dtype(t));
  big.slice(0, 1, 4).slice(1, 2, 6).slice(2, 1, 6).copy_(base);
  r.emplace_back("offset", big.slice(0, 1, 4).slice(1, 2, 6).slice(2, 1, 6));
  r.emplace_back("expanded", base.select(1, 2).unsqueeze(1).expand({3, 4, 5}));
  return r;
}

// Reference reduction of row-major values of shape [3,4,5] over one dim.
V reduce_ref(const V& v, int dim, const char* op) {
  const int64_t s[3] = {3, 4, 5};
  int64_t o[2], k = 0;
  for (int d = 0; d < 3; ++d)
    if (d != dim) o[k++] = d;
  V r;
  for (int64_t i = 0; i < s[o[0]]; ++i)
    for (int64_t j = 0; j < s[o[1]]; ++j) {
      V line;
      for (int64_t m = 0; m < s[dim]; ++m) {
        int64_t idx[3];
        idx[o[0]] = i;
        idx[o[1]] = j;
        idx[dim] = m;
        line.push_back(v[static_cast<size_t>(idx[0] * 20 + idx[1] * 5 + idx[2])]);
      }
      const std::string name = op;
      if (name == "sum") r.push_back(std::accumulate(line.begin(), line.end(), 0.0));
      else if (name == "mean") r.push_back(std::accumulate(line.begin(), line.end(), 0.0) / static_cast<double>(line.size()));
      else if (name == "max") r.push_back(*std::max_element(line.begin(), line.end()));
      else if (name == "min") r.push_back(*std::min_element(line.begin(), line.end()));
      else if (name == "argmax") r.push_back(static_cast<double>(std::max_element(line.begin(), line.end()) - line.begin()));
      else if (name == "argmin") r.push_back(static_cast<double>(std::min_element(line.begin(), line.end()) - line.begin()));
      else if (name == "any") r.push_back(std::any_of(line.begin(), line.end(), [](double x) { return x != 0; }));
      else if (name == "all") r.push_back(std::all_of(line.begin(), line.end(), [](double x) { return x != 0; }));
    }
  return r;
}
}  // namespace

TEST_CASE("noncontiguous: unary and binary elementwise", "[noncontiguous]") {
  for (ScalarType t : {kFloat, kDouble}) {
    auto ls = layouts(t);
    const V ref = values(ls[0].second);
    for (auto& [name, x] : ls) {
      INFO(name << " " << toString(t));
      if (std::string(name) != "contiguous" && std::string(name) != "expanded") CHECK_FALSE(x.is_contiguous());
      const V xv = values(x);
      const Tensor xc = x.contiguous();
      CHECK(values(exp(x)) == values(exp(xc)));
      CHECK(values(abs(x)) == values(abs(xc)));
      CHECK(values(x.clamp(-0.5, 0.5)) == values(xc.clamp(-0.5, 0.5)));
      CHECK(values(-x) == values(-xc));
      CHECK(values(x.round()) == values(xc.round()));
      CHECK(values(x * 2 + 1) == values(xc * 2 + 1));
      // Binary with every combination of layouts of the two operands.
      for (auto& [name2, y] : ls) {
        INFO("with " << name2);
        const V yv = values(y);
        V expect(xv.size());
        for (size_t i = 0; i < xv.size(); ++i) expect[i] = xv[i] * yv[i];
        CHECK(close(values(x * y), expect, 1e-6));
        CHECK(values(x - y) == values(xc - y.contiguous()));
        CHECK(values(maximum(x, y)) == values(maximum(xc, y.contiguous())));
        CHECK(ivalues(x < y) == ivalues(xc < y.contiguous()));
        CHECK(values(where(x > 0, x, y)) == values(where(xc > 0, xc, y.contiguous())));
      }
      // Broadcast against a transposed [5] row and a [3,1,1] column.
      Tensor row = arange(10, dtype(t)).slice(0, 0, 10, 2);
      Tensor col = tensor({1.0, 2.0, 3.0}).to(t).view({3, 1, 1});
      CHECK(values(x + row) == values(xc + row.contiguous()));
      CHECK(values(x / col) == values(xc / col));
      CHECK(values(where(row > 3, x, col)) == values(where(row > 3, xc, col)));
    }
  }
}

TEST_CASE("noncontiguous: in-place ops and copies write through views", "[noncontiguous]") {
  for (ScalarType t : {kFloat, kLong}) {
    INFO(toString(t));
    Tensor m = arange(12, dtype(t)).view({3, 4});
    Tensor v = m.t();  // [4, 3], strides [1, 4]
    v.add_(arange(3, dtype(t)));  // row of v = column index of m
    CHECK(ivalues(m) == I{0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13});
    m.slice(1, 0, 4, 2).mul_(10);  // columns 0 and 2
    CHECK(ivalues(m) == I{0, 1, 20, 3, 50, 6, 70, 8, 100, 11, 120, 13});
    m.diagonal().zero_();
    CHECK(ivalues(m) == I{0, 1, 20, 3, 50, 0, 70, 8, 100, 11, 0, 13});
    m.select(1, 3).copy_(tensor({-1, -2, -3}));
    CHECK(ivalues(m.select(1, 3)) == I{-1, -2, -3});
    if (t == kFloat) {
      Tensor f = m.t().slice(0, 0, 4, 3);  // rows 0 and 3 of m.t(): columns 0 and 3 of m
      f.neg_();
      CHECK(ivalues(m.select(1, 0)) == I{0, -50, -100});
      f.clamp_(-60, 60);
      CHECK(ivalues(m.select(1, 0)) == I{0, -50, -60});
      Tensor g = m.t();
      g.masked_fill_(g > 60, 7);
      CHECK(ivalues(m.select(1, 2)) == I{20, 7, 0});
    }
  }
  // Copy with conversion from a permuted source into a stepped destination.
  Tensor src = arange(24, dtype(kInt)).view({2, 3, 4}).permute({2, 0, 1});
  Tensor dst_base = zeros({4, 2, 6}, dtype(kDouble));
  Tensor dst = dst_base.slice(2, 0, 6, 2);
  dst.copy_(src);
  CHECK(values(dst) == values(src));
  CHECK(values(dst_base.slice(2, 1, 6, 2)) == V(24, 0.0));
}

TEST_CASE("noncontiguous: reductions over each dim of every layout", "[noncontiguous]") {
  for (ScalarType t : {kFloat, kDouble, kLong}) {
    for (auto& [name, x] : layouts(t, t == kLong ? 3 : 1)) {
      const V xv = values(x);
      INFO(name << " " << toString(t));
      CHECK(close(V{x.sum().item<double>()}, V{std::accumulate(xv.begin(), xv.end(), 0.0)}, 1e-6));
      for (int d = 0; d < 3; ++d) {
        INFO("dim " << d);
        CHECK(close(values(x.sum(d)), reduce_ref(xv, d, "sum"), 1e-6));
        CHECK(values(x.amax(d)) == reduce_ref(xv, d, "max"));
        CHECK(values(x.amin(d)) == reduce_ref(xv, d, "min"));
        auto [mv, mi] = x.max(d);
        CHECK(values(mv) == reduce_ref(xv, d, "max"));
        CHECK(values(mi) == reduce_ref(xv, d, "argmax"));
        CHECK(values(x.argmin(d)) == reduce_ref(xv, d, "argmin"));
        CHECK(values(x.any(d)) == reduce_ref(xv, d, "any"));
        CHECK(values((x > 0).all(d)) == reduce_ref(values(x > 0), d, "all"));
        if (t != kLong) CHECK(close(values(x.mean(d)), reduce_ref(xv, d, "mean"), 1e-6));
      }
      // Two dims at once, keepdim, and the full reductions.
      const Tensor xc = x.contiguous();
      CHECK(close(values(x.sum({0, 2}, true)), values(xc.sum({0, 2}, true)), 1e-6));
      CHECK(values(x.amax({1, 2})) == values(xc.amax({1, 2})));
      CHECK(x.max().item<double>() == *std::max_element(xv.begin(), xv.end()));
      CHECK(x.argmax().item<int64_t>() == xc.argmax().item<int64_t>());
    }
  }
}

TEST_CASE("noncontiguous: reductions of transposed matrices", "[noncontiguous]") {
  Tensor m = arange(12, dtype(kFloat)).view({3, 4});
  Tensor t = m.t();  // [[0,4,8],[1,5,9],[2,6,10],[3,7,11]]
  CHECK(values(t.sum(0)) == V{6, 22, 38});
  CHECK(values(t.sum(1)) == V{12, 15, 18, 21});
  CHECK(values(t.mean(1)) == V{4, 5, 6, 7});
  CHECK(values(t.amax(0)) == V{3, 7, 11});
  CHECK(ivalues(t.argmax(1)) == I{2, 2, 2, 2});
  CHECK(ivalues(std::get<1>(t.min(0))) == I{0, 0, 0});
  CHECK(t.sum().item<float>() == 66);
}

TEST_CASE("noncontiguous: matmul family", "[noncontiguous]") {
  for (auto& [name, x] : layouts(kDouble)) {
    INFO(name);
    Tensor xc = x.contiguous();
    Tensor w = arange(20, dtype(kDouble)).view({5, 4}).t();  // [4, 5] transposed
    CHECK(close(values(matmul(x, w.t())), values(matmul(xc, w.t().contiguous())), 1e-12));
    CHECK(close(values(bmm(x, x.transpose(1, 2))), values(bmm(xc, xc.transpose(1, 2).contiguous())), 1e-12));
    CHECK(close(values(mm(x[1], w.t())), values(mm(xc[1], w.t().contiguous())), 1e-12));
    CHECK(close(values(mv(x[2], x[0][1])), values(mv(xc[2], xc[0][1].contiguous())), 1e-12));
    CHECK(close(values(dot(x[0][0], x[2].select(0, 3))), values(dot(xc[0][0], xc[2][3])), 1e-12));
  }
}
