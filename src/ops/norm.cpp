// Normalization layers as compositions of ember ops (autograd and double backward come
// with them): batch_norm, layer_norm, group_norm, instance_norm. Training-mode batch norm
// on a backend with a fused kernel (cuDNN) runs that instead, recorded as one node whose
// backward is the fused backward, or native_batch_norm_backward's ops under create_graph. Statistics use the biased
// variance for normalizing and the unbiased one for the running update, as libtorch.
#include <limits>

#include "ember/cuda.h"
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

namespace {

// The dims batch norm reduces over: N and every spatial dim.
std::vector<int64_t> batch_dims(const Tensor& input) {
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < input.dim(); ++d) dims.push_back(d);
  return dims;
}

// Training-mode statistics of x over dims (kept): the mean, x centred on it, and the
// biased variance.
struct BatchStats {
  Tensor mean, centered, var;
};
BatchStats batch_stats(const Tensor& x, const std::vector<int64_t>& dims) {
  Tensor mean = x.mean(dims, true);
  Tensor xc = x - mean;
  Tensor var = (xc * xc).mean(dims, true);
  return {mean, xc, var};
}

ScalarType stats_dtype(const Tensor& input) { return input.dtype() == kDouble ? kDouble : kFloat; }

// Whether a fused batch-norm kernel may be asked for: a non-empty CUDA input with cuDNN on.
bool may_fuse(const Tensor& input) { return input.is_cuda() && input.numel() > 0 && cuda::cudnn_enabled(); }

// The per-channel operand a fused kernel takes for an optional one: t (contiguous), or
// `fill` in the statistics dtype.
Tensor channels_or(const std::optional<Tensor>& t, double fill, const Tensor& input) {
  if (has(t)) return t->contiguous();
  return full({input.size(1)}, fill, TensorOptions().dtype(stats_dtype(input)).device(input.device()));
}

// Training-mode batch norm by the backend's fused kernel (cuDNN on CUDA), recorded as one
// node whose backward is native_batch_norm_backward; nullopt when the backend has none for
// these operands.
std::optional<std::tuple<Tensor, Tensor, Tensor>> fused_batch_norm(
    const Tensor& input, const std::optional<Tensor>& weight, const std::optional<Tensor>& bias,
    const std::optional<Tensor>& running_mean, const std::optional<Tensor>& running_var, double momentum,
    double eps) {
  if (!may_fuse(input)) return std::nullopt;
  const ScalarType stats = stats_dtype(input);
  for (const auto* t : {&weight, &bias, &running_mean, &running_var})
    if (has(*t) && ((*t)->dtype() != stats || (*t)->device() != input.device() || !(*t)->is_contiguous()))
      return std::nullopt;
  const int64_t channels = input.size(1);
  Tensor x, w, b;
  {
    NoGradGuard ng;
    x = input.contiguous();
    w = channels_or(weight, 1, input);
    b = channels_or(bias, 0, input);
  }
  Tensor out = detail::make_tensor(x.sizes(), x.dtype(), x.device());
  Tensor mean = detail::make_tensor({channels}, stats, x.device());
  Tensor invstd = detail::make_tensor({channels}, stats, x.device());
  const backend::TensorArg rm = has(running_mean) ? detail::arg(*running_mean) : backend::TensorArg{};
  const backend::TensorArg rv = has(running_var) ? detail::arg(*running_var) : backend::TensorArg{};
  const backend::Backend::BatchNormArgs args{detail::arg(x),      detail::arg(w),
                                             detail::arg(b),      detail::arg(out),
                                             detail::arg(mean),   detail::arg(invstd),
                                             has(running_mean) ? &rm : nullptr,
                                             has(running_var) ? &rv : nullptr,
                                             momentum,            eps};
  if (!detail::backend_of(x)->batch_norm(args)) return std::nullopt;
  if (has(running_mean)) detail::bump_version(*running_mean);
  if (has(running_var)) detail::bump_version(*running_var);
  const Tensor weight_in = has(weight) ? *weight : Tensor(), bias_in = has(bias) ? *bias : Tensor();
  if (auto* n = autograd::record("NativeBatchNormBackward0", {&input, &weight_in, &bias_in},
                                 [eps](Node& n, variable_list& g) {
                                   auto [gx, gw, gb] = native_batch_norm_backward(
                                       g[0], n.saved(0), n.saved(1), std::nullopt, std::nullopt, n.saved(2),
                                       n.saved(3), /*train=*/true, eps,
                                       {n.needs_input_grad(0), n.needs_input_grad(1), n.needs_input_grad(2)});
                                   return variable_list{gx, gw, gb};
                                 })) {
    autograd::set_history(out, n);
    n->save(input, false);  // not x: create_graph differentiates through the input itself
    n->save(w, false);
    n->save(mean, false);
    n->save(invstd, false);
  }
  return std::tuple<Tensor, Tensor, Tensor>{out, mean, invstd};
}

