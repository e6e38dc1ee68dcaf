#include <weft/io/timer_wheel.hpp>

#include <bit>
#include <utility>

namespace weft::io {

namespace {

using std::chrono::milliseconds;

constexpr std::uint64_t kSlotMask = TimerWheel::kSlots - 1;

constexpr std::uint64_t slot_range(unsigned level) {
  return std::uint64_t{1} << (TimerWheel::kSlotBits * level);
}
constexpr std::uint64_t level_range(unsigned level) {
  return slot_range(level) << TimerWheel::kSlotBits;
}

// The level a timer due at `when` belongs to when the wheel stands at `elapsed`: the level of
// the most significant 6-bit digit in which the two differ. Every entry of level L therefore
// shares all digits above L with `elapsed` and lies in a later level-L slot, which is what
// makes "the first non-empty level holds the earliest timer" true. A difference beyond the
// top level (a deadline more than a horizon away, or across a horizon boundary) is clamped to
// the top level, whose slots then act as a ring (see next_expiration).
unsigned level_for(std::uint64_t elapsed, std::uint64_t when) {
  std::uint64_t masked = (elapsed ^ when) | kSlotMask;
  if (masked >= TimerWheel::kHorizonTicks) masked = TimerWheel::kHorizonTicks - 1;
  const unsigned significant = static_cast<unsigned>(std::bit_width(masked)) - 1;
  return significant / TimerWheel::kSlotBits;
}

constexpr unsigned slot_for(std::uint64_t when, unsigned level) {
  return static_cast<unsigned>((when >> (TimerWheel::kSlotBits * level)) & kSlotMask);
}

std::uint64_t max_tick_from(TimerWheel::TimePoint origin) {
  using Duration = TimerWheel::TimePoint::duration;
  // The largest tick whose time origin + tick ms is representable.
  const Duration room = origin.time_since_epoch() >= Duration::zero()
                            ? Duration::max() - origin.time_since_epoch()
                            : Duration::max();
  return static_cast<std::uint64_t>(std::chrono::floor<milliseconds>(room).count());
}

}  // namespace

TimerWheel::TimerWheel(TimePoint origin, std::function<void()> on_earlier_deadline)
    : origin_(origin),
      max_tick_(max_tick_from(origin)),
      on_earlier_deadline_(std::move(on_earlier_deadline)) {
  heads_.fill(kNil);
}

TimerWheel::~TimerWheel() {
  clear();
}

std::uint64_t TimerWheel::ceil_tick(TimePoint deadline) const noexcept {
  if (deadline <= origin_) return 0;
  const auto ticks =
      static_cast<std::uint64_t>(std::chrono::ceil<milliseconds>(deadline - origin_).count());
  return ticks < max_tick_ ? ticks : max_tick_;
}

std::uint64_t TimerWheel::floor_tick(TimePoint now) const noexcept {
  if (now <= origin_) return 0;
  const auto ticks =
      static_cast<std::uint64_t>(std::chrono::floor<milliseconds>(now - origin_).count());
  return ticks < max_tick_ ? ticks : max_tick_;
}

TimerWheel::TimePoint TimerWheel::to_time(std::uint64_t tick) const noexcept {
  const std::uint64_t clamped = tick < max_tick_ ? tick : max_tick_;
  return origin_ + milliseconds(static_cast<milliseconds::rep>(clamped));
}

// --- lists (mutex_ held) -----------------------------------------------------------------

void TimerWheel::push(std::uint16_t list, std::uint32_t index) noexcept {
  Entry& entry = entries_[index];
  entry.list = list;
  entry.prev = kNil;
  entry.next = heads_[list];
  if (entry.next != kNil) entries_[entry.next].prev = index;
  heads_[list] = index;
  if (list < kDueList) occupied_[list / kSlots] |= std::uint64_t{1} << (list % kSlots);
}

void TimerWheel::unlink(std::uint32_t index) noexcept {
  Entry& entry = entries_[index];
  if (entry.prev != kNil) {
    entries_[entry.prev].next = entry.next;
  } else {
    heads_[entry.list] = entry.next;
  }
  if (entry.next != kNil) entries_[entry.next].prev = entry.prev;
  if (entry.list < kDueList && heads_[entry.list] == kNil) {
    occupied_[entry.list / kSlots] &= ~(std::uint64_t{1} << (entry.list % kSlots));
  }
  entry.prev = entry.next = kNil;
  entry.list = kFreeList;
}

void TimerWheel::place(std::uint32_t index) noexcept {
  const std::uint64_t when = entries_[index].when;
  if (when <= elapsed_) {
    push(kDueList, index);
    return;
  }
  const unsigned level = level_for(elapsed_, when);
  push(static_cast<std::uint16_t>(level * kSlots + slot_for(when, level)), index);
}

std::uint32_t TimerWheel::allocate_entry() {
  if (free_head_ != kNil) {
    const std::uint32_t index = free_head_;
    free_head_ = entries_[index].next;
    entries_[index].next = kNil;
    return index;
  }
  entries_.emplace_back();
  return static_cast<std::uint32_t>(entries_.size() - 1);
}

// The entry must be unlinked and its waker moved out already.
void TimerWheel::free_entry(std::uint32_t index) noexcept {
  Entry& entry = entries_[index];
  ++entry.generation;  // every outstanding handle to it is now stale
  entry.next = free_head_;
  free_head_ = index;
  --size_;
}

bool TimerWheel::is_live(TimerHandle handle) const noexcept {
  return handle.index < entries_.size() && entries_[handle.index].generation == handle.generation &&
         entries_[handle.index].list != kFreeList;
}

// --- expiration ----------------------------------------------------------------------------

std::optional<TimerWheel::Expiration> TimerWheel::next_expiration() const noexcept {
  for (unsigned level = 0; level < kLevels; ++level) {
    if (occupied_[level] == 0) continue;
    // The first occupied slot at or after the wheel's current slot in this level.
    const unsigned now_slot = slot_for(elapsed_, level);
    const unsigned distance = static_cast<unsigned>(
        std::countr_zero(std::rotr(occupied_[level], static_cast<int>(now_slot))));
    const unsigned slot = (now_slot + distance) % kSlots;
    const std::uint64_t level_start = elapsed_ & ~(level_range(level) - 1);
    std::uint64_t deadline = level_start + slot * slot_range(level);
    // Below the top level this cannot be in the past (see level_for). In the top level, a
    // slot at or before the current one holds timers parked a rotation ahead: its next turn
    // is one full range later.
    if (level == kLevels - 1 && deadline <= elapsed_) deadline += level_range(level);
    return Expiration{level, slot, deadline};
  }
  return std::nullopt;
}

std::optional<std::uint64_t> TimerWheel::next_deadline_tick() const noexcept {
  if (heads_[kDueList] != kNil) return elapsed_;
  if (const auto expiration = next_expiration()) return expiration->deadline;
  return std::nullopt;
}

std::optional<TimerWheel::TimePoint> TimerWheel::next_deadline() const {
  std::lock_guard lock(mutex_);
  const auto tick = next_deadline_tick();
  if (!tick) return std::nullopt;
  return to_time(*tick);
}

std::optional<TimerWheel::TimePoint> TimerWheel::begin_wait() {
  std::lock_guard lock(mutex_);
  const auto tick = next_deadline_tick();
  parked_until_ = tick ? *tick : std::numeric_limits<std::uint64_t>::max();
  if (!tick) return std::nullopt;
  return to_time(*tick);
}

std::size_t TimerWheel::advance(TimePoint now, WakeBatch& batch) {
  {
    std::lock_guard lock(mutex_);
    parked_until_ = 0;  // awake: the driver looks at the wheel again before it next waits
    const std::uint64_t now_tick = floor_tick(now);
    auto fire = [this](std::uint32_t index) {
      fired_.push_back(std::move(entries_[index].waker));
      free_entry(index);
    };
    while (heads_[kDueList] != kNil) {
      const std::uint32_t index = heads_[kDueList];
      unlink(index);
      fire(index);
    }
    for (auto expiration = next_expiration(); expiration && expiration->deadline <= now_tick;
         expiration = next_expiration()) {
      if (expiration->deadline > elapsed_) elapsed_ = expiration->deadline;
      // Detach the whole slot first: entries cascading back into it (a far timer re-parked
      // in the same top-level slot) must wait for its next turn.
      const auto list = static_cast<std::uint16_t>(expiration->level * kSlots + expiration->slot);
      std::uint32_t index = heads_[list];
      heads_[list] = kNil;
      occupied_[expiration->level] &= ~(std::uint64_t{1} << expiration->slot);
      while (index != kNil) {
        const std::uint32_t next = entries_[index].next;
        entries_[index].prev = entries_[index].next = kNil;
        entries_[index].list = kFreeList;
        if (entries_[index].when <= elapsed_) {
          fire(index);
        } else {
          place(index);
          ++stats_.cascaded;
        }
        index = next;
      }
    }
    // Every slot due by now_tick was processed, so every remaining timer is still ahead of
    // now_tick and remains in a valid level for it.
    if (now_tick > elapsed_) elapsed_ = now_tick;
    stats_.fired += fired_.size();
  }
  const std::size_t fired = fired_.size();
  for (Waker& waker : fired_) batch.add(std::move(waker));
  fired_.clear();
  return fired;
}

// --- public operations -------------------------------------------------------------------

TimerHandle TimerWheel::insert(TimePoint deadline, Waker waker) {
  const std::uint64_t when = ceil_tick(deadline);
  TimerHandle handle;
  bool earlier = false;
  {
    std::lock_guard lock(mutex_);
    const std::uint32_t index = allocate_entry();
    Entry& entry = entries_[index];
    entry.when = when;
    entry.waker = std::move(waker);
    place(index);
    ++size_;
    ++stats_.inserted;
    handle = TimerHandle{index, entry.generation};
    // The driver sleeps until parked_until_ (0 while it is awake, in which case it will see
    // this timer before its next wait). An earlier timer must interrupt the sleep; record
    // the new wake-up time so that a burst of such inserts interrupts it only once.
    const std::uint64_t due = when <= elapsed_ ? elapsed_ : when;
    if (due < parked_until_) {
      parked_until_ = due;
      earlier = true;
    }
  }
  if (earlier && on_earlier_deadline_) on_earlier_deadline_();
  return handle;
}

bool TimerWheel::cancel(TimerHandle handle) noexcept {
  Waker dropped;  // dropped after the lock is released
  std::lock_guard lock(mutex_);
  if (!is_live(handle)) return false;
  unlink(handle.index);
  dropped = std::move(entries_[handle.index].waker);
  free_entry(handle.index);
  ++stats_.cancelled;
  return true;
}

bool TimerWheel::update_waker(TimerHandle handle, const Waker& waker) {
  Waker replaced;  // dropped after the lock is released
  std::lock_guard lock(mutex_);
  if (!is_live(handle)) return false;
  Entry& entry = entries_[handle.index];
  if (!entry.waker.will_wake(waker)) replaced = std::exchange(entry.waker, waker);
  return true;
}

std::size_t TimerWheel::clear() noexcept {
  std::vector<Waker> dropped;  // dropped after the lock is released
  std::lock_guard lock(mutex_);
  dropped.reserve(size_);
  for (std::uint16_t list = 0; list < kLists; ++list) {
    while (heads_[list] != kNil) {
      const std::uint32_t index = heads_[list];
      unlink(index);
      dropped.push_back(std::move(entries_[index].waker));
      free_entry(index);
    }
  }
  return dropped.size();
}

std::size_t TimerWheel::size() const {
  std::lock_guard lock(mutex_);
  return size_;
}

TimerWheelStats TimerWheel::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace weft::io
