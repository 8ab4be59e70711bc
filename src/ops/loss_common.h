#pragma once
// Helpers shared by the loss front-ends (loss.cpp, loss_class.cpp).
#include "ember/ops/loss.h"
#include "src/ops/elementwise_common.h"

namespace ember::ops {

/// Raises unless reduction is Reduction::None, Mean or Sum.
inline void check_reduction(int64_t reduction, const char* name) {
  EMBER_CHECK(reduction >= Reduction::None && reduction <= Reduction::Sum, Error, name,
              "reduction must be Reduction::None (0), Mean (1) or Sum (2), got ", reduction);
}

/// The per-element loss reduced as asked (libtorch's apply_loss_reduction).
inline Tensor apply_reduction(const Tensor& loss, int64_t reduction) {
  if (reduction == Reduction::Mean) return loss.mean();
  if (reduction == Reduction::Sum) return loss.sum();
  return loss;
}

/// Raises a ShapeError naming `name` when a and b do not broadcast together.
inline void check_broadcastable(const Tensor& a, const Tensor& b, const char* name, const char* what_a,
                                const char* what_b) {
  try {
    (void)infer_size(a.sizes(), b.sizes());
  } catch (const ShapeError&) {
    detail::throw_error<ShapeError>(name, "the size of ", what_a, " ", a.sizes(), " must match (or broadcast with) the size of ",
                                    what_b, " ", b.sizes());
  }
}

/// Raises a DTypeError naming `name` unless t is floating point.
inline void check_floating(const Tensor& t, const char* name, const char* what) {
  EMBER_CHECK(t.is_floating_point(), DTypeError, name, "expected ", what, " to be a floating point tensor, got ",
              t.dtype(), " (shape ", t.sizes(), ")");
}

}  // namespace ember::ops
