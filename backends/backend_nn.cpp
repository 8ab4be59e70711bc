// Default entries of the activation and softmax kernel families: a backend without them
// reports the family by name. Fused batch norm is optional: without it, false.
#include "backends/backend.h"

namespace ember::backend {

void Backend::activation(ActivationOp, const TensorArg&, const TensorArg&, const ActivationParams&) {
  missing("activation");
}
void Backend::activation_backward(ActivationOp, const TensorArg&, const TensorArg&, const TensorArg&,
                                  const ActivationParams&) {
  missing("activation_backward");
}
void Backend::softmax(const TensorArg&, int, bool, const TensorArg&) { missing("softmax"); }
void Backend::softmax_backward(const TensorArg&, const TensorArg&, int, bool, const TensorArg&) {
  missing("softmax_backward");
}

void Backend::logsumexp(const TensorArg&, int, const TensorArg&) { missing("logsumexp"); }

bool Backend::batch_norm(const BatchNormArgs&) { return false; }
bool Backend::batch_norm_backward(const BatchNormBackwardArgs&) { return false; }

}  // namespace ember::backend
