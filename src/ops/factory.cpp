// Factories: empty, zeros, ones, full, arange, linspace, eye, from_blob, tensor, *_like.
#include <cmath>
#include <functional>

#include "src/core/device_check.h"
#include "src/core/internal.h"

namespace ember {
namespace {

Tensor finish(Tensor t, const TensorOptions& o) {
  if (o.requires_grad()) t.requires_grad_(true);
  return t;
}

// Raises, naming the factory, when tensors cannot live on the requested device (a CUDA
// tensor in a CPU-only build or on a machine without a GPU).
void check_device(const char* op, IntArrayRef size, const TensorOptions& o) {
  if (o.device().is_cpu()) return;
  const std::string why = detail::device_unusable_reason(o.device());
  EMBER_CHECK(why.empty(), DeviceError, op, "cannot create a tensor of shape ", size, " and dtype ", o.dtype(), " on ",
              o.device(), ": ", why);
}

Tensor filled(IntArrayRef size, const Scalar& v, const TensorOptions& o, const char* op) {
  EMBER_PROFILE_OP(op);
  check_device(op, size, o);
  Tensor t = detail::make_tensor(size, o.dtype(), o.device());
  detail::backend_of(t)->fill(detail::arg(t), v);
  return finish(t, o);
}

TensorOptions like(const Tensor& self, const TensorOptions& o) {
  TensorOptions r = o;
  if (!r.has_dtype()) r = r.dtype(self.dtype());
  if (!r.has_device()) r = r.device(self.device());
  return r;
}

}  // namespace

Tensor empty(IntArrayRef size, const TensorOptions& o) {
  EMBER_PROFILE_OP("empty");
  check_device("empty", size, o);
  return finish(detail::make_tensor(size, o.dtype(), o.device()), o);
}
Tensor zeros(IntArrayRef size, const TensorOptions& o) { return filled(size, 0, o, "zeros"); }
Tensor ones(IntArrayRef size, const TensorOptions& o) { return filled(size, 1, o, "ones"); }
Tensor full(IntArrayRef size, const Scalar& v, const TensorOptions& o) {
  TensorOptions r = o;
  if (!r.has_dtype()) r = r.dtype(v.isFloatingPoint() ? get_default_dtype() : v.type());
  return filled(size, v, r, "full");
}

Tensor arange(const Scalar& end, const TensorOptions& o) { return arange(0, end, 1, o); }
Tensor arange(const Scalar& start, const Scalar& end, const TensorOptions& o) {
  return arange(start, end, 1, o);
}
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, const TensorOptions& o) {
  const double s = start.toDouble(), e = end.toDouble(), st = step.toDouble();
  EMBER_CHECK(st != 0, Error, "arange", "step must be nonzero");
  EMBER_CHECK(std::isfinite(s) && std::isfinite(e), Error, "arange", "unsupported range: ", s, " -> ", e);
  EMBER_CHECK((st > 0 && e >= s) || (st < 0 && e <= s), Error, "arange",
              "upper bound and larger bound inconsistent with step sign (start=", start, ", end=", end,
              ", step=", step, ")");
  const int64_t n = static_cast<int64_t>(std::ceil((e - s) / st));
  TensorOptions r = o;
  if (!r.has_dtype()) {
    bool all_int = start.isIntegral(true) && end.isIntegral(true) && step.isIntegral(true);
    r = r.dtype(all_int ? kLong : get_default_dtype());
  }
  Tensor t = detail::make_tensor({n}, r.dtype(), r.device());
  detail::backend_of(t)->fill_range(detail::arg(t), s, st);
  return finish(t, r);
}

Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, const TensorOptions& o) {
  EMBER_CHECK(steps >= 0, Error, "linspace", "number of steps must be non-negative, got ", steps);
  TensorOptions r = o.has_dtype() ? o : o.dtype(get_default_dtype());
  Tensor t = detail::make_tensor({steps}, r.dtype(), r.device());
  if (steps == 0) return finish(t, r);
  // Fill from both ends (as libtorch) so the last value is exactly `end`; one step gives
  // `start`. float32 results are computed in float32, as libtorch does, so that they
  // agree to the last bit; everything else in double.
  Tensor d = detail::make_tensor({steps}, kDouble, kCPU);
  double* p = d.data_ptr<double>();
  const int64_t half = steps / 2;
  auto fill = [&](auto s, auto e) {
    using T = decltype(s);
    const T st = steps > 1 ? (e - s) / static_cast<T>(steps - 1) : T(0);
    for (int64_t i = 0; i < steps; ++i)
      p[i] = i < half ? s + st * static_cast<T>(i) : e - st * static_cast<T>(steps - i - 1);
  };
  if (r.dtype() == kFloat) fill(start.toFloat(), end.toFloat());
  else fill(start.toDouble(), end.toDouble());
  if (steps == 1) p[0] = start.toDouble();
  // Written by the kernel, not copy_: a fresh tensor starts at version 0 (as libtorch).
  Tensor src = d.to(r.device());
  detail::backend_of(t)->copy(detail::arg(src), detail::arg(t));
  return finish(t, r);
}

