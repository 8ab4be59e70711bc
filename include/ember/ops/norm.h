#pragma once
// Normalization and dropout (src/ops/norm.cpp, src/ops/dropout.cpp).
#include "ember/tensor.h"

namespace ember {

}  // namespace ember
