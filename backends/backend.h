#pragma once
// The kernel interface every backend implements (DESIGN §3). One virtual method per
// kernel family; families that share a signature take an op enum. Backends see raw
// buffers, dtypes, sizes and strides only: nothing of autograd.
#include <cstdint>

#include "ember/detail/tensor_impl.h"
#include "ember/device.h"
#include "ember/dtype.h"
#include "ember/scalar.h"

namespace ember::backend {

/// A kernel operand: a typed strided view of device memory. Strides are in elements.
struct TensorArg {
  void* data;
  ScalarType dtype;
  int ndim;
  const int64_t* sizes;
  const int64_t* strides;
  int64_t numel;
  bool contiguous;
};

enum class UnaryOp : uint8_t {
  // float-valued math (input and output share the compute dtype)
  Neg, Exp, Log, Log1p, Expm1, Sqrt, Rsqrt, Abs, Sign, Sin, Cos, Tan, Tanh, Sigmoid,
  Relu, Square, Reciprocal, Floor, Ceil, Round, Trunc, Log2, Log10, Erf,
  Clamp,       // p0 = min, p1 = max (either may be +-inf)
  // predicates: output is bool
  LogicalNot, IsNan, IsInf, IsFinite,
};
/// Scalar parameters of parameterised unary ops (clamp bounds, slopes).
struct UnaryParams {
  double p0 = 0;
  double p1 = 0;
};

enum class BinaryOp : uint8_t {
  Add,  // a + alpha * b
  Sub,  // a - alpha * b
  Mul, Div, Pow, Maximum, Minimum, Remainder,
  // comparisons and logic: output is bool
  Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, LogicalXor,
  // integer/bool bitwise
  BitAnd, BitOr, BitXor,
};

enum class ReduceOp : uint8_t { Sum, Prod, Max, Min, Any, All };
enum class ArgReduceOp : uint8_t { ArgMax, ArgMin };

/// C = alpha * op(A) * op(B) + beta * C for `batch` matrices, row-major.
struct GemmArgs {
  ScalarType dtype;
  bool trans_a, trans_b;
  int64_t m, n, k;
  const void* a; int64_t lda; int64_t stride_a;  // batch strides in elements
  const void* b; int64_t ldb; int64_t stride_b;
  void* c; int64_t ldc; int64_t stride_c;
  int64_t batch;
  double alpha, beta;
};

class Generator;

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  /// A new storage of nbytes on `device` (uninitialised memory).
  virtual detail::intrusive_ptr<detail::StorageImpl> allocate(size_t nbytes, Device device) = 0;
  /// dst = src elementwise with dtype conversion; src may broadcast (stride 0).
  virtual void copy(const TensorArg& src, const TensorArg& dst);
  /// copy() between devices: one side on the host and the other on this backend's device,
  /// or two devices of this backend. With non_blocking the call may return before the data
  /// has arrived (host data is staged through pinned memory first).
  virtual void copy_between(const TensorArg& src, Device src_device, const TensorArg& dst,
                            Device dst_device, bool non_blocking);
  virtual void fill(const TensorArg& dst, const Scalar& value);
  /// dst[i] = start + i * step over the flat (contiguous) dst.
  virtual void fill_range(const TensorArg& dst, double start, double step);
  /// out = op(in); in and out have the same sizes.
  virtual void unary(UnaryOp op, const TensorArg& in, const TensorArg& out, UnaryParams params);
  /// out = op(a, b); a and b are already broadcast to out's sizes.
  virtual void binary(BinaryOp op, const TensorArg& a, const TensorArg& b, const TensorArg& out,
                      const Scalar& alpha);
  /// out = cond ? a : b, all broadcast to out's sizes.
  virtual void where(const TensorArg& cond, const TensorArg& a, const TensorArg& b,
                     const TensorArg& out);
  /// Reduces `in` into `out`, which has in's rank with size 1 on every reduced dim.
  virtual void reduce(ReduceOp op, const TensorArg& in, const TensorArg& out);
  /// Index of the max/min along `dim` into an int64 out (size 1 on dim); first on ties.
  virtual void arg_reduce(ArgReduceOp op, const TensorArg& in, int dim, const TensorArg& out);
  virtual void gemm(const GemmArgs& args);
  /// Fills out from the generator: uniform in [a, b), normal(mean a, std b),
  /// bernoulli(p = a), or integers in [a, b).
  enum class Distribution : uint8_t { Uniform, Normal, Bernoulli, Integer };
  virtual void random(Distribution dist, const TensorArg& out, double a, double b, Generator& gen);
  /// out = bernoulli(p) elementwise with per-element probabilities p (same sizes).
  virtual void bernoulli_tensor(const TensorArg& p, const TensorArg& out, Generator& gen);

