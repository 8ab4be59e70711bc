#pragma once
// What Adam and AdamW share: the same options fields and state, checked, compared and
// serialized alike, and one update that differs only in how weight decay is applied.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "ember/errors.h"
#include "ember/ops.h"
#include "src/optim/archive_util.h"

namespace ember::optim::detail {

template <class Options>
void check_adam_options(const Options& o, const char* op) {
  EMBER_CHECK(o.lr() >= 0, Error, op, "Invalid learning rate: ", o.lr());
  EMBER_CHECK(o.eps() >= 0, Error, op, "Invalid epsilon value: ", o.eps());
  const auto [beta1, beta2] = o.betas();
  EMBER_CHECK(0 <= beta1 && beta1 < 1.0, Error, op, "Invalid beta parameter at index 0: ", beta1);
  EMBER_CHECK(0 <= beta2 && beta2 < 1.0, Error, op, "Invalid beta parameter at index 1: ", beta2);
  EMBER_CHECK(o.weight_decay() >= 0, Error, op, "Invalid weight_decay value: ", o.weight_decay());
}

template <class Options>
bool adam_options_equal(const Options& a, const Options& b) {
  return a.lr() == b.lr() && a.betas() == b.betas() && a.eps() == b.eps() &&
         a.weight_decay() == b.weight_decay() && a.amsgrad() == b.amsgrad();
}

template <class Options>
void write_adam_options(serialize::OutputArchive& archive, const Options& o) {
  archive.write("lr", o.lr());
  archive.write("betas", std::vector<double>{std::get<0>(o.betas()), std::get<1>(o.betas())});
  archive.write("eps", o.eps());
  archive.write("weight_decay", o.weight_decay());
  archive.write("amsgrad", o.amsgrad());
}

template <class Options>
void read_adam_options(serialize::InputArchive& archive, Options& o, const char* optimizer) {
  o.lr(read_double(archive, "lr"));
  auto b = read_value(archive, "betas").toDoubleVector();
  EMBER_CHECK(b.size() == 2, Error, "optim::load", optimizer, " betas must hold 2 values, got ", b.size());
  o.betas(std::make_tuple(b[0], b[1]));
  o.eps(read_double(archive, "eps"));
  o.weight_decay(read_double(archive, "weight_decay"));
  o.amsgrad(read_bool(archive, "amsgrad"));
}

template <class State>
bool adam_states_equal(const State& a, const State& b) {
  return a.step() == b.step() && equal_if_defined(a.exp_avg(), b.exp_avg()) &&
         equal_if_defined(a.exp_avg_sq(), b.exp_avg_sq()) &&
         equal_if_defined(a.max_exp_avg_sq(), b.max_exp_avg_sq());
}

template <class State>
void write_adam_state(serialize::OutputArchive& archive, const State& s) {
  archive.write("step", s.step());
  write_tensor(archive, "exp_avg", s.exp_avg());
  write_tensor(archive, "exp_avg_sq", s.exp_avg_sq());
  write_tensor(archive, "max_exp_avg_sq", s.max_exp_avg_sq());
}

template <class State>
void read_adam_state(serialize::InputArchive& archive, State& s) {
  s.step(read_int(archive, "step"));
  s.exp_avg(read_tensor(archive, "exp_avg"));
  s.exp_avg_sq(read_tensor(archive, "exp_avg_sq"));
  s.max_exp_avg_sq(read_tensor(archive, "max_exp_avg_sq"));
}

/// A new state for `p`: step 0 and zero moments (the AMSGrad maximum only when used).
template <class State, class Options>
std::unique_ptr<State> new_adam_state(const Tensor& p, const Options& options) {
  auto st = std::make_unique<State>();
  st->step(0);
  st->exp_avg(zeros_like(p));
  st->exp_avg_sq(zeros_like(p));
  if (options.amsgrad()) st->max_exp_avg_sq(zeros_like(p));
  return st;
}

/// One Adam update of `p` (torch.optim.Adam / AdamW). Decoupled weight decay shrinks the
/// parameter (AdamW); otherwise it is added to the gradient as an L2 term (Adam).
template <class State, class Options>
void adam_update(Tensor& p, State& state, const Options& options, bool decoupled_weight_decay) {
  Tensor grad = p.grad();
  Tensor& exp_avg = state.exp_avg();
  Tensor& exp_avg_sq = state.exp_avg_sq();
  Tensor& max_exp_avg_sq = state.max_exp_avg_sq();
  state.step(state.step() + 1);
  const auto [beta1, beta2] = options.betas();
  const double bias_correction1 = 1 - std::pow(beta1, static_cast<double>(state.step()));
  const double bias_correction2 = 1 - std::pow(beta2, static_cast<double>(state.step()));

  if (options.weight_decay() != 0) {
    if (decoupled_weight_decay) {
      p.mul_(1 - options.lr() * options.weight_decay());
    } else {
      grad = grad.add(p, options.weight_decay());
    }
  }
  exp_avg.mul_(beta1).add_(grad, 1 - beta1);
  exp_avg_sq.mul_(beta2).add_(grad * grad, 1 - beta2);

  Tensor second_moment = exp_avg_sq;
  if (options.amsgrad()) {
    if (!max_exp_avg_sq.defined()) max_exp_avg_sq = zeros_like(p);
    max_exp_avg_sq.copy_(maximum(max_exp_avg_sq, exp_avg_sq));
    second_moment = max_exp_avg_sq;
  }
  Tensor denom = (second_moment.sqrt() / std::sqrt(bias_correction2)).add_(options.eps());
  p.add_(exp_avg / denom, -options.lr() / bias_correction1);
}

}  // namespace ember::optim::detail
