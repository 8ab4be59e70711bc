// The CPU thread pool behind parallel_for: workers sleep on a condition variable between
// jobs; a job is a chunk counter that the workers and the calling thread draw from.
#include "backends/cpu/parallel.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "ember/ops.h"

namespace ember::backend::cpu {
namespace {

thread_local bool t_in_parallel = false;

class Pool {
 public:
  ~Pool() { resize(0); }

  void run(int64_t n, void (*call)(void*, int64_t), void* ctx, int threads) {
    // One job at a time; a thread that finds the pool busy (another user thread's job)
    // runs its chunks itself rather than waiting.
    std::unique_lock<std::mutex> job_lock(job_mu_, std::try_to_lock);
    if (!job_lock.owns_lock()) {
      struct InlineScope {
        bool was = t_in_parallel;
        InlineScope() { t_in_parallel = true; }
        ~InlineScope() { t_in_parallel = was; }
      } scope;
      for (int64_t i = 0; i < n; ++i) call(ctx, i);
      return;
    }
    if (static_cast<int>(workers_.size()) != threads - 1) resize(threads - 1);
    {
      std::lock_guard<std::mutex> g(mu_);
      call_ = call;
      ctx_ = ctx;
      n_ = n;
      next_.store(0, std::memory_order_relaxed);
      done_.store(0, std::memory_order_relaxed);
      error_ = nullptr;
      ++generation_;
    }
    cv_.notify_all();
    work();
    // Wait for the chunks still running elsewhere, and for every worker that joined this
    // job to leave it: after this no worker reads the job's state.
    std::exception_ptr err;
    {
      std::unique_lock<std::mutex> g(mu_);
      done_cv_.wait(g, [&] { return done_.load(std::memory_order_acquire) >= n_ && active_ == 0; });
      err = error_;
      call_ = nullptr;
    }
    if (err) std::rethrow_exception(err);
  }

 private:
  // Draws chunks until none are left.
  void work() {
    const bool was = t_in_parallel;
    t_in_parallel = true;
    for (;;) {
      const int64_t i = next_.fetch_add(1, std::memory_order_relaxed);
      if (i >= n_) break;
      try {
        call_(ctx_, i);
      } catch (...) {
        std::lock_guard<std::mutex> g(mu_);
        if (!error_) error_ = std::current_exception();
      }
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
    t_in_parallel = was;
  }

  void worker_loop() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> g(mu_);
        cv_.wait(g, [&] { return stop_ || (generation_ != seen && call_); });
        if (stop_) return;
        seen = generation_;
        ++active_;
      }
      work();
      {
        std::lock_guard<std::mutex> g(mu_);
        --active_;
      }
      done_cv_.notify_all();
    }
  }

  void resize(int n) {
    {
      std::lock_guard<std::mutex> g(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    stop_ = false;
    for (int i = 0; i < n; ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  std::mutex job_mu_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> workers_;
  bool stop_ = false;
  uint64_t generation_ = 0;
  void (*call_)(void*, int64_t) = nullptr;
  void* ctx_ = nullptr;
  int64_t n_ = 0;
  int active_ = 0;  // workers inside the current job
  std::atomic<int64_t> next_{0}, done_{0};
  std::exception_ptr error_;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: workers may be blocked at exit
  return *p;
}

}  // namespace

int parallel_threads() { return t_in_parallel ? 1 : ember::get_num_threads(); }

void run_parallel(int64_t n, void (*call)(void*, int64_t), void* ctx) {
  const int threads = parallel_threads();
  if (n <= 1 || threads <= 1) {
    for (int64_t i = 0; i < n; ++i) call(ctx, i);
    return;
  }
  pool().run(n, call, ctx, threads);
}

}  // namespace ember::backend::cpu
