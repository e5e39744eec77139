// A per-thread pool of helper threads, and parallel_for over it.
//
// Each user thread owns its helpers (no process-wide pool, so independent
// threads never wait on each other). A job is a count of chunks; the caller
// and as many helpers as the job asks for take chunks under one mutex until
// none are left, and the caller returns once every chunk has finished.
// Chunks are few (four per thread), so the mutex is taken a handful of
// times per op.
#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "check.h"
#include "minitorch/threads.h"

namespace minitorch {

namespace {

// Spins while waiting() holds, for at most `limit`: the CPU's pause hint
// each round, and every 64 rounds a look at the clock and, with `yield`, a
// turn for other threads.
template <class Waiting>
void spin_while(const Waiting& waiting, std::chrono::microseconds limit, bool yield) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (int i = 0; waiting(); ++i) {
    if (i % 64 == 0) {
      if (std::chrono::steady_clock::now() > until) return;
      if (yield) std::this_thread::yield();
    } else {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
  }
}

class HelperPool {
 public:
  explicit HelperPool(int helpers) {
    for (int i = 0; i < helpers; ++i) threads_.emplace_back([this] { serve(); });
  }

  int helpers() const { return static_cast<int>(threads_.size()); }

  ~HelperPool() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    work_ready_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  HelperPool(const HelperPool&) = delete;
  HelperPool& operator=(const HelperPool&) = delete;

  // Runs chunk(0) ... chunk(chunks - 1) on this thread and at most
  // `helpers` of the helpers.
  void run(int64_t chunks, int helpers, absl::FunctionRef<void(int64_t)> chunk) {
    uint64_t job = 0;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      job_ = &chunk;
      chunks_ = chunks;
      helper_slots_ = helpers;
      next_ = 0;
      unfinished_.store(chunks, std::memory_order_relaxed);
      job = generation_.fetch_add(1, std::memory_order_release) + 1;
    }
    work_ready_.notify_all();
    take_chunks(job);
    // The helpers' last chunks are about as long as the caller's, so the
    // caller spins for them before it sleeps: waking a sleeping thread takes
    // tens of microseconds on a virtual machine, as long as the op itself.
    spin_while([this] { return unfinished_.load(std::memory_order_acquire) != 0; }, kSpin,
               /*yield=*/false);
    std::unique_lock<std::mutex> lock(mutex_);
    all_done_.wait(lock, [this] { return unfinished_.load(std::memory_order_relaxed) == 0; });
    job_ = nullptr;
  }

 private:
  // Helpers spin this long for the next job before sleeping: the ops of a
  // training step follow each other within microseconds, and waking a
  // sleeping thread can take longer than the chunk it would run.
  static constexpr std::chrono::microseconds kSpin{200};

  void serve() {
    uint64_t seen = 0;
    while (true) {
      spin_while([&] { return generation_.load(std::memory_order_acquire) == seen; }, kSpin,
                 /*yield=*/true);
      {
        std::unique_lock<std::mutex> lock(mutex_);
        work_ready_.wait(lock, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
        if (stopping_) return;
        seen = generation_.load(std::memory_order_relaxed);
        if (helper_slots_ == 0) continue;  // the job has the helpers it asked for
        --helper_slots_;
      }
      take_chunks(seen);
    }
  }

  // Chunks of the job of generation `generation` until none are left. A
  // helper still here when the next job starts must not take its chunks
  // without a slot.
  void take_chunks(uint64_t generation) {
    while (true) {
      absl::FunctionRef<void(int64_t)>* job = nullptr;
      int64_t index = 0;
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (job_ == nullptr || next_ >= chunks_ ||
            generation_.load(std::memory_order_relaxed) != generation) {
          return;
        }
        job = job_;
        index = next_++;
      }
      (*job)(index);
      const std::lock_guard<std::mutex> lock(mutex_);
      // Release: the caller, spinning without the lock, sees the chunk's writes.
      if (unfinished_.fetch_sub(1, std::memory_order_acq_rel) == 1) all_done_.notify_one();
    }
  }

  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable all_done_;
  // Bumped (under mutex_) for every job and for stopping; read without the
  // lock only by spinning helpers.
  std::atomic<uint64_t> generation_{0};
  absl::FunctionRef<void(int64_t)>* job_ = nullptr;
  int64_t chunks_ = 0;
  int64_t next_ = 0;
  std::atomic<int64_t> unfinished_{0};  // changed under mutex_, read without it by the caller
  int helper_slots_ = 0;                // helpers the current job may still take
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// The calling thread's setting, its helpers (made on first use, and grown
// when a larger thread count first needs them), and whether it is inside a
// parallel_for already. A pool larger than the setting is harmless: a job
// takes only as many helpers as the setting has threads besides the caller,
// and a thread count lowered and raised again reuses its helpers
// (idle ones sleep once their spin ends) instead of starting new threads.
thread_local int t_num_threads = 1;
thread_local int64_t t_parallel_grain = kDefaultParallelGrain;
thread_local std::unique_ptr<HelperPool> t_pool;
thread_local bool t_in_parallel_for = false;

}  // namespace

void set_num_threads(int n) {
  MT_CHECK(n >= 1, "set_num_threads: the thread count must be at least 1, got ", n);
  t_num_threads = n;
}

int get_num_threads() { return t_num_threads; }

void set_parallel_grain(int64_t elements) {
  MT_CHECK(elements >= 1, "set_parallel_grain: the grain must be at least 1 element, got ",
           elements);
  t_parallel_grain = elements;
}

int64_t get_parallel_grain() { return t_parallel_grain; }

void parallel_for(int64_t n, int64_t grain, absl::FunctionRef<void(int64_t, int64_t)> fn) {
  if (n <= 0) return;
  // Each thread's share is cut into a few chunks, taken in turn: a helper
  // that starts late (its CPU taken by another process, as on a shared
  // machine) delays the op by one small chunk, not by a whole share.
  constexpr int64_t kChunksPerThread = 4;
  const int64_t chunks = t_num_threads <= 1 ? 1
                                            : std::min<int64_t>(t_num_threads * kChunksPerThread,
                                                                n / std::max<int64_t>(grain, 1));
  if (chunks <= 1 || t_in_parallel_for) {
    fn(0, n);
    return;
  }
  if (!t_pool || t_pool->helpers() < t_num_threads - 1) {
    t_pool = std::make_unique<HelperPool>(t_num_threads - 1);
  }
  t_in_parallel_for = true;
  t_pool->run(chunks, t_num_threads - 1,
              [&](int64_t c) { fn(c * n / chunks, (c + 1) * n / chunks); });
  t_in_parallel_for = false;
}

}  // namespace minitorch
