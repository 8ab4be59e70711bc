#pragma once
// Whether tensors can be made on a device, for the front-ends that create or move them.
#include <string>

#include "ember/device.h"

namespace ember::detail {

/// Why tensors cannot live on `device` in this build or on this machine (no backend, no
/// CUDA device, a device index out of range); empty when they can.
std::string device_unusable_reason(Device device);

}  // namespace ember::detail