std::tuple<Tensor, Tensor, Tensor> batch_norm_impl(const Tensor& input, const std::optional<Tensor>& weight,
                                                   const std::optional<Tensor>& bias,
                                                   const std::optional<Tensor>& running_mean,
                                                   const std::optional<Tensor>& running_var, bool training,
                                                   double momentum, double eps, bool use_library) {
  const char* name = "batch_norm";
  check_input(input, name, 2);
  const int64_t channels = input.size(1);
  check_channels(weight, channels, "weight", name);
  check_channels(bias, channels, "bias", name);
  check_channels(running_mean, channels, "running_mean", name);
  check_channels(running_var, channels, "running_var", name);
  const std::vector<int64_t> shape = channel_shape(input);
  // float16/bfloat16 inputs are normalized in float: their squares overflow (float16) or
  // lose the deviation from a large mean (bfloat16), as libtorch's accumulate type avoids.
  const ScalarType stats = stats_dtype(input);
  if (!training) {
    EMBER_CHECK(has(running_mean) && has(running_var), Error, name,
                "running_mean and running_var must be defined in evaluation mode");
    // Fold the running statistics and the affine parameters into one scale and shift
    // per channel (in the statistics dtype), so the input is read once.
    Tensor scale = rsqrt(running_var->to(stats) + eps);
    if (has(weight)) scale = scale * *weight;
    Tensor shift = -running_mean->to(stats) * scale;
    if (has(bias)) shift = shift + *bias;
    Tensor out = (input.to(stats) * scale.reshape(shape) + shift.reshape(shape)).to(input.dtype());
    const Tensor none = empty({0}, TensorOptions().dtype(stats).device(input.device()));
    return {out, none, none};
  }
  if (use_library)
    if (auto fused = fused_batch_norm(input, weight, bias, running_mean, running_var, momentum, eps)) return *fused;
  const std::vector<int64_t> dims = batch_dims(input);
  const int64_t n = input.numel() / std::max<int64_t>(channels, 1);
  const auto [mean, xc, var] = batch_stats(input.to(stats), dims);
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
  // The output keeps the input's dtype; the statistics are float (double for double), as
  // libtorch's.
  return {out.to(input.dtype()), mean.detach().reshape({channels}), invstd.detach().reshape({channels})};
}

}  // namespace

Tensor batch_norm(const Tensor& input, const std::optional<Tensor>& weight, const std::optional<Tensor>& bias,
                  const std::optional<Tensor>& running_mean, const std::optional<Tensor>& running_var, bool training,
                  double momentum, double eps, bool cudnn_enabled) {
  EMBER_PROFILE_OP("batch_norm", input);
  return std::get<0>(batch_norm_impl(input, weight, bias, running_mean, running_var, training, momentum, eps,
                                     cudnn_enabled));
}

std::tuple<Tensor, Tensor, Tensor> native_batch_norm(const Tensor& input, const std::optional<Tensor>& weight,
                                                     const std::optional<Tensor>& bias,
                                                     const std::optional<Tensor>& running_mean,
                                                     const std::optional<Tensor>& running_var, bool training,
                                                     double momentum, double eps) {
  EMBER_PROFILE_OP("native_batch_norm", input);
  return batch_norm_impl(input, weight, bias, running_mean, running_var, training, momentum, eps, true);
}

