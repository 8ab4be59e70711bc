// Views share storage and the version counter with their base; writes through any view
// are visible in the base. Geometry (sizes, strides, offset) is checked against libtorch's.
#include "core_helpers.h"

using namespace ember;
using core_test::ivalues;
using core_test::shape;
using core_test::values;

namespace {
using V = std::vector<int64_t>;
// True when v is a view of base: same storage, so writes and versions are shared.
bool shares(const Tensor& v, const Tensor& base) {
  return v.unsafeGetTensorImpl()->storage() == base.unsafeGetTensorImpl()->storage();
}
}  // namespace

TEST_CASE("views: view and reshape", "[views]") {
  Tensor a = arange(12).view({3, 4});
  CHECK(shape(a) == V{3, 4});
  Tensor v = a.view({2, -1});
  CHECK(shape(v) == V{2, 6});
  CHECK(shares(v, a));
  CHECK(shape(a.view({-1})) == V{12});
  CHECK(shape(a.view({2, 2, 3})) == V{2, 2, 3});
  CHECK(shape(a.view({1, 12, 1})) == V{1, 12, 1});
  CHECK(shape(full({}, 1).view({1, 1})) == V{1, 1});
  CHECK(shape(ones({1, 1}).view({})) == V{});
  // A slice along the first dim stays viewable.
  Tensor rows = a.slice(0, 1, 3);
  CHECK(shape(rows.view({8})) == V{8});
  CHECK(ivalues(rows.view({8})) == V{4, 5, 6, 7, 8, 9, 10, 11});
  // The transpose of a [2,3] cannot be flattened without a copy.
  Tensor t = arange(6).view({2, 3}).t();
  REQUIRE_EMBER_ERROR(t.view({6}), ShapeError, "view", "[3, 2]", "[6]", "reshape");
  CHECK(shape(t.view({3, 1, 2})) == V{3, 1, 2});  // splitting a dim is fine
  REQUIRE_EMBER_ERROR(a.view({5, -1}), ShapeError, "view", "[5, -1]", "12");
  REQUIRE_EMBER_ERROR(a.view({-1, -1}), ShapeError, "view", "only one dimension");

  // reshape: a view when possible, a copy otherwise.
  Tensor r = a.reshape({4, 3});
  CHECK(shares(r, a));
  Tensor rc = t.reshape({6});
  CHECK_FALSE(shares(rc, t));
  CHECK(ivalues(rc) == V{0, 3, 1, 4, 2, 5});
  CHECK(shape(reshape(a, {-1, 2})) == V{6, 2});
  CHECK(shape(a.reshape_as(ones({6, 2}))) == V{6, 2});
  CHECK(shape(a.view_as(ones({2, 6}))) == V{2, 6});
}

TEST_CASE("views: flatten", "[views]") {
  Tensor a = zeros({2, 3, 4, 5});
  CHECK(shape(a.flatten()) == V{120});
  CHECK(shape(a.flatten(1)) == V{2, 60});
  CHECK(shape(a.flatten(1, 2)) == V{2, 12, 5});
  CHECK(shape(a.flatten(-2)) == V{2, 3, 20});
  CHECK(shares(a.flatten(1, 2), a));
  CHECK(shape(full({}, 3).flatten()) == V{1});
  CHECK(shape(flatten(a, 2, 2)) == V{2, 3, 4, 5});
  REQUIRE_EMBER_ERROR(a.flatten(2, 1), IndexError, "flatten", "cannot come after");
}

TEST_CASE("views: transpose, t, permute", "[views]") {
  Tensor a = arange(24).view({2, 3, 4});
  Tensor tr = a.transpose(0, 2);
  CHECK(shape(tr) == V{4, 3, 2});
  CHECK(tr.strides().vec() == V{1, 4, 12});
  CHECK(shares(tr, a));
  CHECK(tr[3][2][1].item<int64_t>() == a[1][2][3].item<int64_t>());
  CHECK(shape(a.transpose(-1, -2)) == V{2, 4, 3});
  Tensor m = arange(6).view({2, 3});
  CHECK(ivalues(m.t()) == V{0, 3, 1, 4, 2, 5});
  CHECK(shape(arange(3).t()) == V{3});  // t() of a vector is the vector
  REQUIRE_EMBER_ERROR(a.t(), ShapeError, "t", "3D");
  Tensor p = a.permute({2, 0, 1});
  CHECK(shape(p) == V{4, 2, 3});
  CHECK(p.strides().vec() == V{1, 12, 4});
  CHECK(p[3][1][2].item<int64_t>() == a[1][2][3].item<int64_t>());
  CHECK(shape(a.permute({-1, 1, 0})) == V{4, 3, 2});
  REQUIRE_EMBER_ERROR(a.permute({0, 1}), ShapeError, "permute", "[2, 3, 4]");
  REQUIRE_EMBER_ERROR(a.permute({0, 1, 1}), IndexError, "permute", "repeated dim");
}

