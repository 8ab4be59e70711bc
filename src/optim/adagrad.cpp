#include "ember/optim/adagrad.h"

#include "ember/autograd.h"
#include "ember/ops.h"
#include "ember/optim/serialize.h"
#include "src/optim/archive_util.h"

namespace ember::optim {

AdagradOptions::AdagradOptions(double lr) : lr_(lr) {}

bool operator==(const AdagradOptions& a, const AdagradOptions& b) {
  return a.lr() == b.lr() && a.lr_decay() == b.lr_decay() && a.weight_decay() == b.weight_decay() &&
         a.initial_accumulator_value() == b.initial_accumulator_value() && a.eps() == b.eps();
}

void AdagradOptions::serialize(serialize::OutputArchive& archive) const {
  archive.write("lr", lr());
  archive.write("lr_decay", lr_decay());
  archive.write("weight_decay", weight_decay());
  archive.write("initial_accumulator_value", initial_accumulator_value());
  archive.write("eps", eps());
}

void AdagradOptions::serialize(serialize::InputArchive& archive) {
  lr(detail::read_double(archive, "lr"));
  lr_decay(detail::read_double(archive, "lr_decay"));
  weight_decay(detail::read_double(archive, "weight_decay"));
  initial_accumulator_value(detail::read_double(archive, "initial_accumulator_value"));
  eps(detail::read_double(archive, "eps"));
}

double AdagradOptions::get_lr() const { return lr(); }
void AdagradOptions::set_lr(const double lr) { this->lr(lr); }

bool operator==(const AdagradParamState& a, const AdagradParamState& b) {
  return a.step() == b.step() && detail::equal_if_defined(a.sum(), b.sum());
}

void AdagradParamState::serialize(serialize::OutputArchive& archive) const {
  detail::write_tensor(archive, "sum", sum());
  archive.write("step", step());
}

void AdagradParamState::serialize(serialize::InputArchive& archive) {
  sum(detail::read_tensor(archive, "sum"));
  step(detail::read_int(archive, "step"));
}

Adagrad::Adagrad(std::vector<OptimizerParamGroup> param_groups, AdagradOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdagradOptions>(defaults)) {
  EMBER_CHECK(defaults.lr() >= 0, Error, "optim::Adagrad", "Invalid learning rate: ", defaults.lr());
  EMBER_CHECK(defaults.lr_decay() >= 0, Error, "optim::Adagrad", "Invalid lr_decay value: ", defaults.lr_decay());
  EMBER_CHECK(defaults.weight_decay() >= 0, Error, "optim::Adagrad", "Invalid weight_decay value: ",
              defaults.weight_decay());
  EMBER_CHECK(defaults.initial_accumulator_value() >= 0, Error, "optim::Adagrad",
              "Invalid initial_accumulator_value value: ", defaults.initial_accumulator_value());
  EMBER_CHECK(defaults.eps() >= 0, Error, "optim::Adagrad", "Invalid epsilon value: ", defaults.eps());
  for (const auto& group : param_groups_) {
    for (const auto& p : group.params()) {
      auto st = std::make_unique<AdagradParamState>();
      st->step(0);
      st->sum(full_like(p, defaults.initial_accumulator_value()));
      state_[state_key(p)] = std::move(st);
    }
  }
}

Tensor Adagrad::step(LossClosure closure) {
  return for_each_param_with_grad(closure, [this](Tensor& p, const OptimizerOptions& group_options) {
    const auto& options = static_cast<const AdagradOptions&>(group_options);
    // Parameters added after construction get their accumulator on first use.
    auto& state = param_state<AdagradParamState>(p, [&] {
      auto st = std::make_unique<AdagradParamState>();
      st->sum(full_like(p, options.initial_accumulator_value()));
      return st;
    });
    Tensor grad = p.grad();
    state.step(state.step() + 1);
    if (options.weight_decay() != 0) grad = grad.add(p, options.weight_decay());
    const double clr = options.lr() / (1 + static_cast<double>(state.step() - 1) * options.lr_decay());
    Tensor& sum = state.sum();
    sum.add_(grad * grad, 1.0);
    const Tensor std = sum.sqrt().add_(options.eps());
    p.add_(grad / std, -clr);
  });
}

void Adagrad::save(serialize::OutputArchive& archive) const {
  serialize<AdagradParamState, AdagradOptions>(archive, *this);
}
void Adagrad::load(serialize::InputArchive& archive) { serialize<AdagradParamState, AdagradOptions>(archive, *this); }

}  // namespace ember::optim
