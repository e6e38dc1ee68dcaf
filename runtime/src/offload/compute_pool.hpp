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

 private:
  void run_one() noexcept;

  tbb::task_arena arena_;
  int max_concurrency_;

  std::mutex mutex_;
  std::condition_variable drained_;
  std::deque<OffloadJobPtr> queue_;
  std::size_t in_flight_ = 0;  // arena tasks enqueued and not yet returned
  bool shutdown_ = false;
};

}  // namespace weft::detail
