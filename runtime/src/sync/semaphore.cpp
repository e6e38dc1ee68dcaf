#include <weft/runtime/sync/semaphore.hpp>

#include <algorithm>
#include <exception>
#include <stdexcept>

namespace weft {

namespace {
void check_request(std::size_t n) {
  if (n > Semaphore::kMaxPermits) {
    throw std::invalid_argument("weft: semaphore request exceeds Semaphore::kMaxPermits");
  }
}
}  // namespace

Semaphore::Semaphore(std::size_t permits) : state_(0) {
  if (permits > kMaxPermits) {
    throw std::invalid_argument("weft: semaphore permits exceed Semaphore::kMaxPermits");
  }
  state_.store(permits << kPermitShift, std::memory_order_relaxed);
}

Semaphore::Acquire Semaphore::acquire(std::size_t n) {
  check_request(n);
  return Acquire(*this, n);
}

bool Semaphore::try_take(std::size_t n, bool throw_if_closed) {
  std::size_t cur = state_.load(std::memory_order_acquire);
  for (;;) {
    if ((cur & kClosed) != 0) {
      if (throw_if_closed) throw SemaphoreClosed();
      return false;
    }
    // While waiters are queued the count is 0, so a request for n > 0 never overtakes them.
    if ((cur >> kPermitShift) < n) return false;
    if (n == 0) return true;
    if (state_.compare_exchange_weak(cur, cur - (n << kPermitShift), std::memory_order_acq_rel,
                                     std::memory_order_acquire)) {
      return true;
    }
  }
}

bool Semaphore::try_add(std::size_t n, bool check) {
  std::size_t cur = state_.load(std::memory_order_relaxed);
  for (;;) {
    if ((cur & kWaiters) != 0) return false;  // they must be served first, under mutex_
    if (check && (cur >> kPermitShift) > kMaxPermits - n) {
      throw std::invalid_argument("weft: semaphore release exceeds Semaphore::kMaxPermits");
    }
    if (state_.compare_exchange_weak(cur, cur + (n << kPermitShift), std::memory_order_acq_rel,
                                     std::memory_order_relaxed)) {
      return true;
    }
  }
}

std::optional<SemaphorePermit> Semaphore::try_acquire(std::size_t n) {
  check_request(n);
  if (!try_take(n, false)) return std::nullopt;
  return SemaphorePermit(this, n);
}

void Semaphore::release(std::size_t n) {
  if (n == 0) return;
  if (n > kMaxPermits) {
    throw std::invalid_argument("weft: semaphore release exceeds Semaphore::kMaxPermits");
  }
  if (try_add(n, true)) return;
  detail::PendingWakes wakes;  // declared first: wakes after the lock is released
  std::lock_guard lock(mutex_);
  // The queue may have emptied since: then add like the fast path (kWaiters cannot be set
  // while we hold the lock, so this succeeds or throws on overflow).
  if (waiters_.empty()) {
    try_add(n, true);
    return;
  }
  add_permits_locked(n, wakes);
}

void Semaphore::give_back(std::size_t n) noexcept {
  if (try_add(n, false)) return;
  detail::PendingWakes wakes;
  std::lock_guard lock(mutex_);
  add_permits_locked(n, wakes);
}

void Semaphore::sync_waiters_bit_locked() noexcept {
  if (waiters_.empty() && (state_.load(std::memory_order_relaxed) & kWaiters) != 0) {
    state_.fetch_and(~kWaiters, std::memory_order_acq_rel);
  }
}

void Semaphore::add_permits_locked(std::size_t n, detail::PendingWakes& wakes) noexcept {
  if (waiters_.empty()) {
    // kWaiters is clear: lock-free acquires and releases may race with this add.
    state_.fetch_add(n << kPermitShift, std::memory_order_acq_rel);
    return;
  }
  // kWaiters is set and the count is 0; nobody changes state_ without mutex_ now.
  // The head waiter absorbs permits until its request is complete, then the next one:
  // strict FIFO, so a large request is never starved by a stream of small ones.
  std::size_t left = n;
  while (left != 0 && !waiters_.empty()) {
    detail::WaitNode& head = *waiters_.front();
    const std::size_t take = std::min(left, head.amount);
    head.amount -= take;
    left -= take;
    if (head.amount == 0) {
      waiters_.pop_front();
      wakes.grant(head);
    }
  }
  if (waiters_.empty()) {
    // Publish the rest and clear kWaiters in one step.
    std::size_t cur = state_.load(std::memory_order_relaxed);
    while (!state_.compare_exchange_weak(cur, (cur & ~kWaiters) + (left << kPermitShift),
                                         std::memory_order_acq_rel, std::memory_order_relaxed)) {
    }
  }
}

void Semaphore::close() {
  detail::PendingWakes wakes;
  std::lock_guard lock(mutex_);
  // Unlinked but not granted: each waiter sees the closed flag at its next poll and gives
  // back what had been assigned to it.
  while (detail::WaitNode* node = waiters_.pop_front()) wakes.add(std::move(node->waker));
  std::size_t cur = state_.load(std::memory_order_relaxed);
  while (!state_.compare_exchange_weak(cur, (cur | kClosed) & ~kWaiters, std::memory_order_acq_rel,
                                       std::memory_order_relaxed)) {
  }
}

Semaphore::Acquire::Acquire(Acquire&& other) noexcept
    : semaphore_(other.semaphore_), needed_(other.needed_), state_(other.state_) {
  // A queued node is linked into the semaphore's list by address: moving it would leave a
  // dangling pointer there. Futures are moved only before their first poll.
  if (other.state_ == State::waiting) std::terminate();
  other.state_ = State::done;
}

Semaphore::Acquire::~Acquire() {
  if (state_ != State::waiting) return;
  Semaphore& sem = *semaphore_;
  detail::PendingWakes wakes;
  std::lock_guard lock(sem.mutex_);
  if (node_.queued) {
    sem.waiters_.remove(node_);
    sem.sync_waiters_bit_locked();
  }
  // Granted but never seen: all n permits are ours; otherwise the part assigned so far.
  const std::size_t held = node_.granted ? needed_ : needed_ - node_.amount;
  if (held != 0) sem.add_permits_locked(held, wakes);
}

Poll<SemaphorePermit> Semaphore::Acquire::poll(Context& cx) {
  Semaphore& sem = *semaphore_;
  switch (state_) {
    case State::done:
      throw std::logic_error("weft: semaphore acquire polled after it completed");
    case State::idle: {
      // Lock-free first: enough permits free means nobody is queued ahead of us.
      try {
        if (sem.try_take(needed_, true)) {
          state_ = State::done;
          return SemaphorePermit(&sem, needed_);
        }
      } catch (const SemaphoreClosed&) {
        state_ = State::done;
        throw;
      }
      Waker waker = cx.waker();
      std::lock_guard lock(sem.mutex_);
      std::size_t cur = sem.state_.load(std::memory_order_acquire);
      std::size_t take = 0;
      for (;;) {
        if ((cur & kClosed) != 0) {
          state_ = State::done;
          throw SemaphoreClosed();
        }
        const std::size_t available = cur >> kPermitShift;
        if (available >= needed_) {
          if (sem.state_.compare_exchange_weak(cur, cur - (needed_ << kPermitShift),
                                               std::memory_order_acq_rel,
                                               std::memory_order_acquire)) {
            state_ = State::done;
            return SemaphorePermit(&sem, needed_);
          }
          continue;
        }
        // Take what is there now (the queue is empty whenever permits are free) and queue
        // for the rest: setting kWaiters sends every later release through the lock.
        if (sem.state_.compare_exchange_weak(cur, (cur & kClosed) | kWaiters,
                                             std::memory_order_acq_rel,
                                             std::memory_order_acquire)) {
          take = available;
          break;
        }
      }
      node_.amount = needed_ - take;
      node_.granted = false;
      node_.waker = std::move(waker);
      sem.waiters_.push_back(node_);
      state_ = State::waiting;
      return pending;
    }
    case State::waiting: {
      detail::PendingWakes wakes;
      std::lock_guard lock(sem.mutex_);
      if (node_.granted) {
        state_ = State::done;
        return SemaphorePermit(&sem, needed_);
      }
      if (!node_.queued) {  // removed by close()
        const std::size_t held = needed_ - node_.amount;
        state_ = State::done;
        if (held != 0) sem.add_permits_locked(held, wakes);
        throw SemaphoreClosed();
      }
      node_.set_waker(cx.waker());
      return pending;
    }
  }
  return pending;
}

}  // namespace weft
