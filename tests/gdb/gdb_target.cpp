// A program inspected by gdb in tests/gdb/check_printers.sh: globals are never optimised
// out, so the printers are checked on a -O2 -g build.
#include <ember/ember.h>

#include <vector>

ember::Tensor g_tensor;
ember::Tensor g_result;
ember::Tensor g_empty;
std::vector<ember::Tensor> g_list;
ember::Device g_device("cpu");
ember::Scalar g_scalar(2.5);
ember::nn::Linear g_fc{nullptr};

__attribute__((noinline)) void stop_here() { asm volatile("" ::: "memory"); }

int main() {
  g_tensor = ember::tensor({{1.5, 2.0, 3.0}, {4.0, 5.0, 6.0}}).requires_grad_(true);
  g_result = g_tensor * 2;
  g_list = {ember::arange(3), ember::tensor({true, false})};
  g_fc = ember::nn::Linear(3, 2);
  stop_here();
  return 0;
}
