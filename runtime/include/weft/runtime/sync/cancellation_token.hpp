#pragma once
// CancellationToken: a cheap, copyable handle to a shared "cancel requested" flag that
// tasks can poll or wait on, arranged in a tree.
//
//   weft::CancellationToken shutdown;
//   weft::spawn(serve(shutdown.child_token()));   // serve: co_await token.cancelled() ...
//   auto guard = shutdown.drop_guard();           // cancels when this scope is left
//   ...
//   shutdown.cancel();                            // wakes every cancelled() waiter,
//                                                 // and every child's, transitively
//
// Copies share one state. A child token is cancelled when its parent is (at once if the
// parent already is); cancelling a child does not touch the parent. The parent holds no
// reference to its children: a child whose last copy is dropped unlinks itself, so many
// short-lived children do not accumulate. A child keeps its parent's state alive.
// cancel() and is_cancelled() are callable from any thread; co_await cancelled() inside a
// task. Cancellation is permanent.

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <weft/runtime/detail/wait_list.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft {

class DropGuard;

namespace detail {

class CancellationState : public std::enable_shared_from_this<CancellationState> {
 public:
  CancellationState() = default;
  explicit CancellationState(std::shared_ptr<CancellationState> parent) noexcept
      : parent_(std::move(parent)) {}
  CancellationState(const CancellationState&) = delete;
  CancellationState& operator=(const CancellationState&) = delete;
  ~CancellationState();

  // Links a new child under this state; born cancelled if this state is.
  static std::shared_ptr<CancellationState> make_child(
      const std::shared_ptr<CancellationState>& parent);
  void cancel();
  bool is_cancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }

  // For the cancelled() future. Caller holds nothing; each takes mutex_.
  bool enqueue_unless_cancelled(WaitNode& node, const Waker& waker);
  bool refresh_unless_cancelled(WaitNode& node, const Waker& waker);
  void withdraw(WaitNode& node) noexcept;

 private:
  // Cancels this state alone; appends its live children to `next`.
  void cancel_one(std::vector<std::shared_ptr<CancellationState>>& next);

  std::atomic<bool> cancelled_{false};
  std::mutex mutex_;  // guards waiters_, children_ and, for each child, in_parent_/position_
  WaitList waiters_;
  std::list<CancellationState*> children_;  // not owning: a child unlinks itself when dropped
  std::shared_ptr<CancellationState> parent_;
  // Guarded by the parent's mutex_.
  std::list<CancellationState*>::iterator position_;
  bool in_parent_ = false;
};

}  // namespace detail

class CancellationToken {
 public:
  // A new, independent, uncancelled token.
  CancellationToken();

  // Cancels this token and, transitively, its children; wakes every cancelled() waiter.
  // Idempotent.
  void cancel() { state_->cancel(); }
  bool is_cancelled() const noexcept { return state_->is_cancelled(); }
  // A token cancelled when this one is (already cancelled if this one is).
  CancellationToken child_token() const;
  // Cancels this token when the guard is destroyed, unless disarmed.
  DropGuard drop_guard() const;

  // The future cancelled() returns: ready once the token is cancelled. It keeps the
  // token's state alive, so it may outlive the token it came from. Movable only before its
  // first poll.
  class [[nodiscard]] Cancelled {
   public:
    Cancelled(Cancelled&& other) noexcept;
    Cancelled(const Cancelled&) = delete;
    Cancelled& operator=(const Cancelled&) = delete;
    Cancelled& operator=(Cancelled&&) = delete;
    ~Cancelled();

    Poll<void> poll(Context& cx);

   private:
    friend class CancellationToken;
    explicit Cancelled(std::shared_ptr<detail::CancellationState> state) noexcept
        : state_(std::move(state)) {}
    std::shared_ptr<detail::CancellationState> state_;
    bool waiting_ = false;
    detail::WaitNode node_;
  };
  Cancelled cancelled() const { return Cancelled(state_); }

  // True when both handles share one state.
  friend bool operator==(const CancellationToken& a, const CancellationToken& b) noexcept {
    return a.state_ == b.state_;
  }

 private:
  explicit CancellationToken(std::shared_ptr<detail::CancellationState> state) noexcept
      : state_(std::move(state)) {}
  std::shared_ptr<detail::CancellationState> state_;  // never null
};

// Cancels its token when destroyed, unless disarm()ed. Move-only.
class DropGuard {
 public:
  explicit DropGuard(CancellationToken token) noexcept : token_(std::move(token)), armed_(true) {}
  DropGuard(DropGuard&& other) noexcept
      : token_(other.token_), armed_(std::exchange(other.armed_, false)) {}
  DropGuard& operator=(DropGuard&&) = delete;
  DropGuard(const DropGuard&) = delete;
  DropGuard& operator=(const DropGuard&) = delete;
  ~DropGuard() {
    if (armed_) token_.cancel();
  }

  // Gives up the guard's duty; returns the token.
  CancellationToken disarm() noexcept {
    armed_ = false;
    return token_;
  }

 private:
  CancellationToken token_;
  bool armed_;
};

inline DropGuard CancellationToken::drop_guard() const {
  return DropGuard(*this);
}

}  // namespace weft
