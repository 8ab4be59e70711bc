#pragma once
// IValue: a tagged value holding a Tensor, number, bool, string or list, for
// AutogradContext::saved_data (the part of c10::IValue that custom Functions use).
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "ember/tensor.h"

namespace ember {

/// A None, Tensor, double, int64, bool, string, int list or double list, with
/// libtorch's is*/to* accessors. A to* of the wrong kind raises ember::Error.
class IValue {
 public:
  IValue() = default;
  IValue(Tensor t) : v_(std::move(t)) {}
  IValue(bool b) : v_(b) {}
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  IValue(T i) : v_(static_cast<int64_t>(i)) {}
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  IValue(T d) : v_(static_cast<double>(d)) {}
  IValue(std::string s) : v_(std::move(s)) {}
  IValue(const char* s) : v_(std::string(s)) {}
  IValue(std::vector<int64_t> l) : v_(std::move(l)) {}
  IValue(IntArrayRef l) : v_(l.vec()) {}
  IValue(std::vector<double> l) : v_(std::move(l)) {}
  /// A Scalar keeps its kind: double, int64 or bool.
  IValue(const Scalar& s);

  bool isNone() const { return std::holds_alternative<std::monostate>(v_); }
  bool isTensor() const { return std::holds_alternative<Tensor>(v_); }
  bool isDouble() const { return std::holds_alternative<double>(v_); }
  bool isInt() const { return std::holds_alternative<int64_t>(v_); }
  bool isBool() const { return std::holds_alternative<bool>(v_); }
  bool isString() const { return std::holds_alternative<std::string>(v_); }
  bool isIntList() const { return std::holds_alternative<std::vector<int64_t>>(v_); }
  bool isDoubleList() const { return std::holds_alternative<std::vector<double>>(v_); }
  /// True for a double, int or bool (the kinds a Scalar can hold).
  bool isScalar() const { return isDouble() || isInt() || isBool(); }

  const Tensor& toTensor() const { return get<Tensor>("Tensor"); }
  double toDouble() const { return get<double>("Double"); }
  int64_t toInt() const { return get<int64_t>("Int"); }
  bool toBool() const { return get<bool>("Bool"); }
  const std::string& toStringRef() const { return get<std::string>("String"); }
  std::vector<int64_t> toIntVector() const { return get<std::vector<int64_t>>("IntList"); }
  const std::vector<int64_t>& toIntList() const { return get<std::vector<int64_t>>("IntList"); }
  std::vector<double> toDoubleVector() const { return get<std::vector<double>>("DoubleList"); }
  /// A double, int or bool as a Scalar of the same kind.
  Scalar toScalar() const;
  /// The kind's name as libtorch spells it ("Tensor", "Double", "Int", ...).
  std::string tagKind() const;

 private:
  template <class T>
  const T& get(const char* kind) const {
    if (const T* p = std::get_if<T>(&v_)) return *p;
    fail(kind);
  }
  [[noreturn]] void fail(const char* expected) const;

  std::variant<std::monostate, Tensor, double, int64_t, bool, std::string, std::vector<int64_t>,
               std::vector<double>>
      v_;
};

}  // namespace ember
