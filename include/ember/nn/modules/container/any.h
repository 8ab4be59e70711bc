#pragma once
// AnyModule: a type-erased module whose forward takes and returns Tensors
// (torch::nn::AnyModule, restricted to Tensor arguments and a Tensor result).
#include <memory>
#include <tuple>
#include <type_traits>
#include <vector>

#include "ember/nn/module.h"
#include "ember/nn/pimpl.h"

namespace ember::nn {

namespace detail_any {
// The number of leading Tensor parameters of forward: the ones AnyModule passes; later
// parameters (ConvTranspose2d's output_size) keep their default arguments.
template <class... A>
constexpr size_t leading_tensors() {
  size_t n = 0;
  bool tensors = true;
  ((tensors = tensors && std::is_same_v<std::decay_t<A>, Tensor>, n += tensors ? 1 : 0), ...);
  return n;
}
template <class T> struct forward_arity;
template <class C, class R, class... A> struct forward_arity<R (C::*)(A...)> { static constexpr size_t value = leading_tensors<A...>(); };
template <class C, class R, class... A> struct forward_arity<R (C::*)(A...) const> { static constexpr size_t value = leading_tensors<A...>(); };

template <class M, size_t... I>
Tensor call(M& m, const std::vector<Tensor>& in, std::index_sequence<I...>) {
  return m.forward(in[I]...);
}
}  // namespace detail_any

class AnyModule {
 public:
  AnyModule() = default;
  /// Wraps a module held by shared_ptr.
  template <class M, class = std::enable_if_t<std::is_base_of_v<Module, M>>>
  explicit AnyModule(std::shared_ptr<M> module) : module_(module) {
    constexpr size_t n = detail_any::forward_arity<decltype(&M::forward)>::value;
    M* raw = module.get();
    arity_ = n;
    forward_ = [raw](const std::vector<Tensor>& in) {
      return detail_any::call(*raw, in, std::make_index_sequence<n>());
    };
    rewrap_ = [](std::shared_ptr<Module> m) { return AnyModule(std::static_pointer_cast<M>(std::move(m))); };
  }
  /// Wraps a module value (moved into a new shared_ptr).
  template <class M, class = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  explicit AnyModule(M&& module) : AnyModule(std::make_shared<std::decay_t<M>>(std::forward<M>(module))) {}
  /// Wraps the module of a holder.
  template <class M>
  explicit AnyModule(const ModuleHolder<M>& holder) : AnyModule(holder.ptr()) {}

  /// Calls the module's forward with the given tensors.
  template <class... Ts>
  Tensor forward(Ts&&... args) {
    return forward_impl(std::vector<Tensor>{Tensor(std::forward<Ts>(args))...});
  }
  Tensor forward_impl(const std::vector<Tensor>& in) const {
    EMBER_CHECK(module_ != nullptr, Error, "nn::AnyModule::forward", "cannot call forward() on an empty AnyModule");
    EMBER_CHECK(in.size() == arity_, Error, "nn::AnyModule::forward", module_->name(), "'s forward() expects ",
                arity_, " argument(s), but received ", in.size());
    return forward_(in);
  }
  /// The module as M (raises when it is another type).
  template <class M>
  M& get() const {
    auto* m = dynamic_cast<M*>(module_.get());
    EMBER_CHECK(m != nullptr, Error, "nn::AnyModule::get", "attempted to cast module of type ", module_->name(),
                " to a different type");
    return *m;
  }
  const std::shared_ptr<Module>& ptr() const { return module_; }
  template <class M>
  std::shared_ptr<M> ptr() const { return std::dynamic_pointer_cast<M>(module_); }
  bool is_empty() const noexcept { return module_ == nullptr; }
  /// An AnyModule of the same static type around another module (e.g. a clone).
  AnyModule clone_with(std::shared_ptr<Module> module) const { return rewrap_(std::move(module)); }
  size_t arity() const noexcept { return arity_; }

 private:
  std::shared_ptr<Module> module_;
  std::function<Tensor(const std::vector<Tensor>&)> forward_;
  std::function<AnyModule(std::shared_ptr<Module>)> rewrap_;
  size_t arity_ = 0;
};

/// A name and an AnyModule, for named construction of Sequential (torch::nn::NamedAnyModule).
class NamedAnyModule {
 public:
  template <class M>
  NamedAnyModule(std::string name, std::shared_ptr<M> module) : NamedAnyModule(std::move(name), AnyModule(std::move(module))) {}
  template <class M, class = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  NamedAnyModule(std::string name, M&& module) : NamedAnyModule(std::move(name), AnyModule(std::forward<M>(module))) {}
  template <class M>
  NamedAnyModule(std::string name, const ModuleHolder<M>& holder) : NamedAnyModule(std::move(name), AnyModule(holder)) {}
  NamedAnyModule(std::string name, AnyModule module) : name_(std::move(name)), module_(std::move(module)) {}
  const std::string& name() const noexcept { return name_; }
  const AnyModule& module() const noexcept { return module_; }

 private:
  std::string name_;
  AnyModule module_;
};

}  // namespace ember::nn
