#pragma once
// Joining and rearranging: cat, stack, flip, roll, repeat, tril/triu, ... (src/ops/join.cpp).
#include "ember/tensor.h"

namespace ember {

}  // namespace ember
