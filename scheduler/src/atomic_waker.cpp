#include <weft/scheduler/atomic_waker.hpp>

namespace weft {

// The state word says who may touch waker_: only a thread that moved it from kWaiting to
// kRegistering (a registrant) or from kWaiting to kWaking (a taker). A take() that arrives
// while a registration holds the slot leaves kWaking set; the registrant's final CAS then
// fails and it wakes the new waker itself, so no wakeup is lost.
//
// Why the consumer/producer pattern is safe: the producer publishes its condition and then
// take()s (an RMW on state_); the consumer registers (RMWs on state_) and then checks the
// condition. All RMWs on state_ are totally ordered, so either the take() comes after the
// registration completed (the producer gets the waker) or the registrant's acquire reads
// the taker's release and therefore sees the condition published before it.

void AtomicWaker::register_waker(const Waker& waker) noexcept {
  std::uint32_t state = kWaiting;
  if (state_.compare_exchange_strong(state, kRegistering, std::memory_order_acquire)) {
    if (!waker_.will_wake(waker)) waker_ = waker;
    std::uint32_t expected = kRegistering;
    if (!state_.compare_exchange_strong(expected, kWaiting, std::memory_order_acq_rel)) {
      // A take() ran while we held the slot (state is kRegistering | kWaking).
      Waker woken = std::move(waker_);
      state_.store(kWaiting, std::memory_order_release);
      woken.wake();
    }
  } else if (state == kWaking) {
    // A take() is removing the old waker right now; the new one must see that wake too.
    waker.wake_by_ref();
  }
  // Otherwise another registration is in progress: at most one registrant is allowed by
  // contract, so there is nothing sensible to add.
}

Waker AtomicWaker::take() noexcept {
  if (state_.fetch_or(kWaking, std::memory_order_acq_rel) == kWaiting) {
    Waker taken = std::move(waker_);
    state_.fetch_and(~kWaking, std::memory_order_release);
    return taken;
  }
  return {};
}

}  // namespace weft
