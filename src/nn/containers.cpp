// Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict, Functional.
#include <ostream>

#include "ember/nn/modules/container/lists.h"
#include "ember/nn/modules/container/sequential.h"
#include "ember/nn/modules/functional.h"

namespace ember::nn {

// ---- Sequential ----------------------------------------------------------------------
SequentialImpl::SequentialImpl(std::initializer_list<NamedAnyModule> named) {
  for (const auto& m : named) push_back(m.name(), m.module());
}

void SequentialImpl::push_back(std::string name, AnyModule module) {
  EMBER_CHECK(!module.is_empty(), Error, "nn::Sequential::push_back", "cannot add an empty module");
  register_module(std::move(name), module.ptr());
  modules_.push_back(std::move(module));
}

void SequentialImpl::extend(const SequentialImpl& other) {
  for (const auto& m : other.modules_) push_back(m);
}

std::shared_ptr<Module> SequentialImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<SequentialImpl>();
  const auto names = children_.keys();
  for (size_t i = 0; i < modules_.size(); ++i)
    copy->push_back(names[i], modules_[i].clone_with(modules_[i].ptr()->clone(device)));
  copy->train(is_training());
  return copy;
}

void SequentialImpl::pretty_print(std::ostream& stream) const { stream << "ember::nn::Sequential"; }

// ---- ModuleList ----------------------------------------------------------------------
void ModuleListImpl::push_back(std::shared_ptr<Module> module) {
  EMBER_CHECK(module != nullptr, Error, "nn::ModuleList::push_back", "cannot add a null module");
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

void ModuleListImpl::insert(size_t index, std::shared_ptr<Module> module) {
  EMBER_CHECK(index <= modules_.size(), IndexError, "nn::ModuleList::insert", "index ", index,
              " is out of range for a ModuleList of size ", modules_.size());
  modules_.insert(modules_.begin() + static_cast<long>(index), std::move(module));
  reindex();
}

void ModuleListImpl::extend(const ModuleListImpl& other) {
  for (const auto& m : other.modules_) push_back(m);
}

void ModuleListImpl::reindex() {
  children_.clear();
  for (size_t i = 0; i < modules_.size(); ++i) register_module(std::to_string(i), modules_[i]);
}

std::shared_ptr<Module> ModuleListImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ModuleListImpl>();
  for (const auto& m : modules_) copy->push_back(m->clone(device));
  copy->train(is_training());
  return copy;
}

void ModuleListImpl::pretty_print(std::ostream& stream) const { stream << "ember::nn::ModuleList"; }

// ---- ModuleDict ----------------------------------------------------------------------
ModuleDictImpl::ModuleDictImpl(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules) {
  update(modules);
}

void ModuleDictImpl::update(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules) {
  for (const auto& kv : modules) insert_impl(kv.first, kv.second);
}

void ModuleDictImpl::insert_impl(const std::string& key, std::shared_ptr<Module> module) {
  if (children_.contains(key)) children_[key] = std::move(module);
  else register_module(key, std::move(module));
}

std::shared_ptr<Module> ModuleDictImpl::operator[](const std::string& key) const {
  EMBER_CHECK(children_.contains(key), IndexError, "nn::ModuleDict", "no module named '", key, "' in the ModuleDict");
  return children_[key];
}

std::shared_ptr<Module> ModuleDictImpl::pop(const std::string& key) {
  auto m = (*this)[key];
  children_.erase(key);
  return m;
}

std::shared_ptr<Module> ModuleDictImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ModuleDictImpl>();
  for (const auto& kv : children_) copy->insert_impl(kv.key(), kv.value()->clone(device));
  copy->train(is_training());
  return copy;
}

void ModuleDictImpl::pretty_print(std::ostream& stream) const { stream << "ember::nn::ModuleDict"; }

// ---- ParameterList / ParameterDict -------------------------------------------------------
void ParameterListImpl::append(const Tensor& param) {
  register_parameter(std::to_string(parameters_.size()), param, param.defined() ? param.requires_grad() : true);
}

void ParameterListImpl::pretty_print(std::ostream& stream) const {
  stream << "ember::nn::ParameterList(\n";
  for (const auto& p : parameters_)
    stream << "(" << p.key() << "): Parameter containing: [" << p.value().toString() << " of size " << p.value().sizes()
           << "]\n";
  stream << ")";
}

ParameterDictImpl::ParameterDictImpl(const OrderedDict<std::string, Tensor>& params) { update(params); }

Tensor& ParameterDictImpl::insert(std::string key, Tensor param) {
  if (parameters_.contains(key)) {
    parameters_[key] = param;
    return parameters_[key];
  }
  const bool rg = param.defined() ? param.requires_grad() : true;
  return register_parameter(std::move(key), std::move(param), rg);
}

Tensor ParameterDictImpl::pop(const std::string& key) {
  Tensor t = parameters_[key];
  parameters_.erase(key);
  return t;
}

void ParameterDictImpl::update(const OrderedDict<std::string, Tensor>& params) {
  for (const auto& kv : params) insert(kv.key(), kv.value());
}

void ParameterDictImpl::pretty_print(std::ostream& stream) const {
  stream << "ember::nn::ParameterDict(\n";
  for (const auto& p : parameters_)
    stream << "(" << p.key() << "): Parameter containing: [" << p.value().toString() << " of size " << p.value().sizes()
           << "]\n";
  stream << ")";
}

void FunctionalImpl::pretty_print(std::ostream& stream) const { stream << "ember::nn::Functional()"; }

}  // namespace ember::nn
