#pragma once
// Cloneable<Derived>: deep copies via the module's reset() (torch::nn::Cloneable).
#include <memory>

#include "ember/nn/module.h"

namespace ember::nn {

template <class Derived>
class Cloneable : public Module {
 public:
  using Module::Module;
  /// (Re)creates parameters, buffers and submodules from the options.
  virtual void reset() = 0;
  /// A deep copy with fresh copies of every parameter and buffer.
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override {
    auto copy = std::make_shared<Derived>(static_cast<const Derived&>(*this));
    copy->parameters_.clear();
    copy->buffers_.clear();
    copy->children_.clear();
    copy->reset();
    copy_state_into(*copy, device);
    return copy;
  }

 private:
  void copy_state_into(Module& other, const std::optional<Device>& device) const;
};

/// Copies parameter/buffer values and clones children (shared by every Cloneable).
void clone_state(const Module& from, Module& to, const std::optional<Device>& device);

template <class Derived>
void Cloneable<Derived>::copy_state_into(Module& other, const std::optional<Device>& device) const {
  clone_state(*this, other, device);
}

}  // namespace ember::nn
