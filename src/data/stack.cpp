#include <vector>

#include "ember/autograd.h"
#include "ember/data/transforms/stack.h"
#include "ember/ops.h"

namespace ember::data::detail {

Tensor stack(const std::vector<Tensor>& tensors) {
  EMBER_CHECK(!tensors.empty(), Error, "data::Stack", "expected a non-empty list of tensors");
  const Tensor& first = tensors.front();
  for (size_t i = 0; i < tensors.size(); ++i) {
    EMBER_CHECK(tensors[i].defined(), Error, "data::Stack", "tensor ", i, " is undefined");
    EMBER_CHECK(tensors[i].sizes() == first.sizes(), ShapeError, "data::Stack",
                "stack expects each tensor to be equal size, but got ", first.sizes(), " at entry 0 and ",
                tensors[i].sizes(), " at entry ", i);
  }
  std::vector<int64_t> sizes{static_cast<int64_t>(tensors.size())};
  for (int64_t s : first.sizes()) sizes.push_back(s);
  NoGradGuard no_grad;
  Tensor out = empty(sizes, first.options().requires_grad(false));
  for (size_t i = 0; i < tensors.size(); ++i) out.select(0, static_cast<int64_t>(i)).copy_(tensors[i]);
  return out;
}

}  // namespace ember::data::detail
