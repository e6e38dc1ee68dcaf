#pragma once
// WaitList: the FIFO of suspended waiters behind every async coordination primitive
// (Semaphore, Mutex, RwLock, Notify, Barrier, channels).
//
// The protocol every primitive follows, so that none of them can lose a wakeup or a grant:
//   - The primitive owns a lock; the list and every node's fields are guarded by it.
//   - A waiting future embeds a WaitNode. Its poll takes the lock, checks `granted` (or
//     the primitive's state), and if it must wait, stores the waker and queues the node.
//     The node lives inside the future, which sits in a coroutine frame or a task cell, so
//     it does not move while queued (waiting futures are immovable once polled).
//   - Whoever makes progress possible (release, send, notify) removes nodes under the lock,
//     sets `granted` and moves the wakers into a PendingWakes, which wakes them after the
//     lock is released.
//   - A future destroyed while waiting (abort, timeout, when_any losing) takes the lock and
//     unlinks its node. If it was already granted but never saw it, it hands the grant on
//     to the next waiter: a cancelled waiter never swallows a permit or a notification.

#include <cstddef>
#include <utility>
#include <vector>

#include <weft/scheduler/waker.hpp>

namespace weft::detail {

struct WaitNode {
  WaitNode* prev = nullptr;
  WaitNode* next = nullptr;
  Waker waker;
  bool queued = false;
  // Set by the side that removed the node from the list to give it what it waited for.
  bool granted = false;
  // What the waiter asks for, in the primitive's units (permits for a Semaphore, 1 for a
  // Notify, ...).
  std::size_t amount = 0;

  // Keeps the stored waker current without cloning when the task is the same.
  void set_waker(const Waker& current) {
    if (!waker.will_wake(current)) waker = current;
  }
};

class WaitList {
 public:
  WaitList() = default;
  WaitList(const WaitList&) = delete;
  WaitList& operator=(const WaitList&) = delete;

  bool empty() const noexcept { return head_ == nullptr; }
  WaitNode* front() const noexcept { return head_; }
  std::size_t size() const noexcept { return size_; }

  void push_back(WaitNode& node) noexcept {
    node.prev = tail_;
    node.next = nullptr;
    if (tail_ != nullptr) {
      tail_->next = &node;
    } else {
      head_ = &node;
    }
    tail_ = &node;
    node.queued = true;
    ++size_;
  }

  // Unlinks a queued node, wherever it is in the list.
  void remove(WaitNode& node) noexcept {
    if (node.prev != nullptr) {
      node.prev->next = node.next;
    } else {
      head_ = node.next;
    }
    if (node.next != nullptr) {
      node.next->prev = node.prev;
    } else {
      tail_ = node.prev;
    }
    node.prev = node.next = nullptr;
    node.queued = false;
    --size_;
  }

  WaitNode* pop_front() noexcept {
    WaitNode* node = head_;
    if (node != nullptr) remove(*node);
    return node;
  }

 private:
  WaitNode* head_ = nullptr;
  WaitNode* tail_ = nullptr;
  std::size_t size_ = 0;
};

// Wakers gathered under a primitive's lock and woken when this object goes out of scope,
// after the lock is released (declare it before the lock guard). Waking inside the lock
// would let the woken task run on another worker and block at once on the same lock.
class PendingWakes {
 public:
  PendingWakes() = default;
  PendingWakes(const PendingWakes&) = delete;
  PendingWakes& operator=(const PendingWakes&) = delete;
  ~PendingWakes() { wake_all(); }

  void add(Waker&& waker) {
    if (!waker) return;
    if (!first_) {
      first_ = std::move(waker);
    } else {
      rest_.push_back(std::move(waker));
    }
  }

  // Grants `node` (already removed from its list) and queues its wake.
  void grant(WaitNode& node) {
    node.granted = true;
    add(std::move(node.waker));
  }

  void wake_all() noexcept {
    first_.wake();
    for (auto& waker : rest_) waker.wake();
    rest_.clear();
  }

 private:
  Waker first_;  // the common case, one wake, needs no allocation
  std::vector<Waker> rest_;
};

}  // namespace weft::detail
