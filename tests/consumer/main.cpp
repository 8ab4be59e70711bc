// Built against an installed ember: the matmul reaches cblas_sgemm and set_num_threads
// reaches openblas_set_num_threads, so this only links when OpenBLAS arrives through
// ember::ember's exported link interface; fmt arrives the same way.
#include <ember/ember.h>

#include <cstdio>

int main() {
  ember::set_num_threads(1);
  ember::Tensor a = ember::tensor({{1.f, 2.f}, {3.f, 4.f}}, ember::requires_grad());
  ember::Tensor b = ember::tensor({{5.f, 6.f}, {7.f, 8.f}});
  ember::Tensor c = a.matmul(b);
  c.sum().backward();

  // c = [[19, 22], [43, 50]]; d(sum c)/da = ones(2, 2) @ b^T = [[11, 15], [11, 15]].
  const bool ok = ember::equal(c, ember::tensor({{19.f, 22.f}, {43.f, 50.f}})) &&
                  ember::equal(a.grad(), ember::tensor({{11.f, 15.f}, {11.f, 15.f}}));
  std::puts(fmt::format("c =\n{}\na.grad() =\n{}", c, a.grad()).c_str());
  std::puts(ok ? "ember consumer: OK" : "ember consumer: WRONG VALUES");
  return ok ? 0 : 1;
}