TEST_CASE("views: unsqueeze and squeeze", "[views]") {
  Tensor a = arange(6).view({2, 3});
  CHECK(shape(a.unsqueeze(0)) == V{1, 2, 3});
  CHECK(shape(a.unsqueeze(1)) == V{2, 1, 3});
  CHECK(shape(a.unsqueeze(-1)) == V{2, 3, 1});
  CHECK(shape(a.unsqueeze(2)) == V{2, 3, 1});
  CHECK(a.unsqueeze(1).strides().vec() == V{3, 3, 1});
  CHECK(shares(a.unsqueeze(0), a));
  CHECK(shape(full({}, 1).unsqueeze(0)) == V{1});
  REQUIRE_EMBER_ERROR(a.unsqueeze(3), IndexError, "unsqueeze", "[-3, 2]");
  Tensor b = zeros({1, 3, 1, 2});
  CHECK(shape(b.squeeze()) == V{3, 2});
  CHECK(shape(b.squeeze(0)) == V{3, 1, 2});
  CHECK(shape(b.squeeze(-2)) == V{1, 3, 2});
  CHECK(shape(b.squeeze(1)) == V{1, 3, 1, 2});  // not size 1: unchanged
  CHECK(shares(b.squeeze(), b));
  CHECK(shape(ones({1, 1}).squeeze()) == V{});
  REQUIRE_EMBER_ERROR(b.squeeze(4), IndexError, "squeeze", "got 4");
}

TEST_CASE("views: expand and expand_as", "[views]") {
  Tensor a = tensor({1, 2, 3});
  Tensor e = a.expand({2, 3});
  CHECK(shape(e) == V{2, 3});
  CHECK(e.strides().vec() == V{0, 1});
  CHECK(shares(e, a));
  CHECK(ivalues(e) == V{1, 2, 3, 1, 2, 3});
  Tensor c = tensor({{1}, {2}});
  CHECK(ivalues(c.expand({2, 3})) == V{1, 1, 1, 2, 2, 2});
  CHECK(ivalues(c.expand({-1, 2})) == V{1, 1, 2, 2});
  CHECK(shape(c.expand_as(zeros({4, 2, 5}))) == V{4, 2, 5});
  CHECK(shape(full({}, 1).expand({2, 2})) == V{2, 2});
  REQUIRE_EMBER_ERROR(a.expand({2, 4}), ShapeError, "expand", "(4)", "(3)");
  REQUIRE_EMBER_ERROR(a.expand({3}).expand({}), ShapeError, "expand", "(0)");
  a[1].fill_(20);
  CHECK(ivalues(e) == V{1, 20, 3, 1, 20, 3});
}

TEST_CASE("views: narrow, select, slice, operator[]", "[views]") {
  Tensor a = arange(20).view({4, 5});
  Tensor n = a.narrow(1, 1, 3);
  CHECK(shape(n) == V{4, 3});
  CHECK(n.storage_offset() == 1);
  CHECK(ivalues(n[0]) == V{1, 2, 3});
  CHECK(ivalues(a.narrow(0, -2, 2)) == V{10, 11, 12, 13, 14, 15, 16, 17, 18, 19});
  CHECK(shares(n, a));
  REQUIRE_EMBER_ERROR(a.narrow(1, 3, 3), IndexError, "narrow", "exceeds", "[4, 5]");
  REQUIRE_EMBER_ERROR(a.narrow(0, 5, 1), IndexError, "narrow", "out of range");

  Tensor s = a.select(1, -1);
  CHECK(shape(s) == V{4});
  CHECK(ivalues(s) == V{4, 9, 14, 19});
  CHECK(ivalues(a.select(0, 2)) == V{10, 11, 12, 13, 14});
  CHECK(ivalues(a[3]) == V{15, 16, 17, 18, 19});
  CHECK(a[3][4].item<int64_t>() == 19);
  CHECK(a[-1][-5].item<int64_t>() == 15);
  REQUIRE_EMBER_ERROR(a.select(0, 4), IndexError, "select", "index 4", "size 4");
  REQUIRE_EMBER_ERROR(a[-5], IndexError, "select", "index -5");
  REQUIRE_EMBER_ERROR(full({}, 1).select(0, 0), IndexError, "select", "0-dim");

  Tensor r = arange(10);
  CHECK(ivalues(r.slice(0, 2, 8, 3)) == V{2, 5});
  CHECK(ivalues(r.slice(0, 1, std::nullopt, 4)) == V{1, 5, 9});
  CHECK(ivalues(r.slice(0, -3)) == V{7, 8, 9});
  CHECK(ivalues(r.slice(0, -4, -1)) == V{6, 7, 8});
  CHECK(ivalues(r.slice(0, 8, 100)) == V{8, 9});  // the end clamps
  CHECK(r.slice(0, 6, 3).numel() == 0);           // start past end: empty
  CHECK(ivalues(r.slice(0, -100, 2)) == V{0, 1});
  Tensor st = r.slice(0, 1, 10, 2);
  CHECK(st.strides().vec() == V{2});
  CHECK(st.storage_offset() == 1);
  CHECK(ivalues(a.slice(1, 0, 5, 2)[1]) == V{5, 7, 9});
  REQUIRE_EMBER_ERROR(r.slice(0, 0, 5, 0), Error, "slice", "step must be positive");
  REQUIRE_EMBER_ERROR(r.slice(1), IndexError, "slice", "got 1");
}

