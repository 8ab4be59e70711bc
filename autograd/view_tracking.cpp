// Differentiable views (libtorch's view tracking): a view op recording on a tensor that
// requires grad remembers the tensor it views. An in-place op on such a view rebases the
// base's history through a CopySlices node, and a view whose storage was written since
// its history was set gets that history regenerated from the base, so that gradients
// follow the values the view really holds.
#include "autograd/autograd_meta.h"
#include "autograd/function.h"
#include "src/core/internal.h"

namespace ember::autograd {
namespace {

// Gradient of the base after an in-place op on one of its views: the base's incoming
// gradient, with the view's part replaced by what the in-place op's formula gives for
// the view's previous value; the formula's other input gradients pass through.
class CopySlices final : public Node {
 public:
  CopySlices(const Tensor& base, const Tensor& view, Edge fn)
      : sizes_(view.sizes()), strides_(view.strides()),
        offset_(view.storage_offset() - base.storage_offset()), fn_(std::move(fn.function)),
        fn_output_(fn.input_nr) {
    set_sequence_nr(next_sequence_nr());
    next_edges_.reserve(fn_->num_outputs());
    next_edges_.push_back(gradient_edge(base));
    for (size_t i = 1; i < fn_->num_outputs(); ++i) next_edges_.push_back(fn_->next_edge(i));
  }
  std::string name() const override { return "torch::autograd::CopySlices"; }

  variable_list apply(variable_list&& grads) override {
    // The base is contiguous (checked when recording), so its gradient's clone has the
    // base's strides and the view's geometry addresses the same elements in it.
    Tensor result = grads[0].contiguous().clone();
    Tensor slice = result.as_strided(sizes_, strides_, result.storage_offset() + offset_);
    variable_list fn_grads(fn_->num_inputs());
    for (size_t i = 0; i < fn_grads.size(); ++i) {
      const auto& meta = fn_->input_meta(i);
      fn_grads[i] = i == fn_output_ ? slice.clone()
                                    : zeros(meta.sizes, TensorOptions().dtype(meta.dtype).device(meta.device));
    }
    variable_list res = fn_->apply(std::move(fn_grads));
    if (res.size() > 0 && res[0].defined()) slice.copy_(res[0]);
    else slice.zero_();
    variable_list out(num_outputs());
    out[0] = std::move(result);
    for (size_t i = 1; i < out.size() && i < res.size(); ++i) out[i] = std::move(res[i]);
    return out;
  }
  void release_variables() override { fn_->release_variables(); }

 private:
  DimVector sizes_, strides_;
  int64_t offset_;
  detail::intrusive_ptr<Node> fn_;
  uint32_t fn_output_;
};

// Gives `view` the history of as_strided(base) at its own geometry.
void regenerate_view_history(const Tensor& view, detail::AutogradMeta& m) {
  Tensor base(m.view_base);
  Edge edge;
  if (base.requires_grad()) {
    AutoGradMode enable(true);
    Tensor v = base.as_strided(view.sizes(), view.strides(), view.storage_offset());
    if (auto* vm = v.unsafeGetTensorImpl()->autograd()) edge = Edge{vm->grad_fn, vm->output_nr};
  }
  impl::set_gradient_edge(view, std::move(edge));
  m.view_version = view._version();
}

void check_base_contiguous(const Tensor& base, const Tensor& view, const char* what) {
  EMBER_CHECK(base.is_contiguous(), NotImplementedError, what,
              "the view (shape ", view.sizes(), ", strides ", view.strides(), ") was taken of a "
              "non-contiguous tensor (shape ", base.sizes(), ", strides ", base.strides(),
              "); autograd through in-place writes to such a view is not supported: clone() the "
              "base first");
}

}  // namespace

void set_view_history(const Tensor& out, Node* node, const Tensor& self) {
  set_history(out, node);
  auto& m = *out.unsafeGetTensorImpl()->autograd();
  auto* sm = self.unsafeGetTensorImpl()->autograd();
  m.view_base = sm && sm->view_base ? sm->view_base : self.impl();
  m.view_version = out._version();
}

void impl::rebase_history(const Tensor& self, Edge edge) {
  auto* m = self.unsafeGetTensorImpl()->autograd();
  if (!m || !m->view_base || !edge.function) {
    set_gradient_edge(self, std::move(edge));
    return;
  }
  Tensor base(m->view_base);
  check_base_contiguous(base, self, "backward");
  auto* node = new CopySlices(base, self, std::move(edge));
  const uint32_t nr = node->add_input_meta(base);
  set_gradient_edge(base, Edge{detail::intrusive_ptr<Node>(node), nr});
  regenerate_view_history(self, *m);
}

void impl::refresh_view_history(const Tensor& view) {
  auto* m = view.unsafeGetTensorImpl()->autograd();
  if (!m || !m->view_base || m->view_version == view._version()) return;
  Tensor base(m->view_base);
  // A base that cannot be re-viewed keeps the old history, as before view tracking.
  if (!base.is_contiguous()) return;
  regenerate_view_history(view, *m);
}

void impl::check_inplace_view(const Tensor& self, const char* op) {
  auto* m = self.unsafeGetTensorImpl()->autograd();
  if (!m || !m->view_base) return;
  detail::TensorImpl* base = m->view_base.get();
  auto* bm = base->autograd();
  EMBER_CHECK(!base->requires_grad() || (bm && bm->grad_fn), Error, op,
              "a view of a leaf Variable that requires grad is being used in an in-place operation. "
              "(view of shape ", self.sizes(), " into a leaf of shape ", base->sizes(), ")");
  check_base_contiguous(Tensor(m->view_base), self, op);
}

}  // namespace ember::autograd
