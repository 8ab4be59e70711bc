#pragma once
// The CUDA backend: own kernels (elementwise.cu, reduce.cu, random.cu, softmax.cu, activation.cu,
// index.cu for gather/scatter, window.cu for im2col/col2im and pooling, resample.cu for
// upsampling and padding, scan.cu for cumulative ops, sort.cu for sort/topk/selection),
// cuBLAS for GEMM (gemm.cpp), cuDNN for convolution (cudnn_conv.cpp; im2col + GEMM when cuDNN is
// absent or switched off) and training-mode batch norm (cudnn_batch_norm.cpp), the caching allocator (allocator.cpp), host<->device
// transfers (transfer.cpp). Kernel families without a CUDA kernel raise
// NotImplementedError naming the family (Backend::missing).
#include <cuda_runtime_api.h>

#include "backends/backend.h"

namespace ember::backend::cuda {

class CudaBackend final : public Backend {
 public:
  const char* name() const override { return "cuda"; }
  detail::intrusive_ptr<detail::StorageImpl> allocate(size_t nbytes, Device device) override;
  void copy(const TensorArg& src, const TensorArg& dst) override;
  void copy_between(const TensorArg& src, Device src_device, const TensorArg& dst, Device dst_device,
                    bool non_blocking) override;
  void fill(const TensorArg& dst, const Scalar& value) override;
  void fill_range(const TensorArg& dst, double start, double step) override;
  void unary(UnaryOp op, const TensorArg& in, const TensorArg& out, UnaryParams params) override;
  void binary(BinaryOp op, const TensorArg& a, const TensorArg& b, const TensorArg& out,
              const Scalar& alpha) override;
  void where(const TensorArg& cond, const TensorArg& a, const TensorArg& b, const TensorArg& out) override;
  void reduce(ReduceOp op, const TensorArg& in, const TensorArg& out) override;
  void arg_reduce(ArgReduceOp op, const TensorArg& in, int dim, const TensorArg& out) override;
  void norm_reduce(const TensorArg& in, const TensorArg& out, double p) override;
  void scan(ScanOp op, const TensorArg& in, const TensorArg& out, int dim) override;
  void sort(const TensorArg& in, const TensorArg& values, const TensorArg& indices, int dim, bool descending,
            bool stable) override;
  void topk(const TensorArg& in, const TensorArg& values, const TensorArg& indices, int64_t k, int dim, bool largest,
            bool sorted) override;
  void slice_select(SliceSelect op, const TensorArg& in, const TensorArg& values, const TensorArg& indices, int64_t k,
                    int dim) override;
  void gemm(const GemmArgs& args) override;
  void random(Distribution dist, const TensorArg& out, double a, double b, Generator& gen) override;
  void bernoulli_tensor(const TensorArg& p, const TensorArg& out, Generator& gen) override;
  void activation(ActivationOp op, const TensorArg& in, const TensorArg& out,
                  const ActivationParams& params) override;
  void activation_backward(ActivationOp op, const TensorArg& grad, const TensorArg& in,
                           const TensorArg& grad_in, const ActivationParams& params) override;
  void softmax(const TensorArg& in, int dim, bool log, const TensorArg& out) override;
  void softmax_backward(const TensorArg& grad, const TensorArg& out, int dim, bool log,
                        const TensorArg& grad_in) override;
  void logsumexp(const TensorArg& in, int dim, const TensorArg& out) override;
  bool batch_norm(const BatchNormArgs& a) override;
  bool batch_norm_backward(const BatchNormBackwardArgs& a) override;
  void index_gather(const TensorArg& src, ArrayRef<IndexDim> dims, bool wrap, const TensorArg& out,
                    const char* op) override;
  void index_scatter(ScatterReduce reduce, const TensorArg& values, ArrayRef<IndexDim> dims, bool wrap,
                     const TensorArg& dst, const char* op) override;
  void nonzero(const TensorArg& in, const TensorArg& out) override;
  void im2col(const TensorArg& in, const TensorArg& cols, const Window2d& w) override;
  void col2im(const TensorArg& cols, const TensorArg& out, const Window2d& w) override;
  bool convolution(ConvDirection dir, const TensorArg& a, const TensorArg& b, const TensorArg& out,
                   const Window2d& w, int64_t groups) override;
  void pool2d(PoolOp op, const TensorArg& in, const TensorArg& out, const TensorArg* indices,
              const PoolParams& p) override;
  void pool2d_backward(PoolOp op, const TensorArg& grad_out, const TensorArg& grad_in, const PoolParams& p) override;
  void plane_scatter_add(const TensorArg& src, const TensorArg& indices, const TensorArg& out) override;
  void plane_gather(const TensorArg& src, const TensorArg& indices, const TensorArg& out) override;
  void upsample2d(UpsampleMode mode, const TensorArg& in, const TensorArg& out, const UpsampleParams& p) override;
  void upsample2d_backward(UpsampleMode mode, const TensorArg& grad_out, const TensorArg& grad_in,
                           const UpsampleParams& p) override;
  void pad2d(PadMode mode, const TensorArg& in, const TensorArg& out, int64_t top, int64_t left) override;
  void pad2d_backward(PadMode mode, const TensorArg& grad_out, const TensorArg& grad_in, int64_t top,
                      int64_t left) override;
  void synchronize() override;
  int enter_device(Device device) override;
  void leave_device(int previous) noexcept override;
};

/// The calling thread's current stream on the current device.
cudaStream_t current_stream();
/// Number of SMs of the current device (cached).
int sm_count();
/// The current device's index.
int device_index();

/// Device scratch memory from the caching allocator, freed at scope exit (stream-ordered,
/// so kernels queued before the free still see it).
class Scratch {
 public:
  explicit Scratch(size_t nbytes);
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  void* get() const { return ptr_; }
  size_t size() const { return size_; }

 private:
  void* ptr_;
  size_t size_;
  int device_;
};

/// Non-blocking host-to-device copy of pageable `host`: the bytes are staged in a pinned
/// buffer of the current device, reused once the copy that last read it has finished.
void copy_through_pinned(void* dev, const void* host, size_t nbytes, cudaStream_t stream);

}  // namespace ember::backend::cuda
