#include "compute_pool.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <utility>

#include <oneapi/tbb/info.h>

#if defined(WEFT_TSAN_ANNOTATIONS)
#include <sanitizer/tsan_interface.h>
#endif

namespace weft::detail {

namespace {

// ThreadSanitizer builds compile this file uninstrumented (sources.cmake) and tell TSan here
// what oneTBB's uninstrumented queue does: the enqueue happens before the task runs.
void tsan_release([[maybe_unused]] void* address) noexcept {
#if defined(WEFT_TSAN_ANNOTATIONS)
  __tsan_release(address);
#endif
}

void tsan_acquire([[maybe_unused]] void* address) noexcept {
#if defined(WEFT_TSAN_ANNOTATIONS)
  __tsan_acquire(address);
#endif
}

// The pool whose job is running on this thread, so that shutdown never waits for itself.
thread_local const ComputePool* tl_compute_pool = nullptr;

int arena_concurrency(std::size_t threads) {
  return threads == 0 ? tbb::info::default_concurrency() : static_cast<int>(threads);
}

}  // namespace

// No slot is reserved for an external thread: nobody calls execute(), every job arrives by
// enqueue() and runs on the arena's own threads, so all `threads` slots go to them.
ComputePool::ComputePool(std::size_t threads)
    : arena_(arena_concurrency(threads), 0), max_concurrency_(arena_concurrency(threads)) {}

ComputePool::~ComputePool() {
  if (tl_compute_pool == this) {
    std::fputs("weft: a Runtime was destroyed inside one of its own compute jobs\n", stderr);
    std::terminate();
  }
  shutdown(true);
  arena_.terminate();
}

void ComputePool::submit(OffloadJobPtr job) {
  OffloadJob* const mine = job.get();
  {
    std::lock_guard lock(mutex_);
    if (!shutdown_) {
      queue_.push_back(std::move(job));
      ++in_flight_;
    }
  }
  if (job) {  // still ours: the pool is shut down
    cancel_job(std::move(job));
    return;
  }
  try {
    // The arena task carries no job, only the pool: the job travels through queue_, whose
    // lock orders the hand-over for every thread. (This file is built without TSan
    // instrumentation: see sources.cmake.)
    tsan_release(this);
    arena_.enqueue([this] { run_one(); });
  } catch (...) {
    // Out of memory: one job too many is queued. Take ours back and tell the caller; if an
    // arena task already took ours, the job left over has no task and is dropped instead.
    OffloadJobPtr taken_back;
    OffloadJobPtr orphan;
    {
      std::lock_guard lock(mutex_);
      if (--in_flight_ == 0) drained_.notify_all();
      auto it = std::find_if(queue_.begin(), queue_.end(),
                             [mine](const OffloadJobPtr& queued) { return queued.get() == mine; });
      if (it != queue_.end()) {
        taken_back = std::move(*it);
        queue_.erase(it);
      } else if (!queue_.empty()) {
        orphan = std::move(queue_.back());
        queue_.pop_back();
      }
    }
    if (taken_back) {
      release_job(std::move(taken_back));
      throw;
    }
    if (orphan) cancel_job(std::move(orphan));
  }
}

void ComputePool::run_one() noexcept {
  tsan_acquire(this);
  OffloadJobPtr job;
  {
    std::lock_guard lock(mutex_);
    if (!queue_.empty()) {  // empty when shutdown dropped the job this task was for
      job = std::move(queue_.front());
      queue_.pop_front();
    }
  }
  if (job) {
    const ComputePool* const outer = std::exchange(tl_compute_pool, this);
    run_job(std::move(job));
    tl_compute_pool = outer;
  }
  std::lock_guard lock(mutex_);
  if (--in_flight_ == 0) drained_.notify_all();
}

void ComputePool::shutdown(bool wait) noexcept {
  std::deque<OffloadJobPtr> dropped;
  {
    std::lock_guard lock(mutex_);
    shutdown_ = true;
    dropped.swap(queue_);
  }
  for (auto& job : dropped) cancel_job(std::move(job));
  dropped.clear();
  if (!wait || tl_compute_pool == this) return;
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [this] { return in_flight_ == 0; });
}

}  // namespace weft::detail
