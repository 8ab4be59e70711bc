#pragma once
// ModuleList, ModuleDict, ParameterList, ParameterDict (torch::nn containers).
#include <memory>
#include <string>
#include <vector>

#include "ember/nn/cloneable.h"
#include "ember/nn/pimpl.h"

namespace ember::nn {

/// A list of modules registered as "0", "1", ... (torch::nn::ModuleList).
class ModuleListImpl : public Cloneable<ModuleListImpl> {
 public:
  using Iterator = std::vector<std::shared_ptr<Module>>::iterator;
  using ConstIterator = std::vector<std::shared_ptr<Module>>::const_iterator;
  ModuleListImpl() = default;
  template <class... Modules>
  explicit ModuleListImpl(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;

  void push_back(std::shared_ptr<Module> module);
  template <class M>
  void push_back(const ModuleHolder<M>& holder) { push_back(std::static_pointer_cast<Module>(holder.ptr())); }
  template <class M, class = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  void push_back(M&& module) { push_back(std::static_pointer_cast<Module>(std::make_shared<std::decay_t<M>>(std::forward<M>(module)))); }
  void insert(size_t index, std::shared_ptr<Module> module);
  template <class M>
  void insert(size_t index, const ModuleHolder<M>& holder) { insert(index, std::static_pointer_cast<Module>(holder.ptr())); }
  void extend(const ModuleListImpl& other);
  Iterator begin() { return modules_.begin(); }
  ConstIterator begin() const { return modules_.begin(); }
  Iterator end() { return modules_.end(); }
  ConstIterator end() const { return modules_.end(); }
  template <class M>
  M& at(size_t i) {
    auto* m = dynamic_cast<M*>(modules_.at(i).get());
    EMBER_CHECK(m != nullptr, Error, "nn::ModuleList::at", "module ", i, " (", modules_.at(i)->name(),
                ") is not of the requested type");
    return *m;
  }
  std::shared_ptr<Module> ptr(size_t i) const { return modules_.at(i); }
  template <class M>
  std::shared_ptr<M> ptr(size_t i) const { return std::dynamic_pointer_cast<M>(modules_.at(i)); }
  std::shared_ptr<Module> operator[](size_t i) const { return modules_.at(i); }
  size_t size() const noexcept { return modules_.size(); }
  bool is_empty() const noexcept { return modules_.empty(); }

 private:
  void reindex();
  std::vector<std::shared_ptr<Module>> modules_;
};
EMBER_MODULE(ModuleList);

/// Modules by name, in insertion order (torch::nn::ModuleDict).
class ModuleDictImpl : public Cloneable<ModuleDictImpl> {
 public:
  ModuleDictImpl() = default;
  explicit ModuleDictImpl(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules);
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  /// Inserts or replaces a module under key.
  void update(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules);
  template <class M>
  std::shared_ptr<M> insert(const std::string& key, std::shared_ptr<M> module) {
    insert_impl(key, module);
    return module;
  }
  template <class M>
  std::shared_ptr<M> insert(const std::string& key, const ModuleHolder<M>& holder) { return insert(key, holder.ptr()); }
  std::shared_ptr<Module> operator[](const std::string& key) const;
  template <class M>
  M& at(const std::string& key) {
    auto* m = dynamic_cast<M*>((*this)[key].get());
    EMBER_CHECK(m != nullptr, Error, "nn::ModuleDict::at", "module '", key, "' is not of the requested type");
    return *m;
  }
  std::shared_ptr<Module> pop(const std::string& key);
  bool contains(const std::string& key) const { return children_.contains(key); }
  std::vector<std::string> keys() const { return children_.keys(); }
  std::vector<std::shared_ptr<Module>> values() const { return children_.values(); }
  const std::vector<OrderedDict<std::string, std::shared_ptr<Module>>::Item>& items() const { return children_.items(); }
  size_t size() const noexcept { return children_.size(); }
  bool empty() const noexcept { return children_.is_empty(); }
  void clear() { children_.clear(); }

 private:
  void insert_impl(const std::string& key, std::shared_ptr<Module> module);
};
class ModuleDict : public ModuleHolder<ModuleDictImpl> {
 public:
  using ModuleHolder<ModuleDictImpl>::ModuleHolder;
  ModuleDict() : ModuleHolder() {}
  /// ModuleDict({{"name", module_ptr}, ...}).
  ModuleDict(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules)
      : ModuleHolder(std::make_shared<ModuleDictImpl>(modules)) {}
};

/// A list of parameters registered as "0", "1", ... (torch::nn::ParameterList).
class ParameterListImpl : public Cloneable<ParameterListImpl> {
 public:
  ParameterListImpl() = default;
  template <class... Ts>
  explicit ParameterListImpl(Ts&&... params) {
    (append(Tensor(std::forward<Ts>(params))), ...);
  }
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  void append(const Tensor& param);
  template <class Container>
  void extend(const Container& c) {
    for (const auto& p : c) append(p);
  }
  Tensor& operator[](size_t i) { return parameters_[i].value(); }
  const Tensor& operator[](size_t i) const { return parameters_[i].value(); }
  Tensor& at(size_t i) { return parameters_[i].value(); }
  auto begin() { return parameters_.begin(); }
  auto begin() const { return parameters_.begin(); }
  auto end() { return parameters_.end(); }
  auto end() const { return parameters_.end(); }
  size_t size() const noexcept { return parameters_.size(); }
  bool is_empty() const noexcept { return parameters_.is_empty(); }
};
EMBER_MODULE(ParameterList);

/// Parameters by name (torch::nn::ParameterDict).
class ParameterDictImpl : public Cloneable<ParameterDictImpl> {
 public:
  ParameterDictImpl() = default;
  explicit ParameterDictImpl(const OrderedDict<std::string, Tensor>& params);
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor& insert(std::string key, Tensor param);
  Tensor pop(const std::string& key);
  Tensor& get(const std::string& key) { return parameters_[key]; }
  Tensor& operator[](const std::string& key) { return parameters_[key]; }
  const Tensor& operator[](const std::string& key) const { return parameters_[key]; }
  bool contains(const std::string& key) const { return parameters_.contains(key); }
  std::vector<std::string> keys() const { return parameters_.keys(); }
  std::vector<Tensor> values() const { return parameters_.values(); }
  void update(const OrderedDict<std::string, Tensor>& params);
  size_t size() const noexcept { return parameters_.size(); }
  bool empty() const noexcept { return parameters_.is_empty(); }
  void clear() { parameters_.clear(); }
  auto begin() { return parameters_.begin(); }
  auto end() { return parameters_.end(); }
};
EMBER_MODULE(ParameterDict);

}  // namespace ember::nn
