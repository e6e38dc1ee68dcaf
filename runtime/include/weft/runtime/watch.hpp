#pragma once
// watch: one sender publishes a value; any number of receivers read the latest one and
// can wait for it to change.
//
//   auto [tx, rx] = weft::watch::channel<Config>(initial);
//   tx.send(next);                                  // replaces the value, wakes waiters
//   tx.send_modify([](Config& c) { c.limit = 5; }); // in place
//   Config now = *rx.borrow();                      // read guard: do not hold across co_await
//   co_await rx.changed();                          // a version newer than this receiver saw
//   auto guard = rx.borrow_and_update();            // read it and mark it seen
//
// Receivers see the latest value only: intermediate values sent in between are skipped.
// changed() throws ChannelClosed once the sender is gone and this receiver has seen the
// last value. send() always stores the value (receivers subscribed later see it) and
// returns false when no receiver exists at that moment.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <utility>

#include <weft/runtime/channel/detail/counted_ref.hpp>
#include <weft/runtime/channel/detail/watch_shared.hpp>
#include <weft/runtime/detail/wait_list.hpp>
#include <weft/runtime/errors.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft::watch {

// A read guard on the current value: holds a shared lock, so the sender waits while any
// guard is alive. Keep it short; never hold one across a co_await (the sender's thread
// would block, and with it a worker).
template <class T>
class Ref {
 public:
  Ref(std::shared_lock<std::shared_mutex> lock, const T& value, bool changed) noexcept
      : lock_(std::move(lock)), value_(&value), changed_(changed) {}
  Ref(Ref&&) noexcept = default;
  Ref& operator=(Ref&&) noexcept = default;

  const T& operator*() const noexcept { return *value_; }
  const T* operator->() const noexcept { return value_; }
  const T& get() const noexcept { return *value_; }
  // Whether this value was new to the receiver that borrowed it (always false for a
  // borrow through the sender).
  bool has_changed() const noexcept { return changed_; }

 private:
  std::shared_lock<std::shared_mutex> lock_;
  const T* value_;
  bool changed_;
};

template <class T>
class Receiver {
  using Shared = channel_detail::WatchShared<T>;
  using Wait = typename Shared::Wait;

 public:
  Receiver(std::shared_ptr<Shared> shared, std::uint64_t seen) noexcept
      : shared_(std::move(shared)), seen_(seen) {}
  // A copy is another receiver that has seen what this one has seen.
  Receiver(const Receiver&) noexcept = default;
  Receiver(Receiver&&) noexcept = default;
  Receiver& operator=(const Receiver&) noexcept = default;
  Receiver& operator=(Receiver&&) noexcept = default;

  // The future changed() returns (Poll<void>). It queues a wait node inside itself, so it
  // must not move once polled (moving it then throws std::logic_error). It refers to the
  // receiver, which must outlive it; destroying it while it waits changes nothing.
  class [[nodiscard]] Changed {
   public:
    explicit Changed(Receiver& rx) noexcept : rx_(&rx) {}
    Changed(Changed&& other) : rx_(other.rx_) {
      if (other.polled_) throw std::logic_error("weft: watch changed() future moved after poll");
    }
    Changed& operator=(Changed&&) = delete;
    ~Changed() {
      if (polled_) rx_->shared_->cancel(node_);
    }

    Poll<void> poll(Context& cx) {
      polled_ = true;
      switch (rx_->shared_->poll_changed(rx_->seen_, node_, cx.waker())) {
        case Wait::changed:
          return ready;
        case Wait::pending:
          return pending;
        case Wait::closed:
          break;
      }
      throw ChannelClosed("weft: watch sender dropped");
    }

   private:
    Receiver* rx_;
    weft::detail::WaitNode node_;
    bool polled_ = false;
  };

  // co_await rx.changed(): completes (and marks the newest version seen) as soon as a value
  // newer than the last one this receiver saw exists, at once if one already does. Throws
  // ChannelClosed when the sender is gone and nothing newer is left.
  Changed changed() {
    checked();
    return Changed(*this);
  }

  // The current value, without marking it seen.
  Ref<T> borrow() const {
    std::shared_lock lock(checked().value_lock());
    const bool changed = shared_->version() != seen_;
    return Ref<T>(std::move(lock), shared_->value_locked(), changed);
  }

  // The current value, marking it seen: changed() then waits for the next send.
  Ref<T> borrow_and_update() {
    std::shared_lock lock(checked().value_lock());
    const std::uint64_t now = shared_->version();
    const bool changed = now != std::exchange(seen_, now);
    return Ref<T>(std::move(lock), shared_->value_locked(), changed);
  }

  // True if a value newer than the last one this receiver saw has been sent.
  bool has_changed() const { return checked().version() != seen_; }
  // Marks the current value seen.
  void mark_unchanged() { seen_ = checked().version(); }
  // True once the sender is gone (the value stays readable).
  bool is_closed() const noexcept { return !shared_ || shared_->sender_gone(); }

 private:
  Shared& checked() const { return shared_.checked("weft: watch receiver used after move"); }

  channel_detail::CountedRef<Shared, channel_detail::ReceiverSide> shared_;
  std::uint64_t seen_;  // the version this receiver saw last
};

template <class T>
class Sender {
  using Shared = channel_detail::WatchShared<T>;

 public:
  explicit Sender(std::shared_ptr<Shared> shared) noexcept : shared_(std::move(shared)) {}
  Sender(Sender&&) noexcept = default;
  Sender& operator=(Sender&&) noexcept = default;
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  // Replaces the value and wakes every receiver waiting in changed(). The value is stored
  // even when there is no receiver (a later subscribe() sees it); returns false then.
  bool send(T value) {
    checked().modify([&](T& current) {
      current = std::move(value);
      return true;
    });
    return shared_->receiver_count() > 0;
  }

  // Like send(), returning the previous value.
  T send_replace(T value) {
    checked().modify([&](T& current) {
      std::swap(current, value);
      return true;
    });
    return value;
  }

  // Modifies the value in place (fn(T&)) under the exclusive lock; always a new version.
  template <class F>
  void send_modify(F&& fn) {
    checked().modify([&](T& current) {
      fn(current);
      return true;
    });
  }

  // Modifies in place with fn(T&) -> bool; a new version (and wakes) only if it returns
  // true. Returns what fn returned.
  template <class F>
  bool send_if_modified(F&& fn) {
    return checked().modify([&](T& current) { return static_cast<bool>(fn(current)); });
  }

  // The current value (has_changed() is false on this guard).
  Ref<T> borrow() const {
    std::shared_lock lock(checked().value_lock());
    return Ref<T>(std::move(lock), shared_->value_locked(), false);
  }

  // A new receiver; the current value counts as seen by it.
  Receiver<T> subscribe() const {
    Shared& shared = checked();
    shared.add_receiver();
    return Receiver<T>(shared_.pointer(), shared.version());
  }

  std::size_t receiver_count() const noexcept { return shared_ ? shared_->receiver_count() : 0; }
  // True when no receiver exists now.
  bool is_closed() const noexcept { return receiver_count() == 0; }

 private:
  Shared& checked() const { return shared_.checked("weft: watch sender used after move"); }

  channel_detail::CountedRef<Shared, channel_detail::SenderSide> shared_;
};

// A channel holding `initial` (version 0, seen by the first receiver).
template <class T>
std::pair<Sender<T>, Receiver<T>> channel(T initial) {
  auto shared = std::make_shared<channel_detail::WatchShared<T>>(std::move(initial));
  return {Sender<T>(shared), Receiver<T>(shared, 0)};
}

}  // namespace weft::watch
