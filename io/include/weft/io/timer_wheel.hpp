#pragma once
// TimerWheel: a hierarchical timing wheel (Varghese & Lauck; the layout is Tokio's): 6 levels
// of 64 slots at 1 ms resolution. Level L slots each span 64^L ms, so the wheel covers
// 64^6 ms = 2^36 ms (about 795 days, kHorizon) ahead of the time it has advanced to.
// Insert and cancel are O(1); advance costs O(slots visited + timers due or cascaded).
//
// Defined behaviour at the edges:
// - Deadlines are rounded up to the next millisecond: a timer never fires early.
// - A deadline at or before the time the wheel has advanced to (zero, or in the past) is
//   due at once: it fires on the next advance(), whatever time that advance is given.
// - A deadline beyond the horizon (years away, up to time_point::max()) is parked in the top
//   level's slot for its deadline modulo the horizon. When that slot comes round, entries
//   whose deadline is still ahead are re-inserted (cascaded) against the new time, so a
//   far timer costs one cascade per ~795 days and fires exactly at its deadline.
//   next_deadline() may therefore report the time of such a cascade, which is earlier than
//   any real deadline: the driver wakes up, advances, and finds nothing to fire.
//
// Thread safety: one mutex around the wheel. insert/cancel/update_waker/next_deadline may be
// called from any thread while one driver thread (the reactor) calls begin_wait/advance.
// Wakers are never woken or dropped with the mutex held, so a waker whose drop destroys a
// task that cancels its own timer cannot deadlock.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <vector>

#include <weft/scheduler/wake_batch.hpp>
#include <weft/scheduler/waker.hpp>

namespace weft::io {

// Names one inserted timer. Stale once the timer fired or was cancelled: operations on a
// stale handle do nothing, even if its storage was reused by a later timer.
struct TimerHandle {
  static constexpr std::uint32_t kInvalidIndex = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t index = kInvalidIndex;
  std::uint32_t generation = 0;

  explicit operator bool() const noexcept { return index != kInvalidIndex; }
  friend bool operator==(const TimerHandle&, const TimerHandle&) = default;
};

struct TimerWheelStats {
  std::uint64_t inserted = 0;
  std::uint64_t fired = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t cascaded = 0;  // entries moved to a lower level (or re-parked) by advance()
};

class TimerWheel {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  static constexpr unsigned kLevels = 6;
  static constexpr unsigned kSlotBits = 6;
  static constexpr unsigned kSlots = 1u << kSlotBits;
  static constexpr std::chrono::milliseconds kResolution{1};
  static constexpr std::uint64_t kHorizonTicks = std::uint64_t{1} << (kLevels * kSlotBits);
  static constexpr std::chrono::milliseconds kHorizon{kHorizonTicks};

  // Ticks count milliseconds from `origin`. `on_earlier_deadline` is called (outside the
  // lock) when an insert makes the next deadline earlier than the one the driver said it
  // would sleep until in begin_wait(); the reactor passes "interrupt the poller's wait".
  explicit TimerWheel(TimePoint origin = Clock::now(),
                      std::function<void()> on_earlier_deadline = {});
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;
  ~TimerWheel();  // drops the wakers of pending timers without waking them

  // Arms a timer that hands `waker` to the batch of the first advance() at or after
  // `deadline`.
  TimerHandle insert(TimePoint deadline, Waker waker);
  // Disarms a pending timer and drops its waker. False if it already fired or was cancelled.
  bool cancel(TimerHandle handle) noexcept;
  // Replaces a pending timer's waker unless it would wake the same thing. False if the timer
  // already fired or was cancelled.
  bool update_waker(TimerHandle handle, const Waker& waker);

  // When the driver must next call advance(): the earliest slot holding a timer (or the
  // current time if a timer is already due), nullopt if there are no timers.
  std::optional<TimePoint> next_deadline() const;
  // Driver side: next_deadline(), also recorded as the time the driver is about to sleep
  // until (see on_earlier_deadline). advance() marks the driver awake again.
  std::optional<TimePoint> begin_wait();
  // Driver side, one thread at a time: moves the wheel to `now` and adds the waker of every
  // timer due by then to `batch`. Returns how many fired.
  std::size_t advance(TimePoint now, WakeBatch& batch);

  // Drops every pending timer's waker without waking it (shutdown). Returns how many.
  std::size_t clear() noexcept;

  std::size_t size() const;  // pending timers
  TimerWheelStats stats() const;
  TimePoint origin() const noexcept { return origin_; }

 private:
  static constexpr std::uint32_t kNil = std::numeric_limits<std::uint32_t>::max();
  static constexpr std::uint16_t kDueList = kLevels * kSlots;  // timers already due
  static constexpr std::uint16_t kFreeList = kDueList + 1;     // not in any list
  static constexpr std::size_t kLists = kDueList + 1;

  struct Entry {
    std::uint64_t when = 0;  // deadline in ticks
    Waker waker;
    std::uint32_t generation = 0;
    std::uint32_t prev = kNil;
    std::uint32_t next = kNil;
    std::uint16_t list = kFreeList;
  };
  struct Expiration {
    unsigned level;
    unsigned slot;
    std::uint64_t deadline;  // tick at which the slot must be processed
  };

  std::uint64_t ceil_tick(TimePoint deadline) const noexcept;
  std::uint64_t floor_tick(TimePoint now) const noexcept;
  TimePoint to_time(std::uint64_t tick) const noexcept;

  // All below: mutex_ held.
  std::optional<std::uint64_t> next_deadline_tick() const noexcept;
  std::optional<Expiration> next_expiration() const noexcept;
  bool is_live(TimerHandle handle) const noexcept;
  std::uint32_t allocate_entry();
  void free_entry(std::uint32_t index) noexcept;
  void place(std::uint32_t index) noexcept;
  void push(std::uint16_t list, std::uint32_t index) noexcept;
  void unlink(std::uint32_t index) noexcept;

  const TimePoint origin_;
  const std::uint64_t max_tick_;  // deadlines saturate here (time_point::max())
  const std::function<void()> on_earlier_deadline_;

  mutable std::mutex mutex_;
  std::vector<Entry> entries_;  // indices are stable; the vector only grows
  std::uint32_t free_head_ = kNil;
  std::array<std::uint32_t, kLists> heads_;
  std::array<std::uint64_t, kLevels> occupied_{};  // bit s set: slot s of that level non-empty
  std::uint64_t elapsed_ = 0;                      // the tick the wheel has advanced to
  std::uint64_t parked_until_ = 0;                 // driver's wake-up tick; 0 while awake
  std::size_t size_ = 0;
  TimerWheelStats stats_;
  std::vector<Waker> fired_;  // advance()'s scratch, used by the single driver thread
};

}  // namespace weft::io
