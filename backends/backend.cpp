// Default kernel entries: a backend that lacks a family reports it by name instead of
// failing to build.
#include "backends/backend.h"

#include "ember/errors.h"

namespace ember::backend {
void Backend::missing(const char* family) const {
  detail::throw_error<NotImplementedError>(family, "kernel family '", family,
                                           "' is not implemented by the ", name(), " backend");
}

void Backend::copy(const TensorArg&, const TensorArg&) { missing("copy_"); }
void Backend::copy_between(const TensorArg&, Device, const TensorArg&, Device, bool) { missing("copy_"); }
void Backend::fill(const TensorArg&, const Scalar&) { missing("fill_"); }
void Backend::fill_range(const TensorArg&, double, double) { missing("arange"); }
void Backend::unary(UnaryOp, const TensorArg&, const TensorArg&, UnaryParams) { missing("unary"); }
void Backend::binary(BinaryOp, const TensorArg&, const TensorArg&, const TensorArg&, const Scalar&) {
  missing("binary");
}
void Backend::where(const TensorArg&, const TensorArg&, const TensorArg&, const TensorArg&) {
  missing("where");
}
void Backend::reduce(ReduceOp, const TensorArg&, const TensorArg&) { missing("reduce"); }
void Backend::arg_reduce(ArgReduceOp, const TensorArg&, int, const TensorArg&) { missing("argmax"); }
void Backend::gemm(const GemmArgs&) { missing("mm"); }
void Backend::random(Distribution, const TensorArg&, double, double, Generator&) { missing("random"); }
void Backend::bernoulli_tensor(const TensorArg&, const TensorArg&, Generator&) { missing("bernoulli"); }

}  // namespace ember::backend
