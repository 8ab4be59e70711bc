#pragma once
// Launch geometry of the CUDA kernels, in plain C++ so it is unit-tested on the CPU.
#include <algorithm>
#include <cstdint>

#include "backends/common/host_device.h"

namespace ember::backend {

/// Threads per block of the elementwise kernels.
constexpr int kElementwiseBlock = 256;
/// Elements each thread handles per grid-stride step of the contiguous fast path.
constexpr int kElementsPerThread = 4;
/// Resident blocks per SM the elementwise grid aims for (more only add scheduling).
constexpr int kBlocksPerSm = 8;

struct Launch1d {
  int64_t grid = 0;  // 0: nothing to launch
  int block = kElementwiseBlock;
};

/// A grid-stride launch over n elements: enough blocks to fill every SM kBlocksPerSm
/// times, never more than the work needs.
inline Launch1d elementwise_launch(int64_t n, int sm_count, int per_thread = kElementsPerThread) {
  Launch1d l;
  if (n <= 0) return l;
  const int64_t per_block = static_cast<int64_t>(l.block) * per_thread;
  const int64_t needed = (n + per_block - 1) / per_block;
  l.grid = std::clamp<int64_t>(needed, 1, static_cast<int64_t>(std::max(sm_count, 1)) * kBlocksPerSm);
  return l;
}

/// Threads per block that fold rows of `length` elements: a power of two from one warp
/// (32) to 256, no wider than the row needs.
inline int fold_block(int64_t length) {
  int b = 32;
  while (b < 256 && b < length) b *= 2;
  return b;
}

/// Elements [begin, end) of share `s` of `parts` equal shares of `length` elements (the
/// last shares may be short or empty): a split reduction's or chunked scan's piece.
struct Share {
  int64_t begin, end;
};
EMBER_HD Share share_of(int64_t s, int64_t parts, int64_t length) {
  const int64_t chunk = (length + parts - 1) / parts, begin = s * chunk;
  return {begin, begin + chunk < length ? begin + chunk : length};
}

/// How a reduction of `outputs` results over `length` elements each is launched.
struct ReducePlan {
  bool thread_per_output = false;  // each thread loops over one output's elements
  int block = 256;                 // threads per block (a multiple of 32)
  int64_t splits = 1;              // blocks sharing one output (> 1: a second pass folds partials)
  int64_t grid = 0;
};

/// Threads one SM keeps resident (the H100/H200 generation and its predecessors).
constexpr int64_t kResidentThreadsPerSm = 2048;
/// Launches beyond this many blocks loop over their work (grid-stride), far below CUDA's
/// 2^31 - 1 limit on gridDim.x.
constexpr int64_t kMaxReduceGrid = int64_t(1) << 20;

/// Reductions whose reduced elements are contiguous (`inner_contiguous`) get a block (or,
/// for short rows, a narrower block) per output and warp shuffles; when the outputs are
/// few and long, the row is split over several blocks. Reductions over a strided dim with
/// many outputs give each thread one output, so neighbouring threads read neighbouring
/// addresses; when those threads would not fill the GPU and the columns are long (a bias
/// gradient's sum over the batch), each column is split over several threads too, at
/// least 16 elements each, and a second pass folds the partials.
inline ReducePlan plan_reduce(int64_t outputs, int64_t length, bool inner_contiguous, int sm_count) {
  ReducePlan p;
  if (outputs <= 0) return p;
  const int64_t sms = std::max(sm_count, 1);
  const int64_t target_blocks = sms * 4;
  if (!inner_contiguous && outputs >= 64) {
    p.thread_per_output = true;
    const int64_t resident = sms * kResidentThreadsPerSm;
    if (outputs < resident && length >= 32) {
      p.splits = std::clamp<int64_t>(std::min(resident / outputs, length / 16), 1, 1024);
    }
    p.grid = (outputs * p.splits + p.block - 1) / p.block;
    return p;
  }
  p.block = fold_block(length);
  // Each block should still read at least ~4 elements per thread per split.
  if (outputs < target_blocks && length > static_cast<int64_t>(p.block) * 16) {
    const int64_t want = (target_blocks + outputs - 1) / outputs;
    const int64_t most = length / (static_cast<int64_t>(p.block) * 4);
    p.splits = std::clamp<int64_t>(std::min(want, most), 1, 1024);
  }
  p.grid = outputs * p.splits;
  return p;
}

/// Chunks each slice of an inclusive scan is cut into: 1 (one thread runs the slice) when
/// the slices alone fill the GPU or are short; otherwise enough chunks of at least 64
/// elements to fill it, scanned in three passes (chunk totals, a scan of the totals per
/// slice, the chunks again from their prefixes).
inline int64_t scan_chunks(int64_t slices, int64_t n, int sm_count) {
  const int64_t resident = static_cast<int64_t>(std::max(sm_count, 1)) * kResidentThreadsPerSm;
  if (slices <= 0 || slices >= resident || n < 128) return 1;
  return std::clamp<int64_t>(std::min(resident / slices, n / 64), 1, 65536);
}

/// Whether sort/topk/selections over `slices` slices of n elements sort by device-wide
/// radix sort (every element in parallel) rather than one merge sort per slice on one
/// thread: short slices numerous enough to fill the GPU stay one per thread.
inline bool sort_slices_by_radix(int64_t slices, int64_t n, int sm_count) {
  return n > 32 || slices < static_cast<int64_t>(std::max(sm_count, 1)) * 256;
}

}  // namespace ember::backend
