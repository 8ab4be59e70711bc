#pragma once
// Saving and loading tensors, optimizers and modules (torch::save / torch::load).
//
// An archive is an ordered tree of named entries: tensors (parameters or buffers), small
// values (ArchiveValue: numbers, strings, lists) and nested archives. OutputArchive collects
// entries and writes them as a safetensors file (a JSON header, then the raw data), the
// tensors named by their keys joined with '.' as PyTorch names a module's parameters
// ("features.0.weight"); the rest of the tree is described in the header's metadata.
// InputArchive reads such files, including ones written by Python's safetensors package;
// every failure (missing file, truncated or corrupt data, unsupported dtype, missing key)
// raises ember::Error naming the file and the problem.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "ember/device.h"
#include "ember/tensor.h"

namespace ember {

/// (libtorch stores these as c10::IValue; ember::IValue is the custom-Function value type.)
/// A value stored in an archive besides tensors and nested archives: None, bool, int,
/// double, string, tensor, or a list of tensors, ints or doubles (the part of libtorch's
/// ArchiveValue that optimizers and modules serialize).
class ArchiveValue {
 public:
  /// None.
  ArchiveValue() = default;
  ArchiveValue(bool v) : v_(v) {}
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  ArchiveValue(T v) : v_(static_cast<int64_t>(v)) {}
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  ArchiveValue(T v) : v_(static_cast<double>(v)) {}
  ArchiveValue(const char* s) : v_(std::string(s)) {}
  ArchiveValue(std::string s) : v_(std::move(s)) {}
  ArchiveValue(Tensor t) : v_(std::move(t)) {}
  ArchiveValue(std::vector<Tensor> v) : v_(std::move(v)) {}
  ArchiveValue(std::vector<int64_t> v) : v_(std::move(v)) {}
  ArchiveValue(std::vector<double> v) : v_(std::move(v)) {}
  /// None when empty, else the contained value.
  template <class T>
  ArchiveValue(const std::optional<T>& o) {
    if (o) *this = ArchiveValue(*o);
  }

  bool isNone() const { return v_.index() == 0; }
  bool isBool() const { return v_.index() == 1; }
  bool isInt() const { return v_.index() == 2; }
  bool isDouble() const { return v_.index() == 3; }
  bool isString() const { return v_.index() == 4; }
  bool isTensor() const { return v_.index() == 5; }
  bool isTensorList() const { return v_.index() == 6; }
  bool isIntList() const { return v_.index() == 7; }
  bool isDoubleList() const { return v_.index() == 8; }

  /// The contained value; a different kind raises ember::Error naming both kinds.
  bool toBool() const;
  int64_t toInt() const;
  double toDouble() const;
  const std::string& toStringRef() const;
  Tensor toTensor() const;
  std::vector<Tensor> toTensorVector() const;
  std::vector<int64_t> toIntVector() const;
  std::vector<double> toDoubleVector() const;
  /// Name of the contained kind ("None", "Bool", "Int", "Double", "String", "Tensor",
  /// "TensorList", "IntList", "DoubleList").
  const char* tagKind() const;

  using Storage = std::variant<std::monostate, bool, int64_t, double, std::string, Tensor,
                               std::vector<Tensor>, std::vector<int64_t>, std::vector<double>>;
  const Storage& storage() const { return v_; }

 private:
  Storage v_;
};

namespace serialize {

namespace detail {
struct ArchiveNode;
}  // namespace detail

/// Collects named tensors, values and nested archives and writes them out
/// (torch::serialize::OutputArchive).
class OutputArchive final {
 public:
  OutputArchive();
  ~OutputArchive();
  OutputArchive(OutputArchive&&) noexcept;
  OutputArchive& operator=(OutputArchive&&) noexcept;
  OutputArchive(const OutputArchive&) = delete;
  OutputArchive& operator=(const OutputArchive&) = delete;

  /// Writes a value under `key` (a later write of the same key replaces it).
  void write(const std::string& key, const ArchiveValue& ivalue);
  /// Writes a tensor under `key`, marked as a buffer (not a parameter) when is_buffer.
  void write(const std::string& key, const Tensor& tensor, bool is_buffer = false);
  /// Writes a nested archive under `key`.
  void write(const std::string& key, OutputArchive& nested_archive);

  /// Writes the archive to the file at `filename` (created or truncated).
  void save_to(const std::string& filename);
  /// Writes the archive to `stream`.
  void save_to(std::ostream& stream);
  /// Writes the archive through `func(data, size)`, which returns the bytes it wrote.
  void save_to(const std::function<size_t(const void*, size_t)>& func);

  /// Keys written so far, in order.
  std::vector<std::string> keys() const;

