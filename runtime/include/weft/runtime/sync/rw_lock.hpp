#pragma once
// RwLock<T>: an async reader-writer lock that owns the data it protects.
//
//   weft::RwLock<Config> config(load());
//   {
//     auto r = co_await config.read();    // shared: any number of readers at once
//     use(r->port);                       // const access
//   }
//   {
//     auto w = co_await config.write();   // exclusive
//     w->port = 8080;
//   }
//
// Fair: requests are served in arrival order, so a writer waiting for the current readers
// blocks every reader that arrives after it, and writers never starve. It is a Semaphore
// of kMaxReaders permits: a reader takes one, a writer takes all of them (collecting them
// as the readers leave). Cancelling a queued read() or write() (abort, timeout) hands any
// permits it had collected to the next waiters. Callable from any thread; co_await inside
// a task.

#include <concepts>
#include <cstddef>
#include <optional>
#include <utility>

#include <weft/runtime/sync/semaphore.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft {

template <class T>
class RwLock;

// Shared, read-only access; releases its read slot when destroyed. Move-only.
template <class T>
class ReadGuard {
 public:
  ReadGuard(ReadGuard&&) noexcept = default;
  ReadGuard& operator=(ReadGuard&&) noexcept = default;
  ReadGuard(const ReadGuard&) = delete;
  ReadGuard& operator=(const ReadGuard&) = delete;
  ~ReadGuard() = default;

  const T& operator*() const noexcept { return *value_; }
  const T* operator->() const noexcept { return value_; }

 private:
  friend class RwLock<T>;
  ReadGuard(SemaphorePermit permit, const T* value) noexcept
      : permit_(std::move(permit)), value_(value) {}
  SemaphorePermit permit_;
  const T* value_;
};

// Exclusive access; unlocks when destroyed. Move-only.
template <class T>
class WriteGuard {
 public:
  WriteGuard(WriteGuard&&) noexcept = default;
  WriteGuard& operator=(WriteGuard&&) noexcept = default;
  WriteGuard(const WriteGuard&) = delete;
  WriteGuard& operator=(const WriteGuard&) = delete;
  ~WriteGuard() = default;

  T& operator*() const noexcept { return *value_; }
  T* operator->() const noexcept { return value_; }

 private:
  friend class RwLock<T>;
  WriteGuard(SemaphorePermit permit, T* value) noexcept
      : permit_(std::move(permit)), value_(value) {}
  SemaphorePermit permit_;
  T* value_;
};

template <class T>
class RwLock {
 public:
  // The most readers inside at once; a writer takes this many permits.
  static constexpr std::size_t kMaxReaders = std::size_t{1} << 30;

  RwLock() requires std::default_initializable<T> : value_() {}
  explicit RwLock(T value) requires std::move_constructible<T> : value_(std::move(value)) {}
  template <class... Args>
  explicit RwLock(std::in_place_t, Args&&... args) : value_(std::forward<Args>(args)...) {}
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;
  RwLock(RwLock&&) = delete;
  RwLock& operator=(RwLock&&) = delete;

  // The futures read() and write() return. Movable only before their first poll.
  class [[nodiscard]] Read {
   public:
    Poll<ReadGuard<T>> poll(Context& cx) {
      auto permit = acquire_.poll(cx);
      if (permit.is_pending()) return pending;
      return ReadGuard<T>(std::move(permit).value(), &lock_->value_);
    }

   private:
    friend class RwLock;
    explicit Read(RwLock& lock) : lock_(&lock), acquire_(lock.semaphore_.acquire(1)) {}
    RwLock* lock_;
    Semaphore::Acquire acquire_;
  };

  class [[nodiscard]] Write {
   public:
    Poll<WriteGuard<T>> poll(Context& cx) {
      auto permit = acquire_.poll(cx);
      if (permit.is_pending()) return pending;
      return WriteGuard<T>(std::move(permit).value(), &lock_->value_);
    }

   private:
    friend class RwLock;
    explicit Write(RwLock& lock) : lock_(&lock), acquire_(lock.semaphore_.acquire(kMaxReaders)) {}
    RwLock* lock_;
    Semaphore::Acquire acquire_;
  };

  Read read() { return Read(*this); }
  Write write() { return Write(*this); }
  // Shared access now, or nullopt if a writer holds the lock or anyone is queued.
  std::optional<ReadGuard<T>> try_read() {
    auto permit = semaphore_.try_acquire(1);
    if (!permit) return std::nullopt;
    return ReadGuard<T>(std::move(*permit), &value_);
  }
  // Exclusive access now, or nullopt if anyone holds the lock or is queued for it.
  std::optional<WriteGuard<T>> try_write() {
    auto permit = semaphore_.try_acquire(kMaxReaders);
    if (!permit) return std::nullopt;
    return WriteGuard<T>(std::move(*permit), &value_);
  }

 private:
  Semaphore semaphore_{kMaxReaders};  // never closed
  T value_;
};

}  // namespace weft
