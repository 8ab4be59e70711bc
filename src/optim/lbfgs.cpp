#include "ember/optim/lbfgs.h"

#include <algorithm>
#include <cmath>

#include "ember/autograd.h"
#include "ember/ops.h"
#include "ember/optim/serialize.h"
#include "src/optim/archive_util.h"
#include "src/optim/lbfgs_line_search.h"

namespace ember::optim {

LBFGSOptions::LBFGSOptions(double lr) : lr_(lr) {}

bool operator==(const LBFGSOptions& a, const LBFGSOptions& b) {
  return a.lr() == b.lr() && a.max_iter() == b.max_iter() && a.max_eval() == b.max_eval() &&
         a.tolerance_grad() == b.tolerance_grad() && a.tolerance_change() == b.tolerance_change() &&
         a.history_size() == b.history_size() && a.line_search_fn() == b.line_search_fn();
}

void LBFGSOptions::serialize(serialize::OutputArchive& archive) const {
  archive.write("lr", lr());
  archive.write("max_iter", max_iter());
  archive.write("max_eval", ArchiveValue(max_eval()));
  archive.write("tolerance_grad", tolerance_grad());
  archive.write("tolerance_change", tolerance_change());
  archive.write("history_size", history_size());
  archive.write("line_search_fn", ArchiveValue(line_search_fn()));
}

void LBFGSOptions::serialize(serialize::InputArchive& archive) {
  lr(detail::read_double(archive, "lr"));
  max_iter(detail::read_int(archive, "max_iter"));
  max_eval(detail::read_optional<int64_t>(archive, "max_eval"));
  tolerance_grad(detail::read_double(archive, "tolerance_grad"));
  tolerance_change(detail::read_double(archive, "tolerance_change"));
  history_size(detail::read_int(archive, "history_size"));
  line_search_fn(detail::read_optional<std::string>(archive, "line_search_fn"));
}

double LBFGSOptions::get_lr() const { return lr(); }
void LBFGSOptions::set_lr(const double lr) { this->lr(lr); }

namespace {
template <class C>
bool containers_equal(const C& a, const C& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!detail::equal_if_defined(a[i], b[i])) return false;
  return true;
}
}  // namespace

bool operator==(const LBFGSParamState& a, const LBFGSParamState& b) {
  return a.func_evals() == b.func_evals() && a.n_iter() == b.n_iter() && a.t() == b.t() &&
         a.prev_loss() == b.prev_loss() && detail::equal_if_defined(a.d(), b.d()) &&
         detail::equal_if_defined(a.H_diag(), b.H_diag()) &&
         detail::equal_if_defined(a.prev_flat_grad(), b.prev_flat_grad()) &&
         containers_equal(a.old_dirs(), b.old_dirs()) && containers_equal(a.old_stps(), b.old_stps()) &&
         containers_equal(a.ro(), b.ro()) && a.al().has_value() == b.al().has_value() &&
         (!a.al() || containers_equal(*a.al(), *b.al()));
}

void LBFGSParamState::serialize(serialize::OutputArchive& archive) const {
  archive.write("func_evals", func_evals());
  archive.write("n_iter", n_iter());
  archive.write("t", t());
  archive.write("prev_loss", prev_loss());
  detail::write_tensor(archive, "d", d());
  detail::write_tensor(archive, "H_diag", H_diag());
  detail::write_tensor(archive, "prev_flat_grad", prev_flat_grad());
  detail::write_deque(archive, "old_dirs", old_dirs());
  detail::write_deque(archive, "old_stps", old_stps());
  detail::write_deque(archive, "ro", ro());
  if (al()) archive.write("al", ArchiveValue(*al()));
}

void LBFGSParamState::serialize(serialize::InputArchive& archive) {
  func_evals(detail::read_int(archive, "func_evals"));
  n_iter(detail::read_int(archive, "n_iter"));
  t(detail::read_double(archive, "t"));
  prev_loss(detail::read_double(archive, "prev_loss"));
  d(detail::read_tensor(archive, "d"));
  H_diag(detail::read_tensor(archive, "H_diag"));
  prev_flat_grad(detail::read_tensor(archive, "prev_flat_grad"));
  old_dirs(detail::read_deque(archive, "old_dirs"));
  old_stps(detail::read_deque(archive, "old_stps"));
  ro(detail::read_deque(archive, "ro"));
  al(detail::read_optional<std::vector<Tensor>>(archive, "al"));
}

