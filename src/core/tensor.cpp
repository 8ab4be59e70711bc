// Tensor's own members: properties, item/data_ptr, and the autograd-facing methods.
#include "autograd/autograd_meta.h"
#include "autograd/function.h"
#include "src/core/internal.h"

namespace ember {

int64_t Tensor::size(int64_t d) const {
  // wrap_dim accepts dim 0 of a 0-dim tensor (for reductions); a size query must not.
  EMBER_CHECK(dim() > 0, IndexError, "size", "dimension specified as ", d, " but tensor has no dimensions");
  return sizes()[detail::wrap_dim(d, dim(), "size")];
}
int64_t Tensor::stride(int64_t d) const {
  EMBER_CHECK(dim() > 0, IndexError, "stride", "dimension specified as ", d, " but tensor has no dimensions");
  return strides()[detail::wrap_dim(d, dim(), "stride")];
}

TensorOptions Tensor::options() const {
  return TensorOptions().dtype(dtype()).device(device());
}

std::string Tensor::toString() const {
  if (!defined()) return "UndefinedType";
  return std::string(is_cuda() ? "CUDA" : "CPU") + ember::toString(dtype()) + "Type";
}

template <class T>
T Tensor::item() const {
  EMBER_CHECK(defined(), Error, "item", "called on an undefined tensor");
  EMBER_CHECK(numel() == 1, ShapeError, "item", "a Tensor with ", numel(), " elements (shape ", sizes(),
              ") cannot be converted to Scalar");
  Tensor c = is_cpu() ? *this : cpu();
  Scalar s;
  switch (c.dtype()) {
    case kFloat: s = *static_cast<const float*>(c.data_ptr()); break;
    case kDouble: s = *static_cast<const double*>(c.data_ptr()); break;
    case kLong: s = *static_cast<const int64_t*>(c.data_ptr()); break;
    case kInt: s = *static_cast<const int32_t*>(c.data_ptr()); break;
    case kByte: s = *static_cast<const uint8_t*>(c.data_ptr()); break;
    case kBool: s = *static_cast<const bool*>(c.data_ptr()); break;
    default: return c.to(kDouble).item<T>();
  }
  return s.to<T>();
}
Scalar Tensor::item() const {
  if (isFloatingType(dtype())) return item<double>();
  if (dtype() == kBool) return item<bool>();
  return item<int64_t>();
}

template <class T>
T* Tensor::data_ptr() const {
  EMBER_CHECK(defined(), Error, "data_ptr", "called on an undefined tensor");
  EMBER_CHECK(CppTypeToScalarType<T>::value == dtype(), DTypeError, "data_ptr",
              "expected scalar type ", CppTypeToScalarType<T>::value, " but found ", dtype(),
              " (tensor of shape ", sizes(), ")");
  return static_cast<T*>(impl_->data());
}

template float Tensor::item<float>() const;
template double Tensor::item<double>() const;
template int64_t Tensor::item<int64_t>() const;
template int32_t Tensor::item<int32_t>() const;
template uint8_t Tensor::item<uint8_t>() const;
template bool Tensor::item<bool>() const;
template float* Tensor::data_ptr<float>() const;
template double* Tensor::data_ptr<double>() const;
template int64_t* Tensor::data_ptr<int64_t>() const;
template int32_t* Tensor::data_ptr<int32_t>() const;
template uint8_t* Tensor::data_ptr<uint8_t>() const;
template bool* Tensor::data_ptr<bool>() const;

// ---- autograd ---------------------------------------------------------------------

const Tensor& Tensor::requires_grad_(bool r) const {
  EMBER_CHECK(defined(), Error, "requires_grad_", "called on an undefined tensor");
  auto* m = impl_->autograd();
  if (!r && m && m->grad_fn) {
    detail::throw_error<Error>("requires_grad_",
                               "you can only change requires_grad flags of leaf variables. If you want "
                               "to use a computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach().");
  }
  if (r) {
    EMBER_CHECK(isFloatingType(dtype()), DTypeError, "requires_grad_",
                "only Tensors of floating point dtype can require gradients, got ", dtype(),
                " (shape ", sizes(), ")");
  }
  if (!r && !m) return mut();
  auto& meta = impl_->ensure_autograd();
  meta.requires_grad = r;
  impl_->set_requires_grad_flag(r || meta.grad_fn);
  return mut();
}

bool Tensor::is_leaf() const {
  auto* m = impl_->autograd();
  return !m || !m->grad_fn;
}

const Tensor& Tensor::grad() const {
  static const Tensor undefined;
  auto* m = impl_->autograd();
  return m ? m->grad : undefined;
}

Tensor& Tensor::mutable_grad() const { return impl_->ensure_autograd().grad; }

autograd::Node* Tensor::grad_fn() const {
  auto* m = impl_->autograd();
  if (m && m->view_base) autograd::impl::refresh_view_history(*this);
  return m ? m->grad_fn.get() : nullptr;
}

bool Tensor::retains_grad() const {
  auto* m = impl_->autograd();
  return m && m->retains_grad;
}

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph,
                      std::optional<TensorList> inputs) const {
  autograd::variable_list in;
  if (inputs) in = inputs->vec();
  autograd::backward({*this}, {gradient}, retain_graph, create_graph, in);
}

Tensor Tensor::detach() const {
  return detail::make_view(*this, sizes(), strides(), storage_offset());
}

void Tensor::set_data(const Tensor& new_data) const {
  EMBER_CHECK(defined() && new_data.defined(), Error, "set_data", "both tensors must be defined");
  EMBER_CHECK(!requires_grad() || new_data.is_floating_point(), DTypeError, "set_data",
              "a tensor that requires grad cannot take data of dtype ", new_data.dtype());
  auto* src = new_data.unsafeGetTensorImpl();
  impl_->set_storage(src->storage_ptr(), src->sizes(), src->strides(), src->offset());
  impl_->set_dtype(src->dtype());
}

Tensor& Tensor::detach_() const {
  if (auto* m = impl_->autograd()) {
    autograd::impl::set_gradient_edge(*this, autograd::Edge{});  // also drops retain_grad's hook
    m->requires_grad = false;
    m->view_base.reset();  // no longer a differentiable view: in-place ops stay local
  }
  impl_->set_requires_grad_flag(false);
  return mut();
}

// register_hook, remove_hook and retain_grad live with the hooks in autograd/tensor_hooks.cpp.

}  // namespace ember
