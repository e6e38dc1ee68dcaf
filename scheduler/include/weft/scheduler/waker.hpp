#pragma once
// Waker: a copyable, reference-counted handle that makes something runnable again.
//
// A Waker is a (vtable, data) pair in the manner of Rust's RawWaker, so one type serves
// every kind of wakeable thing: a scheduler task, a thread blocked in block_on, a test
// probe. Everything that can make a task ready (a socket, a timer, a channel) stores a
// Waker and calls it; that is the whole contract between scheduler, io and runtime.

#include <utility>

namespace weft {

// The operations a kind of wakeable thing provides. `clone` returns the data for a new
// reference; `wake` consumes one reference; `wake_by_ref` keeps it; `drop` releases it.
struct WakerVTable {
  void* (*clone)(void* data) noexcept;
  void (*wake)(void* data) noexcept;
  void (*wake_by_ref)(void* data) noexcept;
  void (*drop)(void* data) noexcept;
};

class Waker {
 public:
  // An empty waker: waking it does nothing. Useful as a placeholder.
  Waker() noexcept = default;

  // Adopts one reference to `data` (the caller has already counted it).
  Waker(const WakerVTable* vtable, void* data) noexcept : vtable_(vtable), data_(data) {}

  Waker(const Waker& other) noexcept
      : vtable_(other.vtable_),
        data_(other.vtable_ ? other.vtable_->clone(other.data_) : nullptr) {}
  Waker(Waker&& other) noexcept
      : vtable_(std::exchange(other.vtable_, nullptr)),
        data_(std::exchange(other.data_, nullptr)) {}
  Waker& operator=(const Waker& other) noexcept {
    if (this != &other) *this = Waker(other);
    return *this;
  }
  Waker& operator=(Waker&& other) noexcept {
    if (this != &other) {
      reset();
      vtable_ = std::exchange(other.vtable_, nullptr);
      data_ = std::exchange(other.data_, nullptr);
    }
    return *this;
  }
  ~Waker() { reset(); }

  // Wakes and gives up this reference; the Waker is empty afterwards.
  void wake() noexcept {
    if (vtable_) {
      auto* vt = std::exchange(vtable_, nullptr);
      vt->wake(std::exchange(data_, nullptr));
    }
  }
  // Wakes and keeps the reference, so the Waker can be woken again later.
  void wake_by_ref() const noexcept {
    if (vtable_) vtable_->wake_by_ref(data_);
  }
  // True when waking either would wake the same thing: lets a future skip replacing a
  // stored waker on every poll.
  bool will_wake(const Waker& other) const noexcept {
    return vtable_ == other.vtable_ && data_ == other.data_;
  }
  explicit operator bool() const noexcept { return vtable_ != nullptr; }

  void reset() noexcept {
    if (vtable_) {
      auto* vt = std::exchange(vtable_, nullptr);
      vt->drop(std::exchange(data_, nullptr));
    }
  }
  // Gives up ownership without dropping: for borrowed wakers built around a reference
  // someone else holds.
  void release() noexcept {
    vtable_ = nullptr;
    data_ = nullptr;
  }
  void* data() const noexcept { return data_; }
  const WakerVTable* vtable() const noexcept { return vtable_; }

 private:
  const WakerVTable* vtable_ = nullptr;
  void* data_ = nullptr;
};

}  // namespace weft
