#pragma once
// Linear algebra beyond the first slice: linear, bilinear, einsum, baddbmm, tensordot, cross (src/ops/linalg_extra.cpp).
#include "ember/tensor.h"

namespace ember {

}  // namespace ember
