#pragma once
// IdleDriver: lets a worker that has run out of tasks wait for IO and timers itself instead of
// sleeping, so that an IO wakeup reaches its task without a hop through another thread (the
// "shared" reactor mode; see docs/architecture.md). The scheduler does not know what is being
// driven: weft::io::Reactor implements this interface, and a runtime without one simply parks.
//
// At most one thread drives at a time; whoever does dispatches every ready event and due
// timer to the scheduler, whichever worker the woken tasks belong to.

#include <cstdint>

namespace weft {

class IdleDriver {
 public:
  IdleDriver() = default;
  IdleDriver(const IdleDriver&) = delete;
  IdleDriver& operator=(const IdleDriver&) = delete;
  virtual ~IdleDriver() = default;

  // Called by a worker that is about to sleep. If no other thread drives, waits for events on
  // the calling thread and dispatches them, for as long as `keep_waiting(context)` is true
  // (checked before every wait), and returns true. Returns false if another thread is waiting
  // in the driver already: the worker then sleeps as usual. A driver that is only passing
  // through (a turn that does not wait) is waited for instead. Also returns true, without
  // driving, if `keep_waiting` turned false while waiting for the driver.
  virtual bool drive_while(bool (*keep_waiting)(void* context), void* context) noexcept = 0;

  // Makes a drive_while() in progress on another thread re-check its condition promptly.
  virtual void interrupt() noexcept = 0;

  // Called by busy workers every so often: if no thread is driving, dispatches what is ready
  // now without waiting, so IO is not left waiting while every worker has tasks to run.
  virtual void dispatch_ready() noexcept = 0;

  // Lets the driver tell busy workers from stuck ones: `progress(context)` returns a count
  // that grows with every task the scheduler polls. The scheduler sets it for as long as it
  // lives and clears it (nullptr) before it goes; it may be called from any thread meanwhile.
  // A driver with a safety net of its own (the reactor thread) can then stay out of the way
  // while the count moves, since busy workers reach dispatch_ready() by themselves.
  using ProgressFn = std::uint64_t (*)(const void* context) noexcept;
  virtual void watch_progress(ProgressFn progress, const void* context) noexcept = 0;
};

}  // namespace weft
