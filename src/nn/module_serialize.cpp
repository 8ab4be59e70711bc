// Module::save / Module::load: a module is an archive of its own parameters and buffers
// plus one nested archive per child, as libtorch lays it out.
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
