// A custom autograd Function: softplus(x) = log(1 + exp(x)) computed in a numerically
// stable form, with a hand-written backward. The obvious formula overflows for large x
// (exp(1000) is inf in double); the stable one,
//
//   softplus(x) = max(x, 0) + log1p(exp(-|x|)),   d/dx softplus(x) = sigmoid(x),
//
// never exponentiates a positive number. The program checks the backward against central
// finite differences (by hand and with ember::autograd::gradcheck) and then uses the
// function inside a model fitted with gradient descent.
#include <ember/ember.h>

#include <cmath>
#include <cstdio>

using ember::Tensor;
using ember::autograd::AutogradContext;
using ember::autograd::variable_list;

struct StableSoftplus : ember::autograd::Function<StableSoftplus> {
  // Runs without recording; whatever backward needs is saved in ctx.
  static Tensor forward(AutogradContext* ctx, const Tensor& x) {
    ctx->save_for_backward({x});
    return x.clamp_min(0) + (-x.abs()).exp().log1p();
  }
  // Receives one gradient per output and returns one per input of forward.
  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    Tensor x = ctx->get_saved_variables()[0];
    return {grad_outputs[0] * x.sigmoid()};
  }
};

Tensor naive_softplus(const Tensor& x) { return (x.exp() + 1).log(); }

int main() {
  const auto f64 = ember::TensorOptions().dtype(ember::kDouble);

  // 1. Values and gradients where the naive formula overflows.
  Tensor x = ember::tensor({-1000.0, -20.0, 0.0, 3.0, 1000.0}, f64.requires_grad(true));
  Tensor y = StableSoftplus::apply(x);
  y.sum().backward();
  Tensor x2 = x.detach().requires_grad_(true);
  Tensor naive = naive_softplus(x2);
  naive.sum().backward();
  std::printf("%10s %14s %14s %14s %14s\n", "x", "softplus", "naive", "gradient", "naive grad");
  for (int64_t i = 0; i < x.size(0); ++i) {
    std::printf("%10.1f %14.6g %14.6g %14.6g %14.6g\n", x[i].item<double>(), y[i].item<double>(),
                naive[i].item<double>(), x.grad()[i].item<double>(), x2.grad()[i].item<double>());
  }

  // 2. The hand-written backward against central differences (f(x+h) - f(x-h)) / 2h.
  ember::manual_seed(0);
  Tensor points = ember::randn({8}, f64) * 5;
  Tensor p = points.clone().requires_grad_(true);
  StableSoftplus::apply(p).sum().backward();
  const double h = 1e-6;
  Tensor numeric;
  {
    ember::NoGradGuard no_grad;
    numeric = (StableSoftplus::apply(points + h) - StableSoftplus::apply(points - h)) / (2 * h);
  }
  const double max_error = (p.grad() - numeric).abs().max().item<double>();
  std::printf("\nbackward vs finite differences at 8 random points: max |difference| = %.2e\n", max_error);
  const bool ok = ember::autograd::gradcheck(
      [](const variable_list& in) { return variable_list{StableSoftplus::apply(in[0])}; },
      {(ember::randn({4, 3}, f64) * 5).requires_grad_(true)});
  std::printf("ember::autograd::gradcheck: %s\n", ok ? "passed" : "failed");

  // 3. In a model: fit y = 2 softplus(3x - 1) by gradient descent on a and b in a softplus(b x - 1).
  Tensor inputs = ember::linspace(-3, 3, 64, f64);
  Tensor targets = 2 * StableSoftplus::apply(3 * inputs - 1);
  Tensor a = ember::ones({}, f64.requires_grad(true));
  Tensor b = ember::ones({}, f64.requires_grad(true));
  ember::optim::Adam optimizer({a, b}, ember::optim::AdamOptions(0.1));
  for (int step = 0; step <= 3000; ++step) {
    optimizer.zero_grad();
    Tensor loss = (a * StableSoftplus::apply(b * inputs - 1) - targets).square().mean();
    loss.backward();
    optimizer.step();
    if (step % 500 == 0) std::printf("step %4d  loss %.3g\n", step, loss.item<double>());
  }
  std::printf("fitted a = %.4f (true 2), b = %.4f (true 3)\n", a.item<double>(), b.item<double>());
  return max_error < 1e-6 && ok ? 0 : 1;
}
