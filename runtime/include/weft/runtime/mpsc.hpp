#pragma once
// mpsc: multi-producer, single-consumer channels.
//
//   auto [tx, rx] = weft::mpsc::unbounded_channel<std::string>();
//   tx.send("hello");                          // never waits; SendError once rx is gone
//   auto tx2 = tx;                             // senders are copyable: one more sender
//   while (auto msg = co_await rx.recv()) {    // nullopt once every sender is gone and
//     use(*msg);                               // everything sent has been received
//   }
//
//   auto [btx, brx] = weft::mpsc::channel<int>(64);  // bounded: at most 64 values queued
//   co_await btx.send(1);                            // waits while full (back-pressure)
//
// Order: each sender's values arrive in the order it sent them; values of different
// senders arrive in the order their sends took effect. Closing: rx.close() (or dropping the
// receiver) makes every later or waiting send throw SendError, which hands the unsent
// value back; values sent before can still be received. Cancelling a task blocked in
// recv() or in a bounded send() loses nothing (see docs/channels.md).

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include <weft/runtime/channel/detail/counted_ref.hpp>
#include <weft/runtime/channel/detail/mpsc_chan.hpp>
#include <weft/runtime/channel/detail/send_error.hpp>
#include <weft/runtime/channel/detail/try_recv.hpp>
#include <weft/runtime/sync/semaphore.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft::mpsc {

// A send on a channel whose receiver was closed or dropped; value() is the unsent value.
template <class T>
using SendError = channel_detail::SendError<T>;
using TryRecvStatus = channel_detail::TryRecvStatus;
template <class T>
using TryRecvResult = channel_detail::TryRecvResult<T>;

// What a bounded try_send() did: sent, or handed the value back because the channel was
// full.
template <class T>
class TrySendResult {
 public:
  TrySendResult() noexcept = default;  // sent
  explicit TrySendResult(T&& unsent) : unsent_(std::move(unsent)) {}

  bool is_sent() const noexcept { return !unsent_.has_value(); }
  bool is_full() const noexcept { return unsent_.has_value(); }
  explicit operator bool() const noexcept { return is_sent(); }
  // The value that was not sent because the channel was full; std::logic_error if sent.
  T& value() & { return checked(); }
  T&& value() && { return std::move(checked()); }

 private:
  T& checked() {
    if (!unsent_) throw std::logic_error("weft: try_send succeeded; it holds no value");
    return *unsent_;
  }
  std::optional<T> unsent_;
};

namespace detail {

// The bounded channel's limit: each queued value holds one permit of this semaphore,
// given back when the receiver takes the value. Closing the semaphore is how senders
// waiting for room learn that the receiver closed.
struct Limited {
  explicit Limited(std::size_t capacity) : max(capacity), permits(capacity) {}
  void value_taken() { permits.release(1); }
  void close() { permits.close(); }

  std::size_t max;
  Semaphore permits;
};

// The receiving half, shared by the bounded and the unbounded channel.
template <class T, class Limit>
class BasicReceiver {
  using Chan = channel_detail::MpscChan<T, Limit>;

 public:
  explicit BasicReceiver(std::shared_ptr<Chan> chan) noexcept : chan_(std::move(chan)) {}
  BasicReceiver(BasicReceiver&&) noexcept = default;
  BasicReceiver& operator=(BasicReceiver&&) noexcept = default;
  BasicReceiver(const BasicReceiver&) = delete;
  BasicReceiver& operator=(const BasicReceiver&) = delete;

  // The future recv() returns: ready with the next value, or nullopt once the channel is
  // closed and drained. Destroying it while it waits takes nothing from the channel. It
  // refers to the receiver, which must outlive it.
  class [[nodiscard]] Recv {
   public:
    explicit Recv(Chan& chan) noexcept : chan_(&chan) {}
    // The parked waker lives in the channel, not in this object, so moving is safe.
    Recv(Recv&& other) noexcept
        : chan_(other.chan_), registered_(std::exchange(other.registered_, false)) {}
    Recv& operator=(Recv&&) = delete;
    ~Recv() {
      if (registered_) chan_->unpark();
    }

