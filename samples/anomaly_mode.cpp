// Shows anomaly mode: a forward pass whose backward produces NaN. With
// ember::autograd::DetectAnomalyGuard active, backward raises an ember::Error naming the
// backward node, the forward op, this file's line that recorded it and the input shapes.
//
//   ./build/samples/anomaly_mode
#include <ember/ember.h>

#include <cstdio>

int main() {
  ember::manual_seed(0);
  ember::Tensor w = ember::randn({3, 4}, ember::requires_grad());
  ember::Tensor x = ember::randn({2, 3});
  ember::autograd::DetectAnomalyGuard anomaly;
  ember::Tensor h = ember::matmul(x, w);
  // sqrt of a negative pre-activation is NaN, and so is its gradient.
  ember::Tensor loss = ember::sqrt(h).sum();
  try {
    loss.backward();
  } catch (const ember::Error& e) {
    std::printf("%s\n", e.what());
    return 0;
  }
  std::printf("backward finished without an anomaly\n");
  return 1;
}
