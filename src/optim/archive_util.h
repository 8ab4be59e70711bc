#pragma once
// Reading and writing single option / state fields of optimizers.
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "ember/serialize.h"

namespace ember::optim::detail {

inline ArchiveValue read_value(serialize::InputArchive& a, const char* key) {
  ArchiveValue v;
  a.read(key, v);
  return v;
}
inline double read_double(serialize::InputArchive& a, const char* key) { return read_value(a, key).toDouble(); }
inline int64_t read_int(serialize::InputArchive& a, const char* key) { return read_value(a, key).toInt(); }
inline bool read_bool(serialize::InputArchive& a, const char* key) { return read_value(a, key).toBool(); }

/// An optional field: None (or absent) reads as nullopt.
template <class T>
std::optional<T> read_optional(serialize::InputArchive& a, const char* key) {
  ArchiveValue v;
  if (!a.try_read(key, v) || v.isNone()) return std::nullopt;
  if constexpr (std::is_same_v<T, int64_t>) return v.toInt();
  else if constexpr (std::is_same_v<T, double>) return v.toDouble();
  else if constexpr (std::is_same_v<T, std::string>) return v.toStringRef();
  else return v.toTensorVector();
}

/// Undefined state tensors are not written (as libtorch), and read back as undefined.
inline void write_tensor(serialize::OutputArchive& a, const char* key, const Tensor& t) {
  if (t.defined()) a.write(key, t, /*is_buffer=*/true);
}
inline Tensor read_tensor(serialize::InputArchive& a, const char* key) {
  Tensor t;
  a.try_read(key, t, /*is_buffer=*/true);
  return t;
}

inline void write_deque(serialize::OutputArchive& a, const char* key, const std::deque<Tensor>& d) {
  a.write(key, ArchiveValue(std::vector<Tensor>(d.begin(), d.end())));
}
inline std::deque<Tensor> read_deque(serialize::InputArchive& a, const char* key) {
  auto v = read_value(a, key).toTensorVector();
  return std::deque<Tensor>(v.begin(), v.end());
}

/// Both undefined, or both defined with equal sizes and values.
inline bool equal_if_defined(const Tensor& a, const Tensor& b) {
  if (a.defined() != b.defined()) return false;
  return !a.defined() || (a.sizes() == b.sizes() && a.dtype() == b.dtype() && a.equal(b));
}

}  // namespace ember::optim::detail
