// ArchiveValue accessors: a wrong kind is a user error (a file written by different code).
#include "ember/serialize.h"

namespace ember {
namespace {
constexpr const char* kKinds[] = {"None",   "Bool",       "Int",     "Double",    "String",
                                  "Tensor", "TensorList", "IntList", "DoubleList"};

template <class T>
const T& get_as(const ArchiveValue::Storage& v, const char* expected) {
  const T* p = std::get_if<T>(&v);
  EMBER_CHECK(p != nullptr, Error, "ArchiveValue", "expected ", expected, " but the value is ", kKinds[v.index()]);
  return *p;
}
}  // namespace

const char* ArchiveValue::tagKind() const { return kKinds[v_.index()]; }
bool ArchiveValue::toBool() const { return get_as<bool>(v_, "Bool"); }
int64_t ArchiveValue::toInt() const { return get_as<int64_t>(v_, "Int"); }
double ArchiveValue::toDouble() const { return get_as<double>(v_, "Double"); }
const std::string& ArchiveValue::toStringRef() const { return get_as<std::string>(v_, "String"); }
Tensor ArchiveValue::toTensor() const { return get_as<Tensor>(v_, "Tensor"); }
std::vector<Tensor> ArchiveValue::toTensorVector() const { return get_as<std::vector<Tensor>>(v_, "TensorList"); }
std::vector<int64_t> ArchiveValue::toIntVector() const { return get_as<std::vector<int64_t>>(v_, "IntList"); }
std::vector<double> ArchiveValue::toDoubleVector() const { return get_as<std::vector<double>>(v_, "DoubleList"); }

}  // namespace ember
