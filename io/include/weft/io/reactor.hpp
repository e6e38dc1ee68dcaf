#pragma once
// Reactor: one dedicated thread ("weft-reactor") that blocks in the Poller for every
// registered descriptor at once and drives the timer wheel. In the shared mode
// (ReactorOptions::idle_workers_drive) idle workers take that role themselves through the
// IdleDriver interface and the thread is only a fallback; whoever drives, one turn at a time
// (a driver token makes sure of it), each turn
//   1. sleeps in Poller::wait until an event, a wake() or the next timer deadline;
//   2. for each event, finds the registration by token (a stale token is skipped), records
//      the readiness, and takes the reader's waker (readable/hang-up/error) and the writer's
//      (writable/hang-up/error) into one WakeBatch;
//   3. advances the timer wheel into the same batch;
//   4. flushes the batch: the scheduler gets the whole turn's tasks in one bulk enqueue per
//      worker and unparks only as many workers as there are tasks.
//
// IO protocol. Descriptors are registered once, edge-triggered, for both directions, and
// operations try the syscall first, waiting only after EAGAIN:
//
//   for (;;) {
//     ReadyEvent seen = reactor.readiness(handle, Direction::read);  // snapshot FIRST
//     ssize_t n = ::read(fd, buf, len);
//     if (n >= 0 || errno != EAGAIN) return n;                     // done, or a real error
//     reactor.clear_readiness(handle, seen);                        // forget what we saw...
//     if (!reactor.poll_ready(handle, Direction::read, cx)) return pending;  // ...then wait
//   }
//
// Why it loses no edge:
// - Edges are recorded, not just delivered: the reactor ORs each event's signals into the
//   registration's readiness word before it looks for a waker. An edge that arrives while no
//   task waits (before the first poll, or between polls) stays there for the next check.
// - poll_ready() registers the waker and only then re-reads the word. The reactor writes the
//   word and then takes the waker; whichever order those interleave in, either the task sees
//   the bits or the reactor sees the waker (the argument is in scheduler/src/atomic_waker.cpp).
// - clearing must not erase an edge that arrived after the syscall failed. With edge
//   triggering that edge is the only notification the task will ever get, so erasing it
//   would hang the task. The word therefore also carries a tick that the reactor advances
//   with every event it applies (Tokio keeps the same tick in its readiness word).
//   clear_readiness() removes the snapshot's signals only if the tick still equals the
//   snapshot's, i.e. only if no event at all was applied since the snapshot was taken before
//   the syscall. If one was, nothing is cleared and poll_ready() reports ready: at worst one
//   extra syscall that returns EAGAIN, after which the tick matches and the clear takes.
//   Hang-up and error are cleared like the rest: an EAGAIN proves neither is pending in
//   that direction, and a reader at end-of-file never sees EAGAIN, so it never waits.
//   The tick is 16 bits; a clear is wrong only if exactly a multiple of 65536 events hit one
//   descriptor between a task's snapshot and its clear, which the syscall in between makes
//   practically impossible.
//
// One reader and one writer may wait on a registration at a time (each direction has a
// single waker slot). Thread safety: every member function may be called from any thread.
// Lifetime: the Reactor must outlive every RegistrationHandle and every timer user (Sleep);
// destroying it stops and joins the thread, then drops (without waking) the wakers of pending
// timers and registrations.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <weft/io/detail/registration_slab.hpp>
#include <weft/io/poller.hpp>
#include <weft/io/reactor_metrics.hpp>
#include <weft/io/reactor_options.hpp>
#include <weft/io/registration.hpp>
#include <weft/io/timer_wheel.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/idle_driver.hpp>
#include <weft/scheduler/wake_batch.hpp>
#include <weft/scheduler/waker.hpp>

namespace weft::io {

class Reactor final : public IdleDriver {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  // Creates the poller and starts the reactor thread. Throws std::system_error if the
  // poller or the thread cannot be created.
  explicit Reactor(ReactorOptions options = {});
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;
  ~Reactor() override;

  // Watches `fd` (readable, writable and hang-up, edge-triggered) until the handle is
  // destroyed. One registration per descriptor. The descriptor should be non-blocking.
  // Throws std::system_error from the poller (EBADF, EEXIST, EPERM for regular files...).
  RegistrationHandle register_fd(NativeHandle fd);

