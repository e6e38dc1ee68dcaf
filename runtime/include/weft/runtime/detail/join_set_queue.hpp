#pragma once
// The completion-order machinery behind JoinSet.
//
// Each child task has an entry holding its JoinHandle. The entry is also a Waker: the set
// polls the child's JoinHandle with the entry's waker, so the task's completion wakes the
// entry, which puts itself on the set's ready queue and wakes the task awaiting
// join_next(). Children finish on any worker, so the queue is guarded by a mutex and the
// set's waiter is an AtomicWaker (register, then check the queue: no lost wakeup).
//
// Entries and the queue are reference counted: a child's join waker may hold a clone of
// its entry's waker after the set is gone (until the aborted task completes), and such a
// late wake must find live memory that tells it the set is closed.

#include <atomic>
#include <cstddef>
#include <deque>
#include <mutex>
#include <utility>

#include <weft/scheduler/atomic_waker.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/waker.hpp>

namespace weft::detail {

class JoinSetQueue;

// The untyped part of a JoinSet entry (the typed part, JoinSetEntry<T>, adds the handle
// and the result).
class JoinSetEntryBase {
 public:
  explicit JoinSetEntryBase(JoinSetQueue* queue) noexcept;
  JoinSetEntryBase(const JoinSetEntryBase&) = delete;
  JoinSetEntryBase& operator=(const JoinSetEntryBase&) = delete;
  virtual ~JoinSetEntryBase();

  void acquire() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // A borrowed waker (no reference taken) that queues this entry when woken.
  Waker borrowed_waker() noexcept { return Waker(&kVTable, this); }

  // Links in the set's list of members: touched only by the set's owner.
  JoinSetEntryBase* prev = nullptr;
  JoinSetEntryBase* next = nullptr;

 private:
  friend class JoinSetQueue;

  static void* clone(void* data) noexcept {
    static_cast<JoinSetEntryBase*>(data)->acquire();
    return data;
  }
  static void wake(void* data) noexcept {
    wake_by_ref(data);
    drop(data);
  }
  static void wake_by_ref(void* data) noexcept;
  static void drop(void* data) noexcept { static_cast<JoinSetEntryBase*>(data)->release(); }
  static constexpr WakerVTable kVTable = {&clone, &wake, &wake_by_ref, &drop};

  std::atomic<std::size_t> refs_{1};  // the set's, one per queued copy, one per waker clone
  JoinSetQueue* queue_;
  // Guarded by the queue's mutex.
  bool member_ = true;  // still in the set (not yet returned by join_next, set not gone)
  bool queued_ = false;
};

class JoinSetQueue {
 public:
  JoinSetQueue() = default;
  JoinSetQueue(const JoinSetQueue&) = delete;
  JoinSetQueue& operator=(const JoinSetQueue&) = delete;

  void acquire() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // Queues `entry` unless it is already queued or no longer a member.
  void push(JoinSetEntryBase& entry) noexcept {
    {
      std::lock_guard lock(mutex_);
      if (closed_ || !entry.member_ || entry.queued_) return;
      entry.queued_ = true;
      entry.acquire();  // the queue's reference
      // Allocation failure here (inside a noexcept wake) terminates, as any OOM in a
      // waker would.
      ready_.push_back(&entry);
    }
    waiter_.wake();
  }

  // The next queued member, with a reference the caller must release, or nullptr.
  JoinSetEntryBase* pop() noexcept {
    for (;;) {
      JoinSetEntryBase* entry = nullptr;
      {
        std::lock_guard lock(mutex_);
        if (ready_.empty()) return nullptr;
        entry = ready_.front();
        ready_.pop_front();
        entry->queued_ = false;
        if (entry->member_) return entry;
      }
      entry->release();  // queued before it left the set: outside the lock
    }
  }

  // The entry leaves the set: later wakes of it are ignored.
  void remove(JoinSetEntryBase& entry) noexcept {
    std::lock_guard lock(mutex_);
    entry.member_ = false;
  }

  void register_waiter(const Waker& waker) noexcept { waiter_.register_waker(waker); }

  // The set is gone: ignore every later wake and drop what is queued.
  void close() noexcept {
    std::deque<JoinSetEntryBase*> dropped;
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      dropped.swap(ready_);
      for (JoinSetEntryBase* entry : dropped) entry->queued_ = false;
    }
    for (JoinSetEntryBase* entry : dropped) entry->release();
    waiter_.clear();
  }

 private:
  ~JoinSetQueue() = default;

  std::atomic<std::size_t> refs_{1};  // the set's, plus one per live entry
  std::mutex mutex_;
  std::deque<JoinSetEntryBase*> ready_;
  bool closed_ = false;
  AtomicWaker waiter_;  // the task awaiting join_next()
};

inline JoinSetEntryBase::JoinSetEntryBase(JoinSetQueue* queue) noexcept : queue_(queue) {
  queue_->acquire();
}
inline JoinSetEntryBase::~JoinSetEntryBase() {
  queue_->release();
}
inline void JoinSetEntryBase::wake_by_ref(void* data) noexcept {
  auto* entry = static_cast<JoinSetEntryBase*>(data);
  entry->queue_->push(*entry);
}

}  // namespace weft::detail
