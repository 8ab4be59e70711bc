#pragma once
// DataLoaderOptions (torch::data::DataLoaderOptions).
#include <chrono>
#include <cstddef>
#include <optional>

#include "ember/arg.h"

namespace ember::data {

struct DataLoaderOptions {
  DataLoaderOptions() = default;
  /* implicit */ DataLoaderOptions(size_t batch_size) : batch_size_(batch_size) {}

  /// Examples per batch.
  EMBER_ARG(size_t, batch_size) = 1;
  /// Worker threads that load batches ahead; 0 loads on the calling thread.
  EMBER_ARG(size_t, workers) = 0;
  /// Batches requested ahead of consumption (default 2 * workers).
  EMBER_ARG(std::optional<size_t>, max_jobs);
  /// How long to wait for a worker's batch before raising an error.
  EMBER_ARG(std::optional<std::chrono::milliseconds>, timeout);
  /// Return batches in sampler order even when workers finish out of order.
  EMBER_ARG(bool, enforce_ordering) = true;
  /// Skip the last batch when it is smaller than batch_size.
  EMBER_ARG(bool, drop_last) = false;
};

/// DataLoaderOptions with the defaults filled in.
struct FullDataLoaderOptions {
  explicit FullDataLoaderOptions(DataLoaderOptions options)
      : batch_size(options.batch_size()),
        workers(options.workers()),
        max_jobs(options.max_jobs().value_or(2 * workers)),
        timeout(options.timeout()),
        enforce_ordering(options.enforce_ordering()),
        drop_last(options.drop_last()) {}

  size_t batch_size;
  size_t workers;
  size_t max_jobs;
  std::optional<std::chrono::milliseconds> timeout;
  bool enforce_ordering;
  bool drop_last;
};

}  // namespace ember::data
