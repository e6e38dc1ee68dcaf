#pragma once
// The shared state of a broadcast channel: a ring of the last `capacity` values, each
// tagged with its position in the stream, and the receivers waiting for the next one.
//
// Everything is guarded by one mutex: a send writes one slot and wakes the waiting
// receivers; a receive copies one slot. A receiver is just a position in the stream; one
// whose position has been overwritten has lagged, and skips to the oldest value held.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <weft/runtime/channel/detail/send_error.hpp>
#include <weft/runtime/detail/wait_list.hpp>
#include <weft/runtime/errors.hpp>

namespace weft::broadcast {

// A receiver fell more than `capacity` values behind: the oldest of them were overwritten
// before it read them. It continues from the oldest value still held.
class Lagged : public Error {
 public:
  explicit Lagged(std::uint64_t missed)
      : Error("weft: broadcast receiver lagged behind by " + std::to_string(missed) + " values"),
        missed_(missed) {}
  // How many values this receiver will never see.
  std::uint64_t missed() const noexcept { return missed_; }

 private:
  std::uint64_t missed_;
};

}  // namespace weft::broadcast

namespace weft::channel_detail {

template <class T>
class BroadcastShared {
 public:
  explicit BroadcastShared(std::size_t capacity) : ring_(capacity) {}
  BroadcastShared(const BroadcastShared&) = delete;
  BroadcastShared& operator=(const BroadcastShared&) = delete;

  enum class Take { value, empty, closed };

  std::size_t send(T&& value) {
    weft::detail::PendingWakes wakes;  // woken after the lock is released
    std::lock_guard guard(mutex_);
    if (receivers_ == 0) {
      throw SendError<T>(std::move(value), "weft: broadcast channel has no receivers");
    }
    Slot& slot = ring_[tail_ % ring_.size()];
    slot.value = std::move(value);
    slot.pos = tail_++;
    while (weft::detail::WaitNode* node = waiters_.pop_front()) wakes.grant(*node);
    return receivers_;
  }

  // Takes the value at `next` for a receiver (advancing it), or says why there is none;
  // throws Lagged (after moving `next` to the oldest value held) if it was overwritten.
  Take take(std::uint64_t& next, std::optional<T>& out) {
    std::lock_guard guard(mutex_);
    return take_locked(next, out);
  }

  // The receive future's poll: a value, or the node queued to wait for the next send.
  Take poll_take(std::uint64_t& next, std::optional<T>& out, weft::detail::WaitNode& node,
                 const Waker& waker) {
    std::lock_guard guard(mutex_);
    if (node.queued) waiters_.remove(node);
    const Take result = take_locked(next, out);
    if (result == Take::empty) {
      node.set_waker(waker);
      node.granted = false;
      waiters_.push_back(node);
    }
    return result;
  }

  void cancel(weft::detail::WaitNode& node) noexcept {
    std::lock_guard guard(mutex_);
    // A granted node needs no hand-over: every waiter is woken by a send, each for itself.
    if (node.queued) waiters_.remove(node);
  }

  // The position a new receiver starts at: the next value sent.
  std::uint64_t subscribe() {
    std::lock_guard guard(mutex_);
    ++receivers_;
    return tail_;
  }

  void drop_receiver() noexcept {
    std::lock_guard guard(mutex_);
    if (--receivers_ == 0) {
      // No receiver can ever read the held values (new ones start at the tail): free them.
      for (Slot& slot : ring_) slot.value.reset();
    }
  }

  void add_sender() {
    std::lock_guard guard(mutex_);
    ++senders_;
  }

  void drop_sender() noexcept {
    weft::detail::PendingWakes wakes;
    std::lock_guard guard(mutex_);
    if (--senders_ == 0) {
      while (weft::detail::WaitNode* node = waiters_.pop_front()) wakes.grant(*node);
    }
  }

  std::size_t receiver_count() {
    std::lock_guard guard(mutex_);
    return receivers_;
  }
  bool senders_gone() {
    std::lock_guard guard(mutex_);
    return senders_ == 0;
  }
  // Values sent that a receiver at `next` has not read yet (at most the capacity).
  std::size_t unread(std::uint64_t next) {
    std::lock_guard guard(mutex_);
    const std::uint64_t oldest = oldest_locked();
    return static_cast<std::size_t>(tail_ - (next < oldest ? oldest : next));
  }
  std::size_t capacity() const noexcept { return ring_.size(); }

 private:
  struct Slot {
    std::uint64_t pos = 0;
    std::optional<T> value;
  };

  std::uint64_t oldest_locked() const noexcept {
    return tail_ > ring_.size() ? tail_ - ring_.size() : 0;
  }

  Take take_locked(std::uint64_t& next, std::optional<T>& out) {
    if (next < tail_) {
      if (const std::uint64_t oldest = oldest_locked(); next < oldest) {
        const std::uint64_t missed = oldest - next;
        next = oldest;
        throw broadcast::Lagged(missed);
      }
      out.emplace(*ring_[next % ring_.size()].value);  // a copy: every receiver gets one
      ++next;
      return Take::value;
    }
    return senders_ == 0 ? Take::closed : Take::empty;
  }

  std::mutex mutex_;
  std::vector<Slot> ring_;
  std::uint64_t tail_ = 0;  // the position of the next value sent
  std::size_t receivers_ = 1;
  std::size_t senders_ = 1;
  weft::detail::WaitList waiters_;
};

}  // namespace weft::channel_detail
