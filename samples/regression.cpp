// Fits the cubic y = 0.5 x^3 - x^2 + 2 x - 1 to 200 noisy samples with a linear model on
// the features [x, x^2, x^3] (nn::Linear(3, 1): three weights and a bias), minimizing the
// mean squared error with L-BFGS, and prints the learned coefficients next to the true ones.
#include <ember/ember.h>

#include <cstdio>

int main() {
  ember::manual_seed(0);
  const double true_coef[] = {2.0, -1.0, 0.5};  // of x, x^2, x^3
  const double true_bias = -1.0;

  // 200 points in [-2, 2] and their noisy targets.
  ember::Tensor x = ember::rand({200, 1}) * 4 - 2;
  ember::Tensor features = ember::cat({x, x.pow(2), x.pow(3)}, 1);  // [200, 3]
  ember::Tensor y = true_coef[0] * x + true_coef[1] * x.pow(2) + true_coef[2] * x.pow(3) + true_bias +
                    0.1 * ember::randn({200, 1});

  ember::nn::Linear model(3, 1);
  ember::optim::LBFGS optimizer(model->parameters(),
                                ember::optim::LBFGSOptions(1).max_iter(50).line_search_fn("strong_wolfe"));
  // L-BFGS evaluates the loss several times per step, through this closure.
  auto closure = [&] {
    optimizer.zero_grad();
    ember::Tensor loss = ember::mse_loss(model(features), y);
    loss.backward();
    return loss;
  };

  for (int step = 1; step <= 3; ++step) {
    ember::Tensor loss = optimizer.step(closure);  // the loss before the step
    std::printf("step %d  loss before %.6f  after %.6f\n", step, loss.item<double>(), closure().item<double>());
  }

  ember::Tensor w = model->weight.reshape({-1});
  std::printf("\n%-6s %9s %9s\n", "term", "learned", "true");
  const char* names[] = {"x", "x^2", "x^3"};
  for (int i = 0; i < 3; ++i) std::printf("%-6s %9.4f %9.4f\n", names[i], w[i].item<double>(), true_coef[i]);
  std::printf("%-6s %9.4f %9.4f\n", "1", model->bias.item<double>(), true_bias);
  return 0;
}
