// The CPU thread pool behind parallel_for: a job is a chunk counter that the workers and the
// calling thread draw from. Between jobs a worker spins briefly before it sleeps on a
// condition variable: a training step issues parallel kernels tens of microseconds apart,
// and waking a sleeping thread (a futex call and a context switch) would cost about as much.
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
    bool wake;
    {
      std::lock_guard<std::mutex> g(mu_);
      call_ = call;
      ctx_ = ctx;
      n_ = n;
      next_.store(0, std::memory_order_relaxed);
      done_.store(0, std::memory_order_relaxed);
      error_ = nullptr;
      generation_.fetch_add(1, std::memory_order_release);
      wake = sleeping_ > 0;
    }
    if (wake) cv_.notify_all();
    work();
    // Wait for the chunks still running elsewhere, and for every worker that joined this
    // job to leave it: after this no worker reads the job's state.
    auto finished = [&] {
      return done_.load(std::memory_order_acquire) >= n_ && active_.load(std::memory_order_acquire) == 0;
    };
    for (int i = 0; i < kSpins && !finished(); ++i) cpu_relax();
    std::exception_ptr err;
    {
      std::unique_lock<std::mutex> g(mu_);
      done_cv_.wait(g, finished);
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
      for (int i = 0; i < kSpins && generation_.load(std::memory_order_acquire) == seen; ++i) cpu_relax();
      {
        std::unique_lock<std::mutex> g(mu_);
        auto ready = [&] { return stop_ || (generation_.load(std::memory_order_relaxed) != seen && call_); };
        if (!ready()) {
          ++sleeping_;
          cv_.wait(g, ready);
          --sleeping_;
        }
        if (stop_) return;
        seen = generation_.load(std::memory_order_relaxed);
        active_.fetch_add(1, std::memory_order_relaxed);
      }
      work();
      {
        std::lock_guard<std::mutex> g(mu_);
        active_.fetch_sub(1, std::memory_order_release);
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
  // About 20-50 microseconds of pause instructions.
  static constexpr int kSpins = 2000;
  static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

  bool stop_ = false;
  int sleeping_ = 0;  // workers waiting on cv_ (under mu_)
  std::atomic<uint64_t> generation_{0};
  void (*call_)(void*, int64_t) = nullptr;
  void* ctx_ = nullptr;
  int64_t n_ = 0;
  std::atomic<int> active_{0};  // workers inside the current job (written under mu_)
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
