// nn::Module: registration, traversal, modes, device/dtype moves, printing and hooks.
#include "ember/nn/module.h"

#include <cxxabi.h>

#include <ostream>
#include <typeinfo>

#include "ember/autograd.h"
#include "ember/nn/cloneable.h"
#include "ember/ops.h"

namespace ember::nn {
namespace {

std::string demangled_name(const std::type_info& ti) {
  int status = 0;
  char* d = abi::__cxa_demangle(ti.name(), nullptr, nullptr, &status);
  std::string s = (status == 0 && d) ? d : ti.name();
  std::free(d);
  return s;
}

std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

}  // namespace

Module::Module(std::string name) : name_(std::move(name)) {}
Module::Module() = default;

const std::string& Module::name() const noexcept {
  // The dynamic type is only known once construction finished, hence lazily.
  if (!name_) name_ = demangled_name(typeid(*this));
  return *name_;
}

std::shared_ptr<Module> Module::clone(const std::optional<Device>&) const {
  detail::throw_error<NotImplementedError>(
      "nn::Module::clone", "clone() has not been implemented for ", name(),
      ". Subclass torch::nn::Cloneable<", name(), "> instead of torch::nn::Module to inherit the ability to clone.");
}

void Module::apply(const ModuleApplyFunction& fn) {
  fn(*this);
  for (auto& c : children_) c.value()->apply(fn);
}
void Module::apply(const ConstModuleApplyFunction& fn) const {
  fn(*this);
  for (const auto& c : children_) static_cast<const Module&>(*c.value()).apply(fn);
}
void Module::apply(const NamedModuleApplyFunction& fn, const std::string& prefix) {
  fn(prefix, *this);
  for (auto& c : children_) c.value()->apply(fn, join(prefix, c.key()));
}
void Module::apply(const ConstNamedModuleApplyFunction& fn, const std::string& prefix) const {
  fn(prefix, *this);
  for (const auto& c : children_) static_cast<const Module&>(*c.value()).apply(fn, join(prefix, c.key()));
}
void Module::apply(const ModulePointerApplyFunction& fn) const {
  fn(std::const_pointer_cast<Module>(shared_from_this()));
  for (const auto& c : children_) c.value()->apply(fn);
}
void Module::apply(const NamedModulePointerApplyFunction& fn, const std::string& prefix) const {
  fn(prefix, std::const_pointer_cast<Module>(shared_from_this()));
  for (const auto& c : children_) c.value()->apply(fn, join(prefix, c.key()));
}

std::vector<Tensor> Module::parameters(bool recurse) const { return named_parameters(recurse).values(); }

OrderedDict<std::string, Tensor> Module::named_parameters(bool recurse) const {
  OrderedDict<std::string, Tensor> out;
  if (!recurse) {
    for (const auto& p : parameters_)
      if (p.value().defined()) out.insert(p.key(), p.value());
    return out;
  }
  apply([&](const std::string& prefix, const Module& m) {
    for (const auto& p : m.parameters_)
      if (p.value().defined()) out.insert(join(prefix, p.key()), p.value());
  });
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const { return named_buffers(recurse).values(); }

OrderedDict<std::string, Tensor> Module::named_buffers(bool recurse) const {
  OrderedDict<std::string, Tensor> out;
  if (!recurse) {
    for (const auto& b : buffers_)
      if (b.value().defined()) out.insert(b.key(), b.value());
    return out;
  }
  apply([&](const std::string& prefix, const Module& m) {
    for (const auto& b : m.buffers_)
      if (b.value().defined()) out.insert(join(prefix, b.key()), b.value());
  });
  return out;
}

std::vector<std::shared_ptr<Module>> Module::modules(bool include_self) const {
  return named_modules("", include_self).values();
}

OrderedDict<std::string, std::shared_ptr<Module>> Module::named_modules(const std::string& prefix,
                                                                        bool include_self) const {
  OrderedDict<std::string, std::shared_ptr<Module>> out;
  if (include_self) {
    apply([&](const std::string& key, const std::shared_ptr<Module>& m) { out.insert(key, m); }, prefix);
  } else {
    for (const auto& c : children_)
      c.value()->apply([&](const std::string& key, const std::shared_ptr<Module>& m) { out.insert(key, m); },
                       join(prefix, c.key()));
  }
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const { return children_.values(); }
OrderedDict<std::string, std::shared_ptr<Module>> Module::named_children() const { return children_; }

void Module::train(bool on) {
  for (auto& c : children_) c.value()->train(on);
  is_training_ = on;
}
void Module::eval() { train(false); }
bool Module::is_training() const noexcept { return is_training_; }

namespace {
// Moves a parameter/buffer in place: the tensor handle held by the module (and by any
// optimizer) keeps pointing at the same TensorImpl, whose storage is replaced.
void move_tensor(Tensor& t, std::optional<Device> device, std::optional<ScalarType> dtype) {
  if (!t.defined()) return;
  TensorOptions o;
  if (device) o = o.device(*device);
  if (dtype && t.is_floating_point()) o = o.dtype(*dtype);
  Tensor moved;
  {
    NoGradGuard ng;
    moved = t.to(o);
  }
  if (moved.is_same(t)) return;
  t.set_data(moved);
  if (t.grad().defined()) {
    Tensor& g = t.mutable_grad();
    NoGradGuard ng;
    g = g.to(o);
  }
}
}  // namespace

void Module::to(Device device, ScalarType dtype, bool) {
  for (auto& c : children_) c.value()->to(device, dtype);
  for (auto& p : parameters_) move_tensor(p.value(), device, dtype);
  for (auto& b : buffers_) move_tensor(b.value(), device, dtype);
}
void Module::to(ScalarType dtype, bool) {
  for (auto& c : children_) c.value()->to(dtype);
  for (auto& p : parameters_) move_tensor(p.value(), std::nullopt, dtype);
  for (auto& b : buffers_) move_tensor(b.value(), std::nullopt, dtype);
}
void Module::to(Device device, bool) {
  for (auto& c : children_) c.value()->to(device);
  for (auto& p : parameters_) move_tensor(p.value(), device, std::nullopt);
  for (auto& b : buffers_) move_tensor(b.value(), device, std::nullopt);
}

void Module::zero_grad(bool set_to_none) {
  for (auto& c : children_) c.value()->zero_grad(set_to_none);
  for (auto& p : parameters_) {
    if (!p.value().defined()) continue;
    Tensor& g = p.value().mutable_grad();
    if (!g.defined()) continue;
    if (set_to_none) {
      g = Tensor();
    } else {
      NoGradGuard ng;
      g = g.detach();
      g.zero_();
    }
  }
}

void Module::pretty_print(std::ostream& stream) const { stream << name(); }

void Module::pretty_print_recursive(std::ostream& stream, const std::string& indentation) const {
  pretty_print(stream);
  if (!children_.is_empty()) {
    stream << "(\n";
    const std::string next = indentation + "  ";
    for (const auto& c : children_) {
      stream << next << "(" << c.key() << "): ";
      c.value()->pretty_print_recursive(stream, next);
      stream << '\n';
    }
    stream << indentation << ")";
  }
}

std::ostream& operator<<(std::ostream& stream, const Module& module) {
  module.pretty_print_recursive(stream, "");
  return stream;
}

Tensor& Module::register_parameter(std::string name, Tensor tensor, bool requires_grad) {
  EMBER_CHECK(!name.empty(), Error, "nn::Module::register_parameter", "parameter name must not be empty");
  EMBER_CHECK(name.find('.') == std::string::npos, Error, "nn::Module::register_parameter",
              "parameter name must not contain a dot (got \"", name, "\")");
  if (tensor.defined()) {
    if (requires_grad && !tensor.is_floating_point())
      detail::throw_error<DTypeError>("nn::Module::register_parameter", "parameter \"", name,
                                      "\" of dtype ", tensor.dtype(), " cannot require grad");
    if (!tensor.is_leaf()) tensor = tensor.detach();
    tensor.requires_grad_(requires_grad);
  }
  return parameters_.insert(std::move(name), std::move(tensor));
}

Tensor& Module::register_buffer(std::string name, Tensor tensor) {
  EMBER_CHECK(!name.empty(), Error, "nn::Module::register_buffer", "buffer name must not be empty");
  EMBER_CHECK(name.find('.') == std::string::npos, Error, "nn::Module::register_buffer",
              "buffer name must not contain a dot (got \"", name, "\")");
  return buffers_.insert(std::move(name), std::move(tensor));
}

void Module::register_module_impl(std::string name, std::shared_ptr<Module> module) {
  EMBER_CHECK(!name.empty(), Error, "nn::Module::register_module", "submodule name must not be empty");
  EMBER_CHECK(name.find('.') == std::string::npos, Error, "nn::Module::register_module",
              "submodule name must not contain a dot (got \"", name, "\")");
  EMBER_CHECK(module != nullptr, Error, "nn::Module::register_module", "submodule \"", name, "\" is null");
  children_.insert(std::move(name), std::move(module));
}

void Module::replace_module_impl(const std::string& name, std::shared_ptr<Module> module) {
  EMBER_CHECK(children_.contains(name), IndexError, "nn::Module::replace_module", "no submodule named \"", name, "\"");
  children_[name] = std::move(module);
}

void Module::unregister_module(const std::string& name) {
  EMBER_CHECK(children_.contains(name), IndexError, "nn::Module::unregister_module", "no Module with name `", name,
              "` is registered");
  children_.erase(name);
}

// ---- hooks -------------------------------------------------------------------------
namespace {
unsigned next_hook_id() {
  static std::atomic<unsigned> id{1};
  return id.fetch_add(1);
}
}  // namespace

unsigned Module::register_forward_pre_hook(ForwardPreHook hook) {
  if (!hooks_) hooks_ = std::make_shared<Hooks>();
  unsigned id = next_hook_id();
  hooks_->pre.emplace_back(id, std::move(hook));
  return id;
}
unsigned Module::register_forward_hook(ForwardHook hook) {
  if (!hooks_) hooks_ = std::make_shared<Hooks>();
  unsigned id = next_hook_id();
  hooks_->post.emplace_back(id, std::move(hook));
  return id;
}
unsigned Module::register_full_backward_hook(BackwardHook hook) {
  if (!hooks_) hooks_ = std::make_shared<Hooks>();
  unsigned id = next_hook_id();
  hooks_->backward.emplace_back(id, std::move(hook));
  return id;
}
void Module::remove_hook(unsigned handle) {
  if (!hooks_) return;
  auto drop = [handle](auto& v) {
    for (auto it = v.begin(); it != v.end(); ++it)
      if (it->first == handle) { v.erase(it); return; }
  };
  drop(hooks_->pre);
  drop(hooks_->post);
  drop(hooks_->backward);
}

Tensor Module::call_with_hooks(const std::vector<Tensor>& inputs, const std::function<Tensor()>& forward) {
  if (!hooks_) return forward();
  auto hooks = hooks_;  // hooks may remove themselves
  for (auto& h : hooks->pre) h.second(*this, inputs);
  Tensor out = forward();
  for (auto& h : hooks->post) h.second(*this, inputs, out);
  if (!hooks->backward.empty() && out.defined() && out.requires_grad()) {
    std::weak_ptr<Hooks> weak = hooks;
    Module* self = this;
    out.register_hook([weak, self](const Tensor& g) {
      if (auto hs = weak.lock())
        for (auto& h : hs->backward) h.second(*self, g);
    });
  }
  return out;
}

// ---- cloning ---------------------------------------------------------------------------
void clone_state(const Module& from, Module& to, const std::optional<Device>& device) {
  auto src_p = from.named_parameters(), dst_p = to.named_parameters();
  auto src_b = from.named_buffers(), dst_b = to.named_buffers();
  EMBER_CHECK(src_p.size() == dst_p.size() && src_b.size() == dst_b.size(), Error, "nn::Module::clone",
              "the clone of ", from.name(), " has a different set of parameters or buffers after reset(): ",
              "reset() must register every parameter, buffer and submodule");
  NoGradGuard ng;
  for (auto& p : dst_p) {
    Tensor& d = p.value();
    const Tensor& s = src_p[p.key()];
    EMBER_CHECK(d.sizes() == s.sizes() && d.dtype() == s.dtype(), ShapeError, "nn::Module::clone",
                "parameter ", p.key(), " is ", s.sizes(), " ", s.dtype(), " in the original but ", d.sizes(), " ",
                d.dtype(), " after reset()");
    d.copy_(s);
  }
  for (auto& b : dst_b) {
    Tensor& d = b.value();
    const Tensor& s = src_b[b.key()];
    if (d.sizes() == s.sizes() && d.dtype() == s.dtype()) d.copy_(s);
  }
  to.train(from.is_training());
  if (device) to.to(*device);
}

}  // namespace ember::nn
