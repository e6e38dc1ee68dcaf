#include <weft/io/reactor.hpp>

#include <algorithm>
#include <string>
#include <system_error>
#include <thread>

#include <weft/scheduler/detail/cpu_relax.hpp>
#include <weft/scheduler/wake_batch.hpp>

#include "platform/thread.hpp"

namespace weft::io {

namespace {

using detail::Registration;

AtomicWaker& slot_for(Registration& registration, Direction direction) noexcept {
  return direction == Direction::read ? registration.reader : registration.writer;
}

}  // namespace

Reactor::Reactor(ReactorOptions options)
    : options_(std::move(options)),
      poller_(make_poller(options_.backend)),
      wheel_(Clock::now(), [this] { poller_->wake(); }),
      events_(std::max<std::size_t>(options_.events_per_wait, 1)) {
  // In the dedicated mode only the thread drives: it holds the token from the start, so no
  // caller of drive_while() can slip in before the thread first runs.
  if (!options_.idle_workers_drive) driver_.store(kBlockingDriver, std::memory_order_relaxed);
  thread_ = std::thread([this] { run(); });
}

Reactor::~Reactor() {
  {
    std::lock_guard lock(stop_mutex_);
    stop_.store(true, std::memory_order_release);
  }
  stop_cv_.notify_all();
  poller_->wake();
  thread_.join();
  // Drop what is still waiting while every structure is alive: dropping a task's last
  // reference may destroy it, and its destructors may cancel timers or deregister.
  wheel_.clear();
  slab_.for_each_slot([](Registration& registration) {
    registration.reader.clear();
    registration.writer.clear();
  });
}

namespace {
// The reactor this thread is driving inside drive_while(), so that a wake it delivers to its
// own worker does not interrupt the poller it is about to re-check anyway.
thread_local const Reactor* tl_driving = nullptr;
}  // namespace

std::uint32_t Reactor::try_take_driver(std::uint32_t role) noexcept {
  std::uint32_t holder = kNoDriver;
  driver_.compare_exchange_strong(holder, role, std::memory_order_acquire,
                                  std::memory_order_relaxed);
  return holder;
}

void Reactor::release_driver() noexcept {
  last_turn_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
  driver_.store(kNoDriver, std::memory_order_release);
}

// The loop is noexcept: a failing epoll_wait or a failed allocation here leaves every IO
// task in the process hanging, so terminating loudly is the honest outcome.
void Reactor::run() noexcept {
  platform::name_current_thread(options_.thread_name);
  if (options_.idle_workers_drive) {
    run_fallback();
    return;
  }
  // Dedicated mode: the token was taken for good in the constructor.
  while (!stop_.load(std::memory_order_acquire)) turn(true);
  release_driver();
}

// Shared mode: workers drive when idle and poll when busy. This thread is only the safety net
// for when nobody looks: it takes a turn when none ran for a millisecond and the workers made
// no progress meanwhile (every worker inside one long poll). Workers that keep polling tasks
// reach dispatch_ready() within global_queue_interval ticks by themselves; stepping in then
// would only make this thread a second producer into their inboxes, which moodycamel does not
// order against the first, so woken tasks could overtake each other. Only when even busy
// workers leave IO unseen for kBusyLimit (slow polls) does the thread step in regardless, as
// Go's sysmon does after 10 ms.
//
// Each check that finds nothing to do doubles the pause, as sysmon's sleep does, because every
// check is a context switch on a core the workers need. Up to kLongestCheck while someone
// waits in the poller or the last turn ended under a millisecond ago: there is nothing to
// cover, and under load a check every 5 ms on the workers' core cost about 12% of p99 at 256
// echo connections with two workers on one CPU (paired rounds). Up to kWatchfulCheck once
// turns grow sparse while workers progress, so that a stall is then seen within two checks,
// about 10 ms. A turn of its own means workers are stuck, and the checks go back to every
// millisecond. So a stall that begins during quiet or busy spells alike is seen within about
// 70 ms, and within about 10 ms once polls have slowed down.
void Reactor::run_fallback() noexcept {
  constexpr auto kCheck = std::chrono::milliseconds(1);
  constexpr auto kBusyLimit = std::chrono::milliseconds(10);
  constexpr auto kWatchfulCheck = kBusyLimit / 2;
  constexpr auto kLongestCheck = std::chrono::milliseconds(64);
  auto pause = kCheck;
  const auto back_off = [&pause](std::chrono::milliseconds limit) {
    pause = std::min<std::chrono::milliseconds>(pause * 2, limit);
  };
  std::uint64_t last_progress = 0;
  std::unique_lock lock(stop_mutex_);
  while (
      !stop_cv_.wait_for(lock, pause, [this] { return stop_.load(std::memory_order_acquire); })) {
    counters_.fallback_checks.fetch_add(1, std::memory_order_relaxed);
    if (driver_.load(std::memory_order_relaxed) == kBlockingDriver) {
      back_off(kLongestCheck);
      continue;
    }
    // Read every check, so that "moved" means "moved since the previous check".
    bool workers_moved = false;
    if (progress_ != nullptr) {
      const std::uint64_t progress = progress_(progress_context_);
      workers_moved = progress != last_progress;
      last_progress = progress;
    }
    const Clock::time_point last{Clock::duration(last_turn_.load(std::memory_order_relaxed))};
    const auto since_turn = Clock::now() - last;
    if (since_turn < kCheck) {
      back_off(kLongestCheck);
      continue;
    }
    if (workers_moved && since_turn < kBusyLimit) {
      counters_.left_to_busy_workers.fetch_add(1, std::memory_order_relaxed);
      back_off(kWatchfulCheck);
      continue;
    }
    pause = kCheck;
    if (try_take_driver(kPollingDriver) != kNoDriver) continue;
    turn(false);
    release_driver();
  }
}

void Reactor::watch_progress(ProgressFn progress, const void* context) noexcept {
  // The fallback loop reads these under stop_mutex_, so after this returns the old source is
  // no longer in use.
  std::lock_guard lock(stop_mutex_);
  progress_ = progress;
  progress_context_ = context;
}

bool Reactor::drive_while(bool (*keep_waiting)(void*), void* context) noexcept {
  // A polling driver (a busy worker's dispatch_ready, the fallback's check) holds the token
  // for one turn that does not wait. Giving up then would leave nobody in epoll: this worker
  // would sleep on its futex and ready IO would wait for the next periodic check. So wait for
  // that turn to end; only a blocking driver (someone already waiting in epoll) sends the
  // caller to sleep.
  for (unsigned attempt = 0;; ++attempt) {
    if (stop_.load(std::memory_order_acquire)) return false;
    if (!keep_waiting(context)) return true;  // unparked meanwhile: the park is over
    // Judge by what the failed exchange saw: a second load could find the token already
    // released by a polling driver and mistake that for someone waiting in epoll, sending
    // this worker to sleep with nobody left to watch IO.
    const std::uint32_t holder = try_take_driver(kBlockingDriver);
    if (holder == kNoDriver) break;
    if (holder == kBlockingDriver) return false;
    // The holder may share this core (the fallback thread, a worker on a one-core budget).
    if (attempt < 64) {
      weft::detail::cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
  tl_driving = this;
  // keep_waiting is checked before every wait; an interrupt() after the check leaves the
  // poller's wake pending, so that wait returns at once.
  while (keep_waiting(context)) {
    turn(true);
    counters_.worker_turns.fetch_add(1, std::memory_order_relaxed);
  }
  tl_driving = nullptr;
  release_driver();
  return true;
}

void Reactor::interrupt() noexcept {
  if (tl_driving != this) poller_->wake();
}

void Reactor::dispatch_ready() noexcept {
  if (driver_.load(std::memory_order_relaxed) != kNoDriver ||
      try_take_driver(kPollingDriver) != kNoDriver) {
    return;
  }
  turn(false);
  counters_.worker_turns.fetch_add(1, std::memory_order_relaxed);
  release_driver();
}

void Reactor::turn(bool may_block) noexcept {
  const std::span<Event> events(events_);
  std::optional<std::chrono::nanoseconds> timeout = std::chrono::nanoseconds::zero();
  if (may_block) {
    timeout.reset();
    if (const auto deadline = wheel_.begin_wait()) {
      const TimePoint now = Clock::now();
      timeout = *deadline > now ? *deadline - now : std::chrono::nanoseconds::zero();
    }
  }
  const std::size_t count = poller_->wait(events, timeout);

  std::uint64_t wakes = 0;
  std::uint64_t stale = 0;
  for (const Event& event : events.first(count)) {
    Registration* registration = slab_.lookup(event.token);
    if (registration == nullptr) {
      ++stale;  // released since the kernel queued it: wakes nobody
      continue;
    }
    // Record first, take wakers second: this order is what poll_ready() relies on.
    registration->apply_event(event.readiness);
    if (has_any(event.readiness, ready_signals(Direction::read))) {
      if (Waker waker = registration->reader.take()) {
        batch_.add(std::move(waker));
        ++wakes;
      }
    }
    if (has_any(event.readiness, ready_signals(Direction::write))) {
      if (Waker waker = registration->writer.take()) {
        batch_.add(std::move(waker));
        ++wakes;
      }
    }
  }
  const std::uint64_t fired = wheel_.advance(Clock::now(), batch_);
  wakes += fired;

  counters_.turns.fetch_add(1, std::memory_order_relaxed);
  counters_.events.fetch_add(count, std::memory_order_relaxed);
  counters_.stale_events.fetch_add(stale, std::memory_order_relaxed);
  counters_.timer_fires.fetch_add(fired, std::memory_order_relaxed);
  if (wakes != 0) {
    counters_.wakes.fetch_add(wakes, std::memory_order_relaxed);
    counters_.batches.fetch_add(1, std::memory_order_relaxed);
    if (wakes > counters_.max_batch.load(std::memory_order_relaxed)) {
      counters_.max_batch.store(wakes, std::memory_order_relaxed);
    }
  }
  batch_.flush();
}

RegistrationHandle Reactor::register_fd(NativeHandle fd) {
  const auto allocation = slab_.allocate();
  try {
    poller_->add(fd, allocation.token,
                 Readiness::readable | Readiness::writable | Readiness::hang_up);
  } catch (...) {
    slab_.release(allocation.token);
    throw;
  }
  return RegistrationHandle(this, allocation.registration, fd, allocation.token);
}

void Reactor::deregister(NativeHandle fd, std::uint64_t token) noexcept {
  try {
    poller_->remove(fd);
  } catch (const std::system_error&) {
    // The descriptor was closed before its registration (EBADF), or closing it already
    // dropped the epoll entry (ENOENT). If a dup() keeps the entry alive, its events still
    // carry this token, which the release below makes stale.
  }
  slab_.release(token);
}

ReadyEvent Reactor::readiness(const RegistrationHandle& handle,
                              Direction direction) const noexcept {
  if (!handle) return ReadyEvent{ready_signals(direction), 0};
  const std::uint32_t word = handle.registration_->readiness.load(std::memory_order_acquire);
  return ReadyEvent{Registration::signals_of(word) & ready_signals(direction),
                    Registration::tick_of(word)};
}

bool Reactor::clear_readiness(const RegistrationHandle& handle, ReadyEvent seen) noexcept {
  if (!handle || !seen.is_ready()) return false;
  if (!handle.registration_->clear(seen.readiness, seen.tick)) return false;
  // What was seen is drained: a backend that reports states rather than edges (IOCP) asks
  // for those directions again now (Poller::rearm). A failed clear needs no rearm: an event
  // arrived since the snapshot, so the caller retries its call before it waits.
  poller_->rearm(handle.fd_, seen.readiness);
  return true;
}

bool Reactor::poll_ready(const RegistrationHandle& handle, Direction direction,
                         Context& cx) noexcept {
  if (!handle) return true;
  Registration& registration = *handle.registration_;
  const Readiness wanted = ready_signals(direction);
  auto ready = [&] {
    return has_any(Registration::signals_of(registration.readiness.load(std::memory_order_acquire)),
                   wanted);
  };
  if (ready()) return true;
  slot_for(registration, direction).register_waker(cx.waker());
  // The waker stays registered even if this re-check succeeds: the next edge then wakes the
  // task once more than needed, which costs a poll, while clearing it here could race with
  // that edge's take().
  return ready();
}

void Reactor::report(const RegistrationHandle& handle, Readiness signals) noexcept {
  if (!handle) return;
  Registration& registration = *handle.registration_;
  // Record first, take wakers second, as turn() does.
  registration.apply_event(signals);
  if (has_any(signals, ready_signals(Direction::read))) registration.reader.wake();
  if (has_any(signals, ready_signals(Direction::write))) registration.writer.wake();
}

TimerHandle Reactor::add_timer(TimePoint deadline, Waker waker) {
  return wheel_.insert(deadline, std::move(waker));
}

bool Reactor::cancel_timer(TimerHandle timer) noexcept {
  return wheel_.cancel(timer);
}

bool Reactor::update_timer(TimerHandle timer, const Waker& waker) {
  return wheel_.update_waker(timer, waker);
}

ReactorMetrics Reactor::metrics() const noexcept {
  ReactorMetrics metrics;
  metrics.turns = counters_.turns.load(std::memory_order_relaxed);
  metrics.events = counters_.events.load(std::memory_order_relaxed);
  metrics.stale_events = counters_.stale_events.load(std::memory_order_relaxed);
  metrics.wakes = counters_.wakes.load(std::memory_order_relaxed);
  metrics.timer_fires = counters_.timer_fires.load(std::memory_order_relaxed);
  metrics.batches = counters_.batches.load(std::memory_order_relaxed);
  metrics.max_batch = counters_.max_batch.load(std::memory_order_relaxed);
  metrics.worker_turns = counters_.worker_turns.load(std::memory_order_relaxed);
  metrics.left_to_busy_workers = counters_.left_to_busy_workers.load(std::memory_order_relaxed);
  metrics.fallback_checks = counters_.fallback_checks.load(std::memory_order_relaxed);
  return metrics;
}

std::size_t Reactor::registrations() const {
  return slab_.size();
}

std::size_t Reactor::timers() const {
  return wheel_.size();
}

}  // namespace weft::io
