// Tensor-level hooks: register_hook / remove_hook and retain_grad.
//
// A non-leaf's hooks are pre-hooks of its grad_fn on its output slot, so they run when
// the gradient for that tensor is complete. A leaf's hooks live in its autograd state
// and run in its AccumulateGrad before the gradient is accumulated (only by backward:
// grad() reads the gradient before the accumulator, as libtorch 1.13 does). Hooks run in registration order, each seeing the
// previous one's result; retain_grad's hook runs after them.
#include "autograd/autograd_meta.h"
#include "autograd/function.h"
#include "ember/ops.h"

namespace ember {

unsigned Tensor::register_hook_impl(std::function<Tensor(const Tensor&)> hook) const {
  EMBER_CHECK(defined(), Error, "register_hook", "called on an undefined tensor");
  EMBER_CHECK(requires_grad(), Error, "register_hook",
              "cannot register a hook on a variable that doesn't require gradient (tensor ", sizes(),
              " ", toString(), ")");
  auto& m = impl_->ensure_autograd();
  if (m.grad_fn) return m.grad_fn->add_pre_hook(m.output_nr, std::move(hook));
  unsigned id = autograd::impl::next_hook_id();
  m.leaf_hooks.push_back({id, std::move(hook)});
  return id;
}

void Tensor::remove_hook(unsigned handle) const {
  EMBER_CHECK(defined(), Error, "remove_hook", "called on an undefined tensor");
  auto* m = impl_->autograd();
  if (!m) return;
  if (m->grad_fn && handle != m->retain_grad_hook) m->grad_fn->remove_pre_hook(handle);
  for (auto it = m->leaf_hooks.begin(); it != m->leaf_hooks.end(); ++it)
    if (it->id == handle) { m->leaf_hooks.erase(it); return; }
}

void Tensor::retain_grad() const {
  EMBER_CHECK(defined(), Error, "retain_grad", "called on an undefined tensor");
  EMBER_CHECK(requires_grad(), Error, "retain_grad", "can't retain_grad on Tensor that has requires_grad=False");
  auto& m = impl_->ensure_autograd();
  if (!m.grad_fn || m.retains_grad) return;  // leaves always keep .grad
  m.retains_grad = true;
  // A raw pointer, not a Tensor: the node must not keep the tensor alive (that would be
  // a cycle tensor -> grad_fn -> hook -> tensor). ~TensorImpl removes this hook.
  detail::TensorImpl* self = impl_.get();
  m.retain_grad_hook = m.grad_fn->add_retains_grad_hook(m.output_nr, [self](const Tensor& g) {
    Tensor& slot = self->autograd()->grad;
    // As libtorch: a fresh copy first (under create_graph it is recorded), then sums.
    if (!slot.defined()) slot = g.clone();
    else slot = slot + g;
    return Tensor();
  });
}

}  // namespace ember
