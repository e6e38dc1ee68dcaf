#pragma once
// JoinSet<T>: a group of spawned tasks whose results are collected in completion order.
//
//   weft::JoinSet<int> set;
//   for (auto& url : urls) set.spawn(fetch_size(url));      // runs on the current runtime
//   while (auto size = co_await set.join_next()) total += *size;   // nullopt: set empty
//
// Children run as ordinary spawned tasks, on any worker. join_next() yields the result of
// the next child to finish, or rethrows what it threw (TaskCancelled if it was aborted),
// and nullopt once the set is empty. Destroying the set aborts every child still in it.
// A JoinSet is used by one task at a time (it is not itself thread-safe), and must not be
// moved while a join_next() is pending on it.

#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <weft/runtime/detail/combinator_support.hpp>
#include <weft/runtime/detail/join_set_queue.hpp>
#include <weft/runtime/join_handle.hpp>
#include <weft/runtime/runtime.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/coop.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft {

template <class T>
class JoinSet {
 public:
  // What join_next() yields per child: T, or std::monostate for JoinSet<void>.
  using value_type = detail::value_or_monostate_t<T>;

  // The future join_next() returns; it refers to the set, which must outlive it.
  class JoinNext {
   public:
    explicit JoinNext(JoinSet& set) noexcept : set_(&set) {}
    Poll<std::optional<value_type>> poll(Context& cx) { return set_->poll_join_next(cx); }

   private:
    JoinSet* set_;
  };

  JoinSet() noexcept = default;
  JoinSet(JoinSet&& other) noexcept
      : queue_(std::exchange(other.queue_, nullptr)),
        head_(std::exchange(other.head_, nullptr)),
        size_(std::exchange(other.size_, 0)) {}
  JoinSet& operator=(JoinSet&& other) noexcept {
    if (this != &other) {
      clear();
      queue_ = std::exchange(other.queue_, nullptr);
      head_ = std::exchange(other.head_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  JoinSet(const JoinSet&) = delete;
  JoinSet& operator=(const JoinSet&) = delete;
  // Aborts every child still in the set. Their results are dropped; an exception one of
  // them threw before the abort took effect goes to the runtime's unhandled-exception
  // handler, as for any detached task.
  ~JoinSet() { clear(); }

  // Spawns `work` (a Task<T> or a Future yielding T) on the calling worker's runtime.
  // Outside a runtime's worker thread: std::logic_error (use spawn_on).
  template <detail::Spawnable F>
  void spawn(F&& work) {
    Runtime* runtime = Runtime::current();
    if (runtime == nullptr) {
      throw std::logic_error("weft: JoinSet::spawn() called outside a runtime; use spawn_on()");
    }
    spawn_on(*runtime, std::forward<F>(work));
  }

  // Spawns `work` on `runtime`; callable from any thread.
  template <detail::Spawnable F>
  void spawn_on(Runtime& runtime, F&& work) {
    static_assert(std::is_same_v<detail::awaited_output_t<F>, T>,
                  "JoinSet<T>::spawn: the work must yield exactly T");
    if (queue_ == nullptr) queue_ = new detail::JoinSetQueue;  // owned by its count
    auto entry = std::make_unique<Entry>(queue_);
    entry->handle = runtime.spawn(std::forward<F>(work));
    Entry* added = entry.release();  // owned by its count (the set's reference) from here
    link(added);
    // Registers the entry's waker with the task, or finds it finished already.
    if (added->try_complete()) queue_->push(*added);
  }

  // A future yielding the next child to finish: its value, or the exception it threw
  // (TaskCancelled for an aborted child), or std::nullopt when the set is empty.
  [[nodiscard]] JoinNext join_next() noexcept { return JoinNext(*this); }

  // Requests cancellation of every child; each is still delivered by join_next() (as
  // TaskCancelled, or its result if it had already finished).
  void abort_all() noexcept {
    for (Entry* entry = head_; entry != nullptr; entry = next_of(entry)) entry->handle.abort();
  }

  // Children spawned and not yet returned by join_next().
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  struct Entry : detail::JoinSetEntryBase {
    explicit Entry(detail::JoinSetQueue* queue) noexcept : JoinSetEntryBase(queue) {}

    // Polls the handle with this entry's waker; true once the outcome is here.
    bool try_complete() {
      if (done) return true;
      struct Borrowed {
        Waker waker;
        ~Borrowed() { waker.release(); }
      } borrowed{borrowed_waker()};
      Context cx(borrowed.waker);
      try {
        auto result = detail::poll_as_value(handle, cx);
        if (result.is_pending()) return false;
        value.emplace(std::move(result).value());
      } catch (...) {
        error = std::current_exception();
      }
      done = true;
      return true;
    }

    JoinHandle<T> handle;
    std::optional<value_type> value;
    std::exception_ptr error;
    bool done = false;
  };

  static Entry* next_of(Entry* entry) noexcept { return static_cast<Entry*>(entry->next); }

  void link(Entry* entry) noexcept {
    entry->next = head_;
    if (head_ != nullptr) head_->prev = entry;
    head_ = entry;
    ++size_;
  }
  void unlink(Entry* entry) noexcept {
    if (entry->prev != nullptr) {
      entry->prev->next = entry->next;
    } else {
      head_ = next_of(entry);
    }
    if (entry->next != nullptr) entry->next->prev = entry->prev;
    entry->prev = entry->next = nullptr;
    --size_;
  }

  Poll<std::optional<value_type>> poll_join_next(Context& cx) {
    if (size_ == 0) return std::optional<value_type>();
    if (!coop::poll_proceed(cx)) return pending;  // woken to come back after others ran
    queue_->register_waiter(cx.waker());          // register, then look: no lost wake
    while (detail::JoinSetEntryBase* base = queue_->pop()) {
      auto* entry = static_cast<Entry*>(base);
      struct QueueRef {
        Entry* entry;
        ~QueueRef() { entry->release(); }
      } queue_ref{entry};
      if (!entry->try_complete()) continue;  // a stale wake; its waker is registered again
      unlink(entry);
      queue_->remove(*entry);
      std::optional<value_type> value = std::move(entry->value);
      std::exception_ptr error = std::move(entry->error);
      entry->release();  // the set's reference; the queue's is released on return
      if (error) std::rethrow_exception(error);
      return value;
    }
    return pending;
  }

  void clear() noexcept {
    if (queue_ == nullptr) return;
    queue_->close();
    for (Entry* entry = head_; entry != nullptr;) {
      Entry* next = next_of(entry);
      entry->handle.abort();
      // Detaching breaks the cycle entry -> task -> (join waker) -> entry; the task drops
      // its clone of the entry's waker when it completes.
      entry->handle.detach();
      entry->release();
      entry = next;
    }
    head_ = nullptr;
    size_ = 0;
    std::exchange(queue_, nullptr)->release();
  }

  detail::JoinSetQueue* queue_ = nullptr;  // one reference, created by the first spawn
  Entry* head_ = nullptr;                  // the members, newest first
  std::size_t size_ = 0;
};

}  // namespace weft
