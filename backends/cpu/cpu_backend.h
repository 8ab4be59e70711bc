#pragma once
// The CPU backend: own loops for elementwise ops and reductions, OpenBLAS for GEMM.
#include "backends/backend.h"

namespace ember::backend::cpu {

class CpuBackend final : public Backend {
 public:
  const char* name() const override { return "cpu"; }
  detail::intrusive_ptr<detail::StorageImpl> allocate(size_t nbytes, Device device) override;
  void copy(const TensorArg& src, const TensorArg& dst) override;
  void fill(const TensorArg& dst, const Scalar& value) override;
  void fill_range(const TensorArg& dst, double start, double step) override;
  void unary(UnaryOp op, const TensorArg& in, const TensorArg& out, UnaryParams params) override;
  void binary(BinaryOp op, const TensorArg& a, const TensorArg& b, const TensorArg& out,
              const Scalar& alpha) override;
  void where(const TensorArg& cond, const TensorArg& a, const TensorArg& b,
             const TensorArg& out) override;
  void reduce(ReduceOp op, const TensorArg& in, const TensorArg& out) override;
  void arg_reduce(ArgReduceOp op, const TensorArg& in, int dim, const TensorArg& out) override;
  void gemm(const GemmArgs& args) override;
  // activation and softmax kernels (activation.cpp, softmax.cpp)
  void activation(ActivationOp op, const TensorArg& in, const TensorArg& out,
                  const ActivationParams& params) override;
  void activation_backward(ActivationOp op, const TensorArg& grad, const TensorArg& in,
                           const TensorArg& grad_in, const ActivationParams& params) override;
  void softmax(const TensorArg& in, int dim, bool log, const TensorArg& out) override;
  void softmax_backward(const TensorArg& grad, const TensorArg& out, int dim, bool log,
                        const TensorArg& grad_in) override;
  void logsumexp(const TensorArg& in, int dim, const TensorArg& out) override;
  void random(Distribution dist, const TensorArg& out, double a, double b, Generator& gen) override;
  void bernoulli_tensor(const TensorArg& p, const TensorArg& out, Generator& gen) override;

  // ---- indexing kernels (index.cpp) --------------------------------------------------
  void index_gather(const TensorArg& src, ArrayRef<IndexDim> dims, bool wrap, const TensorArg& out,
                    const char* op) override;
  void index_scatter(ScatterReduce reduce, const TensorArg& values, ArrayRef<IndexDim> dims, bool wrap,
                     const TensorArg& dst, const char* op) override;
  void nonzero(const TensorArg& in, const TensorArg& out) override;

  // ---- sort and scan kernels (scan.cpp) ----------------------------------------------
  void scan(ScanOp op, const TensorArg& in, const TensorArg& out, int dim) override;
  void sort(const TensorArg& in, const TensorArg& values, const TensorArg& indices, int dim,
            bool descending, bool stable) override;
  void topk(const TensorArg& in, const TensorArg& values, const TensorArg& indices, int64_t k, int dim,
            bool largest, bool sorted) override;
  void slice_select(SliceSelect op, const TensorArg& in, const TensorArg& values, const TensorArg& indices,
                    int64_t k, int dim) override;
  void norm_reduce(const TensorArg& in, const TensorArg& out, double p) override;

  // ---- convolution and pooling kernels (conv.cpp, pool.cpp) --------------------------
  void im2col(const TensorArg& in, const TensorArg& cols, const Window2d& w) override;
  void col2im(const TensorArg& cols, const TensorArg& out, const Window2d& w) override;
  void pool2d(PoolOp op, const TensorArg& in, const TensorArg& out, const TensorArg* indices,
              const PoolParams& p) override;
  void pool2d_backward(PoolOp op, const TensorArg& grad_out, const TensorArg& grad_in,
                       const PoolParams& p) override;
  void plane_scatter_add(const TensorArg& src, const TensorArg& indices, const TensorArg& out) override;
  void plane_gather(const TensorArg& src, const TensorArg& indices, const TensorArg& out) override;
  // (resample.cpp)
  void upsample2d(UpsampleMode mode, const TensorArg& in, const TensorArg& out, const UpsampleParams& p) override;
  void upsample2d_backward(UpsampleMode mode, const TensorArg& grad_out, const TensorArg& grad_in,
                           const UpsampleParams& p) override;
  void pad2d(PadMode mode, const TensorArg& in, const TensorArg& out, int64_t top, int64_t left) override;
  void pad2d_backward(PadMode mode, const TensorArg& grad_out, const TensorArg& grad_in, int64_t top,
                      int64_t left) override;
};

/// Memory figures of the CPU caching allocator.
struct AllocatorStats {
  int64_t allocated = 0;       // bytes handed out and not yet returned
  int64_t reserved = 0;        // bytes held from the system (handed out + cached)
  int64_t peak_allocated = 0;
  int64_t num_system_allocs = 0;
};
AllocatorStats allocator_stats();
/// Returns cached blocks to the system.
void allocator_empty_cache();
void* allocator_raw_alloc(size_t nbytes);
void allocator_raw_free(void* p, size_t nbytes);

}  // namespace ember::backend::cpu
