#pragma once
// DataLoaderBase (torch::data::DataLoaderBase): hands out batches through an input
// iterator, either loading them on the calling thread (workers == 0) or from worker
// threads that run up to max_jobs batch requests ahead and deliver them in order.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "ember/data/dataloader_options.h"
#include "ember/data/iterator.h"
#include "ember/errors.h"

namespace ember::data {

template <typename Dataset, typename Batch, typename BatchRequest>
class DataLoaderBase {
 public:
  using BatchType = Batch;
  using BatchRequestType = BatchRequest;

  DataLoaderBase(DataLoaderOptions options, std::unique_ptr<Dataset> main_thread_dataset = nullptr)
      : options_(std::move(options)), main_thread_dataset_(std::move(main_thread_dataset)) {
    // A zero batch size would hand out empty batches forever.
    EMBER_CHECK(options_.batch_size > 0, Error, "data::DataLoader", "batch_size must be positive, got ",
                options_.batch_size);
  }
  DataLoaderBase(const DataLoaderBase&) = delete;
  DataLoaderBase& operator=(const DataLoaderBase&) = delete;

  virtual ~DataLoaderBase() { join(); }

  /// Starts a new epoch (dropping batches still in flight from an unfinished one) and
  /// returns an iterator over its batches.
  Iterator<Batch> begin() {
    reset();
    return Iterator<Batch>([this] { return this->next(); });
  }
  /// The sentinel that an exhausted iterator compares equal to.
  Iterator<Batch> end() { return Iterator<Batch>(); }

  /// Stops the worker threads (the destructor does this too).
  void join() {
    if (joined_) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    job_ready_.notify_all();
    for (auto& worker : workers_) worker.join();
    joined_ = true;
  }

  const FullDataLoaderOptions& options() const noexcept { return options_; }

 protected:
  struct Job {
    BatchRequest request;
    size_t sequence_number;
  };
  struct Result {
    std::optional<Batch> batch;
    std::exception_ptr exception;
  };

  /// The next batch request, or nullopt when the epoch is over.
  virtual std::optional<BatchRequestType> get_batch_request() = 0;

  /// Discards in-flight work and schedules the first max_jobs requests of a new epoch.
  virtual void reset() {
    drain();
    next_sequence_number_ = 0;
    next_to_return_ = 0;
    prefetch(options_.max_jobs);
  }

  /// Schedules up to `requested_jobs` new batch requests for the workers.
  void prefetch(size_t requested_jobs) {
    if (options_.workers == 0) return;
    for (size_t i = 0; i < requested_jobs; ++i) {
      auto request = get_batch_request();
      if (!request) break;
      push_job(std::move(*request));
    }
  }

  /// The next batch, or nullopt when the epoch is exhausted. A worker's exception is
  /// rethrown here, on the iterating thread.
  std::optional<BatchType> next() {
    if (options_.workers == 0) {
      if (auto request = get_batch_request()) return main_thread_dataset_->get_batch(std::move(*request));
      return std::nullopt;
    }
    Result result;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (in_flight_ == 0) return std::nullopt;
      auto ready = [this] {
        return options_.enforce_ordering ? results_.count(next_to_return_) > 0 : !results_.empty();
      };
      if (options_.timeout) {
        EMBER_CHECK(result_ready_.wait_for(lock, *options_.timeout, ready), Error, "data::DataLoader",
                    "Timeout in DataLoader queue while waiting for next batch (timeout was ",
                    options_.timeout->count(), " ms)");
      } else {
        result_ready_.wait(lock, ready);
      }
      auto it = options_.enforce_ordering ? results_.find(next_to_return_) : results_.begin();
      result = std::move(it->second);
      results_.erase(it);
      --in_flight_;
      ++next_to_return_;
    }
    if (result.exception) std::rethrow_exception(result.exception);
    prefetch(1);
    return std::move(result.batch);
  }

  /// The loop each worker thread runs on its own copy of the dataset.
  void worker_thread(Dataset& dataset) {
    while (true) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        job_ready_.wait(lock, [this] { return quit_ || !jobs_.empty(); });
        if (quit_) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      Result result;
      try {
        result.batch = dataset.get_batch(std::move(job.request));
      } catch (...) {
        result.exception = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        results_.emplace(job.sequence_number, std::move(result));
      }
      result_ready_.notify_all();
    }
  }

  const FullDataLoaderOptions options_;
  /// The dataset used when workers == 0.
  std::unique_ptr<Dataset> main_thread_dataset_;
  std::vector<std::thread> workers_;

 private:
  void push_job(BatchRequest request) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      jobs_.push_back(Job{std::move(request), next_sequence_number_++});
      ++in_flight_;
    }
    job_ready_.notify_one();
  }

  /// Drops queued jobs and waits for the running ones, discarding all results.
  void drain() {
    if (options_.workers == 0) return;
    std::unique_lock<std::mutex> lock(mutex_);
    in_flight_ -= jobs_.size();
    jobs_.clear();
    result_ready_.wait(lock, [this] { return results_.size() == in_flight_; });
    results_.clear();
    in_flight_ = 0;
  }

  std::mutex mutex_;
  std::condition_variable job_ready_;
  std::condition_variable result_ready_;
  std::deque<Job> jobs_;
  std::map<size_t, Result> results_;  // finished batches by sequence number
  size_t in_flight_ = 0;              // jobs pushed whose results were not yet returned
  size_t next_sequence_number_ = 0;
  size_t next_to_return_ = 0;
  bool quit_ = false;
  bool joined_ = false;
};

}  // namespace ember::data
