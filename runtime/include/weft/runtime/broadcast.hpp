#pragma once
// broadcast: every receiver sees every value sent after it subscribed.
//
//   auto [tx, rx] = weft::broadcast::channel<Event>(16);  // holds the last 16 values
//   auto rx2 = tx.subscribe();                           // another receiver
//   tx.send(Event{...});                                 // never waits; returns receivers
//   while (auto event = co_await rx.recv()) { ... }      // nullopt: senders gone, drained
//
// Values are copied to each receiver (T must be copyable). A receiver more than `capacity`
// values behind has lost the oldest of them: its next recv() throws Lagged(missed) and the
// one after continues from the oldest value still held. send() throws SendError (holding
// the value) when there is no receiver. Senders are copyable; receivers are move-only.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <weft/runtime/channel/detail/broadcast_shared.hpp>
#include <weft/runtime/channel/detail/counted_ref.hpp>
#include <weft/runtime/channel/detail/send_error.hpp>
#include <weft/runtime/channel/detail/try_recv.hpp>
#include <weft/runtime/detail/wait_list.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/coop.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft::broadcast {

// A send with no receiver left; value() is the unsent value.
template <class T>
using SendError = channel_detail::SendError<T>;
using TryRecvStatus = channel_detail::TryRecvStatus;
template <class T>
using TryRecvResult = channel_detail::TryRecvResult<T>;

// The largest capacity channel() accepts.
inline constexpr std::size_t kMaxCapacity = std::size_t{1} << 30;

template <class T>
class Receiver {
  using Shared = channel_detail::BroadcastShared<T>;
  using Take = typename Shared::Take;

 public:
  Receiver(std::shared_ptr<Shared> shared, std::uint64_t next) noexcept
      : shared_(std::move(shared)), next_(next) {}
  Receiver(Receiver&& other) noexcept = default;
  Receiver& operator=(Receiver&&) noexcept = default;
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  // The future recv() returns. It queues a wait node inside itself, so it must not move
  // once polled (moving it then throws std::logic_error). Destroying it while it waits
  // takes nothing: the value stays for the next recv(). It refers to the receiver, which
  // must outlive it.
  class [[nodiscard]] Recv {
   public:
    explicit Recv(Receiver& rx) noexcept : rx_(&rx) {}
    Recv(Recv&& other) : rx_(other.rx_) {
      if (other.polled_) throw std::logic_error("weft: broadcast recv future moved after poll");
    }
    Recv& operator=(Recv&&) = delete;
    ~Recv() {
      if (polled_) rx_->shared_->cancel(node_);
    }

    Poll<std::optional<T>> poll(Context& cx) {
      if (!coop::poll_proceed(cx)) return pending;
      polled_ = true;
      std::optional<T> out;
      switch (rx_->shared_->poll_take(rx_->next_, out, node_, cx.waker())) {
        case Take::value:
          return out;
        case Take::empty:
          return pending;
        case Take::closed:
          break;
      }
      return std::optional<T>();
    }

   private:
    Receiver* rx_;
    weft::detail::WaitNode node_;
    bool polled_ = false;
  };

  // co_await rx.recv() -> std::optional<T>: the next value, nullopt once every sender is
  // gone and this receiver has read everything; throws Lagged if it fell behind.
  Recv recv() {
    checked();
    return Recv(*this);
  }

  // Non-blocking recv(): a value, empty, or closed (and drained); throws Lagged likewise.
  TryRecvResult<T> try_recv() {
    std::optional<T> out;
    switch (checked().take(next_, out)) {
      case Take::value:
        return TryRecvResult<T>(std::move(*out));
      case Take::empty:
        return TryRecvResult<T>(TryRecvStatus::empty);
      case Take::closed:
        break;
    }
    return TryRecvResult<T>(TryRecvStatus::closed);
  }

  // A new receiver of the same channel that starts at the next value sent.
  Receiver resubscribe() const { return Receiver(shared_.pointer(), checked().subscribe()); }

  // Values sent that this receiver has not read yet (at most the capacity).
  std::size_t len() const { return shared_ ? shared_->unread(next_) : 0; }
  bool is_empty() const { return len() == 0; }

 private:
  Shared& checked() const { return shared_.checked("weft: broadcast receiver used after move"); }

  channel_detail::CountedRef<Shared, channel_detail::ReceiverSide> shared_;
  std::uint64_t next_;  // the position of the next value this receiver reads
};

template <class T>
class Sender {
  using Shared = channel_detail::BroadcastShared<T>;

 public:
  explicit Sender(std::shared_ptr<Shared> shared) noexcept : shared_(std::move(shared)) {}
  Sender(const Sender&) = default;
  Sender(Sender&&) noexcept = default;
  Sender& operator=(const Sender&) = default;
  Sender& operator=(Sender&&) noexcept = default;

  // Stores `value` for every current receiver and wakes those waiting; never waits. When
  // the ring is full the oldest value is overwritten (slow receivers then lag). Returns the
  // number of receivers that will see the value; throws SendError<T> (holding the value)
  // when there is none.
  std::size_t send(T value) { return checked().send(std::move(value)); }

  // A new receiver that sees every value sent from now on.
  Receiver<T> subscribe() const { return Receiver<T>(shared_.pointer(), checked().subscribe()); }

  std::size_t receiver_count() const { return shared_ ? shared_->receiver_count() : 0; }

 private:
  Shared& checked() const { return shared_.checked("weft: broadcast sender used after move"); }

  channel_detail::CountedRef<Shared, channel_detail::SenderSide> shared_;
};

// A channel holding the last `capacity` values (1..kMaxCapacity, else
// std::invalid_argument), with one sender and one receiver to start with.
template <class T>
std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity) {
  static_assert(std::is_copy_constructible_v<T>, "broadcast values are copied to each receiver");
  if (capacity == 0 || capacity > kMaxCapacity) {
    throw std::invalid_argument("weft: broadcast capacity must be between 1 and kMaxCapacity");
  }
  auto shared = std::make_shared<channel_detail::BroadcastShared<T>>(capacity);
  return {Sender<T>(shared), Receiver<T>(shared, 0)};
}

}  // namespace weft::broadcast
