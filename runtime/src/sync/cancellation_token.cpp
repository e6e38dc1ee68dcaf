#include <weft/runtime/sync/cancellation_token.hpp>

#include <exception>
#include <stdexcept>

namespace weft {

namespace detail {

CancellationState::~CancellationState() {
  // parent_ is still alive here (it is destroyed after this body): unlink from its list.
  if (parent_) {
    std::lock_guard lock(parent_->mutex_);
    if (in_parent_) parent_->children_.erase(position_);
  }
}

std::shared_ptr<CancellationState> CancellationState::make_child(
    const std::shared_ptr<CancellationState>& parent) {
  auto child = std::make_shared<CancellationState>(parent);
  std::lock_guard lock(parent->mutex_);
  if (parent->is_cancelled()) {
    // cancel() sets the flag under this lock before it walks the children, so a child
    // created now would be missed: it is born cancelled instead.
    child->cancelled_.store(true, std::memory_order_release);
  } else {
    parent->children_.push_front(child.get());
    child->position_ = parent->children_.begin();
    child->in_parent_ = true;
  }
  return child;
}

void CancellationState::cancel() {
  // Iterative, so that a deep chain of children cannot overflow the stack.
  std::vector<std::shared_ptr<CancellationState>> pending;
  cancel_one(pending);
  while (!pending.empty()) {
    auto next = std::move(pending.back());
    pending.pop_back();
    next->cancel_one(pending);
  }
}

void CancellationState::cancel_one(std::vector<std::shared_ptr<CancellationState>>& next) {
  PendingWakes wakes;  // wakes after the lock is released
  std::lock_guard lock(mutex_);
  if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
  while (WaitNode* node = waiters_.pop_front()) wakes.grant(*node);
  for (CancellationState* child : children_) {
    child->in_parent_ = false;
    // A child whose last handle is gone is being destroyed (blocked on our lock to unlink
    // itself): nobody can observe it, so it is skipped.
    if (auto alive = child->weak_from_this().lock()) next.push_back(std::move(alive));
  }
  children_.clear();  // cancelled: no child will ever need to be reached again
}

bool CancellationState::enqueue_unless_cancelled(WaitNode& node, const Waker& waker) {
  std::lock_guard lock(mutex_);
  if (is_cancelled()) return false;
  node.granted = false;
  node.waker = waker;
  waiters_.push_back(node);
  return true;
}

bool CancellationState::refresh_unless_cancelled(WaitNode& node, const Waker& waker) {
  std::lock_guard lock(mutex_);
  if (node.granted || is_cancelled()) return false;
  node.set_waker(waker);
  return true;
}

void CancellationState::withdraw(WaitNode& node) noexcept {
  std::lock_guard lock(mutex_);
  if (node.queued) waiters_.remove(node);
}

}  // namespace detail

CancellationToken::CancellationToken() : state_(std::make_shared<detail::CancellationState>()) {}

CancellationToken CancellationToken::child_token() const {
  return CancellationToken(detail::CancellationState::make_child(state_));
}

CancellationToken::Cancelled::Cancelled(Cancelled&& other) noexcept
    : state_(other.state_), waiting_(other.waiting_) {
  // A queued node is linked into the list by address. Futures move only before their
  // first poll.
  if (other.waiting_) std::terminate();
}

CancellationToken::Cancelled::~Cancelled() {
  if (waiting_) state_->withdraw(node_);
}

Poll<void> CancellationToken::Cancelled::poll(Context& cx) {
  if (state_->is_cancelled()) return ready;
  if (!waiting_) {
    if (!state_->enqueue_unless_cancelled(node_, cx.waker())) return ready;
    waiting_ = true;
    return pending;
  }
  if (!state_->refresh_unless_cancelled(node_, cx.waker())) return ready;
  return pending;
}

}  // namespace weft
