// Default entries of the convolution, pooling and resampling kernel family.
#include "backends/backend.h"

namespace ember::backend {

void Backend::im2col(const TensorArg&, const TensorArg&, const Window2d&) { missing("im2col"); }
void Backend::col2im(const TensorArg&, const TensorArg&, const Window2d&) { missing("col2im"); }
bool Backend::convolution(ConvDirection, const TensorArg&, const TensorArg&, const TensorArg&, const Window2d&,
                          int64_t) {
  return false;
}
void Backend::pool2d(PoolOp, const TensorArg&, const TensorArg&, const TensorArg*, const PoolParams&) {
  missing("pool2d");
}
void Backend::pool2d_backward(PoolOp, const TensorArg&, const TensorArg&, const PoolParams&) {
  missing("pool2d_backward");
}
void Backend::plane_scatter_add(const TensorArg&, const TensorArg&, const TensorArg&) {
  missing("max_pool_backward");
}
void Backend::plane_gather(const TensorArg&, const TensorArg&, const TensorArg&) { missing("max_pool_gather"); }
void Backend::upsample2d(UpsampleMode, const TensorArg&, const TensorArg&, const UpsampleParams&) {
  missing("upsample2d");
}
void Backend::upsample2d_backward(UpsampleMode, const TensorArg&, const TensorArg&, const UpsampleParams&) {
  missing("upsample2d_backward");
}
void Backend::pad2d(PadMode, const TensorArg&, const TensorArg&, int64_t, int64_t) { missing("pad2d"); }
void Backend::pad2d_backward(PadMode, const TensorArg&, const TensorArg&, int64_t, int64_t) {
  missing("pad2d_backward");
}

}  // namespace ember::backend