TEST_CASE("views: chunk, split, unbind", "[views]") {
  Tensor a = arange(10);
  auto c = a.chunk(3);
  REQUIRE(c.size() == 3);
  CHECK(ivalues(c[0]) == V{0, 1, 2, 3});
  CHECK(ivalues(c[1]) == V{4, 5, 6, 7});
  CHECK(ivalues(c[2]) == V{8, 9});
  CHECK(shares(c[2], a));
  CHECK(a.chunk(20).size() == 10);
  CHECK(arange(6).chunk(4).size() == 3);  // libtorch: chunks of ceil(6/4) = 2
  auto s = a.split(4);
  REQUIRE(s.size() == 3);
  CHECK(ivalues(s[2]) == V{8, 9});
  auto sw = a.split(IntArrayRef{3, 7});
  REQUIRE(sw.size() == 2);
  CHECK(ivalues(sw[0]) == V{0, 1, 2});
  CHECK(sw[1].numel() == 7);
  auto sws = split_with_sizes(arange(6).view({2, 3}), {1, 2}, 1);
  CHECK(ivalues(sws[1]) == V{1, 2, 4, 5});
  REQUIRE_EMBER_ERROR(a.split(IntArrayRef{3, 3}), ShapeError, "split_with_sizes", "[3, 3]", "(10)");
  REQUIRE_EMBER_ERROR(a.chunk(0), Error, "chunk", "greater than 0");
  Tensor m = arange(6).view({2, 3});
  auto u = m.unbind(1);
  REQUIRE(u.size() == 3);
  CHECK(ivalues(u[2]) == V{2, 5});
  CHECK(shape(u[0]) == V{2});
  CHECK(m.unbind().size() == 2);
  u[0].fill_(-1);
  CHECK(ivalues(m) == V{-1, 1, 2, -1, 4, 5});
}

TEST_CASE("views: as_strided and diagonal", "[views]") {
  Tensor a = arange(9).view({3, 3});
  Tensor d = a.as_strided({3}, {4});  // the main diagonal
  CHECK(ivalues(d) == V{0, 4, 8});
  CHECK(ivalues(a.as_strided({2, 2}, {1, 3}, 1)) == V{1, 4, 2, 5});
  CHECK(shares(d, a));
  REQUIRE_EMBER_ERROR(a.as_strided({3}, {5}), IndexError, "as_strided", "storage");
  REQUIRE_EMBER_ERROR(a.as_strided({3}, {1, 1}), ShapeError, "as_strided", "mismatch");

  CHECK(ivalues(a.diagonal()) == V{0, 4, 8});
  CHECK(ivalues(a.diagonal(1)) == V{1, 5});
  CHECK(ivalues(a.diagonal(-1)) == V{3, 7});
  CHECK(a.diagonal(5).numel() == 0);
  Tensor b = arange(24).view({2, 3, 4});
  Tensor bd = b.diagonal(0, 1, 2);  // batched diagonals, diagonal dim last
  CHECK(shape(bd) == V{2, 3});
  CHECK(ivalues(bd) == V{0, 5, 10, 12, 17, 22});
  // dim1 = 2 indexes i and dim2 = 0 indexes i + 1: only b[1, :, 0], shaped [3, 1].
  CHECK(shape(b.diagonal(1, -1, 0)) == V{3, 1});
  CHECK(ivalues(b.diagonal(1, -1, 0)) == V{12, 16, 20});
  REQUIRE_EMBER_ERROR(arange(3).diagonal(), ShapeError, "diagonal", "[3]");
  REQUIRE_EMBER_ERROR(a.diagonal(0, 1, 1), IndexError, "diagonal", "identical");
  a.diagonal().fill_(-1);
  CHECK(ivalues(a) == V{-1, 1, 2, 3, -1, 5, 6, 7, -1});
}

