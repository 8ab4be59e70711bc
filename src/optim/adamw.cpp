#include "ember/optim/adamw.h"

#include <cmath>

#include "ember/autograd.h"
#include "ember/ops.h"
#include "ember/optim/serialize.h"
#include "src/optim/archive_util.h"

namespace ember::optim {

AdamWOptions::AdamWOptions(double lr) : lr_(lr) {}

bool operator==(const AdamWOptions& a, const AdamWOptions& b) {
  return a.lr() == b.lr() && a.betas() == b.betas() && a.eps() == b.eps() &&
         a.weight_decay() == b.weight_decay() && a.amsgrad() == b.amsgrad();
}

void AdamWOptions::serialize(serialize::OutputArchive& archive) const {
  archive.write("lr", lr());
  archive.write("betas", std::vector<double>{std::get<0>(betas()), std::get<1>(betas())});
  archive.write("eps", eps());
  archive.write("weight_decay", weight_decay());
  archive.write("amsgrad", amsgrad());
}

void AdamWOptions::serialize(serialize::InputArchive& archive) {
  lr(detail::read_double(archive, "lr"));
  auto b = detail::read_value(archive, "betas").toDoubleVector();
  EMBER_CHECK(b.size() == 2, Error, "optim::load", "AdamW betas must hold 2 values, got ", b.size());
  betas(std::make_tuple(b[0], b[1]));
  eps(detail::read_double(archive, "eps"));
  weight_decay(detail::read_double(archive, "weight_decay"));
  amsgrad(detail::read_bool(archive, "amsgrad"));
}

double AdamWOptions::get_lr() const { return lr(); }
void AdamWOptions::set_lr(const double lr) { this->lr(lr); }

bool operator==(const AdamWParamState& a, const AdamWParamState& b) {
  return a.step() == b.step() && detail::equal_if_defined(a.exp_avg(), b.exp_avg()) &&
         detail::equal_if_defined(a.exp_avg_sq(), b.exp_avg_sq()) &&
         detail::equal_if_defined(a.max_exp_avg_sq(), b.max_exp_avg_sq());
}

void AdamWParamState::serialize(serialize::OutputArchive& archive) const {
  archive.write("step", step());
  detail::write_tensor(archive, "exp_avg", exp_avg());
  detail::write_tensor(archive, "exp_avg_sq", exp_avg_sq());
  detail::write_tensor(archive, "max_exp_avg_sq", max_exp_avg_sq());
}

void AdamWParamState::serialize(serialize::InputArchive& archive) {
  step(detail::read_int(archive, "step"));
  exp_avg(detail::read_tensor(archive, "exp_avg"));
  exp_avg_sq(detail::read_tensor(archive, "exp_avg_sq"));
  max_exp_avg_sq(detail::read_tensor(archive, "max_exp_avg_sq"));
}

AdamW::AdamW(std::vector<OptimizerParamGroup> param_groups, AdamWOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdamWOptions>(defaults)) {
  EMBER_CHECK(defaults.lr() >= 0, Error, "optim::AdamW", "Invalid learning rate: ", defaults.lr());
  EMBER_CHECK(defaults.eps() >= 0, Error, "optim::AdamW", "Invalid epsilon value: ", defaults.eps());
  const auto [beta1, beta2] = defaults.betas();
  EMBER_CHECK(0 <= beta1 && beta1 < 1.0, Error, "optim::AdamW", "Invalid beta parameter at index 0: ", beta1);
  EMBER_CHECK(0 <= beta2 && beta2 < 1.0, Error, "optim::AdamW", "Invalid beta parameter at index 1: ", beta2);
  EMBER_CHECK(defaults.weight_decay() >= 0, Error, "optim::AdamW", "Invalid weight_decay value: ",
              defaults.weight_decay());
}

Tensor AdamW::step(LossClosure closure) {
  NoGradGuard no_grad;
  Tensor loss;
  if (closure != nullptr) {
    AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const AdamWOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      Tensor grad = p.grad();
      const std::string key = state_key(p);
      auto it = state_.find(key);
      if (it == state_.end()) {
        auto st = std::make_unique<AdamWParamState>();
        st->step(0);
        st->exp_avg(zeros_like(p));
        st->exp_avg_sq(zeros_like(p));
        if (options.amsgrad()) st->max_exp_avg_sq(zeros_like(p));
        it = state_.emplace(key, std::move(st)).first;
      }
      auto& state = static_cast<AdamWParamState&>(*it->second);
      Tensor& exp_avg = state.exp_avg();
      Tensor& exp_avg_sq = state.exp_avg_sq();
      Tensor& max_exp_avg_sq = state.max_exp_avg_sq();
      state.step(state.step() + 1);
      const auto [beta1, beta2] = options.betas();
      const double bias_correction1 = 1 - std::pow(beta1, static_cast<double>(state.step()));
      const double bias_correction2 = 1 - std::pow(beta2, static_cast<double>(state.step()));

      // Decoupled weight decay: shrink the parameter, leave the gradient alone.
      if (options.weight_decay() != 0) p.mul_(1 - options.lr() * options.weight_decay());
      exp_avg.mul_(beta1).add_(grad, 1 - beta1);
      exp_avg_sq.mul_(beta2).add_(grad * grad, 1 - beta2);

      Tensor denom;
      if (options.amsgrad()) {
        if (!max_exp_avg_sq.defined()) max_exp_avg_sq = zeros_like(p);
        max_exp_avg_sq.copy_(maximum(max_exp_avg_sq, exp_avg_sq));
        denom = (max_exp_avg_sq.sqrt() / std::sqrt(bias_correction2)).add_(options.eps());
      } else {
        denom = (exp_avg_sq.sqrt() / std::sqrt(bias_correction2)).add_(options.eps());
      }
      const double step_size = options.lr() / bias_correction1;
      p.add_(exp_avg / denom, -step_size);
    }
  }
  return loss;
}

void AdamW::save(serialize::OutputArchive& archive) const { serialize<AdamWParamState, AdamWOptions>(archive, *this); }
void AdamW::load(serialize::InputArchive& archive) { serialize<AdamWParamState, AdamWOptions>(archive, *this); }

}  // namespace ember::optim
