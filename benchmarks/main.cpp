// Entry point of bench_ember and bench_torch: sets the thread count, then runs the
// workloads selected on the command line (see harness.h for the options).
#include <cblas.h>

#include <cstdlib>
#include <cstring>

#include "workloads.h"

namespace bench {
Tensor sink;
int threads = 1;
std::string data_dir = "build/bench/fashion-mnist";
}  // namespace bench

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) bench::threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--data") && i + 1 < argc) bench::data_dir = argv[++i];
  }
  torch::set_num_threads(bench::threads);
  // libtorch's set_num_threads does not reach OpenBLAS (its mm and the raw cblas rows use
  // it). ember keeps OpenBLAS at one thread from its first matrix product on and splits
  // products over its own pool; the raw cblas rows call OpenBLAS alone, with this count.
  openblas_set_num_threads(bench::threads);
  std::vector<bench::Workload> w;
  bench::add_small_op_workloads(w);
  bench::add_elementwise_workloads(w);
  bench::add_reduction_workloads(w);
  bench::add_matmul_workloads(w);
  bench::add_training_workloads(w);
  bench::add_data_workloads(w);
  return bench::run(w, argc, argv);
}