  /// Forwards to write(), so that serialize code can be shared with InputArchive.
  template <class... Ts>
  void operator()(Ts&&... ts) {
    write(std::forward<Ts>(ts)...);
  }

 private:
  std::shared_ptr<detail::ArchiveNode> root_;
};

/// Reads what an OutputArchive wrote (torch::serialize::InputArchive).
class InputArchive final {
 public:
  InputArchive();
  ~InputArchive();
  InputArchive(InputArchive&&) noexcept;
  InputArchive& operator=(InputArchive&&) noexcept;
  InputArchive(const InputArchive&) = delete;
  InputArchive& operator=(const InputArchive&) = delete;

  /// Reads the value under `key`; raises ember::Error when there is none.
  void read(const std::string& key, ArchiveValue& ivalue);
  /// Reads the value under `key`; returns false when there is none.
  bool try_read(const std::string& key, ArchiveValue& ivalue);
  /// Reads the tensor under `key` into `tensor`: an undefined tensor (or one whose shape,
  /// dtype or device differ) is rebound to the loaded tensor, a matching one is
  /// overwritten in place without recording gradients. Returns false when there is none.
  bool try_read(const std::string& key, Tensor& tensor, bool is_buffer = false);
  /// As try_read, raising ember::Error when there is no tensor under `key`.
  void read(const std::string& key, Tensor& tensor, bool is_buffer = false);
  /// Reads the nested archive under `key`; returns false when there is none.
  bool try_read(const std::string& key, InputArchive& archive);
  /// Reads the nested archive under `key`; raises ember::Error when there is none.
  void read(const std::string& key, InputArchive& archive);

  /// Loads the archive from the file at `filename`; tensors go to `device` when given,
  /// else to the CPU.
  void load_from(const std::string& filename, std::optional<Device> device = std::nullopt);
  /// Loads the archive from `stream`.
  void load_from(std::istream& stream, std::optional<Device> device = std::nullopt);
  /// Loads the archive from `size` bytes at `data`.
  void load_from(const char* data, size_t size, std::optional<Device> device = std::nullopt);

  /// Keys of this archive's entries, in the order they were written.
  std::vector<std::string> keys();

  /// Forwards to read(), so that serialize code can be shared with OutputArchive.
  template <class... Ts>
  void operator()(Ts&&... ts) {
    read(std::forward<Ts>(ts)...);
  }

 private:
  std::shared_ptr<const detail::ArchiveNode> root_;
  std::string source_;     // the file name (or "<stream>", "<buffer>") for messages
  std::string prefix_;     // path of this archive inside the file, for messages
  std::optional<Device> device_;
};

}  // namespace serialize

/// Writes `tensor` under key "0".
serialize::OutputArchive& operator<<(serialize::OutputArchive& archive, const Tensor& tensor);
/// Reads the tensor under key "0".
serialize::InputArchive& operator>>(serialize::InputArchive& archive, Tensor& tensor);

/// Saves `value` (a tensor, an optimizer, a module: anything with an
/// `operator<<(serialize::OutputArchive&, const Value&)`) to a file name, a stream or a
/// writer function (torch::save).
template <class Value, class... SaveToArgs>
void save(const Value& value, SaveToArgs&&... args) {
  serialize::OutputArchive archive;
  archive << value;
  archive.save_to(std::forward<SaveToArgs>(args)...);
}

/// Saves a list of tensors under keys "0", "1", ... (torch::save of a tensor vector).
template <class... SaveToArgs>
void save(const std::vector<Tensor>& tensor_vec, SaveToArgs&&... args) {
  serialize::OutputArchive archive;
  for (size_t i = 0; i < tensor_vec.size(); ++i) archive.write(std::to_string(i), tensor_vec[i]);
  archive.save_to(std::forward<SaveToArgs>(args)...);
}

/// Loads `value` from a file name, a stream or a buffer (torch::load).
template <class Value, class... LoadFromArgs>
void load(Value& value, LoadFromArgs&&... args) {
  serialize::InputArchive archive;
  archive.load_from(std::forward<LoadFromArgs>(args)...);
  archive >> value;
}

/// Appends the tensors saved by save(std::vector<Tensor>) to `tensor_vec`.
template <class... LoadFromArgs>
void load(std::vector<Tensor>& tensor_vec, LoadFromArgs&&... args) {
  serialize::InputArchive archive;
  archive.load_from(std::forward<LoadFromArgs>(args)...);
  Tensor value;
  for (size_t i = 0; archive.try_read(std::to_string(i), value); ++i) {
    tensor_vec.push_back(std::move(value));
    value = Tensor();
  }
}

}  // namespace ember
