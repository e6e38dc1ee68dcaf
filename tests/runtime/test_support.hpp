#pragma once
// Shared helpers for the runtime and scheduler test suites: runtimes of a given size, a
// watchdog that turns a hang into a clear failure, counters that prove coroutine frames
// were destroyed, hand-written futures that park a task until the test releases it, a
// worker held busy while a test sets up what must not run yet, and loop counts scaled to
// the build (sanitizers run 5-20x slower).

#include <weft/scheduler/atomic_waker.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>
#include <weft/scheduler/thread_waker.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include "../common/probe_waker.hpp"
#include "../common/under_wine.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace weft_test {

#if defined(__SANITIZE_THREAD__)
inline constexpr bool kThreadSanitizer = true;
#else
inline constexpr bool kThreadSanitizer = false;
#endif
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#if defined(__OPTIMIZE__)
inline constexpr bool kOptimized = true;
#else
inline constexpr bool kOptimized = false;
#endif

// Multiplier for loop counts: 1 under ThreadSanitizer, up to 8 in an optimized build.
inline constexpr int kScale = kThreadSanitizer ? 1 : (kAddressSanitizer || !kOptimized) ? 2 : 8;

// A runtime of `workers` workers; other settings from the WEFT_* environment, so that ctest can
// run a suite again in another configuration (e.g. WEFT_REACTOR_MODE=dedicated).
inline weft::Config config_with(std::size_t workers) {
  return weft::Config::builder().from_env().worker_threads(workers).build();
}

// Aborts the process with a message if the scope it guards does not finish in time: a hang
// becomes a named failure instead of a ctest timeout with no context.
// Under Wine the limit is 4x longer too: starting a thread costs about ten times what it does
// on Linux, and the stress tests start thousands.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit = std::chrono::seconds(30))
      : limit_(limit * ((kThreadSanitizer || kAddressSanitizer) ? 4 : 1) *
               (running_under_wine() ? 4 : 1)) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    name_ = info ? std::string(info->test_suite_name()) + "." + info->name() : "?";
    thread_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      if (!cv_.wait_for(lock, limit_, [this] { return done_; })) {
        std::fprintf(stderr, "\nWATCHDOG: %s did not finish within %lld s (hang?)\n", name_.c_str(),
                     static_cast<long long>(limit_.count()));
        std::fflush(stderr);
        std::abort();
      }
    });
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::chrono::seconds limit_;
  std::string name_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// Counts live instances: construct one inside a coroutine body (or as a member of a future)
// and check that the count returns to zero once the runtime cancelled everything.
class LiveGuard {
 public:
  explicit LiveGuard(std::atomic<int>& live) noexcept : live_(&live) {
    live_->fetch_add(1, std::memory_order_relaxed);
  }
  LiveGuard(LiveGuard&& other) noexcept : live_(std::exchange(other.live_, nullptr)) {}
  LiveGuard(const LiveGuard&) = delete;
  LiveGuard& operator=(const LiveGuard&) = delete;
  LiveGuard& operator=(LiveGuard&&) = delete;
  ~LiveGuard() {
    if (live_) live_->fetch_sub(1, std::memory_order_acq_rel);
  }

 private:
  std::atomic<int>* live_;
};

// Sets a flag when destroyed.
class DropFlag {
 public:
  explicit DropFlag(std::atomic<bool>& flag) noexcept : flag_(&flag) {}
  DropFlag(DropFlag&& other) noexcept : flag_(std::exchange(other.flag_, nullptr)) {}
  DropFlag(const DropFlag&) = delete;
  DropFlag& operator=(const DropFlag&) = delete;
  DropFlag& operator=(DropFlag&&) = delete;
  ~DropFlag() {
    if (flag_) flag_->store(true, std::memory_order_release);
  }

 private:
  std::atomic<bool>* flag_;
};

// A broadcast event: any number of tasks wait() on it; set() wakes them all. Waiters that
// were woken for nothing simply register again.
class Event {
 public:
  void set() {
    std::vector<weft::Waker> wakers;
    {
      std::lock_guard lock(mutex_);
      set_.store(true, std::memory_order_release);
      wakers.swap(wakers_);
    }
    for (auto& waker : wakers) waker.wake();
  }
  bool is_set() const noexcept { return set_.load(std::memory_order_acquire); }
  // Number of times a waiter registered its waker (each pending poll registers once).
  int registrations() const noexcept { return registrations_.load(std::memory_order_acquire); }
  // Blocks the calling (non-worker) thread until at least `n` registrations happened.
  void wait_registrations(int n) const {
    for (int seen = registrations_.load(std::memory_order_acquire); seen < n;
         seen = registrations_.load(std::memory_order_acquire)) {
      registrations_.wait(seen, std::memory_order_acquire);
    }
  }

