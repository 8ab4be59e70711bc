#pragma once
// The benchmark workloads are written once, in the spelling ember shares with libtorch, and
// compiled twice: against ember (BENCH_EMBER, through the compat header) and against
// libtorch. Rows that only one library can run are guarded by BENCH_EMBER.
#ifdef BENCH_EMBER
#include <ember/compat/torch.h>
#else
#include <torch/torch.h>
#endif

#include <cstdint>
#include <string>
#include <vector>

#include "harness.h"

namespace bench {

using torch::Tensor;
constexpr int64_t k16M = 16 * 1024 * 1024;

/// Results are assigned here so that nothing is optimised away.
extern Tensor sink;
/// Thread count of this run (both torch::set_num_threads and OpenBLAS).
extern int threads;
/// Directory with the uncompressed Fashion-MNIST IDX files (--data).
extern std::string data_dir;

void add_small_op_workloads(std::vector<Workload>& w);
void add_elementwise_workloads(std::vector<Workload>& w);
void add_reduction_workloads(std::vector<Workload>& w);
void add_matmul_workloads(std::vector<Workload>& w);
void add_training_workloads(std::vector<Workload>& w);
void add_data_workloads(std::vector<Workload>& w);

}  // namespace bench
