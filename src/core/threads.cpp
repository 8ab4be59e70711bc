// The thread count of ember's kernels. OpenBLAS is kept at one thread: ember's pool splits
// large matrix products itself (backends/cpu/gemm.cpp), so only one set of threads ever
// runs and OpenBLAS's spinning workers never compete with ember's for the cores.
#include <atomic>
#include <thread>

#include "ember/errors.h"
#include "ember/ops.h"

namespace ember {
namespace {
std::atomic<int> g_threads{0};
}

void set_num_threads(int n) {
  EMBER_CHECK(n > 0, Error, "set_num_threads", "Expected positive number of threads, got ", n);
  g_threads.store(n);
}

int get_num_threads() {
  int n = g_threads.load();
  if (n > 0) return n;
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? static_cast<int>(hw) : 1;
}

}  // namespace ember
