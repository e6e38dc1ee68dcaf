#pragma once
// Parker: lets one thread sleep until another unparks it. An unpark that comes before the
// park makes that park return at once, so the two may race freely. Built on
// std::atomic::wait (a futex on Linux): no mutex on either path.

#include <atomic>
#include <cstdint>

namespace weft::detail {

class Parker {
 public:
  void park() noexcept {
    if (state_.exchange(kEmpty, std::memory_order_acquire) == kNotified) return;
    std::uint32_t expected = kEmpty;
    if (!state_.compare_exchange_strong(expected, kParked, std::memory_order_acquire)) {
      state_.store(kEmpty, std::memory_order_relaxed);  // notified in between
      return;
    }
    while (state_.load(std::memory_order_acquire) == kParked) {
      state_.wait(kParked, std::memory_order_acquire);
    }
    state_.store(kEmpty, std::memory_order_relaxed);
  }

  void unpark() noexcept {
    if (state_.exchange(kNotified, std::memory_order_release) == kParked) state_.notify_one();
  }

 private:
  static constexpr std::uint32_t kEmpty = 0;
  static constexpr std::uint32_t kParked = 1;
  static constexpr std::uint32_t kNotified = 2;
  std::atomic<std::uint32_t> state_{kEmpty};
};

}  // namespace weft::detail
