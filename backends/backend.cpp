// Default kernel entries: a backend that lacks a family reports it by name instead of
// failing to build.
#include "backends/backend.h"

#include "ember/errors.h"

namespace ember::backend {
namespace {
[[noreturn]] void missing(const Backend& b, const char* family) {
  detail::throw_error<NotImplementedError>(family, "kernel family '", family,
                                           "' is not implemented by the ", b.name(), " backend");
}
}  // namespace

void Backend::copy(const TensorArg&, const TensorArg&) { missing(*this, "copy_"); }
void Backend::fill(const TensorArg&, const Scalar&) { missing(*this, "fill_"); }
void Backend::fill_range(const TensorArg&, double, double) { missing(*this, "arange"); }
void Backend::unary(UnaryOp, const TensorArg&, const TensorArg&, UnaryParams) { missing(*this, "unary"); }
void Backend::binary(BinaryOp, const TensorArg&, const TensorArg&, const TensorArg&, const Scalar&) {
  missing(*this, "binary");
}
void Backend::where(const TensorArg&, const TensorArg&, const TensorArg&, const TensorArg&) {
  missing(*this, "where");
}
void Backend::reduce(ReduceOp, const TensorArg&, const TensorArg&) { missing(*this, "reduce"); }
void Backend::arg_reduce(ArgReduceOp, const TensorArg&, int, const TensorArg&) { missing(*this, "argmax"); }
void Backend::gemm(const GemmArgs&) { missing(*this, "mm"); }
void Backend::random(Distribution, const TensorArg&, double, double, Generator&) { missing(*this, "random"); }
void Backend::bernoulli_tensor(const TensorArg&, const TensorArg&, Generator&) { missing(*this, "bernoulli"); }

}  // namespace ember::backend
