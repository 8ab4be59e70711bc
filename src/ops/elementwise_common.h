#pragma once
// Shared plumbing of elementwise front-ends: dtype rules, the kernel call with
// broadcasting, and the in-place/out= variants built on the out-of-place op.
#include "autograd/function.h"
#include "src/core/internal.h"

namespace ember::ops {

using autograd::Node;
using autograd::variable_list;
using backend::BinaryOp;
using backend::UnaryOp;

/// Runs a binary kernel: out = op(a, b) with a, b cast to `compute` and broadcast.
Tensor binary_kernel(BinaryOp op, const Tensor& a, const Tensor& b, ScalarType compute,
                     ScalarType out_dtype, const Scalar& alpha, const char* name);
/// Same, writing into an existing tensor whose shape is the broadcast shape.
void binary_kernel_into(Tensor& out, BinaryOp op, const Tensor& a, const Tensor& b,
                        ScalarType compute, const Scalar& alpha, const char* name);
/// Runs a unary kernel into a new tensor of out_dtype.
Tensor unary_kernel(UnaryOp op, const Tensor& a, ScalarType out_dtype, backend::UnaryParams p = {});

/// Gradient `g` reduced to an input of the given sizes (undoes broadcasting).
inline Tensor grad_for(const Tensor& g, IntArrayRef sizes) {
  return g.sizes() == sizes ? g : sum_to(g, sizes);
}

/// Moves the history of `result` (an out-of-place computation of an in-place op) onto
/// `self`, after result's values were copied into self.
void rebase_history(Tensor& self, const Tensor& result);

/// In-place op: when recording, computes out-of-place, copies into self and takes over
/// the history; otherwise runs `direct` on self.
template <class OutOfPlace, class Direct>
Tensor& inplace(Tensor& self, const char* name, std::initializer_list<const Tensor*> others,
                OutOfPlace&& oop, Direct&& direct) {
  detail::check_defined(self, name);
  autograd::check_inplace(self, name);
  bool rec = self.requires_grad();
  for (const Tensor* t : others) rec = rec || (t->defined() && t->requires_grad());
  rec = rec && autograd::GradMode::is_enabled();
  if (rec) {
    const uint64_t first_seq = autograd::impl::current_sequence_nr();
    Tensor r = oop();
    // The formula may have saved self, which the copy below overwrites.
    autograd::impl::preserve_saved_inputs(r, self, first_seq);
    {
      autograd::NoGradGuard ng;
      EMBER_CHECK(r.sizes() == self.sizes(), ShapeError, name, "output with shape ", self.sizes(),
                  " doesn't match the broadcast shape ", r.sizes());
      self.copy_(r);
    }
    rebase_history(self, r);
  } else {
    direct();
    detail::bump_version(self);
  }
  return self;
}

/// Raises when an op's result dtype cannot be written into self (in-place) or out.
void check_can_cast(ScalarType result, ScalarType dest, const char* name);

}  // namespace ember::ops
