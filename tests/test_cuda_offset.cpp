// Index math, launch geometry and packed access of the CUDA kernels (backends/common/
// offset_calc.h, launch.h, packed.h), checked on the CPU against naive walks.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "backends/common/launch.h"
#include "backends/common/offset_calc.h"
#include "backends/common/packed.h"
#include "backends/common/scalar_ops.h"
#include "ember/errors.h"

using namespace ember::backend;

namespace {

// Offset of row-major index `linear` over sizes with the given strides, computed directly.
int64_t naive_offset(int64_t linear, const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides) {
  int64_t off = 0;
  for (size_t d = sizes.size(); d-- > 0;) {
    off += (linear % sizes[d]) * strides[d];
    linear /= sizes[d];
  }
  return off;
}

std::vector<int64_t> contiguous(const std::vector<int64_t>& sizes) {
  std::vector<int64_t> st(sizes.size());
  int64_t acc = 1;
  for (size_t d = sizes.size(); d-- > 0;) {
    st[d] = acc;
    acc *= sizes[d];
  }
  return st;
}

int64_t numel(const std::vector<int64_t>& sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  return n;
}

}  // namespace

TEST_CASE("cuda offset calculator: contiguous operands collapse to one dim", "[cuda][offset]") {
  std::vector<int64_t> sizes = {2, 3, 4}, st = contiguous(sizes);
  const int64_t* strides[2] = {st.data(), st.data()};
  auto c = make_offset_calculator<2>(3, sizes.data(), strides);
  CHECK(c.ndim == 1);
  CHECK(c.sizes[0] == 24);
  for (int64_t i = 0; i < 24; ++i) {
    auto o = c.get(i);
    CHECK(o.v[0] == i);
    CHECK(o.v[1] == i);
  }
}

TEST_CASE("cuda offset calculator: size-1 dims drop, transposes and broadcasts keep their dims", "[cuda][offset]") {
  // out [3, 1, 4] contiguous; a is the transpose of a [4, 3] tensor (strides 1, -, 3);
  // b broadcasts along the first dim (stride 0).
  std::vector<int64_t> sizes = {3, 1, 4};
  std::vector<int64_t> out = {4, 4, 1}, a = {1, 99, 3}, b = {0, 99, 1};
  const int64_t* strides[3] = {out.data(), a.data(), b.data()};
  auto c = make_offset_calculator<3>(3, sizes.data(), strides);
  CHECK(c.ndim == 2);  // the size-1 dim is gone, nothing merges
  for (int64_t i = 0; i < 12; ++i) {
    auto o = c.get(i);
    CHECK(o.v[0] == naive_offset(i, sizes, out));
    CHECK(o.v[1] == naive_offset(i, sizes, a));
    CHECK(o.v[2] == naive_offset(i, sizes, b));
  }
  // Broadcasting the whole of a dim pair (stride 0, 0) merges: 0 == 0 * size.
  std::vector<int64_t> s2 = {5, 6}, o2 = {6, 1}, z = {0, 0};
  const int64_t* st2[2] = {o2.data(), z.data()};
  auto c2 = make_offset_calculator<2>(2, s2.data(), st2);
  CHECK(c2.ndim == 1);
  CHECK(c2.get(29).v[1] == 0);
}

TEST_CASE("cuda offset calculator: random strided geometries match a naive walk", "[cuda][offset]") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const int nd = 1 + static_cast<int>(rng() % 6);
    std::vector<int64_t> sizes(nd);
    for (auto& s : sizes) s = 1 + rng() % 4;
    // Operand 0 contiguous, operand 1 permuted/sliced/broadcast strides.
    std::vector<int64_t> s0 = contiguous(sizes), s1(nd);
    for (int d = 0; d < nd; ++d) {
      const int kind = rng() % 3;
      s1[d] = kind == 0 ? 0 : static_cast<int64_t>(1 + rng() % 50) * (kind == 1 ? 1 : -1);
    }
    const int64_t* strides[2] = {s0.data(), s1.data()};
    auto c = make_offset_calculator<2>(nd, sizes.data(), strides);
    CHECK(c.ndim <= nd);
    for (int64_t i = 0; i < numel(sizes); ++i) {
      auto o = c.get(i);
      REQUIRE(o.v[0] == naive_offset(i, sizes, s0));
      REQUIRE(o.v[1] == naive_offset(i, sizes, s1));
    }
  }
}

