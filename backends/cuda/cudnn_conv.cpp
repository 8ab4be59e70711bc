// Convolution on cuDNN: the three directions of Backend::convolution (forward, data
// gradient, filter gradient) for float, double, float16 and bfloat16 NCHW operands. The
// algorithm comes from cuDNN's heuristics (libtorch's default, benchmark off), once per
// shape (backends/common/conv_plan.h); its workspace comes from the caching allocator,
// and an algorithm whose workspace cannot be had gives way to the next one. Float
// convolutions use TF32 tensor cores only after ember::cuda::set_allow_tf32_cudnn(true).
// With cuda::set_cudnn_deterministic(true) or ember::use_deterministic_algorithms(true)
// only algorithms cuDNN reports deterministic are chosen (none: im2col + GEMM, which is).
// Builds without cuDNN return false, and the front-end runs im2col + cuBLAS.
#include <atomic>
#include <memory>
#include <vector>

#include "backends/common/conv_plan.h"
#include "backends/cuda/cudnn_common.h"
#include "ember/cuda.h"
#include "ember/deterministic.h"

namespace ember::backend::cuda {
namespace {
std::atomic<bool> g_cudnn_enabled{true};
std::atomic<bool> g_allow_tf32_cudnn{false};
std::atomic<bool> g_cudnn_deterministic{false};
}  // namespace

#if EMBER_HAVE_CUDNN

namespace {

using Dir = Backend::ConvDirection;

struct FilterDesc {
  cudnnFilterDescriptor_t d = nullptr;
  FilterDesc(cudnnDataType_t t, const int64_t (&s)[4]) {
    EMBER_CUDNN_CHECK(cudnnCreateFilterDescriptor(&d));
    EMBER_CUDNN_CHECK(cudnnSetFilter4dDescriptor(d, t, CUDNN_TENSOR_NCHW, static_cast<int>(s[0]),
                                                 static_cast<int>(s[1]), static_cast<int>(s[2]),
                                                 static_cast<int>(s[3])));
  }
  ~FilterDesc() { cudnnDestroyFilterDescriptor(d); }
  FilterDesc(const FilterDesc&) = delete;
  FilterDesc& operator=(const FilterDesc&) = delete;
};

struct ConvDesc {
  cudnnConvolutionDescriptor_t d = nullptr;
  ConvDesc(const Backend::Window2d& w, int64_t groups, cudnnDataType_t compute, cudnnMathType_t math) {
    EMBER_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&d));
    EMBER_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(d, static_cast<int>(w.ph), static_cast<int>(w.pw),
                                                      static_cast<int>(w.sh), static_cast<int>(w.sw),
                                                      static_cast<int>(w.dh), static_cast<int>(w.dw),
                                                      CUDNN_CROSS_CORRELATION, compute));
    EMBER_CUDNN_CHECK(cudnnSetConvolutionGroupCount(d, static_cast<int>(groups)));
    EMBER_CUDNN_CHECK(cudnnSetConvolutionMathType(d, math));
  }
  ~ConvDesc() { cudnnDestroyConvolutionDescriptor(d); }
  ConvDesc(const ConvDesc&) = delete;
  ConvDesc& operator=(const ConvDesc&) = delete;
};

// The descriptors of one call.
struct Descs {
  TensorDesc x, y;
  FilterDesc w;
  ConvDesc conv;
};

// A candidate algorithm of one direction (the enum's value), with the math mode and
// workspace cuDNN reported for it.
struct Candidate {
  int algo;
  cudnnMathType_t math;
  size_t workspace;
};
using Choice = std::vector<Candidate>;

// Keeps the heuristics' successful answers, best first; tensor-core answers only where
// the math mode asked allows them (FMA math for float without TF32), deterministic ones
// only when asked.
template <class Perf>
Choice usable(const Perf* perf, int n, cudnnMathType_t asked, bool deterministic) {
  Choice c;
  for (int i = 0; i < n; ++i) {
    if (perf[i].status != CUDNN_STATUS_SUCCESS) continue;
    if (asked == CUDNN_FMA_MATH && perf[i].mathType != CUDNN_FMA_MATH) continue;
    if (deterministic && perf[i].determinism != CUDNN_DETERMINISTIC) continue;
    c.push_back({static_cast<int>(perf[i].algo), perf[i].mathType, perf[i].memory});
  }
  return c;
}

constexpr int kMaxAlgos = 16;

Choice heuristics(Dir dir, cudnnHandle_t h, const Descs& d, cudnnMathType_t math, bool deterministic) {
  int n = 0;
  switch (dir) {
    case Dir::Forward: {
      cudnnConvolutionFwdAlgoPerf_t perf[kMaxAlgos];
      EMBER_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(h, d.x.d, d.w.d, d.conv.d, d.y.d, kMaxAlgos, &n, perf));
      return usable(perf, n, math, deterministic);
    }
    case Dir::BackwardData: {
      cudnnConvolutionBwdDataAlgoPerf_t perf[kMaxAlgos];
      EMBER_CUDNN_CHECK(
          cudnnGetConvolutionBackwardDataAlgorithm_v7(h, d.w.d, d.y.d, d.conv.d, d.x.d, kMaxAlgos, &n, perf));
      return usable(perf, n, math, deterministic);
    }
    case Dir::BackwardWeight: {
      cudnnConvolutionBwdFilterAlgoPerf_t perf[kMaxAlgos];
      EMBER_CUDNN_CHECK(
          cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, d.x.d, d.y.d, d.conv.d, d.w.d, kMaxAlgos, &n, perf));
      return usable(perf, n, math, deterministic);
    }
  }
  return {};
}