Tensor eye(int64_t n, const TensorOptions& o) { return eye(n, n, o); }
Tensor eye(int64_t n, int64_t m, const TensorOptions& o) {
  EMBER_CHECK(n >= 0 && m >= 0, ShapeError, "eye", "n and m must be non-negative, got n=", n, ", m=", m);
  Tensor t = zeros({n, m}, o.dtype(o.dtype()).device(o.device()));
  if (n && m) {
    Tensor diag = t.diagonal();
    detail::backend_of(diag)->fill(detail::arg(diag), 1);  // keeps version 0
  }
  return finish(t, o);
}

Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& o) {
  return from_blob(data, sizes, detail::contiguous_strides(sizes), o);
}

Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const TensorOptions& o) {
  EMBER_CHECK(sizes.size() == strides.size(), ShapeError, "from_blob", "sizes ", sizes,
              " and strides ", strides, " have different lengths");
  int64_t span = 1;
  for (size_t i = 0; i < sizes.size(); ++i) span += (sizes[i] - 1) * strides[i];
  const size_t nbytes = static_cast<size_t>(std::max<int64_t>(span, 0)) * element_size(o.dtype());
  auto storage = detail::make_intrusive<detail::StorageImpl>(data, nbytes, o.device(), nullptr, nullptr);
  return finish(Tensor(detail::make_intrusive<detail::TensorImpl>(std::move(storage), o.dtype(), sizes, strides, 0)), o);
}

Tensor from_blob(void* data, IntArrayRef sizes, const std::function<void(void*)>& deleter,
                 const TensorOptions& o) {
  auto* ctx = new std::function<void(void*)>(deleter);
  const size_t nbytes = static_cast<size_t>(detail::prod(sizes)) * element_size(o.dtype());
  auto storage = detail::make_intrusive<detail::StorageImpl>(
      data, nbytes, o.device(),
      [](void* c, void* d, size_t) {
        auto* f = static_cast<std::function<void(void*)>*>(c);
        (*f)(d);
        delete f;
      },
      ctx);
  DimVector st = detail::contiguous_strides(sizes);
  return finish(Tensor(detail::make_intrusive<detail::TensorImpl>(std::move(storage), o.dtype(), sizes, st, 0)), o);
}

namespace detail {
Tensor tensor_from_data(const void* data, ScalarType src_type, IntArrayRef sizes, const TensorOptions& o) {
  Tensor src = from_blob(const_cast<void*>(data), sizes, TensorOptions().dtype(src_type));
  Tensor t = make_tensor(sizes, o.dtype(), kCPU);
  backend_of(t)->copy(arg(src), arg(t));  // not copy_: a fresh tensor starts at version 0
  if (!o.device().is_cpu()) t = t.to(o.device());
  return finish(t, o);
}
}  // namespace detail

Tensor scalar_tensor(const Scalar& s, const TensorOptions& o) {
  TensorOptions r = o.has_dtype() ? o : o.dtype(get_default_dtype());
  return filled({}, s, r, "scalar_tensor");
}

Tensor empty_like(const Tensor& self, const TensorOptions& o) { return empty(self.sizes(), like(self, o)); }
Tensor zeros_like(const Tensor& self, const TensorOptions& o) { return zeros(self.sizes(), like(self, o)); }
Tensor ones_like(const Tensor& self, const TensorOptions& o) { return ones(self.sizes(), like(self, o)); }
Tensor full_like(const Tensor& self, const Scalar& v, const TensorOptions& o) {
  return full(self.sizes(), v, like(self, o));
}

}  // namespace ember
