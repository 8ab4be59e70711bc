#include "ember/optim/rmsprop.h"

#include "ember/autograd.h"
#include "ember/ops.h"
#include "ember/optim/serialize.h"
#include "src/optim/archive_util.h"

namespace ember::optim {

RMSpropOptions::RMSpropOptions(double lr) : lr_(lr) {}

bool operator==(const RMSpropOptions& a, const RMSpropOptions& b) {
  return a.lr() == b.lr() && a.alpha() == b.alpha() && a.eps() == b.eps() &&
         a.weight_decay() == b.weight_decay() && a.momentum() == b.momentum() && a.centered() == b.centered();
}

void RMSpropOptions::serialize(serialize::OutputArchive& archive) const {
  archive.write("lr", lr());
  archive.write("alpha", alpha());
  archive.write("eps", eps());
  archive.write("weight_decay", weight_decay());
  archive.write("momentum", momentum());
  archive.write("centered", centered());
}

void RMSpropOptions::serialize(serialize::InputArchive& archive) {
  lr(detail::read_double(archive, "lr"));
  alpha(detail::read_double(archive, "alpha"));
  eps(detail::read_double(archive, "eps"));
  weight_decay(detail::read_double(archive, "weight_decay"));
  momentum(detail::read_double(archive, "momentum"));
  centered(detail::read_bool(archive, "centered"));
}

double RMSpropOptions::get_lr() const { return lr(); }
void RMSpropOptions::set_lr(const double lr) { this->lr(lr); }

bool operator==(const RMSpropParamState& a, const RMSpropParamState& b) {
  return a.step() == b.step() && detail::equal_if_defined(a.square_avg(), b.square_avg()) &&
         detail::equal_if_defined(a.momentum_buffer(), b.momentum_buffer()) &&
         detail::equal_if_defined(a.grad_avg(), b.grad_avg());
}

void RMSpropParamState::serialize(serialize::OutputArchive& archive) const {
  archive.write("step", step());
  detail::write_tensor(archive, "square_avg", square_avg());
  detail::write_tensor(archive, "momentum_buffer", momentum_buffer());
  detail::write_tensor(archive, "grad_avg", grad_avg());
}

void RMSpropParamState::serialize(serialize::InputArchive& archive) {
  step(detail::read_int(archive, "step"));
  square_avg(detail::read_tensor(archive, "square_avg"));
  momentum_buffer(detail::read_tensor(archive, "momentum_buffer"));
  grad_avg(detail::read_tensor(archive, "grad_avg"));
}

RMSprop::RMSprop(std::vector<OptimizerParamGroup> param_groups, RMSpropOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<RMSpropOptions>(defaults)) {
  EMBER_CHECK(defaults.lr() >= 0, Error, "optim::RMSprop", "Invalid learning rate: ", defaults.lr());
  EMBER_CHECK(defaults.eps() >= 0, Error, "optim::RMSprop", "Invalid epsilon value: ", defaults.eps());
  EMBER_CHECK(defaults.momentum() >= 0, Error, "optim::RMSprop", "Invalid momentum value: ", defaults.momentum());
  EMBER_CHECK(defaults.weight_decay() >= 0, Error, "optim::RMSprop", "Invalid weight_decay value: ",
              defaults.weight_decay());
  EMBER_CHECK(defaults.alpha() >= 0, Error, "optim::RMSprop", "Invalid alpha value: ", defaults.alpha());
}

Tensor RMSprop::step(LossClosure closure) {
  return for_each_param_with_grad(closure, [this](Tensor& p, const OptimizerOptions& group_options) {
    const auto& options = static_cast<const RMSpropOptions&>(group_options);
    auto& state = param_state<RMSpropParamState>(p, [&] {
      auto st = std::make_unique<RMSpropParamState>();
      st->step(0);
      st->square_avg(zeros_like(p));
      if (options.momentum() > 0) st->momentum_buffer(zeros_like(p));
      if (options.centered()) st->grad_avg(zeros_like(p));
      return st;
    });
    Tensor grad = p.grad();
    Tensor& square_avg = state.square_avg();
    const double alpha = options.alpha();
    state.step(state.step() + 1);

    if (options.weight_decay() != 0) grad = grad.add(p, options.weight_decay());
    square_avg.mul_(alpha).add_(grad * grad, 1 - alpha);

    Tensor avg;
    if (options.centered()) {
      Tensor& grad_avg = state.grad_avg();
      if (!grad_avg.defined()) grad_avg = zeros_like(p);
      grad_avg.mul_(alpha).add_(grad, 1 - alpha);
      avg = square_avg.sub(grad_avg * grad_avg).sqrt_().add_(options.eps());
    } else {
      avg = square_avg.sqrt().add_(options.eps());
    }

    if (options.momentum() > 0) {
      Tensor& buf = state.momentum_buffer();
      if (!buf.defined()) buf = zeros_like(p);
      buf.mul_(options.momentum()).add_(grad / avg);
      p.add_(buf, -options.lr());
    } else {
      p.add_(grad / avg, -options.lr());
    }
  });
}

void RMSprop::save(serialize::OutputArchive& archive) const {
  serialize<RMSpropParamState, RMSpropOptions>(archive, *this);
}
void RMSprop::load(serialize::InputArchive& archive) { serialize<RMSpropParamState, RMSpropOptions>(archive, *this); }

}  // namespace ember::optim
