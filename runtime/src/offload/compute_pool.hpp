#pragma once
// ComputePool: the oneTBB arena behind weft::compute. A job is queued here and one arena task
// is enqueued for it; the arena's threads (oneTBB's workers, never weft's) take jobs from the
// queue in order, so the callable may itself use tbb::parallel_for and friends inside the
// arena. Shutdown drops the jobs not yet started (TaskCancelled) and waits for the running
// ones.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

#include <oneapi/tbb/task_arena.h>

#include <weft/runtime/offload_handle.hpp>

namespace weft::detail {

// The pool's last steps with a job, defined in runtime_offload.cpp. ThreadSanitizer builds
// compile compute_pool.cpp uninstrumented (see sources.cmake), and the release of the job's
// reference count must happen in instrumented code for TSan to see it.
void run_job(OffloadJobPtr&& job) noexcept;      // runs it, then lets go
void cancel_job(OffloadJobPtr&& job) noexcept;   // drops it unrun (TaskCancelled), lets go
void release_job(OffloadJobPtr&& job) noexcept;  // lets go, nothing else

class ComputePool {
 public:
  // `threads` is the arena's maximum concurrency; 0 lets oneTBB choose.
  explicit ComputePool(std::size_t threads);
  ComputePool(const ComputePool&) = delete;
  ComputePool& operator=(const ComputePool&) = delete;
  // Shuts down and waits. Must not run inside one of the pool's jobs (std::terminate).
  ~ComputePool();

  // After shutdown the job is dropped at once (TaskCancelled).
  void submit(OffloadJobPtr job);
  // Drops the queued jobs; with `wait`, also waits until the running ones returned (not
  // from inside a job, which would wait for itself: the destructor does).
  void shutdown(bool wait) noexcept;

  int max_concurrency() const noexcept { return max_concurrency_; }

  // Runs the job at the head of the queue, if any (shutdown may have dropped it); what each
  // arena task calls.
  void run_one() noexcept;

 private:
  tbb::task_arena arena_;
  int max_concurrency_;

  std::mutex mutex_;
  std::condition_variable drained_;
  std::deque<OffloadJobPtr> queue_;
  std::size_t in_flight_ = 0;  // arena tasks enqueued and not yet returned
  bool shutdown_ = false;
};

}  // namespace weft::detail
