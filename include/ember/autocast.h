#pragma once
// Automatic mixed precision on CUDA (libtorch's at::autocast, torch.autocast("cuda")): while
// enabled on a thread, matrix products and convolutions cast their float32 CUDA operands
// to float16 (or the chosen dtype), and the ops that need float32's range (softmax,
// log_softmax, logsumexp, layer_norm, group_norm, mse_loss, nll_loss,
// binary_cross_entropy_with_logits) cast float16/bfloat16 CUDA operands to float32. The
// casts are recorded, so gradients flow back to the float32 parameters. CPU tensors and
// float64 tensors are never cast. Pair it with amp::GradScaler for float16 training:
//
//   {
//     ember::autocast::AutocastGuard amp;  // float16 on CUDA until the end of the scope
//     loss = loss_fn(model->forward(x), y);
//   }
//   scaler.scale(loss).backward();
#include "ember/dtype.h"

namespace ember::autocast {

/// Whether CUDA autocast is on for the calling thread (at::autocast::is_enabled).
bool is_enabled();
/// Turns CUDA autocast on or off for the calling thread (at::autocast::set_enabled).
void set_enabled(bool enabled);
/// The lower-precision dtype of CUDA autocast: Half (default) or BFloat16.
ScalarType get_autocast_gpu_dtype();
/// Sets the lower-precision dtype of CUDA autocast; throws DTypeError for any other dtype.
void set_autocast_gpu_dtype(ScalarType dtype);
/// Forgets the float16 copies of parameters made in this autocast region (at::autocast::clear_cache).
void clear_cache();
/// Nesting depth bookkeeping of autocast regions, as at::autocast: returns the new depth.
int increment_nesting();
int decrement_nesting();

/// Enables CUDA autocast with `dtype` for a scope and restores the previous state after;
/// the outermost guard clears the cast cache when it exits.
class AutocastGuard {
 public:
  explicit AutocastGuard(ScalarType dtype = ScalarType::Half, bool enabled = true);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool prev_enabled_;
  ScalarType prev_dtype_;
};

}  // namespace ember::autocast
