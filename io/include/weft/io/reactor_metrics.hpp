#pragma once
// Reactor counters: a relaxed snapshot, readable from any thread at any time. Only the
// thread currently driving the reactor (and, for the last two, the reactor thread's checks)
// updates them, so reading never slows it down.

#include <cstdint>

namespace weft::io {

struct ReactorMetrics {
  std::uint64_t turns = 0;         // waits completed (events, timeout or wake)
  std::uint64_t events = 0;        // descriptor events received
  std::uint64_t stale_events = 0;  // of those, carrying a token already released (ignored)
  std::uint64_t wakes = 0;         // wakers delivered, IO and timers
  std::uint64_t timer_fires = 0;   // of those, timers
  std::uint64_t batches = 0;       // turns that delivered at least one waker
  std::uint64_t max_batch = 0;     // most wakers delivered by one turn
  std::uint64_t worker_turns = 0;  // of the turns, those run by a worker (shared mode)
  // Shared mode: the reactor thread's checks that found IO unseen for over 1 ms but left it
  // to the workers, because they were still polling tasks (see Reactor::run_fallback).
  std::uint64_t left_to_busy_workers = 0;
  // Shared mode: every check the reactor thread made. Each is a wakeup of that thread, a
  // context switch on whatever core it lands on, so a busy server should see few of them.
  std::uint64_t fallback_checks = 0;

  // The average size of a delivered batch: how many wakes each trip to the scheduler carried.
  double wakes_per_batch() const noexcept {
    return batches == 0 ? 0.0 : static_cast<double>(wakes) / static_cast<double>(batches);
  }
};

}  // namespace weft::io
