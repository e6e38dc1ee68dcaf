#pragma once
// SpinLock: for critical sections of a few instructions that are rarely contended (the
// owned-task shards, the mpsc channel's queue). Cheaper than a mutex on the uncontended path (one
// exchange, one store) and it yields the thread while contended so that a preempted holder can
// finish.

#include <atomic>
#include <thread>

namespace weft::detail {

class SpinLock {
 public:
  void lock() noexcept {
    for (unsigned spins = 0; locked_.exchange(true, std::memory_order_acquire); ++spins) {
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins > 64) std::this_thread::yield();
      }
    }
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

}  // namespace weft::detail
