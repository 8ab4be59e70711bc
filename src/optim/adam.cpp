#include "ember/optim/adam.h"

#include "ember/optim/serialize.h"
#include "src/optim/adam_family.h"

namespace ember::optim {

AdamOptions::AdamOptions(double lr) : lr_(lr) {}

bool operator==(const AdamOptions& a, const AdamOptions& b) { return detail::adam_options_equal(a, b); }
void AdamOptions::serialize(serialize::OutputArchive& archive) const { detail::write_adam_options(archive, *this); }
void AdamOptions::serialize(serialize::InputArchive& archive) { detail::read_adam_options(archive, *this, "Adam"); }
double AdamOptions::get_lr() const { return lr(); }
void AdamOptions::set_lr(const double lr) { this->lr(lr); }

bool operator==(const AdamParamState& a, const AdamParamState& b) { return detail::adam_states_equal(a, b); }
void AdamParamState::serialize(serialize::OutputArchive& archive) const { detail::write_adam_state(archive, *this); }
void AdamParamState::serialize(serialize::InputArchive& archive) { detail::read_adam_state(archive, *this); }

Adam::Adam(std::vector<OptimizerParamGroup> param_groups, AdamOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdamOptions>(defaults)) {
  detail::check_adam_options(defaults, "optim::Adam");
}

Tensor Adam::step(LossClosure closure) {
  return for_each_param_with_grad(closure, [this](Tensor& p, const OptimizerOptions& group_options) {
    const auto& options = static_cast<const AdamOptions&>(group_options);
    auto& state = param_state<AdamParamState>(p, [&] { return detail::new_adam_state<AdamParamState>(p, options); });
    detail::adam_update(p, state, options, /*decoupled_weight_decay=*/false);
  });
}

void Adam::save(serialize::OutputArchive& archive) const { serialize<AdamParamState, AdamOptions>(archive, *this); }
void Adam::load(serialize::InputArchive& archive) { serialize<AdamParamState, AdamOptions>(archive, *this); }

}  // namespace ember::optim