  // A snapshot of `direction`'s readiness: take it before the syscall it is about.
  ReadyEvent readiness(const RegistrationHandle& handle, Direction direction) const noexcept;

  // After a syscall failed with EAGAIN: forgets the signals `seen` held, unless an event
  // arrived since that snapshot was taken. Returns whether it cleared.
  bool clear_readiness(const RegistrationHandle& handle, ReadyEvent seen) noexcept;

  // True if `direction` is ready (try the syscall). Otherwise stores cx's waker to be woken
  // by the next edge in that direction and returns false; it re-checks after storing, so an
  // edge that raced with the call is not lost. An empty handle is always ready (the syscall
  // will then report the error).
  bool poll_ready(const RegistrationHandle& handle, Direction direction, Context& cx) noexcept;

  // Records readiness the poller cannot report, as if an event had brought it, and wakes the
  // waiters it concerns: e.g. a local shutdown of reading on Windows, which AFD does not
  // report, while epoll does (EPOLLRDHUP).
  void report(const RegistrationHandle& handle, Readiness signals) noexcept;

  // Timers. `waker` is handed to the reactor's batch at the first turn at or after
  // `deadline` (rounded up to the millisecond). See TimerWheel for zero and far deadlines.
  TimerHandle add_timer(TimePoint deadline, Waker waker);
  // Disarms a timer and drops its waker; false if it already fired or was cancelled.
  bool cancel_timer(TimerHandle timer) noexcept;
  // Replaces a pending timer's waker (if it would wake something else); false if it already
  // fired or was cancelled.
  bool update_timer(TimerHandle timer, const Waker& waker);

  // IdleDriver (used by the scheduler in the shared mode; see idle_driver.hpp).
  bool drive_while(bool (*keep_waiting)(void* context), void* context) noexcept override;
  void interrupt() noexcept override;
  void dispatch_ready() noexcept override;
  void watch_progress(ProgressFn progress, const void* context) noexcept override;

  ReactorMetrics metrics() const noexcept;
  std::size_t registrations() const;  // live registrations
  std::size_t timers() const;         // pending timers

 private:
  friend class RegistrationHandle;
  void deregister(NativeHandle fd, std::uint64_t token) noexcept;
  void run() noexcept;
  void run_fallback() noexcept;
  // One poller wait (blocking until an event, a wake() or the next timer, or not at all) and
  // the dispatch of its events and due timers. The caller holds the driver token.
  void turn(bool may_block) noexcept;
  // Takes the driver token for `role` if nobody holds it. Returns kNoDriver on success,
  // otherwise the role of the holder it found (seen by the same atomic step).
  std::uint32_t try_take_driver(std::uint32_t role) noexcept;
  void release_driver() noexcept;

  // The driver token: who may call turn() now.
  static constexpr std::uint32_t kNoDriver = 0;
  static constexpr std::uint32_t kBlockingDriver = 1;  // waiting in the poller
  static constexpr std::uint32_t kPollingDriver = 2;   // a turn that does not wait

  struct Counters {
    std::atomic<std::uint64_t> turns{0};
    std::atomic<std::uint64_t> events{0};
    std::atomic<std::uint64_t> stale_events{0};
    std::atomic<std::uint64_t> wakes{0};
    std::atomic<std::uint64_t> timer_fires{0};
    std::atomic<std::uint64_t> batches{0};
    std::atomic<std::uint64_t> max_batch{0};
    std::atomic<std::uint64_t> worker_turns{0};
    std::atomic<std::uint64_t> left_to_busy_workers{0};
    std::atomic<std::uint64_t> fallback_checks{0};
  };

  const ReactorOptions options_;
  std::unique_ptr<Poller> poller_;
  detail::RegistrationSlab slab_;
  TimerWheel wheel_;           // wakes poller_ when a timer earlier than its sleep is added
  std::vector<Event> events_;  // the driver's only
  WakeBatch batch_;            // the driver's only
  Counters counters_;
  std::atomic<std::uint32_t> driver_{kNoDriver};
  std::atomic<Clock::rep> last_turn_{0};  // when a turn last ended, for the fallback thread
  std::atomic<bool> stop_{false};
  std::mutex stop_mutex_;  // the fallback thread's sleep, cut short by the destructor
  std::condition_variable stop_cv_;
  // The scheduler's progress count, for the fallback thread; guarded by stop_mutex_.
  ProgressFn progress_ = nullptr;
  const void* progress_context_ = nullptr;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace weft::io
