#pragma once
// Sleep: a future that becomes ready at a deadline (steady_clock), driven by a Reactor's
// timer wheel. The first pending poll arms a timer with the task's waker; later polls only
// swap the waker if the task's changed; destroying (or moving over) a Sleep that has not
// fired cancels its timer, so an aborted sleeper leaves nothing behind in the wheel.
//
// Defined edges: a deadline at or before now (a zero duration) is ready on the first poll
// without touching the wheel; after() saturates, so sleeping for duration::max() is a sleep
// that never ends rather than an overflow. Readiness consumes one unit of the task's
// cooperative budget (weft::coop), so a loop of elapsed sleeps cannot starve other tasks.
//
// The Reactor must outlive the Sleep. Moving is allowed at any time (the timer holds a
// waker, not a pointer to the Sleep).

#include <chrono>

#include <weft/io/reactor.hpp>
#include <weft/io/timer_wheel.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft::io {

class Sleep {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  Sleep(Reactor& reactor, TimePoint deadline) noexcept : reactor_(&reactor), deadline_(deadline) {}
  // A sleep of `duration` from now; negative means zero, too long saturates at
  // time_point::max().
  static Sleep after(Reactor& reactor, Clock::duration duration) noexcept;

  Sleep(const Sleep&) = delete;
  Sleep& operator=(const Sleep&) = delete;
  Sleep(Sleep&& other) noexcept;
  Sleep& operator=(Sleep&& other) noexcept;
  ~Sleep() { disarm(); }

  Poll<void> poll(Context& cx);

  TimePoint deadline() const noexcept { return deadline_; }
  bool is_elapsed() const noexcept { return Clock::now() >= deadline_; }
  // Moves the deadline (for intervals and resettable timeouts); the next poll re-arms.
  void reset(TimePoint deadline) noexcept;

 private:
  void disarm() noexcept;

  Reactor* reactor_;
  TimePoint deadline_;
  TimerHandle timer_;
};

}  // namespace weft::io
