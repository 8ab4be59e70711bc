// Module::save / Module::load: a module is an archive of its own parameters and buffers
// plus one nested archive per child, as libtorch lays it out; and state_dict /
// load_state_dict over the same dotted names.
#include "ember/autograd.h"
#include "ember/nn/module.h"
#include "ember/serialize.h"

namespace ember::nn {

void Module::save(serialize::OutputArchive& archive) const {
  for (const auto& p : named_parameters(/*recurse=*/false)) archive.write(p.key(), p.value());
  for (const auto& b : named_buffers(/*recurse=*/false)) archive.write(b.key(), b.value(), /*is_buffer=*/true);
  for (const auto& c : named_children()) {
    if (!c.value()->is_serializable()) continue;
    serialize::OutputArchive child;
    c.value()->save(child);
    archive.write(c.key(), child);
  }
}

namespace {
// Reads into a temporary and copies in place, so modules' member handles (weight, bias)
// keep pointing at the registered tensors.
void read_into(serialize::InputArchive& archive, const std::string& module_name, const std::string& key,
               Tensor& target, bool is_buffer) {
  Tensor loaded;
  archive.read(key, loaded, is_buffer);
  EMBER_CHECK(loaded.sizes() == target.sizes(), ShapeError, "nn::Module::load", module_name, ": ",
              is_buffer ? "buffer " : "parameter ", key, " has shape ", target.sizes(),
              " but the archive holds shape ", loaded.sizes());
  NoGradGuard guard;
  target.copy_(loaded);
}
}  // namespace

void Module::load(serialize::InputArchive& archive) {
  for (auto& p : parameters_)
    if (p.value().defined()) read_into(archive, name(), p.key(), p.value(), false);
  for (auto& b : buffers_)
    if (b.value().defined()) read_into(archive, name(), b.key(), b.value(), true);
  for (auto& c : children_) {
    if (!c.value()->is_serializable()) continue;
    serialize::InputArchive child;
    archive.read(c.key(), child);
    c.value()->load(child);
  }
}

}  // namespace ember::nn

namespace ember::nn {
namespace {
void collect_state(const Module& m, const std::string& prefix, OrderedDict<std::string, Tensor>& out) {
  for (const auto& p : m.named_parameters(/*recurse=*/false))
    if (p.value().defined()) out.insert(prefix + p.key(), p.value().detach());
  for (const auto& b : m.named_buffers(/*recurse=*/false))
    if (b.value().defined()) out.insert(prefix + b.key(), b.value().detach());
  for (const auto& c : m.named_children()) collect_state(*c.value(), prefix + c.key() + ".", out);
}

std::string key_list(const std::vector<std::string>& keys) {
  std::string s;
  for (const auto& k : keys) s += (s.empty() ? "\"" : ", \"") + k + "\"";
  return s;
}
}  // namespace

OrderedDict<std::string, Tensor> Module::state_dict() const {
  OrderedDict<std::string, Tensor> out("Key");
  collect_state(*this, "", out);
  return out;
}

Module::IncompatibleKeys Module::load_state_dict(const OrderedDict<std::string, Tensor>& state_dict, bool strict) {
  OrderedDict<std::string, Tensor> own = this->state_dict();
  IncompatibleKeys result;
  std::vector<std::string> mismatched;
  std::vector<std::pair<Tensor, const Tensor*>> copies;  // (module tensor, dict tensor)
  for (const auto& item : own) {
    const Tensor* given = state_dict.find(item.key());
    if (!given) {
      result.missing_keys.push_back(item.key());
    } else if (given->defined() && given->sizes() == item.value().sizes()) {
      copies.emplace_back(item.value(), given);
    } else {
      mismatched.push_back(::ember::detail::concat("\"", item.key(), "\": the module has shape ", item.value().sizes(),
                                          " but the dict holds ",
                                          given->defined() ? ::ember::detail::concat("shape ", given->sizes()) : "an undefined tensor"));
    }
  }
  for (const auto& item : state_dict)
    if (!own.contains(item.key())) result.unexpected_keys.push_back(item.key());

  std::string problems;
  for (const auto& m : mismatched) problems += "; size mismatch for " + m;
  if (strict && !result.missing_keys.empty()) problems += "; missing keys: " + key_list(result.missing_keys);
  if (strict && !result.unexpected_keys.empty()) problems += "; unexpected keys: " + key_list(result.unexpected_keys);
  EMBER_CHECK(problems.empty(), Error, "nn::Module::load_state_dict", "cannot load the state dict into ", name(),
              ": ", problems.substr(problems.empty() ? 0 : 2));

  NoGradGuard guard;
  for (auto& [target, given] : copies) target.copy_(*given);
  return result;
}

}  // namespace ember::nn
