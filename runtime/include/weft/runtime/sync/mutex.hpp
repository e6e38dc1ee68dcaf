#pragma once
// Mutex<T>: an async mutex that owns the data it protects.
//
//   weft::Mutex<std::vector<int>> shared(std::vector<int>{});
//   {
//     auto guard = co_await shared.lock();   // waits, FIFO, without blocking the worker
//     guard->push_back(1);
//   }                                         // unlocked here
//   if (auto guard = shared.try_lock()) (*guard)->clear();
//
// Built on a Semaphore(1): lock hand-off is fair (first come, first served) and a lock()
// cancelled while queued (abort, timeout) leaves the queue consistent and passes the lock
// on if it had just been handed to it. Unlike std::mutex, a guard may be held across a
// co_await and released on another thread. lock()/try_lock() are callable from any
// thread; co_await lock() inside a task.

#include <concepts>
#include <optional>
#include <utility>

#include <weft/runtime/sync/semaphore.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft {

template <class T>
class Mutex;

// Access to the data of a locked Mutex; unlocks when destroyed. Move-only. A moved-from
// guard holds nothing and must not be dereferenced.
template <class T>
class MutexGuard {
 public:
  MutexGuard(MutexGuard&&) noexcept = default;
  MutexGuard& operator=(MutexGuard&&) noexcept = default;
  MutexGuard(const MutexGuard&) = delete;
  MutexGuard& operator=(const MutexGuard&) = delete;
  ~MutexGuard() = default;

  T& operator*() const noexcept { return *value_; }
  T* operator->() const noexcept { return value_; }

 private:
  friend class Mutex<T>;
  MutexGuard(SemaphorePermit permit, T* value) noexcept
      : permit_(std::move(permit)), value_(value) {}

  SemaphorePermit permit_;
  T* value_;
};

template <class T>
class Mutex {
 public:
  Mutex() requires std::default_initializable<T> : value_() {}
  explicit Mutex(T value) requires std::move_constructible<T> : value_(std::move(value)) {}
  template <class... Args>
  explicit Mutex(std::in_place_t, Args&&... args) : value_(std::forward<Args>(args)...) {}
  // Guards point into it and waiters into its semaphore.
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  Mutex(Mutex&&) = delete;
  Mutex& operator=(Mutex&&) = delete;

  // The future lock() returns: ready with a MutexGuard. Movable only before its first poll.
  class [[nodiscard]] Lock {
   public:
    Poll<MutexGuard<T>> poll(Context& cx) {
      auto permit = acquire_.poll(cx);
      if (permit.is_pending()) return pending;
      return MutexGuard<T>(std::move(permit).value(), &mutex_->value_);
    }

   private:
    friend class Mutex;
    explicit Lock(Mutex& mutex) : mutex_(&mutex), acquire_(mutex.semaphore_.acquire()) {}
    Mutex* mutex_;
    Semaphore::Acquire acquire_;
  };

  Lock lock() { return Lock(*this); }
  // The guard if the mutex is free and nobody is queued for it; nullopt otherwise.
  std::optional<MutexGuard<T>> try_lock() {
    auto permit = semaphore_.try_acquire();
    if (!permit) return std::nullopt;
    return MutexGuard<T>(std::move(*permit), &value_);
  }

 private:
  Semaphore semaphore_{1};  // never closed, so lock() never throws SemaphoreClosed
  T value_;
};

}  // namespace weft
