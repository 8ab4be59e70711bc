#include "ember/optim/adamw.h"

#include "ember/optim/serialize.h"
#include "src/optim/adam_family.h"

namespace ember::optim {

AdamWOptions::AdamWOptions(double lr) : lr_(lr) {}

bool operator==(const AdamWOptions& a, const AdamWOptions& b) { return detail::adam_options_equal(a, b); }
void AdamWOptions::serialize(serialize::OutputArchive& archive) const { detail::write_adam_options(archive, *this); }
void AdamWOptions::serialize(serialize::InputArchive& archive) { detail::read_adam_options(archive, *this, "AdamW"); }
double AdamWOptions::get_lr() const { return lr(); }
void AdamWOptions::set_lr(const double lr) { this->lr(lr); }

bool operator==(const AdamWParamState& a, const AdamWParamState& b) { return detail::adam_states_equal(a, b); }
void AdamWParamState::serialize(serialize::OutputArchive& archive) const { detail::write_adam_state(archive, *this); }
void AdamWParamState::serialize(serialize::InputArchive& archive) { detail::read_adam_state(archive, *this); }

AdamW::AdamW(std::vector<OptimizerParamGroup> param_groups, AdamWOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdamWOptions>(defaults)) {
  detail::check_adam_options(defaults, "optim::AdamW");
}

Tensor AdamW::step(LossClosure closure) {
  return for_each_param_with_grad(closure, [this](Tensor& p, const OptimizerOptions& group_options) {
    const auto& options = static_cast<const AdamWOptions&>(group_options);
    auto& state = param_state<AdamWParamState>(p, [&] { return detail::new_adam_state<AdamWParamState>(p, options); });
    detail::adam_update(p, state, options, /*decoupled_weight_decay=*/true);
  });
}

void AdamW::save(serialize::OutputArchive& archive) const { serialize<AdamWParamState, AdamWOptions>(archive, *this); }
void AdamW::load(serialize::InputArchive& archive) { serialize<AdamWParamState, AdamWOptions>(archive, *this); }

}  // namespace ember::optim
