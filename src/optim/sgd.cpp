#include "ember/optim/sgd.h"

#include "ember/autograd.h"
#include "ember/ops.h"
#include "ember/optim/serialize.h"
#include "src/optim/archive_util.h"

namespace ember::optim {

SGDOptions::SGDOptions(double lr) : lr_(lr) {}

bool operator==(const SGDOptions& a, const SGDOptions& b) {
  return a.lr() == b.lr() && a.momentum() == b.momentum() && a.dampening() == b.dampening() &&
         a.weight_decay() == b.weight_decay() && a.nesterov() == b.nesterov();
}

void SGDOptions::serialize(serialize::OutputArchive& archive) const {
  archive.write("lr", lr());
  archive.write("momentum", momentum());
  archive.write("dampening", dampening());
  archive.write("weight_decay", weight_decay());
  archive.write("nesterov", nesterov());
}

void SGDOptions::serialize(serialize::InputArchive& archive) {
  lr(detail::read_double(archive, "lr"));
  momentum(detail::read_double(archive, "momentum"));
  dampening(detail::read_double(archive, "dampening"));
  weight_decay(detail::read_double(archive, "weight_decay"));
  nesterov(detail::read_bool(archive, "nesterov"));
}

double SGDOptions::get_lr() const { return lr(); }
void SGDOptions::set_lr(const double lr) { this->lr(lr); }

bool operator==(const SGDParamState& a, const SGDParamState& b) {
  return detail::equal_if_defined(a.momentum_buffer(), b.momentum_buffer());
}

void SGDParamState::serialize(serialize::OutputArchive& archive) const {
  detail::write_tensor(archive, "momentum_buffer", momentum_buffer());
}

void SGDParamState::serialize(serialize::InputArchive& archive) {
  momentum_buffer(detail::read_tensor(archive, "momentum_buffer"));
}

SGD::SGD(std::vector<OptimizerParamGroup> param_groups, SGDOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<SGDOptions>(defaults)) {
  EMBER_CHECK(defaults.lr() >= 0, Error, "optim::SGD", "Invalid learning rate: ", defaults.lr());
  EMBER_CHECK(defaults.momentum() >= 0, Error, "optim::SGD", "Invalid momentum value: ", defaults.momentum());
  EMBER_CHECK(defaults.weight_decay() >= 0, Error, "optim::SGD", "Invalid weight_decay value: ",
              defaults.weight_decay());
  EMBER_CHECK(!defaults.nesterov() || (defaults.momentum() > 0 && defaults.dampening() == 0), Error,
              "optim::SGD", "Nesterov momentum requires a momentum and zero dampening");
}

Tensor SGD::step(LossClosure closure) {
  return for_each_param_with_grad(closure, [this](Tensor& p, const OptimizerOptions& group_options) {
    const auto& options = static_cast<const SGDOptions&>(group_options);
    Tensor d_p = p.grad();
    if (options.weight_decay() != 0) d_p = d_p.add(p, options.weight_decay());
    if (options.momentum() != 0) {
      auto& st = param_state<SGDParamState>(p, [] { return std::make_unique<SGDParamState>(); });
      Tensor buf = st.momentum_buffer();
      if (!buf.defined()) {
        buf = clone(d_p).detach();
        st.momentum_buffer(buf);
      } else {
        buf.mul_(options.momentum()).add_(d_p, 1 - options.dampening());
      }
      d_p = options.nesterov() ? d_p.add(buf, options.momentum()) : buf;
    }
    p.add_(d_p, -1 * options.lr());
  });
}

void SGD::save(serialize::OutputArchive& archive) const { serialize<SGDParamState, SGDOptions>(archive, *this); }
void SGD::load(serialize::InputArchive& archive) { serialize<SGDParamState, SGDOptions>(archive, *this); }

}  // namespace ember::optim
