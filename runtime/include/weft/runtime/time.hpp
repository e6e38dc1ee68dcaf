#pragma once
// Time: sleeping, deadlines and periodic ticks, driven by the runtime's reactor thread.
//
//   co_await weft::sleep(std::chrono::milliseconds(10));
//   int n = co_await weft::timeout(std::chrono::seconds(1), read_request(stream));  // or throws
//   auto ticks = weft::interval(std::chrono::milliseconds(100));
//   for (;;) { co_await ticks.tick(); ... }
//
// All of these must be created on a runtime's worker (inside a task); they find the
// reactor through io::current_reactor(). Resolution is one millisecond.

#include <chrono>
#include <exception>
#include <type_traits>
#include <utility>

#include <weft/io/current_reactor.hpp>
#include <weft/io/sleep.hpp>
#include <weft/runtime/errors.hpp>
#include <weft/runtime/runtime.hpp>
#include <weft/runtime/task.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft {

using Clock = std::chrono::steady_clock;

// timeout() ran out before the operation finished; the operation was cancelled.
class TimeoutError : public Error {
 public:
  TimeoutError() : Error("weft: operation timed out") {}
};

// A future that is ready once `duration` has passed (zero or negative: at once; a huge
// duration saturates and never fires).
inline io::Sleep sleep(Clock::duration duration) {
  return io::Sleep::after(io::current_reactor(), duration);
}
inline io::Sleep sleep_until(Clock::time_point deadline) {
  return io::Sleep(io::current_reactor(), deadline);
}

// Timeout<F>: polls the inner future, then the deadline. Expiry destroys the inner future
// (and so cancels whatever it was waiting on) and throws TimeoutError.
template <class F>
class Timeout {
 public:
  using Output = future_output_t<F>;

  Timeout(F&& inner, io::Sleep&& deadline)
      : inner_(std::in_place, std::move(inner)), deadline_(std::move(deadline)) {}

  Poll<Output> poll(Context& cx) {
    if (!inner_) throw std::logic_error("weft: timeout polled after it finished");
    auto result = inner_->poll(cx);
    if (result.is_ready()) {
      inner_.reset();
      return result;
    }
    if (deadline_.poll(cx).is_ready()) {
      inner_.reset();  // cancel the operation before reporting
      throw TimeoutError();
    }
    return pending;
  }

 private:
  std::optional<F> inner_;
  io::Sleep deadline_;
};

// Runs `work` (a Task or any Future) with a deadline: its result if it finishes within
// `duration`, else TimeoutError (the work is cancelled: its frame destroyed).
template <detail::Spawnable F>
auto timeout(Clock::duration duration, F&& work) {
  using Inner = detail::spawned_future_t<F>;
  return Timeout<Inner>(Inner(std::forward<F>(work)), sleep(duration));
}

// What an Interval does when ticks were missed because the task was late.
enum class MissedTick {
  burst,  // fire the missed ticks back to back until caught up (keeps the tick count)
  delay,  // the next tick is one period after the late one (shifts the schedule)
  skip,   // drop the missed ticks; the next tick is the next multiple of the period
};

class Interval {
 public:
  Interval(io::Reactor& reactor, Clock::duration period, MissedTick policy);

  // A future that is ready at the next tick (the first tick is immediate) and yields the
  // tick's scheduled time. Awaiting again before it fired keeps the same tick.
  class Tick {
   public:
    explicit Tick(Interval& interval) noexcept : interval_(&interval) {}
    Poll<Clock::time_point> poll(Context& cx) { return interval_->poll_tick(cx); }

   private:
    Interval* interval_;
  };
  Tick tick() noexcept { return Tick(*this); }

  Clock::duration period() const noexcept { return period_; }

 private:
  Poll<Clock::time_point> poll_tick(Context& cx);

  Clock::duration period_;
  MissedTick policy_;
  Clock::time_point next_;
  io::Sleep sleep_;
};

// Ticks every `period` (> 0, else std::invalid_argument), first at once.
Interval interval(Clock::duration period, MissedTick policy = MissedTick::burst);

}  // namespace weft
