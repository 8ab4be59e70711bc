#pragma once
// Deterministic algorithms (PyTorch's torch.use_deterministic_algorithms, libtorch's
// at::Context::setDeterministicAlgorithms). CPU kernels are deterministic always. On
// CUDA, with the mode on, every scatter that combines repeated targets (index_add_,
// index_put_, scatter_, scatter_add_, scatter_reduce, and the backward passes of gather,
// index_select, embedding, max pooling, upsampling and padding) sorts its (target, value)
// pairs and combines each target's values in the CPU's order instead of using atomics,
// so repeated runs give the same bits; cuDNN convolutions use deterministic algorithms only.
// Every ember operation has a deterministic implementation, so none raises in this mode and
// warn_only is kept only for libtorch's spelling.
namespace ember {

/// Turns deterministic algorithms on or off for every thread (off by default).
void use_deterministic_algorithms(bool mode, bool warn_only = false);
/// Whether deterministic algorithms are on (torch.are_deterministic_algorithms_enabled).
bool are_deterministic_algorithms_enabled();
/// Whether the mode was set with warn_only (torch.is_deterministic_algorithms_warn_only_enabled).
bool is_deterministic_algorithms_warn_only_enabled();

}  // namespace ember