// The cuDNN call for dir with candidate c; its status is the caller's to check.
cudnnStatus_t run(Dir dir, cudnnHandle_t h, const Descs& d, const Candidate& c, void* ws, const void* alpha,
                  const void* beta, const TensorArg& a, const TensorArg& b, const TensorArg& out) {
  switch (dir) {
    case Dir::Forward:
      return cudnnConvolutionForward(h, alpha, d.x.d, a.data, d.w.d, b.data, d.conv.d,
                                     static_cast<cudnnConvolutionFwdAlgo_t>(c.algo), ws, c.workspace, beta, d.y.d,
                                     out.data);
    case Dir::BackwardData:
      return cudnnConvolutionBackwardData(h, alpha, d.w.d, b.data, d.y.d, a.data, d.conv.d,
                                          static_cast<cudnnConvolutionBwdDataAlgo_t>(c.algo), ws, c.workspace, beta,
                                          d.x.d, out.data);
    case Dir::BackwardWeight:
      return cudnnConvolutionBackwardFilter(h, alpha, d.x.d, a.data, d.y.d, b.data, d.conv.d,
                                            static_cast<cudnnConvolutionBwdFilterAlgo_t>(c.algo), ws, c.workspace,
                                            beta, d.w.d, out.data);
  }
  return CUDNN_STATUS_BAD_PARAM;
}

conv_plan::Cache<Choice>& algorithm_cache() {
  static auto* c = new conv_plan::Cache<Choice>;  // leaked: used by tensors freed at exit
  return *c;
}

}  // namespace

bool CudaBackend::convolution(ConvDirection dir, const TensorArg& a, const TensorArg& b, const TensorArg& out,
                              const Window2d& w, int64_t groups) {
  cudnnDataType_t dt;
  conv_plan::Shapes s;
  if (!g_cudnn_enabled.load(std::memory_order_relaxed) || !cudnn_data_type(out.dtype, dt) ||
      !conv_plan::shapes_of(dir, a, b, out, w, groups, s) || !conv_plan::fits_int32(s, w))
    return false;
  const bool dbl = out.dtype == kDouble;
  // Float accumulates in float (TF32 only when allowed); 16-bit types in float on tensor
  // cores, as libtorch does.
  const cudnnMathType_t math = out.dtype == kFloat
                                   ? (g_allow_tf32_cudnn.load(std::memory_order_relaxed) ? CUDNN_DEFAULT_MATH
                                                                                        : CUDNN_FMA_MATH)
                                   : (dbl ? CUDNN_DEFAULT_MATH : CUDNN_TENSOR_OP_MATH);
  const cudnnDataType_t compute = dbl ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
  cudnnHandle_t h = cudnn_handle();
  Descs d{TensorDesc(dt, s.x), TensorDesc(dt, s.y), FilterDesc(dt, s.w), ConvDesc(w, groups, compute, math)};
  const bool deterministic =
      g_cudnn_deterministic.load(std::memory_order_relaxed) || ::ember::are_deterministic_algorithms_enabled();
  const conv_plan::Key key =
      conv_plan::make_key(dir, out.dtype, static_cast<int>(math), deterministic, device_index(), groups, w, s);
  const Choice choice = algorithm_cache().get(key, [&] { return heuristics(dir, h, d, math, deterministic); });
  const double one_d = 1, zero_d = 0;
  const float one_f = 1, zero_f = 0;
  const void* alpha = dbl ? static_cast<const void*>(&one_d) : &one_f;
  const void* beta = dbl ? static_cast<const void*>(&zero_d) : &zero_f;
  for (size_t i = 0; i < choice.size(); ++i) {
    const Candidate& c = choice[i];
    std::unique_ptr<Scratch> ws;
    if (c.workspace > 0) {
      try {
        ws = std::make_unique<Scratch>(c.workspace);
      } catch (const Error&) {
        if (i + 1 < choice.size()) continue;  // the next algorithm may need less
        throw;
      }
    }
    EMBER_CUDNN_CHECK(cudnnSetConvolutionMathType(d.conv.d, c.math));
    const cudnnStatus_t st = run(dir, h, d, c, ws ? ws->get() : nullptr, alpha, beta, a, b, out);
    if (st == CUDNN_STATUS_NOT_SUPPORTED) continue;  // a heuristic's pick may still refuse these operands
    EMBER_CUDNN_CHECK(st);
    return true;
  }
  return false;  // no algorithm ran for these operands: im2col + GEMM
}

#else

bool CudaBackend::convolution(ConvDirection, const TensorArg&, const TensorArg&, const TensorArg&, const Window2d&,
                              int64_t) {
  return false;
}

#endif

}  // namespace ember::backend::cuda

namespace ember::cuda {
bool cudnn_is_available() { return EMBER_HAVE_CUDNN && is_available(); }
void set_cudnn_enabled(bool enabled) { ::ember::backend::cuda::g_cudnn_enabled.store(enabled); }
bool cudnn_enabled() { return ::ember::backend::cuda::g_cudnn_enabled.load(); }
void set_allow_tf32_cudnn(bool allow) { ::ember::backend::cuda::g_allow_tf32_cudnn.store(allow); }
bool allow_tf32_cudnn() { return ::ember::backend::cuda::g_allow_tf32_cudnn.load(); }
void set_cudnn_deterministic(bool deterministic) { ::ember::backend::cuda::g_cudnn_deterministic.store(deterministic); }
bool cudnn_deterministic() { return ::ember::backend::cuda::g_cudnn_deterministic.load(); }
}  // namespace ember::cuda
