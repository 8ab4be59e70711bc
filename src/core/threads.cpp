// Thread count shared by ember's kernels and OpenBLAS, so the two never oversubscribe.
#include <atomic>
#include <thread>

#include "ember/errors.h"
#include "ember/ops.h"

extern "C" void openblas_set_num_threads(int num_threads);

namespace ember {
namespace {
std::atomic<int> g_threads{0};
}

void set_num_threads(int n) {
  EMBER_CHECK(n > 0, Error, "set_num_threads", "Expected positive number of threads, got ", n);
  g_threads.store(n);
  openblas_set_num_threads(n);
}

int get_num_threads() {
  int n = g_threads.load();
  if (n > 0) return n;
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? static_cast<int>(hw) : 1;
}

}  // namespace ember
