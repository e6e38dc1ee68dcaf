#pragma once
// Helpers shared by the sync primitive tests: a wrapper that reports when the future it
// wraps went pending (so a test knows a waiter is queued, without sleeping), a tracker
// of how many tasks are inside a critical section at once, and a short bounded wait.

#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

#include <weft/weft.hpp>

#include <atomic>
#include <chrono>
#include <utility>

#include "../test_support.hpp"

namespace weft_sync_test {

// Polls `inner` and bumps `*pendings` (with a notify) each time it returns pending: once
// the test thread has seen the count rise, the waiter is queued on its primitive.
template <class F>
class Observed {
 public:
  Observed(F&& inner, std::atomic<int>* pendings) : inner_(std::move(inner)), pendings_(pendings) {}

  auto poll(weft::Context& cx) {
    auto result = inner_.poll(cx);
    if (result.is_pending()) weft_test::bump_and_notify(*pendings_);
    return result;
  }

 private:
  F inner_;
  std::atomic<int>* pendings_;
};

template <class F>
Observed<F> observed(F&& inner, std::atomic<int>* pendings) {
  return Observed<F>(std::move(inner), pendings);
}

// Counts the tasks inside a section and remembers the most seen at once.
class Occupancy {
 public:
  void enter(int weight = 1) {
    const int now = inside_.fetch_add(weight, std::memory_order_acq_rel) + weight;
    int seen = max_.load(std::memory_order_relaxed);
    while (now > seen && !max_.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
    }
  }
  void leave(int weight = 1) { inside_.fetch_sub(weight, std::memory_order_acq_rel); }
  int max() const noexcept { return max_.load(std::memory_order_acquire); }
  int inside() const noexcept { return inside_.load(std::memory_order_acquire); }

 private:
  std::atomic<int> inside_{0};
  std::atomic<int> max_{0};
};

// 1 if the future that `start()` makes completes within 20 ms, 0 if the wait timed out. The
// future is made only when the task first runs, as a waiter of the primitive would make it.
template <class Start>
weft::Task<int> completes_within_20ms(Start start) {
  try {
    co_await weft::timeout(std::chrono::milliseconds(20), start());
    co_return 1;
  } catch (const weft::TimeoutError&) {
    co_return 0;
  }
}

}  // namespace weft_sync_test
