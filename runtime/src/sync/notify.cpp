#include <weft/runtime/sync/notify.hpp>

#include <exception>
#include <stdexcept>

namespace weft {

namespace {
constexpr std::size_t kByNotifyOne = 1;
constexpr std::size_t kByNotifyAll = 0;
}  // namespace

void Notify::notify_one() {
  detail::PendingWakes wakes;  // wakes after the lock is released
  std::lock_guard lock(mutex_);
  notify_one_locked(wakes);
}

void Notify::notify_one_locked(detail::PendingWakes& wakes) {
  if (detail::WaitNode* node = waiters_.pop_front()) {
    node->amount = kByNotifyOne;
    wakes.grant(*node);
  } else {
    permit_ = true;
  }
}

void Notify::notify_all() {
  detail::PendingWakes wakes;
  std::lock_guard lock(mutex_);
  all_generation_.fetch_add(1, std::memory_order_acq_rel);
  while (detail::WaitNode* node = waiters_.pop_front()) {
    node->amount = kByNotifyAll;
    wakes.grant(*node);
  }
}

Notify::Notified::Notified(Notified&& other) noexcept
    : notify_(other.notify_), generation_(other.generation_), state_(other.state_) {
  // A queued node is linked into the list by address; moving it would leave a dangling
  // pointer there. Futures are moved only before their first poll.
  if (other.state_ == State::waiting) std::terminate();
  other.state_ = State::done;
}

Notify::Notified::~Notified() {
  if (state_ != State::waiting) return;
  detail::PendingWakes wakes;
  std::lock_guard lock(notify_->mutex_);
  if (node_.queued) {
    notify_->waiters_.remove(node_);
  } else if (node_.granted && node_.amount == kByNotifyOne) {
    // Picked by notify_one() but never saw it: the notification must not die with us.
    notify_->notify_one_locked(wakes);
  }
}

Poll<void> Notify::Notified::poll(Context& cx) {
  switch (state_) {
    case State::done:
      throw std::logic_error("weft: notified() future polled after it completed");
    case State::idle: {
      std::lock_guard lock(notify_->mutex_);
      // A notify_all() since this future was created counts: the waiter was "current".
      if (notify_->all_generation_.load(std::memory_order_relaxed) != generation_) {
        state_ = State::done;
        return ready;
      }
      if (notify_->permit_) {
        notify_->permit_ = false;  // consume the stored notify_one()
        state_ = State::done;
        return ready;
      }
      node_.granted = false;
      node_.waker = cx.waker();
      notify_->waiters_.push_back(node_);
      state_ = State::waiting;
      return pending;
    }
    case State::waiting: {
      std::lock_guard lock(notify_->mutex_);
      if (node_.granted) {
        state_ = State::done;
        return ready;
      }
      node_.set_waker(cx.waker());
      return pending;
    }
  }
  return pending;
}

}  // namespace weft
