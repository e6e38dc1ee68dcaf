#pragma once
// oneshot: a channel for exactly one value, from one Sender to one Receiver.
//
//   auto [tx, rx] = weft::oneshot::channel<int>();
//   weft::spawn(producer(std::move(tx)));   // ... tx.send(42);
//   int v = co_await rx;                    // throws ChannelClosed if tx is dropped unsent
//
// Sender and Receiver may live on any threads. The shared state is one allocation from
// the task allocator, freed by whichever side lets go last.

#include <atomic>
#include <cstdint>
#include <new>
#include <optional>
#include <stdexcept>
#include <utility>

#include <weft/runtime/errors.hpp>
#include <weft/scheduler/atomic_waker.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/frame_allocator.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft::oneshot {

namespace detail {

template <class T>
class Shared {
 public:
  static constexpr std::uint32_t kValueSent = 1;
  static constexpr std::uint32_t kSenderGone = 2;
  static constexpr std::uint32_t kReceiverGone = 4;

  static Shared* create() { return new (weft::detail::frame_allocate(sizeof(Shared))) Shared; }

  // Each side calls this once when it lets go; the second one frees the state. The
  // reference count is separate from the flags so that the sender may still wake the
  // receiver after publishing kSenderGone.
  void release(std::uint32_t side_gone) noexcept {
    state_.fetch_or(side_gone, std::memory_order_acq_rel);
    if (side_gone == kSenderGone) receiver_waker_.wake();  // a closed channel is news too
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      this->~Shared();
      weft::detail::frame_deallocate(this, sizeof(Shared));
    }
  }

  bool send(T&& value) {
    if (state_.load(std::memory_order_acquire) & kReceiverGone) return false;
    value_.emplace(std::move(value));
    const std::uint32_t prev = state_.fetch_or(kValueSent, std::memory_order_acq_rel);
    receiver_waker_.wake();
    return !(prev & kReceiverGone);
  }

  bool receiver_gone() const noexcept {
    return state_.load(std::memory_order_acquire) & kReceiverGone;
  }

  Poll<T> poll(Context& cx) {
    if (Poll<T> result = try_take(); result.is_ready()) return result;
    receiver_waker_.register_waker(cx.waker());
    return try_take();
  }

  // Ready with the value; pending while the sender may still send; throws once the
  // sender is gone without sending.
  Poll<T> try_take() {
    const std::uint32_t s = state_.load(std::memory_order_acquire);
    if (s & kValueSent) {
      if (!value_) throw std::logic_error("weft: oneshot value already received");
      T value = std::move(*value_);
      value_.reset();
      return value;
    }
    if (s & kSenderGone) throw ChannelClosed("weft: oneshot sender dropped without sending");
    return pending;
  }

 private:
  Shared() = default;
  ~Shared() = default;

  std::atomic<std::uint32_t> state_{0};
  std::atomic<std::uint32_t> refs_{2};
  std::optional<T> value_;
  AtomicWaker receiver_waker_;
};

}  // namespace detail

template <class T>
class Sender {
 public:
  explicit Sender(detail::Shared<T>* shared) noexcept : shared_(shared) {}
  Sender(Sender&& other) noexcept : shared_(std::exchange(other.shared_, nullptr)) {}
  Sender& operator=(Sender&& other) noexcept {
    if (this != &other) {
      reset();
      shared_ = std::exchange(other.shared_, nullptr);
    }
    return *this;
  }
  ~Sender() { reset(); }

  // Sends the value and gives up the sender. Returns false if the receiver is already
  // gone (the value is then dropped). Throws std::logic_error on a second send.
  bool send(T value) {
    if (!shared_) throw std::logic_error("weft: oneshot sender used after send");
    const bool delivered = shared_->send(std::move(value));
    reset();
    return delivered;
  }
  // True once the receiver has been dropped: nobody will read a value.
  bool is_closed() const noexcept { return !shared_ || shared_->receiver_gone(); }

 private:
  void reset() noexcept {
    if (shared_) std::exchange(shared_, nullptr)->release(detail::Shared<T>::kSenderGone);
  }
  detail::Shared<T>* shared_;
};

template <class T>
class Receiver {
 public:
  explicit Receiver(detail::Shared<T>* shared) noexcept : shared_(shared) {}
  Receiver(Receiver&& other) noexcept : shared_(std::exchange(other.shared_, nullptr)) {}
  Receiver& operator=(Receiver&& other) noexcept {
    if (this != &other) {
      reset();
      shared_ = std::exchange(other.shared_, nullptr);
    }
    return *this;
  }
  ~Receiver() { reset(); }

  // A Future: co_await the receiver for the value. Throws ChannelClosed if the sender was
  // dropped without sending.
  Poll<T> poll(Context& cx) { return shared_->poll(cx); }
  // Non-blocking: the value if it has arrived, nullopt if not yet; throws ChannelClosed
  // if it never will.
  std::optional<T> try_recv() {
    Poll<T> result = shared_->try_take();
    if (result.is_pending()) return std::nullopt;
    return std::move(result).value();
  }

 private:
  void reset() noexcept {
    if (shared_) std::exchange(shared_, nullptr)->release(detail::Shared<T>::kReceiverGone);
  }
  detail::Shared<T>* shared_;
};

template <class T>
std::pair<Sender<T>, Receiver<T>> channel() {
  auto* shared = detail::Shared<T>::create();
  return {Sender<T>(shared), Receiver<T>(shared)};
}

}  // namespace weft::oneshot
