#pragma once
// A small benchmark harness shared by the ember and libtorch builds of the workloads:
// set up, warm up, then time repeated calls and report the median with its spread.
// scripts/bench starts one process per workload, so the peak resident set reported by
// getrusage belongs to that workload alone.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace bench {

struct Stats {
  double median_ns, min_ns, max_ns, p25_ns, p75_ns;  // wall clock per operation
  double cpu_median_ns;  // process CPU time per operation (all threads): robust to a busy machine
  size_t samples;
};

/// CPU time consumed by this process so far, all threads, in ns.
inline double process_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

struct Workload {
  std::string name;
  int inner = 1;                    // operations per call of fn; per-operation times are reported
  std::function<void()> setup;      // once, untimed
  std::function<void()> fn;         // the timed call
  std::function<void()> reset;      // before every call, untimed (restores in-place inputs)
  std::function<void()> teardown;   // once, untimed
  int min_samples = 5;
};

/// Times `w.fn`: warms up for a tenth of `budget_s` (at least one call), then samples
/// until `budget_s` has passed and at least `w.min_samples` calls were timed.
inline Stats measure(const Workload& w, double budget_s) {
  using clock = std::chrono::steady_clock;
  auto seconds_since = [](clock::time_point t) { return std::chrono::duration<double>(clock::now() - t).count(); };
  const auto w0 = clock::now();
  int warm = 0;
  while (warm < 1 || seconds_since(w0) < budget_s * 0.1) {
    if (w.reset) w.reset();
    w.fn();
    ++warm;
  }
  std::vector<double> s, cpu;
  const auto t0 = clock::now();
  while (s.size() < static_cast<size_t>(w.min_samples) || (seconds_since(t0) < budget_s && s.size() < 2000)) {
    if (w.reset) w.reset();
    const double c0 = process_cpu_ns();
    const auto a = clock::now();
    w.fn();
    const auto b = clock::now();
    cpu.push_back((process_cpu_ns() - c0) / w.inner);
    s.push_back(std::chrono::duration<double, std::nano>(b - a).count() / w.inner);
  }
  std::sort(cpu.begin(), cpu.end());
  std::sort(s.begin(), s.end());
  const size_t n = s.size();
  auto at = [&](double q) { return s[std::min(n - 1, static_cast<size_t>(q * (n - 1) + 0.5))]; };
  return {at(0.5), s.front(), s.back(), at(0.25), at(0.75), cpu[n / 2], n};
}

/// Peak resident set size of this process in KiB.
inline long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

/// Runs the workloads selected on the command line and prints one tab-separated line each:
/// name, median_ns, min_ns, max_ns, p25_ns, p75_ns, samples, peak_rss_kib, cpu_median_ns.
///   --list              print the workload names, one a line
///   --only NAME         run only the workload named exactly NAME
///   --filter TEXT       run the workloads whose name contains TEXT
///   --budget SECONDS    sampling time per workload (default 0.5)
///   --min-samples N     lower every workload's minimum number of timed calls to N
inline int run(std::vector<Workload>& workloads, int argc, char** argv) {
  std::string only, filter;
  double budget = 0.5;
  int min_samples = 0;
  bool list = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    else if (!std::strcmp(argv[i], "--filter") && i + 1 < argc) filter = argv[++i];
    else if (!std::strcmp(argv[i], "--budget") && i + 1 < argc) budget = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--min-samples") && i + 1 < argc) min_samples = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--list")) list = true;
  }
  int ran = 0;
  for (auto& w : workloads) {
    if (!only.empty() && w.name != only) continue;
    if (!filter.empty() && w.name.find(filter) == std::string::npos) continue;
    ++ran;
    if (list) {
      std::printf("%s\n", w.name.c_str());
      continue;
    }
    if (min_samples > 0) w.min_samples = std::min(w.min_samples, min_samples);
    if (w.setup) w.setup();
    const Stats r = measure(w, budget);
    if (w.teardown) w.teardown();
    std::printf("%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%zu\t%ld\t%.1f\n", w.name.c_str(), r.median_ns, r.min_ns,
                r.max_ns, r.p25_ns, r.p75_ns, r.samples, peak_rss_kib(), r.cpu_median_ns);
    std::fflush(stdout);
  }
  if (ran == 0 && !only.empty()) {
    std::fprintf(stderr, "no workload named '%s' in this build\n", only.c_str());
    return 3;
  }
  return 0;
}

}  // namespace bench