    Poll<std::optional<T>> poll(Context& cx) {
      auto result = chan_->poll_recv(cx, registered_);
      if (result.is_ready()) registered_ = false;
      return result;
    }

   private:
    Chan* chan_;
    bool registered_ = false;
  };

  // co_await rx.recv() -> std::optional<T>.
  Recv recv() { return Recv(checked()); }

  // Non-blocking: a value, or why there is none (empty now, or closed and drained).
  TryRecvResult<T> try_recv() {
    std::optional<T> out;
    switch (checked().try_take(out)) {
      case Chan::Take::value:
        return TryRecvResult<T>(std::move(*out));
      case Chan::Take::empty:
        return TryRecvResult<T>(TryRecvStatus::empty);
      case Chan::Take::closed:
        break;
    }
    return TryRecvResult<T>(TryRecvStatus::closed);
  }

  // Refuses further sends (waiting and later senders get SendError) while keeping what was
  // sent before for recv(). Idempotent.
  void close() { checked().close(); }

  // True once no new value can arrive: close() was called or every sender is gone. Values
  // sent before may still be waiting to be received.
  bool is_closed() const noexcept { return !chan_ || chan_->is_closed_for_receiver(); }

  // Values sent and not yet received.
  std::size_t len() const { return chan_ ? chan_->len() : 0; }
  bool is_empty() const { return len() == 0; }

 protected:
  Chan& checked() const { return chan_.checked("weft: mpsc receiver used after move"); }

 private:
  channel_detail::CountedRef<Chan, channel_detail::ReceiverSide> chan_;
};

// What both sender types share: the channel reference, each copy of which counts as one
// sender (CountedRef); the receiver sees the channel closed when the last one goes.
template <class T, class Limit>
class SenderBase {
 protected:
  using Chan = channel_detail::MpscChan<T, Limit>;

  explicit SenderBase(std::shared_ptr<Chan> chan) noexcept : chan_(std::move(chan)) {}
  // Copies and moves only through the sender types (no slicing into the base).
  SenderBase(const SenderBase&) noexcept = default;
  SenderBase(SenderBase&&) noexcept = default;
  SenderBase& operator=(const SenderBase&) noexcept = default;
  SenderBase& operator=(SenderBase&&) noexcept = default;
  ~SenderBase() = default;

  Chan& checked() const { return chan_.checked("weft: mpsc sender used after move"); }

 public:
  // True once the receiver closed or was dropped: every send would fail.
  bool is_closed() const noexcept { return !chan_ || chan_->receiver_closed(); }
  // True when both senders feed the same channel.
  bool same_channel(const SenderBase& other) const noexcept {
    return chan_.pointer() == other.chan_.pointer();
  }

 protected:
  channel_detail::CountedRef<Chan, channel_detail::SenderSide> chan_;
};

}  // namespace detail

// ---- unbounded ----

template <class T>
using UnboundedReceiver = detail::BasicReceiver<T, channel_detail::Unlimited>;

template <class T>
class UnboundedSender : public detail::SenderBase<T, channel_detail::Unlimited> {
  using Base = detail::SenderBase<T, channel_detail::Unlimited>;

 public:
  explicit UnboundedSender(std::shared_ptr<typename Base::Chan> chan) noexcept
      : Base(std::move(chan)) {}

  // Queues `value` at once (the queue grows as needed). Throws SendError<T>, holding the
  // value, if the receiver is closed or gone.
  void send(T value) { this->checked().push(std::move(value)); }
};

template <class T>
std::pair<UnboundedSender<T>, UnboundedReceiver<T>> unbounded_channel() {
  auto chan = std::make_shared<channel_detail::MpscChan<T, channel_detail::Unlimited>>();
  return {UnboundedSender<T>(chan), UnboundedReceiver<T>(chan)};
}

// ---- bounded ----

