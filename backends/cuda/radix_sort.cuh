#pragma once
// Stable device-wide radix sort of (key, value) pairs on the current stream, on cub: the
// one sort behind the sorts and selections (sort.cu) and the deterministic scatters
// (sorted_scatter.cu).
#include <cub/device/device_radix_sort.cuh>

#include "backends/cuda/loops.cuh"

namespace ember::backend::cuda {

/// keys_out, vals_out: the n pairs ordered by bits [0, bits) of their keys, equal keys in
/// input order (LSD radix sort is stable).
template <class K, class V>
void radix_sort_pairs(const K* keys_in, K* keys_out, const V* vals_in, V* vals_out, int64_t n, int bits) {
  size_t bytes = 0;
  EMBER_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, bytes, keys_in, keys_out, vals_in, vals_out, n, 0, bits,
                                                   current_stream()));
  Scratch temp(bytes > 0 ? bytes : 1);
  EMBER_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(temp.get(), bytes, keys_in, keys_out, vals_in, vals_out, n, 0,
                                                   bits, current_stream()));
}

}  // namespace ember::backend::cuda
