// Fits y = 3x - 2 + noise with a two-parameter linear model, using the tape for
// gradients and a hand-written SGD step; prints the falling loss.
#include <ember/ember.h>

#include <cstdio>

int main() {
  ember::manual_seed(0);
  ember::Tensor x = ember::randn({256, 1});
  ember::Tensor y = 3 * x - 2 + 0.1 * ember::randn({256, 1});

  ember::Tensor w = ember::zeros({1, 1}, ember::requires_grad());
  ember::Tensor b = ember::zeros({1}, ember::requires_grad());
  const double lr = 0.1;
  for (int step = 0; step <= 100; ++step) {
    ember::Tensor pred = x.matmul(w) + b;
    ember::Tensor loss = (pred - y).square().mean();
    loss.backward();
    {
      ember::NoGradGuard no_grad;
      w -= lr * w.grad();
      b -= lr * b.grad();
      w.mutable_grad().zero_();
      b.mutable_grad().zero_();
    }
    if (step % 10 == 0) std::printf("step %3d  loss %.6f\n", step, loss.item<double>());
  }
  std::printf("w = %.4f (true 3), b = %.4f (true -2)\n", w.item<double>(), b.item<double>());
  return 0;
}
