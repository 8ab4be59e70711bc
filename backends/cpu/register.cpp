// The backend lookup (DESIGN §3): one backend per device type, found by each op.
#include "backends/cpu/cpu_backend.h"
#include "ember/errors.h"

namespace ember::backend {

Backend& backend_for(Device device) {
  // Function-local statics: constructed on first use, even from another translation unit's
  // static initialiser (a global tensor).
  if (device.type() == kCPU) {
    static cpu::CpuBackend cpu;
    return cpu;
  }
  Backend* b = device.type() == kCUDA ? cuda_backend() : nullptr;
  EMBER_CHECK(b != nullptr, DeviceError, "backend",
              "no backend for device ", device, ": this build of ember has no CUDA support "
              "(configure with -DEMBER_CUDA=ON on a machine with nvcc)");
  return *b;
}

Generator& default_generator() {
  static Generator g;
  return g;
}

}  // namespace ember::backend
