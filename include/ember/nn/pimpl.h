#pragma once
// ModuleHolder and EMBER_MODULE: the shared-pointer holders used with -> (torch's pimpl).
#include <memory>
#include <ostream>
#include <type_traits>
#include <utility>

#include "ember/errors.h"

namespace ember::serialize {
class OutputArchive;
class InputArchive;
}  // namespace ember::serialize

namespace ember::nn {

/// Holds a std::shared_ptr<Contained>; `holder->x` reaches the module and
/// `holder(args...)` calls its forward (torch::nn::ModuleHolder).
template <class Contained>
class ModuleHolder {
 public:
  using ContainedType = Contained;

  /// Default-constructs the module when it has a default constructor.
  ModuleHolder() : impl_(default_construct()) {}
  /// An empty holder.
  ModuleHolder(std::nullptr_t) {}
  /// Constructs the module from arguments.
  template <class Head, class... Tail,
            class = std::enable_if_t<!(std::is_same_v<std::decay_t<Head>, std::nullptr_t> && sizeof...(Tail) == 0) &&
                                     !std::is_convertible_v<std::decay_t<Head>, std::shared_ptr<Contained>>>>
  explicit ModuleHolder(Head&& head, Tail&&... tail)
      : impl_(new Contained(std::forward<Head>(head), std::forward<Tail>(tail)...)) {}
  /// Wraps an existing module.
  ModuleHolder(std::shared_ptr<Contained> module) : impl_(std::move(module)) {}

  explicit operator bool() const noexcept { return !is_empty(); }
  Contained* operator->() { return get(); }
  const Contained* operator->() const { return get(); }
  Contained& operator*() { return *get(); }
  const Contained& operator*() const { return *get(); }
  const std::shared_ptr<Contained>& ptr() const { return impl_; }
  Contained* get() {
    EMBER_CHECK(!is_empty(), Error, "ModuleHolder", "accessing an empty ModuleHolder");
    return impl_.get();
  }
  const Contained* get() const {
    EMBER_CHECK(!is_empty(), Error, "ModuleHolder", "accessing an empty ModuleHolder");
    return impl_.get();
  }
  /// Calls the module's forward.
  template <class... Args>
  decltype(auto) operator()(Args&&... args) {
    return get()->forward(std::forward<Args>(args)...);
  }
  template <class Arg>
  decltype(auto) operator[](Arg&& arg) {
    return (*get())[std::forward<Arg>(arg)];
  }
  bool is_empty() const noexcept { return impl_ == nullptr; }

 protected:
  std::shared_ptr<Contained> impl_;

 private:
  static std::shared_ptr<Contained> default_construct() {
    if constexpr (std::is_default_constructible_v<Contained>) return std::make_shared<Contained>();
    else return nullptr;
  }
};

template <class C>
std::ostream& operator<<(std::ostream& stream, const ModuleHolder<C>& module) {
  return stream << *module;
}

/// Serializes the held module (torch::save(holder, path)).
template <class C>
serialize::OutputArchive& operator<<(serialize::OutputArchive& archive, const ModuleHolder<C>& module) {
  module.ptr()->save(archive);
  return archive;
}
/// Deserializes into the held module (torch::load(holder, path)).
template <class C>
serialize::InputArchive& operator>>(serialize::InputArchive& archive, ModuleHolder<C>& module) {
  module.ptr()->load(archive);
  return archive;
}

}  // namespace ember::nn

/// Declares `Name` as the holder of `NameImpl` (TORCH_MODULE).
#define EMBER_MODULE_IMPL(Name, ImplType)                      \
  class Name : public ::ember::nn::ModuleHolder<ImplType> {    \
   public:                                                     \
    using ::ember::nn::ModuleHolder<ImplType>::ModuleHolder;   \
    using Impl = ImplType;                                     \
  }
#define EMBER_MODULE(Name) EMBER_MODULE_IMPL(Name, Name##Impl)
