#include <weft/runtime/sync/barrier.hpp>

#include <exception>
#include <stdexcept>

namespace weft {

Barrier::Barrier(std::size_t n) : n_(n) {
  if (n == 0) throw std::invalid_argument("weft: a barrier needs at least one participant");
}

std::uint64_t Barrier::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

Barrier::Wait::Wait(Wait&& other) noexcept : barrier_(other.barrier_), state_(other.state_) {
  // A queued node is linked into the list by address. Futures move only before their
  // first poll.
  if (other.state_ == State::waiting) std::terminate();
  other.state_ = State::done;
}

Barrier::Wait::~Wait() {
  if (state_ != State::waiting) return;
  std::lock_guard lock(barrier_->mutex_);
  // Still queued: the generation has not completed, so this arrival withdraws.
  if (node_.queued) barrier_->waiters_.remove(node_);
}

Poll<BarrierWaitResult> Barrier::Wait::poll(Context& cx) {
  Barrier& barrier = *barrier_;
  switch (state_) {
    case State::done:
      throw std::logic_error("weft: barrier wait polled after it completed");
    case State::idle: {
      detail::PendingWakes wakes;  // wakes after the lock is released
      std::lock_guard lock(barrier.mutex_);
      if (barrier.waiters_.size() + 1 >= barrier.n_) {
        // This arrival completes the generation: release the others, lead this one.
        while (detail::WaitNode* node = barrier.waiters_.pop_front()) wakes.grant(*node);
        ++barrier.generation_;
        state_ = State::done;
        return BarrierWaitResult(true);
      }
      node_.granted = false;
      node_.waker = cx.waker();
      barrier.waiters_.push_back(node_);
      state_ = State::waiting;
      return pending;
    }
    case State::waiting: {
      std::lock_guard lock(barrier.mutex_);
      if (node_.granted) {
        state_ = State::done;
        return BarrierWaitResult(false);
      }
      node_.set_waker(cx.waker());
      return pending;
    }
  }
  return pending;
}

}  // namespace weft
