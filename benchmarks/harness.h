#pragma once
// A small benchmark harness shared by the ember and libtorch builds of the workloads:
// warm up, then time repeated runs and report the median, the minimum and the spread.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace bench {

struct Result {
  double median_ns;
  double min_ns;
  double spread;  // (p90 - p10) / median
};

/// Times `fn` (which performs `inner` operations) and returns per-operation times.
inline Result measure(const std::function<void()>& fn, int inner, double budget_s = 0.3) {
  using clock = std::chrono::steady_clock;
  // Warm-up: caches, allocator pools, OpenBLAS threads.
  auto w0 = clock::now();
  int warm = 0;
  while (warm < 3 || std::chrono::duration<double>(clock::now() - w0).count() < budget_s * 0.2) {
    fn();
    ++warm;
  }
  std::vector<double> samples;
  auto t0 = clock::now();
  while (samples.size() < 5 || (std::chrono::duration<double>(clock::now() - t0).count() < budget_s && samples.size() < 2000)) {
    auto a = clock::now();
    fn();
    auto b = clock::now();
    samples.push_back(std::chrono::duration<double, std::nano>(b - a).count() / inner);
  }
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  const double med = samples[n / 2];
  const double p10 = samples[n / 10], p90 = samples[(n * 9) / 10];
  return {med, samples.front(), med > 0 ? (p90 - p10) / med : 0.0};
}

/// Peak resident set size of this process in KiB.
inline long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

struct Workload {
  std::string name;
  int inner;  // operations per call of fn (per-op times are reported)
  std::function<void()> setup;
  std::function<void()> fn;
  std::function<void()> teardown;
};

/// Runs the workloads whose name contains `filter` and prints one line each:
/// name <TAB> median_ns <TAB> min_ns <TAB> spread <TAB> peak_rss_kib.
inline int run(std::vector<Workload>& workloads, int argc, char** argv) {
  std::string filter;
  double budget = 0.3;
  bool list = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--filter") && i + 1 < argc) filter = argv[++i];
    else if (!std::strcmp(argv[i], "--budget") && i + 1 < argc) budget = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--list")) list = true;
  }
  for (auto& w : workloads) {
    if (!filter.empty() && w.name != filter && w.name.find(filter) == std::string::npos) continue;
    if (list) {
      std::printf("%s\n", w.name.c_str());
      continue;
    }
    if (w.setup) w.setup();
    Result r = measure(w.fn, w.inner, budget);
    if (w.teardown) w.teardown();
    std::printf("%s\t%.1f\t%.1f\t%.3f\t%ld\n", w.name.c_str(), r.median_ns, r.min_ns, r.spread, peak_rss_kib());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace bench
