#pragma once
// Shared by the convolution, pooling and resampling front-ends: argument expansion and
// checks, kernel operands for slices of a contiguous buffer, and the differentiable 2-D
// convolution core that conv1d/conv2d/conv_transpose* and their gradients all run on.
#include <string>

#include "src/ops/elementwise_common.h"

namespace ember::ops {

/// A contiguous kernel operand over raw memory (sizes stored inline).
struct RawArg {
  int64_t sizes[6];
  int64_t strides[6];
  backend::TensorArg arg;
  RawArg(void* data, ScalarType dtype, IntArrayRef shape) {
    int64_t n = 1;
    const int nd = static_cast<int>(shape.size());
    for (int d = nd - 1; d >= 0; --d) {
      sizes[d] = shape[static_cast<size_t>(d)];
      strides[d] = n;
      n *= sizes[d];
    }
    arg = backend::TensorArg{data, dtype, nd, sizes, strides, n, true};
  }
};

/// One value per spatial dim from a list of 1 or n values (libtorch's
/// expand_param_if_needed); raises ShapeError naming op and param otherwise.
DimVector expand_param(IntArrayRef values, const char* param, int64_t n, const char* op);
/// Raises DTypeError unless t is float32 or float64, or float16/bfloat16 on CUDA.
void check_floating(const Tensor& t, const char* op, const char* what = "input");
/// "(a x b)"-style text of sizes, as libtorch prints spatial shapes.
std::string spatial_text(IntArrayRef sizes);

/// 2-D geometry of a convolution (1-D convolutions use kh = sh = dh = 1, ph = 0).
struct ConvGeom {
  int64_t kh, kw, sh, sw, ph, pw, dh, dw, groups;
};

/// y = conv(x, w) + bias (transposed = false, w [O, C/G, kh, kw]) or the transposed
/// convolution (w [C, O/G, kh, kw]) of 4-D x, with output spatial size (oh, ow).
/// Differentiable in x, w and bias, to any order.
Tensor conv2d_core(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvGeom& g, bool transposed,
                   int64_t oh, int64_t ow);
/// dL/dw of y = conv(x, w) given dL/dy = gy (w has [gy.size(1), x.size(1)/G, kh, kw]).
/// Differentiable in x and gy.
Tensor conv2d_weight_grad(const Tensor& x, const Tensor& gy, const ConvGeom& g);

/// Adds a leading batch dim to an unbatched input (rank == batched_rank - 1).
inline Tensor batchify(const Tensor& t, int64_t batched_rank) {
  return t.dim() == batched_rank - 1 ? t.unsqueeze(0) : t;
}
/// Undoes batchify on the result.
inline Tensor unbatchify(const Tensor& r, const Tensor& input, int64_t batched_rank) {
  return input.dim() == batched_rank - 1 ? r.squeeze(0) : r;
}

}  // namespace ember::ops
