// Finite-difference checks of the tape (gradcheck, gradgradcheck), in float64.
#include <cmath>
#include <sstream>

#include "ember/autograd.h"
#include "ember/ops.h"

namespace ember::autograd {
namespace {

// Pointer to element `flat` (row-major order over sizes) of a CPU double tensor.
double* element(const Tensor& t, int64_t flat) {
  int64_t off = 0;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    const int64_t s = t.size(d);
    off += (flat % s) * t.stride(d);
    flat /= s;
  }
  return static_cast<double*>(t.data_ptr()) + off;
}

Tensor flat_double(const Tensor& t) {
  return t.detach().to(kDouble).contiguous().reshape({-1});
}

variable_list run(const std::function<variable_list(const variable_list&)>& fn, const variable_list& in) {
  // Not under NoGradGuard: fn may itself differentiate (gradgradcheck).
  variable_list out = fn(in);
  for (auto& o : out) o = o.defined() ? flat_double(o).clone() : o;
  return out;
}

}  // namespace

bool gradcheck(const std::function<variable_list(const variable_list&)>& fn, const variable_list& inputs,
               double eps, double atol, double rtol, bool raise_exception) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined() || !x.requires_grad()) continue;
    EMBER_CHECK(x.dtype() == kDouble && x.is_cpu(), DTypeError, "autograd::gradcheck", "input ", i,
                " must be a float64 CPU tensor for finite differences, got ", x.toString());
  }
  variable_list outputs = fn(inputs);
  for (size_t j = 0; j < outputs.size(); ++j) {
    const Tensor& out = outputs[j];
    if (!out.defined() || !out.requires_grad() || !out.is_floating_point()) continue;
    const int64_t n_out = out.numel();
    for (size_t i = 0; i < inputs.size(); ++i) {
      const Tensor& x = inputs[i];
      if (!x.defined() || !x.requires_grad()) continue;
      const int64_t n_in = x.numel();
      // Numerical Jacobian column by column.
      std::vector<double> numeric(static_cast<size_t>(n_in * n_out));
      for (int64_t k = 0; k < n_in; ++k) {
        double* p = element(x, k);
        const double orig = *p;
        *p = orig + eps;
        Tensor plus = run(fn, inputs)[j];
        *p = orig - eps;
        Tensor minus = run(fn, inputs)[j];
        *p = orig;
        const double* a = plus.data_ptr<double>();
        const double* b = minus.data_ptr<double>();
        for (int64_t r = 0; r < n_out; ++r) numeric[static_cast<size_t>(r * n_in + k)] = (a[r] - b[r]) / (2 * eps);
      }
      // Analytical Jacobian row by row.
      for (int64_t r = 0; r < n_out; ++r) {
        Tensor go = zeros(out.sizes(), out.options());
        {
          NoGradGuard ng;
          go.reshape({-1}).narrow(0, r, 1).fill_(1);
        }
        variable_list g = grad({out}, {x}, {go}, /*retain_graph=*/true, /*create_graph=*/false,
                               /*allow_unused=*/true);
        Tensor row = g[0].defined() ? flat_double(g[0]) : zeros({n_in}, TensorOptions().dtype(kDouble));
        const double* a = row.data_ptr<double>();
        for (int64_t k = 0; k < n_in; ++k) {
          const double an = a[k], nu = numeric[static_cast<size_t>(r * n_in + k)];
          if (std::fabs(an - nu) <= atol + rtol * std::fabs(nu)) continue;
          if (!raise_exception) return false;
          std::ostringstream os;
          os << "Jacobian mismatch for output " << j << " with respect to input " << i << " (shape "
             << x.sizes() << "), at output element " << r << ", input element " << k << ": numerical "
             << nu << " vs analytical " << an << " (atol " << atol << ", rtol " << rtol << ")";
          detail::throw_error<Error>("autograd::gradcheck", os.str());
        }
      }
    }
  }
  return true;
}

bool gradgradcheck(const std::function<variable_list(const variable_list&)>& fn, const variable_list& inputs,
                   const variable_list& grad_outputs, double eps, double atol, double rtol, bool raise_exception) {
  variable_list outputs = fn(inputs);
  variable_list gos = grad_outputs;
  if (gos.empty()) {
    for (const Tensor& o : outputs)
      gos.push_back(o.defined() && o.requires_grad() ? randn(o.sizes(), TensorOptions().dtype(kDouble)).requires_grad_(true)
                                                     : Tensor());
  }
  const size_t n_in = inputs.size();
  auto first_grads = [&](const variable_list& all) {
    variable_list in(all.begin(), all.begin() + static_cast<long>(n_in));
    variable_list go(all.begin() + static_cast<long>(n_in), all.end());
    variable_list outs = fn(in);
    variable_list diff_outs, diff_gos, diff_ins;
    for (size_t k = 0; k < outs.size(); ++k)
      if (outs[k].defined() && outs[k].requires_grad()) { diff_outs.push_back(outs[k]); diff_gos.push_back(go[k]); }
    for (const Tensor& t : in)
      if (t.defined() && t.requires_grad()) diff_ins.push_back(t);
    variable_list g = grad(diff_outs, diff_ins, diff_gos, true, true, true);
    for (size_t k = 0; k < g.size(); ++k)
      if (!g[k].defined()) g[k] = zeros_like(diff_ins[k]);
    return g;
  };
  variable_list all = inputs;
  all.insert(all.end(), gos.begin(), gos.end());
  return gradcheck(first_grads, all, eps, atol, rtol, raise_exception);
}

}  // namespace ember::autograd
