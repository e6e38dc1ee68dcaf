#include "blocking_pool.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <utility>

#include "platform/signals.hpp"
#include "platform/thread.hpp"

namespace weft::detail {

namespace {

// The pool whose thread is calling, so that shutdown never waits for its own thread.
thread_local const BlockingPool* tl_pool = nullptr;

// Longer keep-alives are "forever": steady_clock::now() + milliseconds::max() would overflow.
constexpr std::chrono::milliseconds kForever = std::chrono::hours(24 * 365);

}  // namespace

BlockingPool::BlockingPool(std::size_t max_threads, std::chrono::milliseconds keep_alive)
    : max_threads_(std::max<std::size_t>(max_threads, 1)),
      keep_alive_(std::clamp(keep_alive, std::chrono::milliseconds(0), kForever)) {}

BlockingPool::~BlockingPool() {
  if (tl_pool == this) {
    std::fputs("weft: a Runtime was destroyed by one of its own blocking-pool threads\n", stderr);
    std::terminate();
  }
  shutdown(true);
}

void BlockingPool::submit(OffloadJobPtr job) {
  std::unique_lock lock(mutex_);
  if (shutdown_) {
    lock.unlock();
    job->cancel();
    return;
  }
  queue_.push_back(std::move(job));
  if (idle_ > 0) {
    // Claim one idle thread for this job, so that the next submit does not count it too.
    --idle_;
    ++notified_;
    lock.unlock();
    work_ready_.notify_one();
  } else if (running_.size() < max_threads_) {
    const std::uint64_t id = next_id_++;
    auto slot = running_.emplace(id, std::thread()).first;
    // Pool threads must not take the signals the application handles (its signal source):
    // they start with every signal blocked (platform/signals.hpp).
    try {
      platform::with_all_signals_blocked(
          [&] { slot->second = std::thread([this, id] { run(id); }); });
    } catch (...) {
      running_.erase(slot);
      if (running_.empty()) {
        // Nobody would ever run the job: take it back and tell the caller.
        queue_.pop_back();
        throw;
      }
      return;  // a running thread will take the job when it is done with its own
    }
    lock.unlock();
  } else {
    lock.unlock();  // every thread is busy and the pool is full: the job waits its turn
  }
  join_exited();
}

void BlockingPool::run(std::uint64_t id) noexcept {
  tl_pool = this;
  platform::name_current_thread("weft-blocking");
  std::unique_lock lock(mutex_);
  for (;;) {
    // shutdown() empties the queue, so draining it needs no check of shutdown_.
    while (!queue_.empty()) {
      OffloadJobPtr job = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      job->run();
      job.reset();
      lock.lock();
    }
    if (shutdown_) break;
    ++idle_;
    const auto deadline = std::chrono::steady_clock::now() + keep_alive_;
    bool claimed = false;
    for (;;) {
      if (notified_ > 0) {
        --notified_;  // submit() already took this thread out of idle_
        claimed = true;
        break;
      }
      if (shutdown_) break;
      if (work_ready_.wait_until(lock, deadline) == std::cv_status::timeout && notified_ == 0) {
        break;
      }
    }
    if (!claimed) {
      --idle_;
      if (!queue_.empty() && !shutdown_) continue;  // a job nobody was woken for: take it
      break;
    }
  }
  // Hand this thread's std::thread to whoever joins next (submit or shutdown).
  auto self = running_.extract(id);
  exited_.push_back(std::move(self.mapped()));
  if (running_.empty()) all_exited_.notify_all();
}

void BlockingPool::join_exited() noexcept {
  std::vector<std::thread> done;
  {
    std::lock_guard lock(mutex_);
    done.swap(exited_);
  }
  for (auto& thread : done) thread.join();
}

void BlockingPool::shutdown(bool wait) noexcept {
  std::deque<OffloadJobPtr> dropped;
  {
    std::lock_guard lock(mutex_);
    shutdown_ = true;
    dropped.swap(queue_);
  }
  work_ready_.notify_all();
  for (auto& job : dropped) job->cancel();
  dropped.clear();
  if (!wait || tl_pool == this) return;
  {
    std::unique_lock lock(mutex_);
    all_exited_.wait(lock, [this] { return running_.empty(); });
  }
  join_exited();
}

std::size_t BlockingPool::threads() const {
  std::lock_guard lock(mutex_);
  return running_.size();
}

}  // namespace weft::detail
