// Training-mode batch norm on cuDNN (Backend::batch_norm, batch_norm_backward), as
// libtorch's cudnn_batch_norm: spatial mode for inputs with spatial dims (statistics over N
// and every position), per-activation mode for [N, C] inputs (statistics over N; libtorch
// sends those to its own kernels, the statistics are the same). An
// [N, C, d1, ..., dk] input is described as [N, C, d1 * ... * d(k-1), dk], which normalizes
// over the same elements. Float, double and float16 inputs, statistics in float (double for
// double). False when cuDNN is absent or switched off, or the operands do not fit; the
// front-end then composes batch norm from ops.
#include <climits>
#include <initializer_list>

#include "backends/cuda/cudnn_common.h"
#include "ember/cuda.h"

namespace ember::backend::cuda {

#if EMBER_HAVE_CUDNN

namespace {

// Batch limits libtorch keeps cuDNN's training batch norm under: spatial mode, and the
// lower one its earlier releases gave per-activation mode.
constexpr int64_t kMaxBatch = 880801;
constexpr int64_t kMaxBatchPerActivation = 131070;

struct Layout {
  int64_t x[4];
  cudnnBatchNormMode_t mode;
  cudnnDataType_t dtype;
};

// The layout for cuDNN when it can take these operands: a non-empty contiguous input of a
// dtype it normalizes, and per-channel operands of the statistics dtype.
bool layout_of(const TensorArg& in, std::initializer_list<const TensorArg*> per_channel, Layout& l) {
  if (!::ember::cuda::cudnn_enabled() || in.ndim < 2 || !in.contiguous) return false;
  if (in.dtype != kFloat && in.dtype != kDouble && in.dtype != kHalf) return false;
  const ScalarType stats = in.dtype == kDouble ? kDouble : kFloat;
  for (const TensorArg* t : per_channel)
    if (t && (t->dtype != stats || !t->contiguous || t->numel != in.sizes[1])) return false;
  int64_t rows = 1, cols = 1;
  if (in.ndim >= 3) {
    cols = in.sizes[in.ndim - 1];
    for (int d = 2; d < in.ndim - 1; ++d) rows *= in.sizes[d];
  }
  l.x[0] = in.sizes[0];
  l.x[1] = in.sizes[1];
  l.x[2] = rows;
  l.x[3] = cols;
  // cuDNN describes tensors of fewer than 2^31 elements.
  if (in.numel <= 0 || in.numel >= INT_MAX || in.sizes[0] > (in.ndim == 2 ? kMaxBatchPerActivation : kMaxBatch))
    return false;
  l.mode = in.ndim == 2 ? CUDNN_BATCHNORM_PER_ACTIVATION : CUDNN_BATCHNORM_SPATIAL;
  return cudnn_data_type(in.dtype, l.dtype);
}

// The input's descriptor and the per-channel one cuDNN derives from it for the mode.
struct Descs {
  explicit Descs(const Layout& l) : x(l.dtype, l.x) {
    EMBER_CUDNN_CHECK(cudnnDeriveBNTensorDescriptor(stats.d, x.d, l.mode));
  }
  TensorDesc x, stats;
};

// Blend factors 1 and 0 in the type cuDNN reads them as: double for double data, else float.
struct Blend {
  explicit Blend(ScalarType t) : dbl(t == kDouble) {}
  const void* one() const { return dbl ? static_cast<const void*>(&one_d) : &one_f; }
  const void* zero() const { return dbl ? static_cast<const void*>(&zero_d) : &zero_f; }
  bool dbl;
  double one_d = 1, zero_d = 0;
  float one_f = 1, zero_f = 0;
};

}  // namespace

bool CudaBackend::batch_norm(const BatchNormArgs& a) {
  Layout l;
  // cuDNN takes both running statistics or neither.
  if ((a.running_mean == nullptr) != (a.running_var == nullptr) || a.eps < CUDNN_BN_MIN_EPSILON ||
      !layout_of(a.input, {&a.weight, &a.bias, &a.save_mean, &a.save_invstd, a.running_mean, a.running_var}, l))
    return false;
  const Descs d(l);
  const Blend blend(a.input.dtype);
  EMBER_CUDNN_CHECK(cudnnBatchNormalizationForwardTraining(
      cudnn_handle(), l.mode, blend.one(), blend.zero(), d.x.d, a.input.data, d.x.d, a.out.data, d.stats.d, a.weight.data,
      a.bias.data, a.momentum, a.running_mean ? a.running_mean->data : nullptr,
      a.running_var ? a.running_var->data : nullptr, a.eps, a.save_mean.data, a.save_invstd.data));
  return true;
}

bool CudaBackend::batch_norm_backward(const BatchNormBackwardArgs& a) {
  Layout l;
  if (a.eps < CUDNN_BN_MIN_EPSILON || !a.grad_out.contiguous || a.grad_out.dtype != a.input.dtype ||
      !layout_of(a.input, {&a.weight, &a.save_mean, &a.save_invstd, &a.grad_weight, &a.grad_bias}, l))
    return false;
  const Descs d(l);
  const Blend blend(a.input.dtype);
  EMBER_CUDNN_CHECK(cudnnBatchNormalizationBackward(
      cudnn_handle(), l.mode, blend.one(), blend.zero(), blend.one(), blend.zero(), d.x.d, a.input.data, d.x.d,
      a.grad_out.data, d.x.d, a.grad_input.data, d.stats.d, a.weight.data, a.grad_weight.data, a.grad_bias.data, a.eps,
      a.save_mean.data, a.save_invstd.data));
  return true;
}

#else

bool CudaBackend::batch_norm(const BatchNormArgs&) { return false; }
bool CudaBackend::batch_norm_backward(const BatchNormBackwardArgs&) { return false; }

#endif

}  // namespace ember::backend::cuda
