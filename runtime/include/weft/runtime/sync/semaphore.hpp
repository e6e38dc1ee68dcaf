#pragma once
// Semaphore: an async counting semaphore with FIFO-fair waiters.
//
//   weft::Semaphore slots(4);
//   {
//     weft::SemaphorePermit permit = co_await slots.acquire();   // waits while all 4 are out
//     ... at most four tasks are here at once ...
//   }                                                            // the permit goes back
//   if (auto p = slots.try_acquire(2)) { ... }                   // never waits
//   slots.close();                                               // waiters throw SemaphoreClosed
//
// Waiters are served strictly in arrival order: a large request at the head of the queue
// collects released permits one release at a time (partial assignment) and no later,
// smaller request overtakes it. Destroying a waiting acquire() future (abort, timeout)
// returns whatever it had been assigned, and the next waiters get it.
//
// Every member is safe to call from any thread; co_await acquire() inside a task.

#include <atomic>
#include <cstddef>
#include <limits>
#include <mutex>
#include <optional>
#include <utility>

#include <weft/runtime/detail/wait_list.hpp>
#include <weft/runtime/errors.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft {

class Semaphore;

// acquire() on a semaphore that is closed, or closed while the acquire was waiting.
class SemaphoreClosed : public Error {
 public:
  SemaphoreClosed() : Error("weft: semaphore closed") {}
};

// Permits taken from a Semaphore, given back when the permit is destroyed. The semaphore
// must outlive its permits.
class SemaphorePermit {
 public:
  SemaphorePermit(SemaphorePermit&& other) noexcept
      : semaphore_(std::exchange(other.semaphore_, nullptr)),
        count_(std::exchange(other.count_, 0)) {}
  SemaphorePermit& operator=(SemaphorePermit&& other) noexcept {
    if (this != &other) {
      give_back();
      semaphore_ = std::exchange(other.semaphore_, nullptr);
      count_ = std::exchange(other.count_, 0);
    }
    return *this;
  }
  SemaphorePermit(const SemaphorePermit&) = delete;
  SemaphorePermit& operator=(const SemaphorePermit&) = delete;
  ~SemaphorePermit() { give_back(); }

  std::size_t count() const noexcept { return count_; }
  // Keeps the permits for good: the semaphore ends up with that many fewer.
  void forget() noexcept { count_ = 0; }

 private:
  friend class Semaphore;
  SemaphorePermit(Semaphore* semaphore, std::size_t count) noexcept
      : semaphore_(semaphore), count_(count) {}
  void give_back() noexcept;

  Semaphore* semaphore_;
  std::size_t count_;
};

class Semaphore {
 public:
  // The most permits a semaphore can hold (and the largest single request).
  static constexpr std::size_t kMaxPermits = std::numeric_limits<std::size_t>::max() >> 3;

  // Throws std::invalid_argument if permits > kMaxPermits.
  explicit Semaphore(std::size_t permits);
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;
  // Waiters hold pointers to it, and permits point back at it.
  Semaphore(Semaphore&&) = delete;
  Semaphore& operator=(Semaphore&&) = delete;
  ~Semaphore() = default;

  // The future acquire() returns: ready with a SemaphorePermit of `n` permits. It may be
  // moved until it is first polled; once it is queued it must stay where it is (a task's
  // co_await keeps it in the coroutine frame).
  class [[nodiscard]] Acquire {
   public:
    Acquire(Acquire&& other) noexcept;
    Acquire(const Acquire&) = delete;
    Acquire& operator=(const Acquire&) = delete;
    Acquire& operator=(Acquire&&) = delete;
    // While queued: unlinks the waiter and gives back the permits already assigned to it.
    ~Acquire();

    // Throws SemaphoreClosed if the semaphore is (or becomes) closed before all n permits
    // were granted.
    Poll<SemaphorePermit> poll(Context& cx);

   private:
    friend class Semaphore;
    Acquire(Semaphore& semaphore, std::size_t n) noexcept : semaphore_(&semaphore), needed_(n) {}

    enum class State { idle, waiting, done };
    Semaphore* semaphore_;
    std::size_t needed_;
    State state_ = State::idle;
    // node_.amount: permits still missing while queued.
    detail::WaitNode node_;
  };

  // Waits for n permits, FIFO-fair. n == 0 is ready at once (an empty permit) unless the
  // semaphore is closed. n > kMaxPermits: std::invalid_argument.
  Acquire acquire(std::size_t n = 1);
  // n permits now, or nullopt if they are not available, the semaphore is closed, or
  // other waiters are queued ahead. n > kMaxPermits: std::invalid_argument.
  std::optional<SemaphorePermit> try_acquire(std::size_t n = 1);
  // Adds n permits, handing them to queued waiters in FIFO order. Throws
  // std::invalid_argument if the semaphore would hold more than kMaxPermits.
  void release(std::size_t n);
  // Wakes every queued acquire() with SemaphoreClosed; later acquires throw too and
  // try_acquire() returns nullopt. Permits already handed out stay valid and still come
  // back when released. Idempotent.
  void close();
  bool is_closed() const noexcept {
    return (state_.load(std::memory_order_acquire) & kClosed) != 0;
  }
  // Permits free right now (not counting those assigned to a queued waiter).
  std::size_t available_permits() const noexcept {
    return state_.load(std::memory_order_acquire) >> kPermitShift;
  }

 private:
  friend class SemaphorePermit;

  // state_ packs `available permits << kPermitShift | kWaiters | kClosed` into one word, so
  // that try_acquire, an uncontended acquire and a release with nobody queued are a single
  // CAS without mutex_.
  //   - kClosed is set (under mutex_) by close() and never cleared.
  //   - kWaiters is set and cleared only under mutex_ and is set exactly while waiters_ is
  //     non-empty. While it is set the available count is 0: a lock-free acquire (n > 0)
  //     finds too few permits and cannot overtake the queue, and a lock-free release sees
  //     the bit and takes mutex_ to hand its permits to the waiters in FIFO order. Hence,
  //     with the bit set, only holders of mutex_ change state_.
  //   kMaxPermits (max >> 3) shifted by kPermitShift cannot overflow the word.
  static constexpr std::size_t kClosed = 1;
  static constexpr std::size_t kWaiters = 2;
  static constexpr unsigned kPermitShift = 2;

  // The lock-free part of an acquire of n permits: true if they were taken. Throws
  // SemaphoreClosed on a closed semaphore if throw_if_closed, else returns false.
  bool try_take(std::size_t n, bool throw_if_closed);
  // Adds permits with a CAS while nobody is queued; returns false (nothing done) if
  // waiters are queued and the caller must take mutex_. check: throws
  // std::invalid_argument on overflow of kMaxPermits.
  bool try_add(std::size_t n, bool check);
  // Adds permits and assigns them to waiters; the caller holds mutex_.
  void add_permits_locked(std::size_t n, detail::PendingWakes& wakes) noexcept;
  // Clears kWaiters once waiters_ became empty; the caller holds mutex_.
  void sync_waiters_bit_locked() noexcept;
  // Returns permits that were taken (never overflows: they came from this semaphore).
  void give_back(std::size_t n) noexcept;

  mutable std::mutex mutex_;
  std::atomic<std::size_t> state_;
  detail::WaitList waiters_;  // guarded by mutex_; non-empty exactly while kWaiters is set
};

inline void SemaphorePermit::give_back() noexcept {
  if (semaphore_ != nullptr && count_ != 0) semaphore_->give_back(count_);
  count_ = 0;
}

}  // namespace weft
