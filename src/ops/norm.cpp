// Normalization layers as compositions of ember ops (autograd and double backward come
// with them): batch_norm, layer_norm, group_norm, instance_norm. Statistics use the biased
// variance for normalizing and the unbiased one for the running update, as libtorch.
#include <limits>

#include "src/core/autocast.h"
#include "src/ops/elementwise_common.h"

namespace ember {
using namespace ops;

namespace {

bool has(const std::optional<Tensor>& t) { return t && t->defined(); }

// Shape (1, C, 1, ...) of an (N, C, ...) input, to broadcast per-channel vectors.
std::vector<int64_t> channel_shape(const Tensor& input) {
  std::vector<int64_t> s(static_cast<size_t>(input.dim()), 1);
  s[1] = input.size(1);
  return s;
}

void check_channels(const std::optional<Tensor>& t, int64_t channels, const char* what, const char* name) {
  if (!has(t)) return;
  EMBER_CHECK(t->numel() == channels, ShapeError, name, what, " should contain ", channels, " elements not ",
              t->numel(), " (shape ", t->sizes(), ")");
}

void check_input(const Tensor& input, const char* name, int64_t min_dim) {
  detail::check_defined(input, name, "input");
  EMBER_CHECK(input.is_floating_point(), DTypeError, name, "expected a floating point input, got ", input.dtype());
  EMBER_CHECK(input.dim() >= min_dim, ShapeError, name, "expected an input with at least ", min_dim,
              " dims (N, C, ...), got input of shape ", input.sizes());
}

// x * weight + bias with both optional, broadcast with `shape`.
Tensor affine(Tensor x, const std::optional<Tensor>& weight, const std::optional<Tensor>& bias, IntArrayRef shape) {
  if (has(weight)) x = x * weight->reshape(shape);
  if (has(bias)) x = x + bias->reshape(shape);
  return x;
}

// running = (1 - momentum) * running + momentum * value, in place, not recorded.
void update_running(const Tensor& running, const Tensor& value, double momentum) {
  NoGradGuard ng;
  Tensor r = running;
  r.mul_(1 - momentum);
  r.add_(value.reshape(running.sizes()).to(running.dtype()), momentum);
}

}  // namespace

Tensor batch_norm(const Tensor& input, const std::optional<Tensor>& weight, const std::optional<Tensor>& bias,
                  const std::optional<Tensor>& running_mean, const std::optional<Tensor>& running_var, bool training,
                  double momentum, double eps, bool cudnn_enabled) {
  EMBER_PROFILE_OP("batch_norm", input);
  (void)cudnn_enabled;
  const char* name = "batch_norm";
  check_input(input, name, 2);
  const int64_t channels = input.size(1);
  check_channels(weight, channels, "weight", name);
  check_channels(bias, channels, "bias", name);
  check_channels(running_mean, channels, "running_mean", name);
  check_channels(running_var, channels, "running_var", name);
  const std::vector<int64_t> shape = channel_shape(input);
  if (!training) {
    EMBER_CHECK(has(running_mean) && has(running_var), Error, name,
                "running_mean and running_var must be defined in evaluation mode");
    // Fold the running statistics and the affine parameters into one scale and shift
    // per channel, so the input is read once.
    Tensor scale = rsqrt(running_var->to(input.dtype()) + eps);
    if (has(weight)) scale = scale * *weight;
    Tensor shift = -running_mean->to(input.dtype()) * scale;
    if (has(bias)) shift = shift + *bias;
    return input * scale.reshape(shape) + shift.reshape(shape);
  }
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < input.dim(); ++d) dims.push_back(d);
  const int64_t n = input.numel() / std::max<int64_t>(channels, 1);
  Tensor mean = input.mean(dims, true);
  Tensor xc = input - mean;
  Tensor var = (xc * xc).mean(dims, true);
  Tensor invstd = rsqrt(var + eps);
  Tensor scale = has(weight) ? invstd * weight->reshape(shape) : invstd;
  Tensor out = xc * scale;
  if (has(bias)) out = out + bias->reshape(shape);
  if (has(running_mean)) update_running(*running_mean, mean.detach(), momentum);
  if (has(running_var)) {
    const double unbias = n > 1 ? static_cast<double>(n) / static_cast<double>(n - 1)
                                : std::numeric_limits<double>::quiet_NaN();
    update_running(*running_var, var.detach() * unbias, momentum);
  }
  return out;
}

Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const std::optional<Tensor>& weight,
                  const std::optional<Tensor>& bias, double eps, bool cudnn_enable) {
  if (autocast::applies(autocast::kFloat32, input, weight, bias))
    return layer_norm(autocast::cast(autocast::kFloat32, input), normalized_shape,
                      autocast::cast(autocast::kFloat32, weight), autocast::cast(autocast::kFloat32, bias), eps,
                      cudnn_enable);
  EMBER_PROFILE_OP("layer_norm", input);
  (void)cudnn_enable;
  const char* name = "layer_norm";
  check_input(input, name, 0);
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  EMBER_CHECK(k >= 1, ShapeError, name,
              "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = ",
              normalized_shape);
  bool fits = input.dim() >= k;
  for (int64_t i = 0; fits && i < k; ++i) fits = input.size(input.dim() - k + i) == normalized_shape[static_cast<size_t>(i)];
  EMBER_CHECK(fits, ShapeError, name, "Given normalized_shape=", normalized_shape,
              ", expected input whose trailing dims are ", normalized_shape, ", but got input of size", input.sizes());
  if (has(weight))
    EMBER_CHECK(weight->sizes() == normalized_shape, ShapeError, name, "Expected weight to be of same shape as normalized_shape, but got weight of shape ",
                weight->sizes(), " and normalized_shape = ", normalized_shape);
  if (has(bias))
    EMBER_CHECK(bias->sizes() == normalized_shape, ShapeError, name, "Expected bias to be of same shape as normalized_shape, but got bias of shape ",
                bias->sizes(), " and normalized_shape = ", normalized_shape);
  std::vector<int64_t> dims;
  for (int64_t d = input.dim() - k; d < input.dim(); ++d) dims.push_back(d);
  Tensor mean = input.mean(dims, true);
  Tensor xc = input - mean;
  Tensor var = (xc * xc).mean(dims, true);
  Tensor out = xc * rsqrt(var + eps);
  return affine(out, weight, bias, normalized_shape);
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const std::optional<Tensor>& weight,
                  const std::optional<Tensor>& bias, double eps, bool cudnn_enabled) {
  if (autocast::applies(autocast::kFloat32, input, weight, bias))
    return group_norm(autocast::cast(autocast::kFloat32, input), num_groups, autocast::cast(autocast::kFloat32, weight),
                      autocast::cast(autocast::kFloat32, bias), eps, cudnn_enabled);
  const char* name = "group_norm";
  check_input(input, name, 2);
  const int64_t n = input.size(0), channels = input.size(1);
  EMBER_CHECK(num_groups > 0 && channels % num_groups == 0, ShapeError, name,
              "Expected number of channels in input to be divisible by num_groups, but got input of shape ",
              input.sizes(), " and num_groups=", num_groups);
  for (const auto* p : {&weight, &bias})
    if (has(*p))
      EMBER_CHECK((*p)->dim() == 1 && (*p)->numel() == channels, ShapeError, name,
                  "Expected ", p == &weight ? "weight" : "bias",
                  " to be a vector of size equal to the number of channels in input, but got ",
                  p == &weight ? "weight" : "bias", " of shape ", (*p)->sizes(), " and input of shape ", input.sizes());
  const int64_t per_group = input.numel() / std::max<int64_t>(n * num_groups, 1);
  Tensor x = input.reshape({n, num_groups, per_group});
  Tensor mean = x.mean({2}, true);
  Tensor xc = x - mean;
  Tensor var = (xc * xc).mean({2}, true);
  Tensor out = (xc * rsqrt(var + eps)).reshape(input.sizes());
  return affine(out, weight, bias, channel_shape(input));
}

