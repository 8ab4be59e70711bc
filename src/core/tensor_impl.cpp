// TensorImpl pieces that need the autograd state's definition, and the helpers of
// internal.h.
#include <cstring>

#include "autograd/autograd_meta.h"
#include "ember/cuda.h"
#include "src/core/device_check.h"
#include "src/core/internal.h"

namespace ember {
namespace detail {

extern volatile int gdb_printers_anchor;

TensorImpl::~TensorImpl() {
  (void)gdb_printers_anchor;
  if (autograd_) {
    // A retained non-leaf's hook refers to this impl: remove it from the node.
    if (autograd_->retain_grad_hook && autograd_->grad_fn)
      autograd_->grad_fn->remove_pre_hook(autograd_->retain_grad_hook);
    delete autograd_;
  }
}

AutogradMeta& TensorImpl::ensure_autograd() {
  if (!autograd_) autograd_ = new AutogradMeta();
  return *autograd_;
}

int64_t prod(IntArrayRef sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  return n;
}

DimVector contiguous_strides(IntArrayRef sizes) {
  DimVector st(sizes.size());
  int64_t acc = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    st[i] = acc;
    acc *= std::max<int64_t>(sizes[i], 1);
  }
  return st;
}

Tensor make_tensor(IntArrayRef sizes, ScalarType dtype, Device device) {
  for (int64_t s : sizes)
    EMBER_CHECK(s >= 0, ShapeError, "empty", "sizes must be non-negative, got ", sizes);
  const size_t nbytes = static_cast<size_t>(prod(sizes)) * element_size(dtype);
  // The CUDA device gets its index here, and a build or machine without CUDA says so.
  if (device.is_cuda()) device = cuda::detail::resolve_device(device);
  auto storage = backend::backend_for(device).allocate(nbytes, device);
  DimVector st = contiguous_strides(sizes);
  return Tensor(make_intrusive<TensorImpl>(std::move(storage), dtype, sizes, st, 0));
}

Tensor make_view(const Tensor& self, IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  auto* i = self.unsafeGetTensorImpl();
  return Tensor(make_intrusive<TensorImpl>(i->storage_ptr(), i->dtype(), sizes, strides, offset));
}

ArgWithGeometry broadcast_arg(const Tensor& t, IntArrayRef sizes) {
  ArgWithGeometry r;
  r.sizes = DimVector(sizes);
  r.strides = DimVector(sizes.size(), 0);
  const int64_t off = static_cast<int64_t>(sizes.size()) - t.dim();
  for (int64_t d = 0; d < t.dim(); ++d)
    r.strides[off + d] = t.sizes()[d] == 1 ? 0 : t.strides()[d];
  auto* i = t.unsafeGetTensorImpl();
  r.arg = backend::TensorArg{i->data(), i->dtype(), static_cast<int>(sizes.size()), r.sizes.data(),
                             r.strides.data(), prod(sizes), false};
  return r;
}

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  const int64_t n = std::max<int64_t>(ndim, 1);  // 0-dim tensors accept dim 0 and -1
  EMBER_CHECK(dim >= -n && dim < n, IndexError, op, "Dimension out of range (expected to be in range of [",
              -n, ", ", n - 1, "], but got ", dim, ")");
  return dim < 0 ? dim + n : dim;
}

std::string device_unusable_reason(Device device) {
  if (device.is_cpu()) return {};
  try {
    (void)backend::backend_for(device);
    (void)cuda::detail::resolve_device(device);
  } catch (const DeviceError& e) {
    std::string why = e.what();
    // Drop the "[ember::<op>] " prefix: the caller names its own op.
    if (const size_t p = why.find("] "); why.rfind("[ember::", 0) == 0 && p != std::string::npos) why.erase(0, p + 2);
    return why;
  }
  return {};
}

void check_same_device(const Tensor& a, const Tensor& b, const char* op) {
  // CPU indices carry no meaning; two CUDA devices differ when both name an index.
  const Device da = a.device(), db = b.device();
  const bool same = da.type() == db.type() &&
                    (da.is_cpu() || !da.has_index() || !db.has_index() || da.index() == db.index());
  EMBER_CHECK(same, DeviceError, op,
              "Expected all tensors to be on the same device, but found at least two devices, ",
              a.device(), " and ", b.device(), "!");
}

void check_defined(const Tensor& t, const char* op, const char* name) {
  EMBER_CHECK(t.defined(), Error, op, "argument '", name, "' is an undefined tensor");
}

Tensor scalar_to_tensor(const Scalar& s, ScalarType dtype, Device device) {
  Tensor t = make_tensor({}, dtype, device);
  backend::BackendOn(device)->fill(arg(t), s);
  return t;
}

Tensor cast(const Tensor& t, ScalarType dtype) { return t.dtype() == dtype ? t : t.to(dtype); }

void resize_out(Tensor& out, IntArrayRef sizes, const char* op) {
  EMBER_CHECK(out.defined(), Error, op, "out= tensor is undefined");
  if (out.sizes() == sizes) return;
  Tensor fresh = make_tensor(sizes, out.dtype(), out.device());
  out.unsafeGetTensorImpl()->set_storage(fresh.unsafeGetTensorImpl()->storage_ptr(), sizes,
                                         fresh.strides(), 0);
}

}  // namespace detail
}  // namespace ember
