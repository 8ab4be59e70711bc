#pragma once
// nn::Module: the base of every layer and model (torch::nn::Module), holding named
// parameters, buffers and child modules.
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ember/ordered_dict.h"
#include "ember/tensor.h"

namespace ember::serialize {
class OutputArchive;
class InputArchive;
}  // namespace ember::serialize

namespace ember::nn {

template <class Contained>
class ModuleHolder;

class Module : public std::enable_shared_from_this<Module> {
 public:
  using ModuleApplyFunction = std::function<void(Module&)>;
  using ConstModuleApplyFunction = std::function<void(const Module&)>;
  using NamedModuleApplyFunction = std::function<void(const std::string&, Module&)>;
  using ConstNamedModuleApplyFunction = std::function<void(const std::string&, const Module&)>;
  using ModulePointerApplyFunction = std::function<void(const std::shared_ptr<Module>&)>;
  using NamedModulePointerApplyFunction = std::function<void(const std::string&, const std::shared_ptr<Module>&)>;
  /// Called as hook(module, inputs) before forward / hook(module, inputs, output) after
  /// (PyTorch's module hooks; libtorch has none). Invoked by modules' forward through
  /// call_forward_hooks.
  using ForwardPreHook = std::function<void(Module&, const std::vector<Tensor>&)>;
  using ForwardHook = std::function<void(Module&, const std::vector<Tensor>&, const Tensor&)>;
  using BackwardHook = std::function<void(Module&, const Tensor& grad_output)>;

  /// A module with the given name.
  explicit Module(std::string name);
  /// A module named after its dynamic type.
  Module();
  Module(const Module&) = default;
  Module& operator=(const Module&) = default;
  virtual ~Module() = default;

  /// The module's name (its class name unless given).
  const std::string& name() const noexcept;
  /// A deep copy (modules deriving from Cloneable); raises otherwise.
  virtual std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const;

  void apply(const ModuleApplyFunction& function);
  void apply(const ConstModuleApplyFunction& function) const;
  void apply(const NamedModuleApplyFunction& function, const std::string& name_prefix = std::string());
  void apply(const ConstNamedModuleApplyFunction& function, const std::string& name_prefix = std::string()) const;
  void apply(const ModulePointerApplyFunction& function) const;
  void apply(const NamedModulePointerApplyFunction& function, const std::string& name_prefix = std::string()) const;