std::tuple<Tensor, Tensor, Tensor> native_batch_norm_backward(
    const Tensor& grad_out, const Tensor& input, const std::optional<Tensor>& weight,
    const std::optional<Tensor>& running_mean, const std::optional<Tensor>& running_var,
    const std::optional<Tensor>& save_mean, const std::optional<Tensor>& save_invstd, bool train, double eps,
    std::array<bool, 3> output_mask) {
  EMBER_PROFILE_OP("native_batch_norm_backward", input);
  const char* name = "native_batch_norm_backward";
  check_input(input, name, 2);
  detail::check_defined(grad_out, name, "grad_out");
  EMBER_CHECK(grad_out.sizes() == input.sizes(), ShapeError, name, "grad_out of shape ", grad_out.sizes(),
              " does not match input of shape ", input.sizes());
  const int64_t channels = input.size(1);
  check_channels(weight, channels, "weight", name);
  if (train) {
    check_channels(save_mean, channels, "save_mean", name);
    check_channels(save_invstd, channels, "save_invstd", name);
  }
  const ScalarType stats = stats_dtype(input);
  auto masked = [&](bool keep, const Tensor& t) { return keep ? t : Tensor(); };
  // The fused kernel when nothing records the gradient's own graph (create_graph needs the
  // ops below, which are differentiable).
  if (train && !autograd::GradMode::is_enabled() && may_fuse(input) && has(save_mean) && has(save_invstd)) {
    Tensor g = grad_out.to(input.dtype()).contiguous(), x = input.contiguous();
    Tensor w = channels_or(weight, 1, input);
    Tensor gx = detail::make_tensor(x.sizes(), x.dtype(), x.device());
    Tensor gw = detail::make_tensor({channels}, stats, x.device()), gb = detail::make_tensor({channels}, stats, x.device());
    Tensor sm = save_mean->contiguous(), si = save_invstd->contiguous();
    const backend::Backend::BatchNormBackwardArgs args{detail::arg(g),  detail::arg(x),  detail::arg(w),
                                                       detail::arg(sm), detail::arg(si), detail::arg(gx),
                                                       detail::arg(gw), detail::arg(gb), eps};
    if (detail::backend_of(x)->batch_norm_backward(args))
      return {masked(output_mask[0], gx), masked(output_mask[1], gw), masked(output_mask[2], gb)};
  }
  // In the statistics dtype, as the forward.
  const std::vector<int64_t> dims = batch_dims(input), shape = channel_shape(input);
  const Tensor x = input.to(stats), g = grad_out.to(stats);
  Tensor mean, invstd;
  if (train) {
    // From the input rather than the saved statistics, so that the result is
    // differentiable in the input (double backward).
    const BatchStats st = batch_stats(x, dims);
    mean = st.mean;
    invstd = rsqrt(st.var + eps);
  } else {
    EMBER_CHECK(has(running_mean) && has(running_var), Error, name,
                "running_mean and running_var must be defined in evaluation mode");
    mean = running_mean->reshape(shape).to(stats);
    invstd = rsqrt(running_var->reshape(shape).to(stats) + eps);
  }
  const Tensor xhat = (x - mean) * invstd;
  const Tensor gb = g.sum(dims), gw = (g * xhat).sum(dims);
  Tensor gx;
  if (output_mask[0]) {
    const Tensor scale = has(weight) ? invstd * weight->reshape(shape) : invstd;
    if (train) {
      const double n = static_cast<double>(input.numel() / std::max<int64_t>(channels, 1));
      gx = scale * (g - gb.reshape(shape) / n - xhat * gw.reshape(shape) / n);
    } else {
      gx = g * scale;
    }
    gx = gx.to(input.dtype());
  }
  const ScalarType param = has(weight) ? weight->dtype() : stats;
  return {gx, masked(output_mask[1], gw.to(param)), masked(output_mask[2], gb.to(param))};
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
