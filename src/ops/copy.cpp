// Conversions and copies: to, contiguous, clone, copy_, fill_, zero_.
#include "autograd/function.h"
#include "src/core/device_check.h"
#include "ember/cuda.h"
#include "src/core/internal.h"

namespace ember {
using autograd::Node;
using autograd::variable_list;

namespace {

// Same device: the index counts only when both sides name one ("cuda" is the current).
bool same_device(Device a, Device b) {
  return a.type() == b.type() && (a.is_cpu() || !a.has_index() || !b.has_index() || a.index() == b.index());
}

// dst = src (src already broadcast to dst's sizes) on one device or across devices; the
// device-side backend moves the data between devices.
void copy_any(const backend::TensorArg& src, Device src_dev, const backend::TensorArg& dst, Device dst_dev,
              bool non_blocking) {
  if (same_device(src_dev, dst_dev)) {
    backend::BackendOn(dst_dev)->copy(src, dst);
  } else {
    Device dev = src_dev.is_cuda() ? src_dev : dst_dev;
    backend::backend_for(dev).copy_between(src, src_dev, dst, dst_dev, non_blocking);
  }
}

// Copies src into a fresh contiguous tensor of dtype on device (no autograd).
Tensor copy_to_new(const Tensor& src, ScalarType dtype, Device device, bool non_blocking = false) {
  EMBER_PROFILE_OP("to", src);
  Tensor out = detail::make_tensor(src.sizes(), dtype, device);
  copy_any(detail::arg(src), src.device(), detail::arg(out), out.device(), non_blocking);
  return out;
}

// Raises, naming `to` and the tensor, when tensors cannot live on `dev` (moving to CUDA
// in a CPU-only build or on a machine without a GPU).
void check_device_available(const Tensor& t, Device dev) {
  const std::string why = detail::device_unusable_reason(dev);
  EMBER_CHECK(why.empty(), DeviceError, "to", "cannot move a tensor of shape ", t.sizes(), " and dtype ", t.dtype(),
              " from ", t.device(), " to ", dev, ": ", why);
}

}  // namespace

Tensor Tensor::to(const TensorOptions& options, bool non_blocking, bool copy) const {
  detail::check_defined(*this, "to");
  const ScalarType dt = options.has_dtype() ? options.dtype() : dtype();
  const Device dev = options.has_device() ? options.device() : device();
  if (dt == dtype() && same_device(dev, device()) && !copy) return *this;
  if (dev.type() != device().type()) check_device_available(*this, dev);
  Tensor out = copy_to_new(*this, dt, dev, non_blocking);
  if (auto* n = autograd::record("ToCopyBackward0", {this},
                                 [src_dtype = dtype(), src_dev = device()](Node&, variable_list& g) {
                                   return variable_list{g[0].to(TensorOptions().dtype(src_dtype).device(src_dev))};
                                 })) {
    if (isFloatingType(dt)) autograd::set_history(out, n);
    else delete n;
  }
  return out;
}
Tensor Tensor::to(ScalarType dt, bool nb, bool copy) const { return to(TensorOptions().dtype(dt), nb, copy); }
Tensor Tensor::to(Device d, bool nb, bool copy) const { return to(TensorOptions().device(d), nb, copy); }
Tensor Tensor::to(Device d, ScalarType dt, bool nb, bool copy) const {
  return to(TensorOptions().device(d).dtype(dt), nb, copy);
}
Tensor Tensor::to(const Tensor& other, bool nb, bool copy) const { return to(other.options(), nb, copy); }
Tensor Tensor::cpu() const { return to(Device(kCPU)); }
Tensor Tensor::cuda() const { return to(Device(kCUDA)); }

void Tensor::record_stream(const cuda::CUDAStream& stream) const {
  detail::check_defined(*this, "record_stream");
  EMBER_CHECK(is_cuda(), DeviceError, "record_stream", "expected a CUDA tensor, got one on ", device());
  EMBER_CHECK(device().index() == stream.device_index(), DeviceError, "record_stream", "the tensor is on ", device(),
              " but the stream is on cuda:", stream.device_index());
  cuda::detail::record_stream(unsafeGetTensorImpl()->storage()->data(), stream);
}

Tensor clone(const Tensor& self) {
  detail::check_defined(self, "clone");
  Tensor out = copy_to_new(self, self.dtype(), self.device());
  if (auto* n = autograd::record("CloneBackward0", {&self},
                                 [](Node&, variable_list& g) { return variable_list{g[0]}; }))
    autograd::set_history(out, n);
  return out;
}
Tensor Tensor::clone() const { return ember::clone(*this); }

Tensor Tensor::contiguous() const {
  detail::check_defined(*this, "contiguous");
  return is_contiguous() ? *this : ember::clone(*this);
}

Tensor& Tensor::copy_(const Tensor& src, bool non_blocking) const {
  detail::check_defined(*this, "copy_");
  detail::check_defined(src, "copy_", "src");
  std::vector<int64_t> shape = detail::broadcast_shapes(sizes(), src.sizes(), "copy_");
  EMBER_CHECK(IntArrayRef(shape) == sizes(), ShapeError, "copy_", "source of shape ", src.sizes(),
              " cannot be broadcast to the destination's shape ", sizes());
  autograd::check_inplace(mut(), "copy_");
  if (is_same(src)) return mut();
  auto s = detail::broadcast_arg(src, sizes());
  copy_any(s.arg, src.device(), detail::arg(*this), device(), non_blocking);
  detail::bump_version(*this);
  if (auto* n = autograd::record("CopyBackwards", {this, &src},
                                 [src_sizes = DimVector(src.sizes()), src_dtype = src.dtype()](Node& n, variable_list& g) {
                                   variable_list r(2);
                                   if (n.needs_input_grad(0)) r[0] = zeros_like(g[0]);
                                   if (n.needs_input_grad(1)) r[1] = sum_to(g[0], src_sizes).to(src_dtype);
                                   return r;
                                 }))
    autograd::impl::rebase_history(*this, autograd::Edge{detail::intrusive_ptr<Node>(n), n->add_input_meta(*this)});
  return mut();
}

Tensor& Tensor::fill_(const Scalar& value) const {
  detail::check_defined(*this, "fill_");
  autograd::check_inplace(mut(), "fill_");
  detail::backend_of(*this)->fill(detail::arg(*this), value);
  detail::bump_version(*this);
  if (auto* n = autograd::record("FillBackward0", {this},
                                 [](Node&, variable_list& g) { return variable_list{zeros_like(g[0])}; }))
    autograd::impl::rebase_history(*this, autograd::Edge{detail::intrusive_ptr<Node>(n), n->add_input_meta(*this)});
  return mut();
}

Tensor& Tensor::fill_(const Tensor& value) const {
  EMBER_CHECK(value.dim() == 0, ShapeError, "fill_",
              "only supports 0-dimension value tensor but got tensor with ", value.dim(), " dimensions");
  return copy_(value.expand(sizes()));
}

Tensor& Tensor::zero_() const { return fill_(0); }

}  // namespace ember
