// The backend table (DESIGN §3): one slot per device type, looked up by each op.
#include "backends/cpu/cpu_backend.h"
#include "ember/errors.h"

namespace ember::backend {
namespace {
Backend* g_backends[kNumDeviceTypes] = {nullptr, nullptr};
cpu::CpuBackend g_cpu;
struct RegisterCpu {
  RegisterCpu() { g_backends[static_cast<int>(kCPU)] = &g_cpu; }
} g_register_cpu;
}  // namespace

void register_backend(DeviceType type, Backend* b) { g_backends[static_cast<int>(type)] = b; }

Backend& backend_for(Device device) {
  if (device.type() == kCPU) return g_cpu;
  Backend* b = g_backends[static_cast<int>(device.type())];
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
