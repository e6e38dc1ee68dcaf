#include <weft/io/sleep.hpp>

#include <utility>

#include <weft/scheduler/coop.hpp>

namespace weft::io {

Sleep Sleep::after(Reactor& reactor, Clock::duration duration) noexcept {
  const TimePoint now = Clock::now();
  if (duration <= Clock::duration::zero()) return Sleep(reactor, now);
  if (duration >= TimePoint::max() - now) return Sleep(reactor, TimePoint::max());
  return Sleep(reactor, now + duration);
}

Sleep::Sleep(Sleep&& other) noexcept
    : reactor_(other.reactor_),
      deadline_(other.deadline_),
      timer_(std::exchange(other.timer_, TimerHandle{})) {}

Sleep& Sleep::operator=(Sleep&& other) noexcept {
  if (this != &other) {
    disarm();
    reactor_ = other.reactor_;
    deadline_ = other.deadline_;
    timer_ = std::exchange(other.timer_, TimerHandle{});
  }
  return *this;
}

void Sleep::disarm() noexcept {
  if (timer_) reactor_->cancel_timer(std::exchange(timer_, TimerHandle{}));
}

void Sleep::reset(TimePoint deadline) noexcept {
  disarm();
  deadline_ = deadline;
}

Poll<void> Sleep::poll(Context& cx) {
  // The clock, not the timer, decides: the wheel only fires at or after the (rounded-up)
  // deadline, so a wake from it always finds the deadline passed, and a spurious poll
  // before it finds it not passed.
  if (Clock::now() >= deadline_) {
    if (!coop::poll_proceed(cx)) return pending;  // budget spent: the task was re-woken
    disarm();
    return ready;
  }
  // Arm on the first pending poll; afterwards just follow the task's waker. update_timer()
  // fails only if the timer fired (or was reset), in which case arm again.
  if (!timer_ || !reactor_->update_timer(timer_, cx.waker())) {
    timer_ = reactor_->add_timer(deadline_, cx.waker());
  }
  return pending;
}

}  // namespace weft::io