  /// Parameters of this module and (when recurse) its descendants, in registration order.
  std::vector<Tensor> parameters(bool recurse = true) const;
  /// Parameters with dotted names ("features.0.weight").
  OrderedDict<std::string, Tensor> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_buffers(bool recurse = true) const;
  /// This module (when include_self) and all descendants, depth first.
  std::vector<std::shared_ptr<Module>> modules(bool include_self = true) const;
  OrderedDict<std::string, std::shared_ptr<Module>> named_modules(const std::string& name_prefix = std::string(),
                                                                  bool include_self = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  OrderedDict<std::string, std::shared_ptr<Module>> named_children() const;

  /// Switches this module and its descendants to training (or evaluation) mode.
  virtual void train(bool on = true);
  void eval();
  virtual bool is_training() const noexcept;
  /// Moves/casts parameters and buffers (floating ones only for dtype), in place.
  virtual void to(Device device, ScalarType dtype, bool non_blocking = false);
  virtual void to(ScalarType dtype, bool non_blocking = false);
  virtual void to(Device device, bool non_blocking = false);
  /// Zeroes (or, with set_to_none, resets) the gradients of all parameters.
  virtual void zero_grad(bool set_to_none = false);

  /// The module as its concrete type, or nullptr (torch::nn::Module::as): as<LinearImpl>()
  /// and as<Linear>() (a holder: its contained type) both give LinearImpl*.
  template <class ModuleType>
  auto* as() noexcept {
    if constexpr (requires { typename ModuleType::ContainedType; })
      return dynamic_cast<typename ModuleType::ContainedType*>(this);
    else
      return dynamic_cast<ModuleType*>(this);
  }
  template <class ModuleType>
  const auto* as() const noexcept {
    if constexpr (requires { typename ModuleType::ContainedType; })
      return dynamic_cast<const typename ModuleType::ContainedType*>(this);
    else
      return dynamic_cast<const ModuleType*>(this);
  }

  /// Prints "Name" (modules override it to show their options).
  virtual void pretty_print(std::ostream& stream) const;
  virtual bool is_serializable() const { return true; }
  /// Writes parameters, buffers (marked as such) and children (as nested archives).
  virtual void save(serialize::OutputArchive& archive) const;
  /// Reads what save() wrote into the existing parameters and buffers, in place; a missing
  /// key or a shape mismatch raises ember::Error naming it.
  virtual void load(serialize::InputArchive& archive);

  /// Parameters and buffers by their dotted names, each module's own before its children's
  /// (PyTorch's Module.state_dict(); the tensors are detached aliases, not copies).
  OrderedDict<std::string, Tensor> state_dict() const;
  /// Keys that load_state_dict(strict = false) skipped.
  struct IncompatibleKeys {
    std::vector<std::string> missing_keys;     // in the module, not in the dict
    std::vector<std::string> unexpected_keys;  // in the dict, not in the module
  };
  /// Copies `state_dict`'s tensors into the parameters and buffers of the same names, in
  /// place (PyTorch's load_state_dict). With `strict`, missing or unexpected keys raise an
  /// ember::Error listing them all; a shape mismatch always raises.
  IncompatibleKeys load_state_dict(const OrderedDict<std::string, Tensor>& state_dict, bool strict = true);

  /// Registers a parameter (requires_grad set as given); returns the stored tensor.
  Tensor& register_parameter(std::string name, Tensor tensor, bool requires_grad = true);
  /// Registers a buffer (state saved with the module, not trained).
  Tensor& register_buffer(std::string name, Tensor tensor);
  /// Registers a child module under name.
  template <class ModuleType>
  std::shared_ptr<ModuleType> register_module(std::string name, std::shared_ptr<ModuleType> module) {
    register_module_impl(std::move(name), module);
    return module;
  }
  template <class ModuleType>
  std::shared_ptr<ModuleType> register_module(std::string name, ModuleHolder<ModuleType> holder) {
    return register_module(std::move(name), holder.ptr());
  }
  /// Replaces a registered child module.
  template <class ModuleType>
  std::shared_ptr<ModuleType> replace_module(const std::string& name, std::shared_ptr<ModuleType> module) {
    replace_module_impl(name, module);
    return module;
  }
  template <class ModuleType>
  std::shared_ptr<ModuleType> replace_module(const std::string& name, ModuleHolder<ModuleType> holder) {
    return replace_module(name, holder.ptr());
  }
  void unregister_module(const std::string& name);

  // ---- hooks (an ember extension, as PyTorch's register_forward_hook) ----------------
  unsigned register_forward_pre_hook(ForwardPreHook hook);
  unsigned register_forward_hook(ForwardHook hook);
  /// Calls hook(module, grad_output) when the gradient of the module's output is computed.
  unsigned register_full_backward_hook(BackwardHook hook);
  void remove_hook(unsigned handle);
  /// Runs the registered hooks around `forward`; built-in modules' operator() uses it.
  Tensor call_with_hooks(const std::vector<Tensor>& inputs, const std::function<Tensor()>& forward);

 protected:
  OrderedDict<std::string, Tensor> parameters_{"Parameter"};
  OrderedDict<std::string, Tensor> buffers_{"Buffer"};
  OrderedDict<std::string, std::shared_ptr<Module>> children_{"Submodule"};

 private:
  void register_module_impl(std::string name, std::shared_ptr<Module> module);
  void replace_module_impl(const std::string& name, std::shared_ptr<Module> module);
  void pretty_print_recursive(std::ostream& stream, const std::string& indentation) const;
  friend std::ostream& operator<<(std::ostream& stream, const Module& module);

  mutable std::optional<std::string> name_;
  bool is_training_ = true;
  struct Hooks {
    std::vector<std::pair<unsigned, ForwardPreHook>> pre;
    std::vector<std::pair<unsigned, ForwardHook>> post;
    std::vector<std::pair<unsigned, BackwardHook>> backward;
  };
  std::shared_ptr<Hooks> hooks_;
};

/// Serializes a module (torch::save(module, path) goes through these).
template <class M, std::enable_if_t<std::is_base_of_v<Module, M>, int> = 0>
serialize::OutputArchive& operator<<(serialize::OutputArchive& archive, const std::shared_ptr<M>& module) {
  module->save(archive);
  return archive;
}
/// Deserializes into an existing module of the same structure.
template <class M, std::enable_if_t<std::is_base_of_v<Module, M>, int> = 0>
serialize::InputArchive& operator>>(serialize::InputArchive& archive, const std::shared_ptr<M>& module) {
  module->load(archive);
  return archive;
}

/// Prints the module tree like libtorch: "Net(\n  (fc1): ember::nn::Linear(...)\n)".
std::ostream& operator<<(std::ostream& stream, const Module& module);

}  // namespace ember::nn
