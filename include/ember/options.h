#pragma once
// TensorOptions: dtype, device and requires_grad of a new tensor (as libtorch's).
#include <optional>

#include "ember/device.h"
#include "ember/dtype.h"

namespace ember {

/// Options for factories and conversions; unset fields take the defaults
/// (default dtype, CPU, no grad), as at::TensorOptions.
class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(ScalarType d) : dtype_(d) {}
  TensorOptions(Device d) : device_(d) {}
  TensorOptions(DeviceType d) : device_(Device(d)) {}

  TensorOptions dtype(ScalarType d) const { auto o = *this; o.dtype_ = d; return o; }
  TensorOptions device(Device d) const { auto o = *this; o.device_ = d; return o; }
  TensorOptions device(DeviceType d) const { return device(Device(d)); }
  TensorOptions requires_grad(bool r) const { auto o = *this; o.requires_grad_ = r; return o; }

  /// The dtype, or the default dtype when unset.
  ScalarType dtype() const { return dtype_ ? *dtype_ : get_default_dtype(); }
  Device device() const { return device_ ? *device_ : Device(kCPU); }
  bool requires_grad() const { return requires_grad_; }
  bool has_dtype() const { return dtype_.has_value(); }
  bool has_device() const { return device_.has_value(); }
  std::optional<ScalarType> dtype_opt() const { return dtype_; }
  std::optional<Device> device_opt() const { return device_; }

 private:
  std::optional<ScalarType> dtype_;
  std::optional<Device> device_;
  bool requires_grad_ = false;
};

/// TensorOptions().dtype(d), as torch::dtype.
inline TensorOptions dtype(ScalarType d) { return TensorOptions().dtype(d); }
/// TensorOptions().device(d), as torch::device.
inline TensorOptions device(Device d) { return TensorOptions().device(d); }
inline TensorOptions device(DeviceType d) { return TensorOptions().device(d); }
/// TensorOptions().requires_grad(r), as torch::requires_grad.
inline TensorOptions requires_grad(bool r = true) { return TensorOptions().requires_grad(r); }

}  // namespace ember
