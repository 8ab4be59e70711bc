#pragma once
// Losses and distances (src/ops/loss.cpp).
#include "ember/tensor.h"

namespace ember {

}  // namespace ember
