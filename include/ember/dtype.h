#pragma once
// Element types and libtorch's type promotion.
#include <cstddef>
#include <cstdint>
#include <ostream>

namespace ember {

/// Element type of a tensor (libtorch's c10::ScalarType, same spelling).
enum class ScalarType : int8_t {
  Byte = 0,   // uint8_t
  Int,        // int32_t
  Long,       // int64_t
  Float,      // float
  Double,     // double
  Bool,       // bool
  Half,       // IEEE binary16 (computes on CUDA; storage and conversion on the CPU)
  BFloat16,   // bfloat16 (computes on CUDA; storage and conversion on the CPU)
  Undefined,
};
using Dtype = ScalarType;
constexpr int kNumScalarTypes = 8;

constexpr ScalarType kByte = ScalarType::Byte;
constexpr ScalarType kUInt8 = ScalarType::Byte;
constexpr ScalarType kInt = ScalarType::Int;
constexpr ScalarType kInt32 = ScalarType::Int;
constexpr ScalarType kLong = ScalarType::Long;
constexpr ScalarType kInt64 = ScalarType::Long;
constexpr ScalarType kFloat = ScalarType::Float;
constexpr ScalarType kFloat32 = ScalarType::Float;
constexpr ScalarType kDouble = ScalarType::Double;
constexpr ScalarType kFloat64 = ScalarType::Double;
constexpr ScalarType kBool = ScalarType::Bool;
constexpr ScalarType kHalf = ScalarType::Half;
constexpr ScalarType kFloat16 = ScalarType::Half;
constexpr ScalarType kBFloat16 = ScalarType::BFloat16;

/// Size in bytes of one element.
constexpr size_t element_size(ScalarType t) {
  constexpr size_t sizes[] = {1, 4, 8, 4, 8, 1, 2, 2, 0};
  return sizes[static_cast<int>(t)];
}
/// True for float, double, half and bfloat16 (libtorch's isFloatingType).
constexpr bool isFloatingType(ScalarType t) {
  return t == kFloat || t == kDouble || t == kHalf || t == kBFloat16;
}
/// True for integer types, and for bool when include_bool (libtorch's isIntegralType).
constexpr bool isIntegralType(ScalarType t, bool include_bool) {
  return t == kByte || t == kInt || t == kLong || (include_bool && t == kBool);
}
/// libtorch's name of the type, e.g. "Float".
const char* toString(ScalarType t);
std::ostream& operator<<(std::ostream& os, ScalarType t);
/// The smallest type both a and b convert to without loss of category (torch.promote_types).
ScalarType promote_types(ScalarType a, ScalarType b);
/// Default floating type of factories and of integer-to-float promotion.
ScalarType get_default_dtype();
/// Sets the default floating type (kFloat or kDouble), like torch.set_default_dtype.
void set_default_dtype(ScalarType t);

template <class T> struct CppTypeToScalarType;
template <> struct CppTypeToScalarType<uint8_t> { static constexpr ScalarType value = kByte; };
template <> struct CppTypeToScalarType<int32_t> { static constexpr ScalarType value = kInt; };
template <> struct CppTypeToScalarType<int64_t> { static constexpr ScalarType value = kLong; };
template <> struct CppTypeToScalarType<float> { static constexpr ScalarType value = kFloat; };
template <> struct CppTypeToScalarType<double> { static constexpr ScalarType value = kDouble; };
template <> struct CppTypeToScalarType<bool> { static constexpr ScalarType value = kBool; };

}  // namespace ember
