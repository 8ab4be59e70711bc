#pragma once
// 16-byte vector access for the contiguous elementwise kernels: when every operand's data is
// 16-byte aligned, a thread loads and stores V = 16 / sizeof(T) elements with one
// instruction each (float: 4, double: 2, float16/bfloat16: 8), and the last n % V elements
// go one by one. Host-device code, so tests/test_cuda_offset.cpp runs it on the CPU.
#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "backends/common/host_device.h"

namespace ember::backend {

constexpr size_t kPackedBytes = 16;

/// V elements of T that move as one 16-byte word.
template <class T, int V>
struct alignas(sizeof(T) * V) Packed {
  T v[V];
};

/// Elements per packed access for elements of `elem_size` bytes when every pointer is
/// 16-byte aligned, else 1 (the one-by-one path).
inline int packed_width(size_t elem_size, std::initializer_list<const void*> pointers) {
  if (elem_size == 0 || elem_size >= kPackedBytes || kPackedBytes % elem_size != 0) return 1;
  for (const void* p : pointers)
    if (reinterpret_cast<uintptr_t>(p) % kPackedBytes != 0) return 1;
  return static_cast<int>(kPackedBytes / elem_size);
}

/// out's packed word j = f applied to in's packed word j, element by element.
template <int V, class T, class F>
EMBER_HD void map_packed(T* out, const T* in, int64_t j, const F& f) {
  const Packed<T, V> x = reinterpret_cast<const Packed<T, V>*>(in)[j];
  Packed<T, V> y;
  for (int k = 0; k < V; ++k) y.v[k] = f(x.v[k]);
  reinterpret_cast<Packed<T, V>*>(out)[j] = y;
}

/// out's packed word j = f(a's word j, b's word j), element by element.
template <int V, class T, class F>
EMBER_HD void map_packed(T* out, const T* a, const T* b, int64_t j, const F& f) {
  const Packed<T, V> x = reinterpret_cast<const Packed<T, V>*>(a)[j];
  const Packed<T, V> z = reinterpret_cast<const Packed<T, V>*>(b)[j];
  Packed<T, V> y;
  for (int k = 0; k < V; ++k) y.v[k] = f(x.v[k], z.v[k]);
  reinterpret_cast<Packed<T, V>*>(out)[j] = y;
}

/// Every element of out's packed word j set to value.
template <int V, class T>
EMBER_HD void fill_packed(T* out, int64_t j, T value) {
  Packed<T, V> y;
  for (int k = 0; k < V; ++k) y.v[k] = value;
  reinterpret_cast<Packed<T, V>*>(out)[j] = y;
}

}  // namespace ember::backend
