#pragma once
// Indexing: index_select, gather, scatter, masked_select, index_put_, nonzero, one_hot, embedding, Tensor::index (src/ops/index.cpp).
#include "ember/tensor.h"

namespace ember {

}  // namespace ember