TEST_CASE("views: writes through every view reach the base", "[views]") {
  Tensor base = zeros({4, 6});
  base.view({24}).narrow(0, 0, 1).fill_(1);        // [0][0]
  base.t()[5][3].fill_(2);                          // [3][5]
  base.permute({1, 0}).select(0, 2).select(0, 1).fill_(3);  // [1][2]
  base.unsqueeze(0).squeeze(0)[2].slice(0, 0, 6, 5).fill_(4);  // [2][0], [2][5]
  base.diagonal(1).narrow(0, 3, 1).fill_(5);        // [3][4]
  base.as_strided({2}, {7}, 7).fill_(6);            // flat 7 and 14: [1][1], [2][2]
  base.chunk(2, 1)[1][0].select(0, 0).fill_(7);     // [0][3]
  base.expand({2, 4, 6})[1][0][1].fill_(8);         // [0][1] through an expanded view
  const std::vector<double> expect = {1, 8, 0, 7, 0, 0,
                                      0, 6, 3, 0, 0, 0,
                                      4, 0, 6, 0, 0, 4,
                                      0, 0, 0, 0, 5, 2};
  CHECK(values(base) == expect);
}

TEST_CASE("views: share the version counter", "[views]") {
  Tensor base = zeros({3, 4});
  const uint32_t v0 = base._version();
  Tensor v = base.t().narrow(0, 1, 2);
  CHECK(v._version() == v0);
  v.add_(1);
  CHECK(base._version() == v0 + 1);
  CHECK(v._version() == v0 + 1);
  base.mul_(2);
  CHECK(v._version() == v0 + 2);
  Tensor r = base.reshape({12});  // a view: shared
  r.zero_();
  CHECK(base._version() == v0 + 3);
  Tensor c = base.t().reshape({12});  // a copy: its own counter
  c.zero_();
  CHECK(base._version() == v0 + 3);
  CHECK(values(base) == std::vector<double>(12, 0.0));
}

TEST_CASE("views: many dimensions", "[views]") {
  // Beyond DimVector's six inline dims, and beyond what any kernel can merge away.
  std::vector<int64_t> sz(8, 2);
  Tensor a = arange(256).view(sz);
  std::vector<int64_t> rev = {7, 6, 5, 4, 3, 2, 1, 0};
  Tensor p = a.permute(rev);
  CHECK(shape(p) == sz);
  CHECK(p.strides().vec() == V{1, 2, 4, 8, 16, 32, 64, 128});
  CHECK(p.contiguous().view({-1})[1].item<int64_t>() == 128);
  CHECK(p.sum().item<int64_t>() == 255 * 128);
  CHECK(shape(p.sum(3)) == V{2, 2, 2, 2, 2, 2, 2});
  CHECK(shape(a.unsqueeze(4).squeeze()) == sz);
  CHECK(ivalues(a.flatten(0, 6)[5]) == V{10, 11});
  // 20 dims that stay separate in every kernel (a full reversal of the strides).
  std::vector<int64_t> sz20(20, 2), rev20(20);
  for (int i = 0; i < 20; ++i) rev20[static_cast<size_t>(i)] = 19 - i;
  Tensor b = arange(int64_t(1) << 20).view(sz20).permute(rev20);
  Tensor bc = b.contiguous();
  CHECK(bc.view({-1})[1].item<int64_t>() == int64_t(1) << 19);
  CHECK(ivalues((b + b).view({-1}).slice(0, 0, 3)) == V{0, int64_t(1) << 20, int64_t(1) << 19});
  CHECK((b * 1).sum().item<int64_t>() == (int64_t(1) << 20) * ((int64_t(1) << 20) - 1) / 2);
  CHECK(b.amax().item<int64_t>() == (int64_t(1) << 20) - 1);
  CHECK(b.where(b > 5, zeros({1}, dtype(kLong))).sum().item<int64_t>() == (b * 1).sum().item<int64_t>() - 15);
}
