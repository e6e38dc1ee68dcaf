#pragma once
// The shared state of an mpsc channel: the queue, who is still there, and the parked
// receiver's waker.
//
// Senders push under a spin lock into `incoming_`, a vector whose capacity is reused, so a
// send costs one uncontended lock and no allocation once the buffers have grown. The one
// receiver swaps the whole `incoming_` buffer for its empty `local_` buffer in one short
// critical section and then takes values from `local_` without any lock: a busy receiver
// takes the lock once per batch, not once per value. FIFO order is the order in which
// senders took the lock, so each sender's values arrive in the order it sent them.
//
// The receiver parks by storing its waker under the same lock; a sender that finds it
// parked moves the waker out and wakes it after unlocking. A sender that finds the
// receiver busy pays nothing for the wakeup.
//
// `Limit` is what a value in the channel holds: nothing (unbounded) or a permit of the
// bounded channel's semaphore, given back when the receiver takes the value.

#include <atomic>
#include <cstddef>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <weft/runtime/channel/detail/send_error.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/coop.hpp>
#include <weft/scheduler/detail/spin_lock.hpp>
#include <weft/scheduler/poll.hpp>
#include <weft/scheduler/waker.hpp>

namespace weft::channel_detail {

// The unbounded channel's limit: none.
struct Unlimited {
  void value_taken() noexcept {}
  void close() noexcept {}
};

template <class T, class Limit>
class MpscChan {
 public:
  template <class... LimitArgs>
  explicit MpscChan(LimitArgs&&... args) : limit_(std::forward<LimitArgs>(args)...) {}
  MpscChan(const MpscChan&) = delete;
  MpscChan& operator=(const MpscChan&) = delete;

  Limit& limit() noexcept { return limit_; }

  // ---- sender side ----

  void add_sender() noexcept { senders_.fetch_add(1, std::memory_order_relaxed); }

  void drop_sender() noexcept {
    if (senders_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    Waker parked;
    {
      std::lock_guard guard(lock_);
      senders_gone_.store(true, std::memory_order_release);
      parked = take_parked_waker();
    }
    parked.wake();  // "closed" is news for a parked receiver too
  }

  // Queues `value`, or throws SendError with it when the receiver has closed.
  void push(T&& value) {
    Waker parked;
    {
      std::lock_guard guard(lock_);
      if (receiver_closed_.load(std::memory_order_relaxed)) {
        throw SendError<T>(std::move(value), "weft: mpsc receiver closed");
      }
      incoming_.push_back(std::move(value));
      if (!parked_) return;  // the receiver is busy: it will find the value itself
      parked = take_parked_waker();
    }
    parked.wake();
  }

  bool receiver_closed() const noexcept { return receiver_closed_.load(std::memory_order_acquire); }

  // ---- receiver side (one receiver at a time) ----

  enum class Take { value, empty, closed };

  // Takes the next value into `out` if there is one.
  Take try_take(std::optional<T>& out) {
    if (local_pos_ == local_.size()) {
      if (const Take refilled = refill(); refilled != Take::value) return refilled;
    }
    out.emplace(std::move(local_[local_pos_]));
    ++local_pos_;  // only once moved out: a throwing move leaves the value in place
    if (local_pos_ == local_.size()) {
      local_.clear();  // keeps the capacity for the next swap
      local_pos_ = 0;
    }
    limit_.value_taken();
    return Take::value;
  }

  // The receive future's poll. `registered` tells the future whether it left a waker
  // behind that its destructor must remove.
  Poll<std::optional<T>> poll_recv(Context& cx, bool& registered) {
    if (!coop::poll_proceed(cx)) return pending;  // lets other tasks run if never empty
    std::optional<T> out;
    if (local_pos_ < local_.size()) {
      try_take(out);
      return out;
    }
    Waker stale;
    {
      std::lock_guard guard(lock_);
      if (incoming_.empty()) {
        // Checked under the lock: the last sender marks the channel closed under it, after
        // its values, so an empty queue here really is the end.
        if (is_closed_for_receiver()) return std::optional<T>();
        if (!waker_.will_wake(cx.waker())) waker_ = cx.waker();
        parked_ = true;
        registered = true;
        return pending;
      }
      stale = take_parked_waker();  // woken spuriously or early: nobody need wake us now
      swap_in_locked();
    }
    try_take(out);
    return out;
  }

  // A receive future that parked is going away without a value: drop its waker so the
  // channel does not keep its task alive.
  void unpark() noexcept {
    Waker dropped;
    std::lock_guard guard(lock_);
    dropped = take_parked_waker();
  }

  void close() {
    {
      std::lock_guard guard(lock_);
      receiver_closed_.store(true, std::memory_order_release);
    }
    limit_.close();
  }

  // The receiver is gone: close, and destroy what nobody will receive now rather than when
  // the last sender lets go.
  void drop_receiver() noexcept {
    close();
    std::vector<T> unread;
    Waker dropped;
    {
      std::lock_guard guard(lock_);
      unread.swap(incoming_);
      dropped = take_parked_waker();
    }
    local_.clear();
    local_pos_ = 0;
  }

  std::size_t len() noexcept {
    std::lock_guard guard(lock_);
    return (local_.size() - local_pos_) + incoming_.size();
  }

  bool is_closed_for_receiver() const noexcept {
    return senders_gone_.load(std::memory_order_acquire) ||
           receiver_closed_.load(std::memory_order_acquire);
  }

 private:
  // The receiver's waker, if it is parked. Caller holds the lock.
  Waker take_parked_waker() noexcept {
    if (!std::exchange(parked_, false)) return Waker();
    return std::move(waker_);
  }

  // Moves what the senders queued into the receiver's buffer. Caller holds the lock.
  void swap_in_locked() noexcept {
    local_.swap(incoming_);  // local_ was empty (capacity kept), so incoming_ is now too
    local_pos_ = 0;
  }

  Take refill() {
    std::lock_guard guard(lock_);
    if (incoming_.empty()) return is_closed_for_receiver() ? Take::closed : Take::empty;
    swap_in_locked();
    return Take::value;
  }

  // Shared between the senders and the receiver, guarded by lock_.
  weft::detail::SpinLock lock_;
  std::vector<T> incoming_;
  Waker waker_;
  bool parked_ = false;
  // Written under lock_, read anywhere.
  std::atomic<bool> receiver_closed_{false};
  std::atomic<bool> senders_gone_{false};
  std::atomic<std::size_t> senders_{1};

  // The receiver's own: values taken out of incoming_ in one batch, read from local_pos_.
  std::vector<T> local_;
  std::size_t local_pos_ = 0;

  Limit limit_;
};

}  // namespace weft::channel_detail
