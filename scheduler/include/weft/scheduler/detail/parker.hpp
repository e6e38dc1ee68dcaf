#pragma once
// Parker: lets one thread sleep until another unparks it. An unpark that comes before the
// park makes that park return at once, so the two may race freely. Built on a wait on the
// state word's address (address_wait.hpp: a futex on Linux, WaitOnAddress on Windows): no
// mutex on either path.
//
// With an IdleDriver set, a park first tries to spend the sleep driving IO (see
// idle_driver.hpp); an unpark then interrupts the driver's wait instead of a futex. Either
// way the contract is the same: park() returns after an unpark() that followed or raced it.

#include <atomic>
#include <cstdint>

#include <weft/scheduler/detail/address_wait.hpp>
#include <weft/scheduler/idle_driver.hpp>

namespace weft::detail {

class Parker {
 public:
  // Set once, before the thread that parks here starts.
  void set_driver(IdleDriver* driver) noexcept { driver_ = driver; }

  void park() noexcept {
    if (state_.exchange(kEmpty, std::memory_order_acquire) == kNotified) return;
    if (driver_ != nullptr && park_driving()) return;
    std::uint32_t expected = kEmpty;
    if (!state_.compare_exchange_strong(expected, kParked, std::memory_order_acquire)) {
      state_.store(kEmpty, std::memory_order_relaxed);  // notified in between
      return;
    }
    while (state_.load(std::memory_order_acquire) == kParked) {
      wait_while_equal(state_, kParked);
    }
    state_.store(kEmpty, std::memory_order_relaxed);
  }

  void unpark() noexcept {
    const std::uint32_t previous = state_.exchange(kNotified, std::memory_order_release);
    if (previous == kParked) {
      wake_one_waiter(state_);
    } else if (previous == kDriving) {
      driver_->interrupt();
    }
  }

 private:
  static constexpr std::uint32_t kEmpty = 0;
  static constexpr std::uint32_t kParked = 1;
  static constexpr std::uint32_t kNotified = 2;
  static constexpr std::uint32_t kDriving = 3;

  // Returns true if the park is over (driven until unparked, or unparked meanwhile); false if
  // another thread holds the driver, leaving the state kEmpty for an ordinary sleep.
  bool park_driving() noexcept {
    std::uint32_t expected = kEmpty;
    if (!state_.compare_exchange_strong(expected, kDriving, std::memory_order_acquire)) {
      state_.store(kEmpty, std::memory_order_relaxed);  // notified in between
      return true;
    }
    // An unpark after the CAS sees kDriving and interrupts the driver, so the condition is
    // re-checked after it: no unpark is missed between the check and the wait.
    const bool drove = driver_->drive_while(
        [](void* self) {
          return static_cast<Parker*>(self)->state_.load(std::memory_order_acquire) == kDriving;
        },
        this);
    expected = kDriving;
    if (!drove && state_.compare_exchange_strong(expected, kEmpty, std::memory_order_acquire)) {
      return false;
    }
    state_.store(kEmpty, std::memory_order_relaxed);  // consumed the unpark
    return true;
  }

  std::atomic<std::uint32_t> state_{kEmpty};
  IdleDriver* driver_ = nullptr;
};

}  // namespace weft::detail
