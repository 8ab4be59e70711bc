#pragma once
// Size of the workspace the CUDA backend gives each (cuBLAS handle, stream) pair, in plain
// C++ so the rule is tested on the CPU.
#include <cstddef>

namespace ember::backend::cuda {

/// Bytes of one cuBLAS workspace. `config` is CUBLAS_WORKSPACE_CONFIG (nullptr or empty:
/// unset), in cuBLAS's syntax ":SIZE:COUNT[:SIZE:COUNT...]" with SIZE in KiB, whose total is
/// the sum of SIZE * COUNT; unset, the size is cuBLAS's recommendation for the device's
/// compute capability (32 MiB from Hopper on, else 4096 KiB * 2 + 16 KiB * 8). A total of 0
/// means no workspace. Raises ember::Error naming the variable when `config` is malformed.
size_t cublas_workspace_bytes(const char* config, int compute_capability_major);

}  // namespace ember::backend::cuda