template <class T>
using Receiver = detail::BasicReceiver<T, detail::Limited>;

template <class T>
class Sender : public detail::SenderBase<T, detail::Limited> {
  using Base = detail::SenderBase<T, detail::Limited>;
  using Chan = typename Base::Chan;

 public:
  explicit Sender(std::shared_ptr<Chan> chan) noexcept : Base(std::move(chan)) {}

  // The future send() returns (Poll<void>). It owns the value until it is queued. It may be
  // moved until it starts waiting for room (std::logic_error after). Destroying it while it
  // waits (abort, timeout) takes no room in the channel: its place in the semaphore's
  // queue, and any permit already assigned to it, go to the next sender. The sender it
  // came from must outlive it.
  class [[nodiscard]] Send {
   public:
    Send(Chan& chan, T&& value) : chan_(&chan), value_(std::move(value)) {}
    Send(Send&& other) : chan_(movable(other)), value_(std::move(other.value_)) {}
    Send& operator=(Send&&) = delete;

    Poll<void> poll(Context& cx) {
      if (!value_) throw std::logic_error("weft: mpsc send future polled after it completed");
      Semaphore& permits = chan_->limit().permits;
      if (!acquire_) {
        if (chan_->receiver_closed()) fail();
        if (auto permit = permits.try_acquire(1)) {  // room now, nobody queued ahead
          permit->forget();
          return push();
        }
        acquire_.emplace(permits.acquire(1));
      }
      try {
        auto permit = acquire_->poll(cx);
        if (permit.is_pending()) return pending;
        permit.value().forget();  // the value holds it until the receiver takes it
      } catch (const SemaphoreClosed&) {
        acquire_.reset();
        fail();
      }
      acquire_.reset();
      return push();
    }

   private:
    static Chan* movable(const Send& other) {
      if (other.acquire_) throw std::logic_error("weft: mpsc send future moved while waiting");
      return other.chan_;
    }
    Poll<void> push() {
      chan_->push(std::move(*value_));  // throws SendError if the receiver closed meanwhile
      value_.reset();
      return ready;
    }
    [[noreturn]] void fail() {
      T unsent = std::move(*value_);
      value_.reset();
      throw SendError<T>(std::move(unsent), "weft: mpsc receiver closed");
    }

    Chan* chan_;
    std::optional<T> value_;
    std::optional<Semaphore::Acquire> acquire_;
  };

  // co_await tx.send(value): queues the value, first waiting while the channel is full
  // (senders waiting for room are served in FIFO order). Throws SendError<T>, holding the
  // value, if the receiver is closed or gone, or closes while this send waits.
  Send send(T value) { return Send(this->checked(), std::move(value)); }

  // Never waits: sent, or the value handed back in the result when the channel is full
  // (or other senders are already waiting for room). Throws SendError<T> when closed.
  TrySendResult<T> try_send(T value) {
    Chan& chan = this->checked();
    if (!chan.receiver_closed()) {
      if (auto permit = chan.limit().permits.try_acquire(1)) {
        permit->forget();
        chan.push(std::move(value));
        return TrySendResult<T>();
      }
      if (!chan.limit().permits.is_closed()) return TrySendResult<T>(std::move(value));
    }
    throw SendError<T>(std::move(value), "weft: mpsc receiver closed");
  }

  // Room for values right now, and the capacity the channel was made with.
  std::size_t capacity() const noexcept {
    return this->chan_ ? this->chan_->limit().permits.available_permits() : 0;
  }
  std::size_t max_capacity() const noexcept { return this->chan_ ? this->chan_->limit().max : 0; }
};

// A channel holding at most `capacity` values (capacity 0: std::invalid_argument).
template <class T>
std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity) {
  if (capacity == 0) throw std::invalid_argument("weft: mpsc channel capacity must be > 0");
  auto chan = std::make_shared<channel_detail::MpscChan<T, detail::Limited>>(capacity);
  return {Sender<T>(chan), Receiver<T>(chan)};
}

}  // namespace weft::mpsc
