#include <weft/runtime/time.hpp>

#include <stdexcept>

namespace weft {

Interval::Interval(io::Reactor& reactor, Clock::duration period, MissedTick policy)
    : period_(period), policy_(policy), next_(Clock::now()), sleep_(reactor, next_) {
  if (period <= Clock::duration::zero()) {
    throw std::invalid_argument("weft: interval period must be positive");
  }
}

Poll<Clock::time_point> Interval::poll_tick(Context& cx) {
  if (sleep_.poll(cx).is_pending()) return pending;
  const Clock::time_point fired = next_;
  const Clock::time_point now = Clock::now();
  switch (policy_) {
    case MissedTick::burst:
      next_ = fired + period_;
      break;
    case MissedTick::delay:
      next_ = now + period_;
      break;
    case MissedTick::skip: {
      // The first multiple of the period after now, on the original schedule.
      const auto behind = (now - fired) / period_;
      next_ = fired + (behind + 1) * period_;
      break;
    }
  }
  sleep_.reset(next_);
  return fired;
}

Interval interval(Clock::duration period, MissedTick policy) {
  return Interval(io::current_reactor(), period, policy);
}

}  // namespace weft
