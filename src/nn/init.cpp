// nn::init: in-place initialisers under NoGradGuard, with libtorch's gains and fans.
#include "ember/nn/init.h"

#include <cmath>
#include <tuple>
#include <vector>

#include "ember/autograd.h"
#include "ember/ops.h"

namespace ember::nn::init {
namespace {

// Writes `values` (same shape) into `tensor` in place.
Tensor assign(Tensor& tensor, const Tensor& values) {
  NoGradGuard ng;
  tensor.copy_(values);
  return tensor;
}

double fan_for(const Tensor& t, FanModeType mode, const char* op) {
  auto [fan_in, fan_out] = _calculate_fan_in_and_fan_out(t);
  (void)op;
  return static_cast<double>(mode == kFanIn ? fan_in : fan_out);
}

}  // namespace

double calculate_gain(NonlinearityType nl, double param) {
  switch (nl) {
    case kTanh: return 5.0 / 3.0;
    case kReLU: return std::sqrt(2.0);
    case kLeakyReLU: return std::sqrt(2.0 / (1 + param * param));
    case kSELU: return 3.0 / 4.0;
    default: return 1.0;  // linear, conv*, sigmoid
  }
}

std::tuple<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor& tensor) {
  EMBER_CHECK(tensor.dim() >= 2, ShapeError, "nn::init::_calculate_fan_in_and_fan_out",
              "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape ",
              tensor.sizes(), ")");
  const int64_t in_maps = tensor.size(1), out_maps = tensor.size(0);
  int64_t field = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) field *= tensor.size(d);
  return {in_maps * field, out_maps * field};
}

Tensor constant_(Tensor tensor, Scalar value) {
  NoGradGuard ng;
  return tensor.fill_(value);
}
Tensor zeros_(Tensor tensor) { return constant_(std::move(tensor), 0); }
Tensor ones_(Tensor tensor) { return constant_(std::move(tensor), 1); }

Tensor eye_(Tensor matrix) {
  EMBER_CHECK(matrix.dim() == 2, ShapeError, "nn::init::eye_", "Only tensors with 2 dimensions are supported, got shape ",
              matrix.sizes());
  return assign(matrix, eye(matrix.size(0), matrix.size(1), matrix.options()));
}

Tensor dirac_(Tensor tensor) {
  EMBER_CHECK(tensor.dim() >= 3 && tensor.dim() <= 5, ShapeError, "nn::init::dirac_",
              "Only tensors with 3, 4, or 5 dimensions are supported, got shape ", tensor.sizes());
  NoGradGuard ng;
  tensor.zero_();
  const int64_t n = std::min(tensor.size(0), tensor.size(1));
  for (int64_t i = 0; i < n; ++i) {
    Tensor t = tensor.select(0, i).select(0, i);
    for (int64_t d = 0; d < t.dim(); ++d) t = t.select(0, t.size(0) / 2);
    t.fill_(1);
  }
  return tensor;
}

Tensor uniform_(Tensor tensor, double low, double high) {
  return assign(tensor, rand(tensor.sizes(), tensor.options()) * (high - low) + low);
}
Tensor normal_(Tensor tensor, double mean, double std) {
  return assign(tensor, randn(tensor.sizes(), tensor.options()) * std + mean);
}

Tensor xavier_uniform_(Tensor tensor, double gain) {
  auto [fan_in, fan_out] = _calculate_fan_in_and_fan_out(tensor);
  const double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  const double a = std::sqrt(3.0) * std;
  return uniform_(std::move(tensor), -a, a);
}
Tensor xavier_normal_(Tensor tensor, double gain) {
  auto [fan_in, fan_out] = _calculate_fan_in_and_fan_out(tensor);
  return normal_(std::move(tensor), 0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)));
}

Tensor kaiming_uniform_(Tensor tensor, double a, FanModeType mode, NonlinearityType nl) {
  const double fan = fan_for(tensor, mode, "kaiming_uniform_");
  if (fan == 0) return tensor;  // libtorch warns and leaves a zero-element tensor as is
  const double bound = std::sqrt(3.0) * calculate_gain(nl, a) / std::sqrt(fan);
  return uniform_(std::move(tensor), -bound, bound);
}
Tensor kaiming_normal_(Tensor tensor, double a, FanModeType mode, NonlinearityType nl) {
  const double fan = fan_for(tensor, mode, "kaiming_normal_");
  if (fan == 0) return tensor;
  return normal_(std::move(tensor), 0, calculate_gain(nl, a) / std::sqrt(fan));
}

Tensor orthogonal_(Tensor tensor, double gain) {
  EMBER_CHECK(tensor.dim() >= 2, ShapeError, "nn::init::orthogonal_",
              "Only tensors with 2 or more dimensions are supported, got shape ", tensor.sizes());
  const int64_t rows = tensor.size(0), cols = tensor.numel() / rows;
  // QR of a normal matrix (of the taller orientation) by modified Gram-Schmidt in double;
  // signs fixed by R's diagonal so the distribution is uniform (Mezzadri 2007).
  const bool transpose = rows < cols;
  const int64_t m = transpose ? cols : rows, n = transpose ? rows : cols;
  Tensor a = randn({m, n}, TensorOptions().dtype(kDouble)).contiguous();
  std::vector<double> q(static_cast<size_t>(m * n));
  const double* ap = a.data_ptr<double>();
  for (int64_t j = 0; j < n; ++j) {
    std::vector<double> v(static_cast<size_t>(m));
    for (int64_t i = 0; i < m; ++i) v[i] = ap[i * n + j];
    for (int64_t k = 0; k < j; ++k) {
      double dot = 0;
      for (int64_t i = 0; i < m; ++i) dot += q[i * n + k] * v[i];
      for (int64_t i = 0; i < m; ++i) v[i] -= dot * q[i * n + k];
    }
    double norm = 0;
    for (double x : v) norm += x * x;
    norm = std::sqrt(norm);
    // R's diagonal entry is `norm` > 0 after Gram-Schmidt: the sign is already positive.
    for (int64_t i = 0; i < m; ++i) q[i * n + j] = norm > 0 ? v[i] / norm : 0.0;
  }
  Tensor qt = ember::tensor(q).reshape({m, n});
  if (transpose) qt = qt.t();
  return assign(tensor, (qt.contiguous() * gain).reshape(tensor.sizes()).to(tensor.dtype()));
}

}  // namespace ember::nn::init
