#include "ember/optim/optimizer.h"

#include <sstream>
#include <unordered_set>

#include "ember/autograd.h"
#include "ember/serialize.h"

namespace ember::optim {

std::unique_ptr<OptimizerParamState> OptimizerParamState::clone() const {
  EMBER_CHECK(false, NotImplementedError, "optim::OptimizerParamState",
              "clone() is not implemented; derive your state from OptimizerCloneableParamState<YourState>");
}
void OptimizerParamState::serialize(serialize::InputArchive&) {
  EMBER_CHECK(false, NotImplementedError, "optim::OptimizerParamState",
              "serialize(InputArchive&) is not implemented; override it in your param state class");
}
void OptimizerParamState::serialize(serialize::OutputArchive&) const {
  EMBER_CHECK(false, NotImplementedError, "optim::OptimizerParamState",
              "serialize(OutputArchive&) is not implemented; override it in your param state class");
}

std::unique_ptr<OptimizerOptions> OptimizerOptions::clone() const {
  EMBER_CHECK(false, NotImplementedError, "optim::OptimizerOptions",
              "clone() is not implemented; derive your options from OptimizerCloneableOptions<YourOptions>");
}
void OptimizerOptions::serialize(serialize::InputArchive&) {
  EMBER_CHECK(false, NotImplementedError, "optim::OptimizerOptions",
              "serialize(InputArchive&) is not implemented; override it in your options class");
}
void OptimizerOptions::serialize(serialize::OutputArchive&) const {
  EMBER_CHECK(false, NotImplementedError, "optim::OptimizerOptions",
              "serialize(OutputArchive&) is not implemented; override it in your options class");
}
double OptimizerOptions::get_lr() const {
  EMBER_CHECK(false, NotImplementedError, "optim::OptimizerOptions",
              "get_lr() is not implemented; override it in your options class");
}
void OptimizerOptions::set_lr(const double) {
  EMBER_CHECK(false, NotImplementedError, "optim::OptimizerOptions",
              "set_lr() is not implemented; override it in your options class");
}

OptimizerOptions& OptimizerParamGroup::options() {
  EMBER_CHECK(has_options(), Error, "optim::OptimizerParamGroup", "the group has no options");
  return *options_;
}
const OptimizerOptions& OptimizerParamGroup::options() const {
  EMBER_CHECK(has_options(), Error, "optim::OptimizerParamGroup", "the group has no options");
  return *options_;
}

std::string state_key(const Tensor& param) {
  std::ostringstream os;
  os << static_cast<const void*>(param.unsafeGetTensorImpl());
  return os.str();
}

Optimizer::Optimizer(std::vector<OptimizerParamGroup> param_groups, std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)) {
  for (const auto& g : param_groups) add_param_group(g);
}

Optimizer::Optimizer(std::vector<Tensor> parameters, std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)) {
  add_param_group(OptimizerParamGroup(std::move(parameters)));
}

void Optimizer::add_param_group(const OptimizerParamGroup& param_group) {
  std::unordered_set<const void*> seen;
  for (const auto& g : param_groups_)
    for (const auto& p : g.params()) seen.insert(p.unsafeGetTensorImpl());
  for (size_t i = 0; i < param_group.params().size(); ++i) {
    const Tensor& p = param_group.params()[i];
    EMBER_CHECK(p.defined(), Error, "optim::add_param_group", "parameter ", i, " is an undefined tensor");
    EMBER_CHECK(p.is_leaf(), Error, "optim::add_param_group", "can't optimize a non-leaf Tensor (parameter ", i,
                " of sizes ", p.sizes(), ")");
    EMBER_CHECK(seen.insert(p.unsafeGetTensorImpl()).second, Error, "optim::add_param_group",
                "some parameters appear in more than one parameter group (parameter ", i, " of sizes ",
                p.sizes(), ")");
  }
  EMBER_ASSERT(defaults_ != nullptr);
  OptimizerParamGroup group(param_group.params());
  group.set_options(param_group.has_options() ? param_group.options().clone() : defaults_->clone());
  param_groups_.push_back(std::move(group));
}

void Optimizer::add_parameters(const std::vector<Tensor>& parameters) {
  EMBER_CHECK(!param_groups_.empty(), Error, "optim::add_parameters", "the optimizer has no parameter group");
  auto& ps = param_groups_[0].params();
  ps.insert(ps.end(), parameters.begin(), parameters.end());
}

void Optimizer::zero_grad(bool set_to_none) {
  for (auto& group : param_groups_) {
    for (auto& p : group.params()) {
      Tensor& g = p.mutable_grad();
      if (!g.defined()) continue;
      if (set_to_none) {
        g = Tensor();
      } else {
        // A gradient produced with create_graph has a history; zero a detached copy as
        // libtorch does, so the old graph is not kept alive by the zeroed buffer.
        if (g.grad_fn() != nullptr) g = g.detach();
        g.zero_();
      }
    }
  }
}

const std::vector<Tensor>& Optimizer::parameters() const noexcept { return param_groups_.at(0).params(); }
std::vector<Tensor>& Optimizer::parameters() noexcept { return param_groups_.at(0).params(); }

size_t Optimizer::size() const noexcept {
  size_t n = 0;
  for (const auto& g : param_groups_) n += g.params().size();
  return n;
}

Tensor Optimizer::for_each_param_with_grad(
    const LossClosure& closure, const std::function<void(Tensor&, const OptimizerOptions&)>& update) {
  Tensor loss;
  if (closure != nullptr) {
    AutoGradMode enable_grad(true);
    loss = closure();
  }
  NoGradGuard no_grad;
  for (auto& group : param_groups_) {
    const OptimizerOptions& options = group.options();
    for (auto& p : group.params()) {
      if (p.grad().defined()) update(p, options);
    }
  }
  return loss;
}

void Optimizer::save(serialize::OutputArchive&) const {
  EMBER_CHECK(false, NotImplementedError, "optim::Optimizer", "save() is not implemented for this optimizer");
}
void Optimizer::load(serialize::InputArchive&) {
  EMBER_CHECK(false, NotImplementedError, "optim::Optimizer", "load() is not implemented for this optimizer");
}

serialize::OutputArchive& operator<<(serialize::OutputArchive& archive, const Optimizer& optimizer) {
  optimizer.save(archive);
  return archive;
}

serialize::InputArchive& operator>>(serialize::InputArchive& archive, Optimizer& optimizer) {
  optimizer.load(archive);
  return archive;
}

}  // namespace ember::optim