  struct Wait {
    Event* event;
    weft::Poll<void> poll(weft::Context& cx) {
      if (event->is_set()) return weft::ready;
      {
        std::lock_guard lock(event->mutex_);
        if (event->is_set()) return weft::ready;
        event->wakers_.push_back(cx.waker());
      }
      event->registrations_.fetch_add(1, std::memory_order_acq_rel);
      event->registrations_.notify_all();
      return weft::pending;
    }
  };
  Wait wait() noexcept { return Wait{this}; }

 private:
  std::atomic<bool> set_{false};
  mutable std::atomic<int> registrations_{0};
  std::mutex mutex_;
  std::vector<weft::Waker> wakers_;
};

// Blocks the calling thread until `counter` reaches at least `target`.
inline void wait_at_least(const std::atomic<int>& counter, int target) {
  for (int seen = counter.load(std::memory_order_acquire); seen < target;
       seen = counter.load(std::memory_order_acquire)) {
    counter.wait(seen, std::memory_order_acquire);
  }
}

inline void bump_and_notify(std::atomic<int>& counter) {
  counter.fetch_add(1, std::memory_order_acq_rel);
  counter.notify_all();
}

// Waits for a JoinHandle (or any future) from a plain thread.
template <class F>
auto wait_for_result(F& future) {
  return weft::block_on_future(future);
}

// Runs `task` to its end on `rt` and checks that it fails with an `Error` saying `what`.
template <class Error, class T>
void expect_block_on_throws(weft::Runtime& rt, weft::Task<T> task, const char* what) {
  try {
    rt.block_on(std::move(task));
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), what);
  }
}

// Occupies the worker that runs it until `release` opens, without ever suspending.
inline weft::Task<void> blocks_thread(std::latch* started, std::latch* release) {
  started->count_down();
  release->wait();
  co_return;
}

// Holds one worker inside a poll until release(): on a one-worker runtime nothing else runs
// meanwhile, so a test can queue, wake or abort tasks that cannot react yet.
class HeldWorker {
 public:
  explicit HeldWorker(weft::Runtime& rt) : blocker_(rt.spawn(blocks_thread(&started_, &release_))) {
    started_.wait();
  }
  HeldWorker(const HeldWorker&) = delete;
  HeldWorker& operator=(const HeldWorker&) = delete;
  // Also on an early return (a failed ASSERT), so that the runtime can still shut down.
  ~HeldWorker() {
    if (!released_) release();
  }

  // Lets the worker go and waits until it has left the holding task.
  void release() {
    released_ = true;
    release_.count_down();
    wait_for_result(blocker_);
  }

 private:
  std::latch started_{1};
  std::latch release_{1};
  bool released_ = false;
  weft::JoinHandle<void> blocker_;
};

// Sum of one WorkerMetrics field over all workers.
template <class Field>
std::uint64_t metric_sum(const weft::Runtime& rt, Field field) {
  std::uint64_t sum = 0;
  for (const auto& m : rt.metrics()) sum += m.*field;
  return sum;
}

// Every worker's counters on one line each, for failure messages.
inline std::string describe_metrics(const weft::Runtime& rt) {
  std::string out;
  int index = 0;
  for (const auto& m : rt.metrics()) {
    out += "worker " + std::to_string(index++) + ": polls=" + std::to_string(m.polls) +
           " parks=" + std::to_string(m.parks) + " unparks=" + std::to_string(m.unparks) +
           " steals=" + std::to_string(m.steals) +
           " local_q=" + std::to_string(m.local_queue_depth) +
           " inbox=" + std::to_string(m.inbox_depth) + " lifo_hits=" + std::to_string(m.lifo_hits) +
           " local_sched=" + std::to_string(m.local_schedules) +
           " remote_sched=" + std::to_string(m.remote_schedules) + "\n";
  }
  return out;
}

// Spins (yielding the CPU) until `done()` or the deadline; for conditions that have no
// notification to wait on, such as a worker having gone to sleep. Returns done().
template <class Pred>
bool eventually(Pred done, std::chrono::seconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return done();
    std::this_thread::yield();
  }
  return true;
}

}  // namespace weft_test
