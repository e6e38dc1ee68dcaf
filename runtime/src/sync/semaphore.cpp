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

Semaphore::Semaphore(std::size_t permits) : permits_(permits), available_(permits) {
  if (permits > kMaxPermits) {
    throw std::invalid_argument("weft: semaphore permits exceed Semaphore::kMaxPermits");
  }
}

Semaphore::Acquire Semaphore::acquire(std::size_t n) {
  check_request(n);
  return Acquire(*this, n);
}

std::optional<SemaphorePermit> Semaphore::try_acquire(std::size_t n) {
  check_request(n);
  std::lock_guard lock(mutex_);
  if (closed_.load(std::memory_order_relaxed)) return std::nullopt;
  // Waiters queued means permits_ == 0, so they are never overtaken here.
  if (permits_ < n) return std::nullopt;
  permits_ -= n;
  available_.store(permits_, std::memory_order_release);
  return SemaphorePermit(this, n);
}

void Semaphore::release(std::size_t n) {
  if (n == 0) return;
  detail::PendingWakes wakes;  // declared first: wakes after the lock is released
  std::lock_guard lock(mutex_);
  if (n > kMaxPermits || permits_ > kMaxPermits - n) {
    throw std::invalid_argument("weft: semaphore release exceeds Semaphore::kMaxPermits");
  }
  add_permits_locked(n, wakes);
}

void Semaphore::give_back(std::size_t n) noexcept {
  detail::PendingWakes wakes;
  std::lock_guard lock(mutex_);
  add_permits_locked(n, wakes);
}

void Semaphore::add_permits_locked(std::size_t n, detail::PendingWakes& wakes) noexcept {
  permits_ += n;
  // The head waiter absorbs permits until its request is complete, then the next one:
  // strict FIFO, so a large request is never starved by a stream of small ones.
  while (permits_ != 0 && !waiters_.empty()) {
    detail::WaitNode& head = *waiters_.front();
    const std::size_t take = std::min(permits_, head.amount);
    head.amount -= take;
    permits_ -= take;
    if (head.amount == 0) {
      waiters_.pop_front();
      wakes.grant(head);
    }
  }
  available_.store(permits_, std::memory_order_release);
}

void Semaphore::close() {
  detail::PendingWakes wakes;
  std::lock_guard lock(mutex_);
  closed_.store(true, std::memory_order_release);
  // Unlinked but not granted: each waiter sees the closed flag at its next poll and gives
  // back what had been assigned to it.
  while (detail::WaitNode* node = waiters_.pop_front()) wakes.add(std::move(node->waker));
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
  if (node_.queued) sem.waiters_.remove(node_);
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
      std::lock_guard lock(sem.mutex_);
      if (sem.closed_.load(std::memory_order_relaxed)) {
        state_ = State::done;
        throw SemaphoreClosed();
      }
      if (sem.permits_ >= needed_) {
        sem.permits_ -= needed_;
        sem.available_.store(sem.permits_, std::memory_order_release);
        state_ = State::done;
        return SemaphorePermit(&sem, needed_);
      }
      // Take what is there now (the queue is empty whenever permits are free) and queue
      // for the rest.
      const std::size_t take = sem.permits_;
      sem.permits_ = 0;
      sem.available_.store(0, std::memory_order_release);
      node_.amount = needed_ - take;
      node_.granted = false;
      node_.waker = cx.waker();
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
