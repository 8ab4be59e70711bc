#pragma once
// Helpers shared by op front-ends: allocation, kernel operands, dim wrapping, checks.
#include "backends/backend.h"
#include "ember/ops.h"
#include "ember/detail/record_function.h"
#include "ember/tensor.h"

namespace ember::detail {

/// A new contiguous tensor (uninitialised) of the given sizes, dtype and device.
Tensor make_tensor(IntArrayRef sizes, ScalarType dtype, Device device);
/// Row-major strides of sizes.
DimVector contiguous_strides(IntArrayRef sizes);
/// A view of self's storage with new geometry (no autograd; callers record views).
Tensor make_view(const Tensor& self, IntArrayRef sizes, IntArrayRef strides, int64_t offset);

/// Kernel operand for t.
inline backend::TensorArg arg(const Tensor& t) {
  auto* i = t.unsafeGetTensorImpl();
  return backend::TensorArg{i->data(), i->dtype(), static_cast<int>(i->dim()), i->sizes().data(),
                            i->strides().data(), i->numel(), i->is_contiguous()};
}
/// Kernel operand for t viewed with the given sizes/strides (broadcasting by stride 0).
struct ArgWithGeometry {
  DimVector sizes, strides;
  backend::TensorArg arg;
};
/// t expanded to `sizes` (stride 0 on broadcast dims) as a kernel operand.
ArgWithGeometry broadcast_arg(const Tensor& t, IntArrayRef sizes);

/// The backend of t's device, that device current for the statement: backend_of(t)->op(...).
inline backend::BackendOn backend_of(const Tensor& t) { return backend::BackendOn(t.device()); }

/// Wraps a possibly negative dim into [0, ndim); raises IndexError naming op.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);
/// Raises DeviceError when a and b are on different devices.
void check_same_device(const Tensor& a, const Tensor& b, const char* op);
/// Raises Error when t is undefined.
void check_defined(const Tensor& t, const char* op, const char* name = "self");
/// Bumps the version counter after an in-place write.
inline void bump_version(const Tensor& t) { t.unsafeGetTensorImpl()->storage()->bump_version(); }
/// Scalar as a 0-dim tensor of dtype on device.
Tensor scalar_to_tensor(const Scalar& s, ScalarType dtype, Device device);
/// Casts t to dtype when it differs (no copy otherwise).
Tensor cast(const Tensor& t, ScalarType dtype);
/// Resizes an out= tensor to sizes (new storage when it does not fit).
void resize_out(Tensor& out, IntArrayRef sizes, const char* op);
/// Number of elements of sizes.
int64_t prod(IntArrayRef sizes);
/// The shape a and b broadcast to; raises ShapeError naming `op` and both shapes when
/// they do not broadcast (infer_size names no op).
std::vector<int64_t> broadcast_shapes(IntArrayRef a, IntArrayRef b, const char* op);

}  // namespace ember::detail
