#include <weft/scheduler/atomic_waker.hpp>

namespace weft {

// The state word says who may touch waker_: only a thread that moved it from kWaiting to
// kRegistering (a registrant) or from kWaiting to kWaking (a waker). A wake that arrives
// while a registration holds the slot sets kWaking; the registrant sees its final CAS fail
// and performs the wake itself, so no wakeup is lost.

void AtomicWaker::register_waker(const Waker& waker) noexcept {
  std::uint32_t state = kWaiting;
  if (state_.compare_exchange_strong(state, kRegistering, std::memory_order_acquire)) {
    if (!waker_.will_wake(waker)) waker_ = waker;
    std::uint32_t expected = kRegistering;
    if (!state_.compare_exchange_strong(expected, kWaiting, std::memory_order_acq_rel)) {
      // A wake() ran while we held the slot (state is kRegistering | kWaking).
      Waker woken = std::move(waker_);
      state_.store(kWaiting, std::memory_order_release);
      woken.wake();
    }
  } else if (state == kWaking) {
    // A wake() is consuming the old waker right now; the new one must see it too.
    waker.wake_by_ref();
  }
  // Otherwise another registration is in progress: at most one registrant is allowed by
  // contract, so there is nothing sensible to add.
}

void AtomicWaker::wake() noexcept {
  if (state_.fetch_or(kWaking, std::memory_order_acq_rel) == kWaiting) {
    Waker woken = std::move(waker_);
    state_.fetch_and(~kWaking, std::memory_order_release);
    woken.wake();
  }
}

void AtomicWaker::clear() noexcept {
  if (state_.fetch_or(kWaking, std::memory_order_acq_rel) == kWaiting) {
    Waker dropped = std::move(waker_);
    state_.fetch_and(~kWaking, std::memory_order_release);
  }
}

}  // namespace weft
