#pragma once
// Activations and the softmax family (src/ops/activation.cpp, src/ops/softmax.cpp).
#include "ember/tensor.h"

namespace ember {

}  // namespace ember
