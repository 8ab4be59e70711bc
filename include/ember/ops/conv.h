#pragma once
// Convolution, pooling, interpolation, padding and unfold/fold (src/ops/conv.cpp, src/ops/pool.cpp).
#include "ember/tensor.h"

namespace ember {

}  // namespace ember