LBFGS::LBFGS(std::vector<OptimizerParamGroup> param_groups, LBFGSOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<LBFGSOptions>(defaults)) {
  EMBER_CHECK(param_groups_.size() == 1, Error, "optim::LBFGS",
              "LBFGS doesn't support per-parameter options (parameter groups)");
  EMBER_CHECK(!param_groups_[0].params().empty(), Error, "optim::LBFGS", "LBFGS needs at least one parameter");
  EMBER_CHECK(!defaults.line_search_fn() || *defaults.line_search_fn() == "strong_wolfe", Error, "optim::LBFGS",
              "only 'strong_wolfe' is supported as line_search_fn, got '", *defaults.line_search_fn(), "'");
  if (!defaults.max_eval()) {
    const int64_t max_eval = (defaults.max_iter() * 5) / 4;
    static_cast<LBFGSOptions&>(param_groups_[0].options()).max_eval(max_eval);
    static_cast<LBFGSOptions&>(*defaults_).max_eval(max_eval);
  }
}

int64_t LBFGS::_numel() {
  if (!_numel_cache) {
    int64_t n = 0;
    for (const auto& p : param_groups_.at(0).params()) n += p.numel();
    _numel_cache = n;
  }
  return *_numel_cache;
}

Tensor LBFGS::_gather_flat_grad() {
  const auto& params = param_groups_.at(0).params();
  Tensor flat = empty({_numel()}, params.at(0).options().requires_grad(false));
  int64_t offset = 0;
  for (const auto& p : params) {
    Tensor slot = flat.narrow(0, offset, p.numel());
    if (p.grad().defined()) slot.copy_(p.grad().reshape({-1}));
    else slot.zero_();
    offset += p.numel();
  }
  return flat;
}

void LBFGS::_add_grad(const double step_size, const Tensor& update) {
  int64_t offset = 0;
  for (auto& p : param_groups_.at(0).params()) {
    const int64_t numel = p.numel();
    p.add_(update.slice(0, offset, offset + numel).view_as(p), step_size);
    offset += numel;
  }
  EMBER_ASSERT(offset == _numel());
}

void LBFGS::_set_param(const std::vector<Tensor>& params_data) {
  auto& params = param_groups_.at(0).params();
  EMBER_ASSERT(params_data.size() == params.size());
  for (size_t i = 0; i < params.size(); ++i) params[i].copy_(params_data[i]);
}

std::vector<Tensor> LBFGS::_clone_param() {
  std::vector<Tensor> result;
  for (const auto& p : param_groups_.at(0).params()) result.push_back(p.clone());
  return result;
}

std::tuple<double, Tensor> LBFGS::_directional_evaluate(const LossClosure& closure, const std::vector<Tensor>& x,
                                                        double t, const Tensor& d) {
  _add_grad(t, d);
  double loss;
  {
    AutoGradMode enable_grad(true);
    loss = closure().item<double>();
  }
  Tensor flat_grad = _gather_flat_grad();
  _set_param(x);
  return std::make_tuple(loss, flat_grad);
}

