#pragma once
// Reductions and scans beyond the first slice: prod, var/std, norm, cumsum/cumprod, sort/topk, kthvalue/median (src/ops/scan.cpp, src/ops/sort.cpp).
#include "ember/tensor.h"

namespace ember {

}  // namespace ember
