#pragma once
// The shared state of a watch channel: the current value with a version number, and the
// receivers waiting for a newer version.
//
// The value sits behind a shared_mutex (borrows share it, a send takes it exclusively) and
// the waiters behind their own mutex, so a receiver waiting in changed() never contends
// with readers. A send bumps the version under the value lock, then wakes every waiter:
// a waiter checks the version under the waiters' lock before it queues, so either it sees
// the new version or the send finds it queued.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include <weft/runtime/detail/wait_list.hpp>
#include <weft/runtime/errors.hpp>
#include <weft/scheduler/waker.hpp>

namespace weft::channel_detail {

template <class T>
class WatchShared {
 public:
  template <class... Args>
  explicit WatchShared(Args&&... args) : value_(std::forward<Args>(args)...) {}
  WatchShared(const WatchShared&) = delete;
  WatchShared& operator=(const WatchShared&) = delete;

  std::shared_mutex& value_lock() const noexcept { return value_lock_; }
  const T& value_locked() const noexcept { return value_; }
  // The version of the value; read under the value lock it matches the value.
  std::uint64_t version() const noexcept { return version_.load(std::memory_order_acquire); }

  // Runs `modify(T&) -> bool` on the value under the exclusive lock; if it returns true,
  // publishes a new version and wakes the waiters. Returns what `modify` returned.
  template <class F>
  bool modify(F&& modify) {
    {
      std::unique_lock guard(value_lock_);
      if (!modify(value_)) return false;
      version_.fetch_add(1, std::memory_order_release);
    }
    wake_all();
    return true;
  }

  // ---- waiting for a change ----

  enum class Wait { changed, pending, closed };

  // If the version differs from `seen`, records it in `seen`; else queues `node`, or
  // reports the channel closed if the sender is gone.
  Wait poll_changed(std::uint64_t& seen, weft::detail::WaitNode& node, const Waker& waker) {
    std::lock_guard guard(waiters_lock_);
    if (node.queued) waiters_.remove(node);
    if (const std::uint64_t now = version(); now != seen) {
      seen = now;
      return Wait::changed;
    }
    if (sender_gone_.load(std::memory_order_acquire)) return Wait::closed;
    node.set_waker(waker);
    node.granted = false;
    waiters_.push_back(node);
    return Wait::pending;
  }

  void cancel(weft::detail::WaitNode& node) noexcept {
    std::lock_guard guard(waiters_lock_);
    // A granted node needs no hand-over: a send wakes every waiter, each for itself.
    if (node.queued) waiters_.remove(node);
  }

  // ---- the two sides coming and going ----

  void drop_sender() noexcept {
    sender_gone_.store(true, std::memory_order_release);
    wake_all();
  }
  bool sender_gone() const noexcept { return sender_gone_.load(std::memory_order_acquire); }

  void add_receiver() noexcept { receivers_.fetch_add(1, std::memory_order_relaxed); }
  void drop_receiver() noexcept { receivers_.fetch_sub(1, std::memory_order_acq_rel); }
  std::size_t receiver_count() const noexcept { return receivers_.load(std::memory_order_acquire); }

 private:
  void wake_all() noexcept {
    weft::detail::PendingWakes wakes;
    std::lock_guard guard(waiters_lock_);
    while (weft::detail::WaitNode* node = waiters_.pop_front()) wakes.grant(*node);
  }

  mutable std::shared_mutex value_lock_;
  T value_;
  std::atomic<std::uint64_t> version_{0};

  std::mutex waiters_lock_;
  weft::detail::WaitList waiters_;
  std::atomic<bool> sender_gone_{false};
  std::atomic<std::size_t> receivers_{1};
};

}  // namespace weft::channel_detail
