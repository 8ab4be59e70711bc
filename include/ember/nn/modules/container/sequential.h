#pragma once
// Sequential: modules called in order, each output feeding the next (torch::nn::Sequential).
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "ember/nn/cloneable.h"
#include "ember/nn/modules/container/any.h"

namespace ember::nn {

class SequentialImpl : public Cloneable<SequentialImpl> {
 public:
  using Iterator = std::vector<AnyModule>::iterator;
  using ConstIterator = std::vector<AnyModule>::const_iterator;

  SequentialImpl() = default;
  /// Modules given in order; their names are "0", "1", ...
  template <class... Modules>
  explicit SequentialImpl(Modules&&... modules) {
    modules_.reserve(sizeof...(Modules));
    (push_back(std::forward<Modules>(modules)), ...);
  }
  /// Named modules in order.
  explicit SequentialImpl(std::initializer_list<NamedAnyModule> named);

  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;

  /// Runs the modules in order; the first gets all arguments.
  template <class... Ts>
  Tensor forward(Ts&&... inputs) {
    EMBER_CHECK(!modules_.empty(), Error, "nn::Sequential::forward", "cannot call forward() on an empty Sequential");
    Tensor x = modules_.front().forward(std::forward<Ts>(inputs)...);
    for (size_t i = 1; i < modules_.size(); ++i) x = modules_[i].forward(x);
    return x;
  }

  template <class M>
  void push_back(std::shared_ptr<M> module) { push_back(std::to_string(modules_.size()), std::move(module)); }
  template <class M>
  void push_back(const ModuleHolder<M>& holder) { push_back(holder.ptr()); }
  template <class M, class = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  void push_back(M&& module) { push_back(std::make_shared<std::decay_t<M>>(std::forward<M>(module))); }
  void push_back(AnyModule module) { push_back(std::to_string(modules_.size()), std::move(module)); }
  template <class M>
  void push_back(std::string name, std::shared_ptr<M> module) { push_back(std::move(name), AnyModule(std::move(module))); }
  template <class M>
  void push_back(std::string name, const ModuleHolder<M>& holder) { push_back(std::move(name), holder.ptr()); }
  void push_back(std::string name, AnyModule module);
  /// Appends every module of another Sequential.
  void extend(const SequentialImpl& other);

  Iterator begin() { return modules_.begin(); }
  ConstIterator begin() const { return modules_.begin(); }
  Iterator end() { return modules_.end(); }
  ConstIterator end() const { return modules_.end(); }
  /// The i-th module as M.
  template <class M>
  M& at(size_t i) { return modules_.at(i).get<M>(); }
  const std::shared_ptr<Module>& ptr(size_t i) const { return modules_.at(i).ptr(); }
  template <class M>
  std::shared_ptr<M> ptr(size_t i) const { return modules_.at(i).ptr<M>(); }
  std::shared_ptr<Module> operator[](size_t i) const { return ptr(i); }
  size_t size() const noexcept { return modules_.size(); }
  bool is_empty() const noexcept { return modules_.empty(); }

 private:
  std::vector<AnyModule> modules_;
};

class Sequential : public ModuleHolder<SequentialImpl> {
 public:
  using ModuleHolder<SequentialImpl>::ModuleHolder;
  Sequential() : ModuleHolder() {}
  /// Named modules: Sequential({{"conv", Conv2d(...)}, {"relu", ReLU()}}).
  Sequential(std::initializer_list<NamedAnyModule> named)
      : ModuleHolder(std::make_shared<SequentialImpl>(named)) {}
};

}  // namespace ember::nn