  // ---- activation and softmax kernels (backends/cpu/activation.cpp, softmax.cpp) -----
  /// Pointwise activations of floating tensors; parameters in ActivationParams:
  /// LeakyRelu a = slope; Elu a = alpha * scale (negative coefficient), b = scale,
  /// c = input_scale; Softplus a = beta, b = threshold; Hardtanh a = min, b = max.
  enum class ActivationOp : uint8_t {
    Gelu, GeluTanh, Silu, Mish, LeakyRelu, Elu, Softplus, Hardtanh, Hardsigmoid, Hardswish,
    LogSigmoid, Softsign,
  };
  struct ActivationParams {
    double a = 0, b = 0, c = 0;
  };
  /// out = op(in); in and out have the same sizes and dtype.
  virtual void activation(ActivationOp op, const TensorArg& in, const TensorArg& out,
                          const ActivationParams& params);
  /// grad_in = grad * op'(in), all of the same sizes and dtype.
  virtual void activation_backward(ActivationOp op, const TensorArg& grad, const TensorArg& in,
                                   const TensorArg& grad_in, const ActivationParams& params);
  /// out = softmax (or log_softmax when `log`) of `in` along dim; contiguous operands.
  virtual void softmax(const TensorArg& in, int dim, bool log, const TensorArg& out);
  /// Gradient of softmax / log_softmax from its output `out`; contiguous operands.
  virtual void softmax_backward(const TensorArg& grad, const TensorArg& out, int dim, bool log,
                                const TensorArg& grad_in);
  /// out = log(sum(exp(in))) along dim (out has size 1 there); contiguous operands.
  virtual void logsumexp(const TensorArg& in, int dim, const TensorArg& out);

  // ---- fused batch norm (backends/cuda/cudnn_batch_norm.cpp) --------------------------
  // Optional: a backend without a fused kernel returns false and the front-end composes
  // batch norm from ops. `input` [N, C, ...] is contiguous; the per-channel operands are
  // contiguous [C] in the statistics dtype (float for float16/float32 inputs, double for
  // double); the caller passes ones and zeros for an absent weight and bias.
  struct BatchNormArgs {
    TensorArg input, weight, bias, out, save_mean, save_invstd;
    const TensorArg* running_mean;  // null when absent
    const TensorArg* running_var;   // null when absent
    double momentum, eps;
  };
  /// Training-mode batch norm in one pass: out, the batch mean and 1 / sqrt(var + eps) per
  /// channel, and the running statistics (when present) moved toward the batch's by
  /// momentum, the variance unbiased.
  virtual bool batch_norm(const BatchNormArgs& a);
  struct BatchNormBackwardArgs {
    TensorArg grad_out, input, weight, save_mean, save_invstd, grad_input, grad_weight, grad_bias;
    double eps;
  };
  /// The input, weight and bias gradients of training-mode batch_norm from its saved
  /// statistics (grad_out contiguous, like input).
  virtual bool batch_norm_backward(const BatchNormBackwardArgs& a);
  virtual void synchronize() {}
  /// Makes `device` the calling thread's current device of its kind; returns the index to
  /// hand back to leave_device, or -1 when nothing changed.
  virtual int enter_device(Device) { return -1; }
  /// Restores the current device that enter_device replaced; never throws.
  virtual void leave_device(int) noexcept {}

  // ---- indexing kernels (backends/cpu/index.cpp) ------------------------------------
  /// One indexed dimension of index_gather/index_scatter. `index` (int64) spans the
  /// iteration's sizes (broadcast by stride 0); iteration element p is moved by
  /// index[p] * stride elements in the indexed tensor. Values outside [0, size) raise
  /// IndexError naming `dim` (negative values first wrap by size when `wrap`).
  struct IndexDim {
    TensorArg index;
    int64_t size;
    int64_t stride;
    int64_t dim;
  };
  /// How index_scatter combines a value with what is already at its target.
  enum class ScatterReduce : uint8_t { Assign, Add, Multiply };
  /// out[p] = src[p] moved by every indexed dim. `src` is strided over out's sizes with
  /// stride 0 where an index supplies the position; src and out share a dtype. All
  /// indices are bounds-checked before anything is read.
  virtual void index_gather(const TensorArg& src, ArrayRef<IndexDim> dims, bool wrap,
                            const TensorArg& out, const char* op);
  /// dst[p moved by every indexed dim] (reduce)= values[p], visiting p in row-major
  /// order, so repeated targets accumulate (or the last write wins) deterministically.
  /// `dst` is strided over values' sizes like index_gather's src; same dtype as values.
  /// All indices are bounds-checked before anything is written.
  virtual void index_scatter(ScatterReduce reduce, const TensorArg& values, ArrayRef<IndexDim> dims,
                             bool wrap, const TensorArg& dst, const char* op);
  /// Writes the coordinates of in's nonzero elements in row-major order into out
  /// (int64, [count, in.ndim]; the caller counted them).
  virtual void nonzero(const TensorArg& in, const TensorArg& out);

