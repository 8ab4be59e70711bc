// nn::utils: gradient clipping and parameter flattening.
#include "ember/nn/utils.h"

#include <cmath>
#include <limits>

#include "ember/autograd.h"
#include "ember/ops.h"

namespace ember::nn::utils {

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  NoGradGuard ng;
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;
  double total = 0;
  if (std::isinf(norm_type)) {
    for (const Tensor& g : grads) total = std::max(total, g.abs().max().item<double>());
  } else {
    for (const Tensor& g : grads) total += g.abs().to(kDouble).pow(norm_type).sum().item<double>();
    total = std::pow(total, 1.0 / norm_type);
  }
  EMBER_CHECK(!error_if_nonfinite || std::isfinite(total), Error, "nn::utils::clip_grad_norm_",
              "The total norm of order ", norm_type, " for gradients from `parameters` is non-finite, so it cannot "
              "be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
              "`error_if_nonfinite=false`");
  const double coef = max_norm / (total + 1e-6);
  if (coef < 1)
    for (const Tensor& p : parameters)
      if (p.grad().defined()) const_cast<Tensor&>(p.grad()).mul_(coef);
  return total;
}

double clip_grad_norm_(Tensor parameter, double max_norm, double norm_type, bool error_if_nonfinite) {
  return clip_grad_norm_(std::vector<Tensor>{std::move(parameter)}, max_norm, norm_type, error_if_nonfinite);
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NoGradGuard ng;
  for (const Tensor& p : parameters)
    if (p.grad().defined()) const_cast<Tensor&>(p.grad()).clamp_(-clip_value, clip_value);
}
void clip_grad_value_(Tensor parameter, double clip_value) {
  clip_grad_value_(std::vector<Tensor>{std::move(parameter)}, clip_value);
}

Tensor parameters_to_vector(const std::vector<Tensor>& parameters) {
  int64_t n = 0;
  for (const Tensor& p : parameters) n += p.numel();
  EMBER_CHECK(!parameters.empty(), Error, "nn::utils::parameters_to_vector", "expects a non-empty list of parameters");
  Tensor out = empty({n}, parameters.front().options());
  int64_t off = 0;
  for (const Tensor& p : parameters) {
    EMBER_CHECK(p.device() == parameters.front().device(), DeviceError, "nn::utils::parameters_to_vector",
                "Found two parameters on different devices, this is currently not supported (",
                parameters.front().device(), " and ", p.device(), ")");
    out.narrow(0, off, p.numel()).copy_(p.reshape({-1}));
    off += p.numel();
  }
  return out;
}

void vector_to_parameters(const Tensor& vec, const std::vector<Tensor>& parameters) {
  EMBER_CHECK(vec.dim() == 1, ShapeError, "nn::utils::vector_to_parameters", "expected a 1-D vector, got shape ",
              vec.sizes());
  int64_t n = 0;
  for (const Tensor& p : parameters) n += p.numel();
  EMBER_CHECK(n == vec.numel(), ShapeError, "nn::utils::vector_to_parameters", "vector has ", vec.numel(),
              " elements but the parameters have ", n);
  NoGradGuard ng;
  int64_t off = 0;
  for (const Tensor& p : parameters) {
    Tensor dst = p;
    dst.copy_(vec.narrow(0, off, p.numel()).view(p.sizes()));
    off += p.numel();
  }
}

}  // namespace ember::nn::utils