Tensor LBFGS::step(LossClosure closure) {
  NoGradGuard no_grad;
  EMBER_CHECK(closure != nullptr, Error, "optim::LBFGS", "LBFGS requires a closure function");
  EMBER_ASSERT(param_groups_.size() == 1);
  auto val = [](const Tensor& t) { return t.item<double>(); };

  auto& group = param_groups_.at(0);
  auto& params = group.params();
  const auto& options = static_cast<const LBFGSOptions&>(group.options());
  const double lr = options.lr();
  const int64_t max_iter = options.max_iter();
  const int64_t max_eval = options.max_eval().value_or(max_iter * 5 / 4);
  const double tolerance_grad = options.tolerance_grad();
  const double tolerance_change = options.tolerance_change();
  const auto& line_search_fn = options.line_search_fn();
  const int64_t history_size = options.history_size();

  // L-BFGS has only global state; it lives under the first parameter's key.
  const std::string key = state_key(params.at(0));
  auto it = state_.find(key);
  if (it == state_.end()) it = state_.emplace(key, std::make_unique<LBFGSParamState>()).first;
  auto& state = static_cast<LBFGSParamState&>(*it->second);

  // evaluate initial f(x) and df/dx
  Tensor orig_loss;
  {
    AutoGradMode enable_grad(true);
    orig_loss = closure();
  }
  double loss = val(orig_loss);
  int64_t current_evals = 1;
  state.func_evals(state.func_evals() + 1);
  Tensor flat_grad = _gather_flat_grad();
  bool opt_cond = val(flat_grad.abs().max()) <= tolerance_grad;

  // optimal condition
  if (opt_cond) return orig_loss;

  // tensors cached in state
  Tensor& d = state.d();
  double& t = state.t();
  auto& old_dirs = state.old_dirs();
  auto& old_stps = state.old_stps();
  auto& ro = state.ro();
  Tensor& H_diag = state.H_diag();
  Tensor& prev_flat_grad = state.prev_flat_grad();
  double& prev_loss = state.prev_loss();

  int64_t n_iter = 0;
  // optimize for a max of max_iter iterations
  while (n_iter < max_iter) {
    n_iter++;
    state.n_iter(state.n_iter() + 1);

    // compute the gradient descent direction
    if (state.n_iter() == 1) {
      d = flat_grad.neg();
      H_diag = scalar_tensor(1.0, flat_grad.options());
      old_dirs.clear();
      old_stps.clear();
      ro.clear();
    } else {
      // do the L-BFGS update (update memory)
      Tensor y = flat_grad.sub(prev_flat_grad);
      Tensor s = d.mul(t);
      Tensor ys = y.dot(s);  // y * s
      if (val(ys) > 1e-10) {
        // updating memory
        if (static_cast<int64_t>(old_dirs.size()) == history_size) {
          // shift history by one (limited memory)
          old_dirs.pop_front();
          old_stps.pop_front();
          ro.pop_front();
        }
        // store the new direction/step
        old_dirs.push_back(y);
        old_stps.push_back(s);
        ro.push_back(1. / ys);
        // update the scale of the initial Hessian approximation
        H_diag = ys / y.dot(y);  // (y * y)
      }

      // compute the approximate (L-BFGS) inverse Hessian multiplied by the gradient
      const int64_t num_old = static_cast<int64_t>(old_dirs.size());
      if (!state.al()) state.al(std::vector<Tensor>(static_cast<size_t>(history_size)));
      auto& al = *state.al();

      // iteration in the L-BFGS loop collapsed to use just one buffer
      Tensor q = flat_grad.neg();
      for (int64_t i = num_old - 1; i > -1; i--) {
        al.at(i) = old_stps.at(i).dot(q) * ro.at(i);
        q.add_(old_dirs.at(i), -val(al.at(i)));
      }

      // multiply by the initial Hessian; r/d is the final direction
      Tensor r = mul(q, H_diag);
      d = r;
      for (int64_t i = 0; i < num_old; i++) {
        Tensor be_i = old_dirs.at(i).dot(r) * ro.at(i);
        r.add_(old_stps.at(i), val(al.at(i) - be_i));
      }
    }

    if (!prev_flat_grad.defined()) {
      prev_flat_grad = flat_grad.clone();
    } else {
      prev_flat_grad.copy_(flat_grad);
    }
    prev_loss = loss;

    // ---- compute the step length ----
    // reset the initial guess for the step size
    if (state.n_iter() == 1) {
      t = std::min(1., 1. / val(flat_grad.abs().sum())) * lr;
    } else {
      t = lr;
    }

    // directional derivative
    Tensor gtd = flat_grad.dot(d);  // g * d

    // directional derivative is below tolerance
    if (val(gtd) > -tolerance_change) break;

    // optional line search: user function
    int64_t ls_func_evals = 0;
    if (line_search_fn) {
      EMBER_CHECK(*line_search_fn == "strong_wolfe", Error, "optim::LBFGS", "only 'strong_wolfe' is supported");
      std::vector<Tensor> x_init = _clone_param();
      auto obj_func = [&](const std::vector<Tensor>& x, double step, const Tensor& dir) {
        return _directional_evaluate(closure, x, step, dir);
      };
      std::tie(loss, flat_grad, t, ls_func_evals) = detail::strong_wolfe(obj_func, x_init, t, d, loss, flat_grad, gtd);
      _add_grad(t, d);
      opt_cond = val(flat_grad.abs().max()) <= tolerance_grad;
    } else {
      // no line search, simply move with a fixed step
      _add_grad(t, d);
      if (n_iter != max_iter) {
        // Re-evaluate the function only if not in the last iteration: in a stochastic
        // setting there is no use re-evaluating it here.
        {
          AutoGradMode enable_grad(true);
          loss = val(closure());
        }
        flat_grad = _gather_flat_grad();
        opt_cond = val(flat_grad.abs().max()) <= tolerance_grad;
        ls_func_evals = 1;
      }
    }
    // update the function evaluation count
    current_evals += ls_func_evals;
    state.func_evals(state.func_evals() + ls_func_evals);

    // ---- check conditions ----
    if (n_iter == max_iter) break;
    if (current_evals >= max_eval) break;
    // optimal condition
    if (opt_cond) break;
    // lack of progress
    if (val(d.mul(t).abs().max()) <= tolerance_change) break;
    if (std::abs(loss - prev_loss) < tolerance_change) break;
  }
  return orig_loss;
}

void LBFGS::save(serialize::OutputArchive& archive) const { serialize<LBFGSParamState, LBFGSOptions>(archive, *this); }
void LBFGS::load(serialize::InputArchive& archive) {
  serialize<LBFGSParamState, LBFGSOptions>(archive, *this);
  _numel_cache = std::nullopt;
}

}  // namespace ember::optim