  // ---- sort and scan kernels (backends/cpu/scan.cpp) ---------------------------------
  // Every kernel works along one dim of a strided operand; the other dims index
  // independent slices. Outputs have the input's sizes except where stated on `dim`.
  enum class ScanOp : uint8_t {
    CumSum,        // out_i = x_0 + ... + x_i
    CumProd,       // out_i = x_0 * ... * x_i
    LogCumSumExp,  // out_i = log(exp(x_0) + ... + exp(x_i)), floating dtypes only
  };
  /// Inclusive scan of `in` into `out` (same sizes and dtype) along dim.
  virtual void scan(ScanOp op, const TensorArg& in, const TensorArg& out, int dim);
  /// Sorts every slice along dim into values (in's dtype) and indices (int64). NaN sorts
  /// as the largest value; equal values keep their input order (the result is that of a
  /// stable sort whether or not `stable` is asked for).
  virtual void sort(const TensorArg& in, const TensorArg& values, const TensorArg& indices, int dim,
                    bool descending, bool stable);
  /// The k largest (smallest when !largest) elements of every slice along dim, ordered as
  /// sort() orders them (descending when largest); values and indices have size k on dim.
  virtual void topk(const TensorArg& in, const TensorArg& values, const TensorArg& indices, int64_t k,
                    int dim, bool largest, bool sorted);
  enum class SliceSelect : uint8_t {
    KthValue,  // the k-th smallest (k from 1), in sort()'s order
    Median,    // the lower median, or the slice's first NaN when it has one
    Mode,      // the most frequent value (the smallest on ties) and its last index
  };
  /// One value and its index per slice along dim (values and indices have size 1 on dim).
  virtual void slice_select(SliceSelect op, const TensorArg& in, const TensorArg& values,
                            const TensorArg& indices, int64_t k, int dim);
  /// p-norm reduction of a floating `in` into `out` (same dtype, in's rank with size 1 on
  /// every reduced dim): (sum |x|^p)^(1/p), max |x| for p = inf, min |x| for p = -inf, the
  /// count of non-zeros for p = 0. NaN propagates.
  virtual void norm_reduce(const TensorArg& in, const TensorArg& out, double p);

  // ---- convolution and pooling kernels (backends/cpu/conv.cpp, pool.cpp) -------------
  // Operands are contiguous [N, C, H, W] tensors (1-D ops run with H = 1); outputs are
  // overwritten. Each backward kernel is the exact adjoint of its forward kernel, so the
  // front-ends can differentiate either one with the other.

  /// Sliding-window geometry over the last two dims: window (kh, kw), stride, padding,
  /// dilation.
  struct Window2d {
    int64_t kh, kw, sh, sw, ph, pw, dh, dw;
  };
  /// cols [N, C, kh, kw, OH, OW] from in [N, C, H, W]:
  /// cols[n,c,i,j,y,x] = in[n, c, y*sh - ph + i*dh, x*sw - pw + j*dw], 0 outside the image.
  virtual void im2col(const TensorArg& in, const TensorArg& cols, const Window2d& w);
  /// The adjoint of im2col: out [N, C, H, W] = sum of the cols entries read from each pixel.
  virtual void col2im(const TensorArg& cols, const TensorArg& out, const Window2d& w);

  /// The three products of a convolution y = conv(x, w) (w [O, C/G, kh, kw]) that a
  /// library such as cuDNN computes directly:
  enum class ConvDirection : uint8_t {
    Forward,         // a = x [N, C, H, W], b = w, out = y [N, O, OH, OW]
    BackwardData,    // a = dy [N, O, OH, OW], b = w, out = dx [N, C, H, W] (the transposed conv)
    BackwardWeight,  // a = x, b = dy, out = dw [O, C/G, kh, kw]
  };
  /// Runs one direction of a grouped convolution with the backend's own library, out
  /// overwritten; false when the backend has none for these operands, and the caller uses
  /// im2col/col2im and gemm instead. Operands are contiguous and of one floating dtype.
  virtual bool convolution(ConvDirection dir, const TensorArg& a, const TensorArg& b, const TensorArg& out,
                           const Window2d& w, int64_t groups);

