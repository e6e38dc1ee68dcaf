#pragma once
// SpinLock for the channels' critical sections, which are a few instructions long (push a
// value, swap two buffers): one exchange and one store when uncontended, cheaper than a
// mutex. It yields the thread while contended so that a preempted holder can finish.

#include <atomic>
#include <thread>

namespace weft::channel_detail {

class SpinLock {
 public:
  void lock() noexcept {
    for (unsigned spins = 0; locked_.exchange(true, std::memory_order_acquire);) {
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins > 64) std::this_thread::yield();
      }
    }
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

}  // namespace weft::channel_detail