TEST_CASE("cuda offset calculator: too many dims after collapsing raise", "[cuda][offset]") {
  // 13 dims of size 2 whose strides never merge (every stride 3x the natural one).
  std::vector<int64_t> sizes(13, 2), st(13);
  int64_t acc = 1;
  for (int d = 12; d >= 0; --d) {
    st[d] = acc;
    acc *= 6;
  }
  const int64_t* strides[1] = {st.data()};
  CHECK_THROWS_AS(make_offset_calculator<1>(13, sizes.data(), strides), ember::NotImplementedError);
  // The same dims contiguous collapse to one and are fine.
  std::vector<int64_t> c = contiguous(sizes);
  const int64_t* cs[1] = {c.data()};
  CHECK(make_offset_calculator<1>(13, sizes.data(), cs).ndim == 1);
}

TEST_CASE("cuda launch geometry: elementwise grids fill the SMs without overshooting", "[cuda][launch]") {
  CHECK(elementwise_launch(0, 132).grid == 0);
  CHECK(elementwise_launch(1, 132).grid == 1);
  CHECK(elementwise_launch(1, 132).block == kElementwiseBlock);
  // 4 elements per thread: 1024 elements per block.
  CHECK(elementwise_launch(1024, 132).grid == 1);
  CHECK(elementwise_launch(1025, 132).grid == 2);
  CHECK(elementwise_launch(1025, 132, 1).grid == 5);
  // Large inputs are capped at kBlocksPerSm blocks per SM; the grid-stride loop does the rest.
  CHECK(elementwise_launch(int64_t(1) << 28, 132).grid == 132 * kBlocksPerSm);
  CHECK(elementwise_launch(int64_t(1) << 28, 0).grid == kBlocksPerSm);  // unknown SM count: at least one
}

TEST_CASE("cuda packed access: 16-byte words only when every operand is aligned", "[cuda][launch]") {
  alignas(16) unsigned char buf[64] = {};
  const void* aligned = buf;
  const void* also_aligned = buf + 32;
  CHECK(packed_width(4, {aligned, also_aligned}) == 4);  // float, int32
  CHECK(packed_width(8, {aligned}) == 2);                // double, int64
  CHECK(packed_width(2, {aligned}) == 8);                // float16, bfloat16
  CHECK(packed_width(1, {aligned}) == 16);               // bool, uint8
  CHECK(packed_width(4, {aligned, buf + 4}) == 1);       // one operand a float off a word: element by element
  CHECK(packed_width(2, {buf + 8}) == 1);
  CHECK(packed_width(16, {aligned}) == 1);  // a whole word per element already
  CHECK(packed_width(3, {aligned}) == 1);   // no element size that does not divide 16
  static_assert(alignof(Packed<float, 4>) == 16 && sizeof(Packed<math::Half, 8>) == 16);
}

TEST_CASE("cuda packed access: word-wise maps equal the element-wise functors", "[cuda][launch]") {
  using math::Half;
  // float16 add with alpha 2 through the kernels' storage functor: 8 elements per word.
  alignas(16) Half a[16], b[16], out[16];
  for (int i = 0; i < 16; ++i) {
    a[i] = Half(0.5f * static_cast<float>(i));
    b[i] = Half(1000.0f + static_cast<float>(i));
  }
  const math::StorageBinaryFn<Half> add{{BinaryOp::Add, 2.0f}};
  for (int64_t j = 0; j < 2; ++j) map_packed<8>(out, a, b, j, add);
  for (int i = 0; i < 16; ++i) CHECK(static_cast<float>(out[i]) == static_cast<float>(add(a[i], b[i])));
  // 0.5 * 3 + 2 * 1003 = 2007.5, which float16 (step 1 at 2007.5) rounds to even: 2008.
  CHECK(static_cast<float>(out[3]) == 2008.0f);
  // float unary (sqrt), 4 per word, in place as the kernels may run it.
  alignas(16) float x[8] = {0, 1, 4, 9, 16, 25, 36, 49};
  const math::StorageUnaryFn<float> root{{UnaryOp::Sqrt, 0.0f, 0.0f}};
  for (int64_t j = 0; j < 2; ++j) map_packed<4>(x, x, j, root);
  for (int i = 0; i < 8; ++i) CHECK(x[i] == static_cast<float>(i));
  // fill: double, 2 per word; only the addressed word changes.
  alignas(16) double d[4] = {0, 0, 0, 0};
  fill_packed<2>(d, 1, 7.5);
  CHECK((d[0] == 0 && d[1] == 0 && d[2] == 7.5 && d[3] == 7.5));
}