  enum class PoolOp : uint8_t { Max, Avg, AdaptiveMax, AdaptiveAvg };
  /// Window and averaging rules of a pooling op (adaptive ops use only the sizes).
  struct PoolParams {
    Window2d w;
    bool count_include_pad = true;
    int64_t divisor_override = 0;  // 0: none
  };
  /// out [N, C, OH, OW] pooled from in [N, C, H, W]; the max ops also write int64 indices
  /// (flat index into each input plane, first maximum on ties, NaN wins).
  virtual void pool2d(PoolOp op, const TensorArg& in, const TensorArg& out, const TensorArg* indices,
                      const PoolParams& p);
  /// grad_in [N, C, H, W] from grad_out [N, C, OH, OW] for Avg and AdaptiveAvg.
  virtual void pool2d_backward(PoolOp op, const TensorArg& grad_out, const TensorArg& grad_in,
                               const PoolParams& p);
  /// out [N, C, H, W] = 0, then out[n, c, idx[n,c,k]] += src[n, c, k] (max-pool backward).
  virtual void plane_scatter_add(const TensorArg& src, const TensorArg& indices, const TensorArg& out);
  /// out[n, c, k] = src[n, c, idx[n,c,k]] with src [N, C, H, W] (the adjoint of the scatter).
  virtual void plane_gather(const TensorArg& src, const TensorArg& indices, const TensorArg& out);

  enum class UpsampleMode : uint8_t { Nearest, Bilinear };
  /// libtorch's coordinate rules: a scale > 0 is the user's scale factor (the source step
  /// is 1 / scale), otherwise the step is in_size / out_size.
  struct UpsampleParams {
    bool align_corners = false;
    double scale_h = 0, scale_w = 0;
  };
  virtual void upsample2d(UpsampleMode mode, const TensorArg& in, const TensorArg& out, const UpsampleParams& p);
  virtual void upsample2d_backward(UpsampleMode mode, const TensorArg& grad_out, const TensorArg& grad_in,
                                   const UpsampleParams& p);

  enum class PadMode : uint8_t { Reflect, Replicate, Circular };
  /// out[n, c, y, x] = in[n, c, map(y - top), map(x - left)]; out's sizes give the
  /// bottom/right padding (negative padding crops).
  virtual void pad2d(PadMode mode, const TensorArg& in, const TensorArg& out, int64_t top, int64_t left);
  virtual void pad2d_backward(PadMode mode, const TensorArg& grad_out, const TensorArg& grad_in, int64_t top,
                              int64_t left);

 protected:
  /// Raises NotImplementedError naming the kernel family and this backend.
  [[noreturn]] void missing(const char* family) const;
};

/// The backend serving `device`; raises DeviceError when none is compiled in.
Backend& backend_for(Device device);
/// The backend of `device`, with `device` current until the end of the statement (or the
/// scope of a named BackendOn), as libtorch's device guard around each op: a CUDA tensor's
/// kernels run on its own GPU whichever one the thread has current. BackendOn(d)->op(...).
class BackendOn {
 public:
  explicit BackendOn(Device device)
      : backend_(&backend_for(device)), restore_(device.is_cpu() ? -1 : backend_->enter_device(device)) {}
  ~BackendOn() {
    if (restore_ >= 0) backend_->leave_device(restore_);
  }
  BackendOn(const BackendOn&) = delete;
  BackendOn& operator=(const BackendOn&) = delete;
  Backend* operator->() const { return backend_; }
  Backend& operator*() const { return *backend_; }

 private:
  Backend* backend_;
  int restore_;
};

/// The CUDA backend, or nullptr in builds without it. A function-local object, so ops run
/// by other translation units' static initialisers find it constructed.
Backend* cuda_backend();

/// Philox4x32-10 counter-based generator: (seed, offset) fully determine the stream, so
/// every backend can produce the same numbers for the same seed.
class Generator {
 public:
  explicit Generator(uint64_t seed = 67280421310721ULL) : seed_(seed) {}
  void manual_seed(uint64_t seed) { seed_ = seed; offset_ = 0; }
  uint64_t seed() const { return seed_; }
  /// Reserves n 128-bit blocks and returns the first block's counter.
  uint64_t advance(uint64_t n) { uint64_t o = offset_; offset_ += n; return o; }
  uint64_t offset() const { return offset_; }
  void set_offset(uint64_t o) { offset_ = o; }

 private:
  uint64_t seed_;
  uint64_t offset_ = 0;
};
/// The process-wide default generator (seeded by ember::manual_seed).
Generator& default_generator();

}  // namespace ember::backend