Tensor instance_norm(const Tensor& input, const std::optional<Tensor>& weight, const std::optional<Tensor>& bias,
                     const std::optional<Tensor>& running_mean, const std::optional<Tensor>& running_var,
                     bool use_input_stats, double momentum, double eps, bool cudnn_enabled) {
  const char* name = "instance_norm";
  check_input(input, name, 2);
  const int64_t n = input.size(0), channels = input.size(1);
  check_channels(weight, channels, "weight", name);
  check_channels(bias, channels, "bias", name);
  check_channels(running_mean, channels, "running_mean", name);
  check_channels(running_var, channels, "running_var", name);
  // As libtorch: batch norm of the input viewed as (1, N * C, ...), with the per-channel
  // vectors repeated N times; the running statistics then take the mean over N.
  std::vector<int64_t> shape = input.sizes().vec();
  shape[0] = 1;
  shape[1] = n * channels;
  auto repeat = [&](const std::optional<Tensor>& t) -> std::optional<Tensor> {
    if (!has(t)) return std::nullopt;
    return t->reshape({1, channels}).expand({n, channels}).reshape({n * channels});
  };
  std::optional<Tensor> rm, rv;
  {
    NoGradGuard ng;
    if (has(running_mean)) rm = repeat(running_mean)->clone();
    if (has(running_var)) rv = repeat(running_var)->clone();
  }
  Tensor out = batch_norm(input.reshape(shape), repeat(weight), repeat(bias), rm, rv, use_input_stats, momentum,
                          eps, cudnn_enabled)
                   .reshape(input.sizes());
  NoGradGuard ng;
  if (rm) Tensor(*running_mean).copy_(rm->reshape({n, channels}).mean({0}).reshape(running_mean->sizes()));
  if (rv) Tensor(*running_var).copy_(rv->reshape({n, channels}).mean({0}).reshape(running_var->sizes()));
  return out;
}

Tensor local_response_norm(const Tensor& input, int64_t size, double alpha, double beta, double k) {
  const char* name = "local_response_norm";
  detail::check_defined(input, name, "input");
  EMBER_CHECK(input.dim() >= 3, ShapeError, name, "Expected 3D or higher dimensionality input (got ", input.dim(),
              " dimensions, shape ", input.sizes(), ")");
  EMBER_CHECK(input.is_floating_point(), DTypeError, name, "expected a floating point input, got ", input.dtype());
  EMBER_CHECK(size > 0, Error, name, "size must be positive, got ", size);
  const int64_t n = input.size(0), channels = input.size(1);
  const int64_t rest = input.numel() / std::max<int64_t>(n * channels, 1);
  // The channel window [c - size/2, c + (size-1)/2] (zero padded, averaged over `size`,
  // as libtorch's padded avg_pool) is a banded C x C matrix applied to the squares.
  Tensor band;
  {
    NoGradGuard ng;
    Tensor idx = arange(channels, TensorOptions().dtype(kLong).device(input.device()));
    Tensor offset = idx.unsqueeze(0) - idx.unsqueeze(1);  // [c][c'] = c' - c
    band = (offset >= -(size / 2)).logical_and(offset <= (size - 1) / 2).to(input.dtype());
  }
  Tensor sums = matmul(band, (input * input).reshape({n, channels, rest})).reshape(input.sizes());
  Tensor div = pow(sums * (alpha / static_cast<double>(size)) + k, beta);
  return input / div;
}

}  // namespace ember