TEST_CASE("cuda launch geometry: sorts use a radix sort unless short slices fill the GPU", "[cuda][launch]") {
  CHECK(sort_slices_by_radix(1, 1 << 20, 132));         // one long slice: every element in parallel
  CHECK(sort_slices_by_radix(32, 50000, 132));          // topk over a vocabulary
  CHECK(sort_slices_by_radix(1000, 8, 132));            // too few slices for the GPU
  CHECK_FALSE(sort_slices_by_radix(1 << 20, 8, 132));   // many short slices: one thread each
  CHECK_FALSE(sort_slices_by_radix(132 * 256, 32, 132));
}

TEST_CASE("cuda launch geometry: shares tile a length in order, the last ones short or empty", "[cuda][launch]") {
  for (int64_t length : {1, 7, 64, 1000}) {
    for (int64_t parts : {1, 3, 8, 64, 1024}) {
      int64_t next = 0;
      for (int64_t s = 0; s < parts; ++s) {
        const Share piece = share_of(s, parts, length);
        if (piece.begin >= length) {  // empty tail
          CHECK(piece.end == length);
          continue;
        }
        CHECK(piece.begin == next);
        CHECK(piece.end > piece.begin);
        next = piece.end;
      }
      CHECK(next == length);
    }
  }
  CHECK(fold_block(1) == 32);
  CHECK(fold_block(100) == 128);
  CHECK(fold_block(1 << 20) == 256);
}

TEST_CASE("cuda launch geometry: long scans are cut into chunks that fill the GPU", "[cuda][launch]") {
  CHECK(scan_chunks(1, 1 << 24, 132) == 65536);        // one long slice: capped chunk count
  CHECK(scan_chunks(1, 1 << 20, 132) == (1 << 20) / 64);  // at least 64 elements a chunk
  CHECK(scan_chunks(8, 1 << 24, 132) == 132 * 2048 / 8);  // the GPU filled
  CHECK(scan_chunks(1 << 20, 1000, 132) == 1);          // slices alone fill the GPU
  CHECK(scan_chunks(8, 100, 132) == 1);                 // short slices: one thread each
  CHECK(scan_chunks(0, 100, 132) == 1);
}

TEST_CASE("cuda launch geometry: reduction plans", "[cuda][launch]") {
  // A full sum of 16M elements: one output split over many blocks, 256 threads each.
  auto p = plan_reduce(1, int64_t(1) << 24, true, 132);
  CHECK_FALSE(p.thread_per_output);
  CHECK(p.block == 256);
  CHECK(p.splits == 132 * 4);
  CHECK(p.grid == p.splits);
  // Short rows get narrow blocks and no split.
  p = plan_reduce(1000, 10, true, 132);
  CHECK(p.block == 32);
  CHECK(p.splits == 1);
  CHECK(p.grid == 1000);
  p = plan_reduce(1000, 100, true, 132);
  CHECK(p.block == 128);
  // Columns (strided reduced elements) with many outputs: a thread per output, each column
  // split over several threads while the outputs alone would not fill the GPU
  // (132 SMs * 2048 threads), at least 16 elements a thread.
  p = plan_reduce(int64_t(1) << 20, 512, false, 132);
  CHECK(p.thread_per_output);
  CHECK(p.splits == 1);
  CHECK(p.grid == (int64_t(1) << 20) / 256);
  p = plan_reduce(4096, 512, false, 132);
  CHECK(p.thread_per_output);
  CHECK(p.splits == 32);  // 512 / 16
  CHECK(p.grid == 4096 * 32 / 256);
  p = plan_reduce(64, 128 * 14 * 14, false, 132);  // a conv bias gradient: 64 channels over N*H*W
  CHECK(p.thread_per_output);
  CHECK(p.splits == 1024);
  CHECK(p.grid == 64 * 1024 / 256);
  p = plan_reduce(4096, 16, false, 132);  // short columns: no split
  CHECK(p.splits == 1);
  CHECK(p.grid == 16);
  // ... but few strided outputs still get blocks, split when long.
  p = plan_reduce(2, int64_t(1) << 20, false, 132);
  CHECK_FALSE(p.thread_per_output);
  CHECK(p.splits > 1);
  CHECK(p.splits <= 1024);
  CHECK(plan_reduce(0, 10, true, 132).grid == 0);
  // Splits never leave a block fewer than 4 elements per thread.
  p = plan_reduce(1, 256 * 16 + 1, true, 132);
  CHECK(p.splits == 4);
}
