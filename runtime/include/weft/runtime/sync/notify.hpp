#pragma once
// Notify: wakes tasks waiting for "something changed", without a lost wakeup.
//
//   weft::Notify ready;
//   // consumer task:                      // producer (any thread):
//   while (!queue.try_pop(item)) {          queue.push(item);
//     co_await ready.notified();            ready.notify_one();
//   }
//
// notify_one() wakes the longest-waiting notified() future, or, if nobody waits, stores one
// permit (at most one) that the next notified() consumes at once: a notification sent just
// before the consumer starts waiting is not lost. notify_all() wakes every waiter whose
// notified() future was created before the call (polled or not) and stores no permit.
//
// Cancellation: a notified() future destroyed after notify_one() picked it, but before it
// saw the notification, passes it to the next waiter, or back to the stored permit. All
// members are callable from any thread; co_await notified() inside a task.

#include <atomic>
#include <cstdint>
#include <mutex>

#include <weft/runtime/detail/wait_list.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft {

class Notify {
 public:
  Notify() = default;
  Notify(const Notify&) = delete;
  Notify& operator=(const Notify&) = delete;
  Notify(Notify&&) = delete;  // waiters point into it
  Notify& operator=(Notify&&) = delete;
  ~Notify() = default;

  // The future notified() returns. Movable only before its first poll.
  class [[nodiscard]] Notified {
   public:
    Notified(Notified&& other) noexcept;
    Notified(const Notified&) = delete;
    Notified& operator=(const Notified&) = delete;
    Notified& operator=(Notified&&) = delete;
    ~Notified();

    Poll<void> poll(Context& cx);

   private:
    friend class Notify;
    Notified(Notify& notify, std::uint64_t generation) noexcept
        : notify_(&notify), generation_(generation) {}

    enum class State { idle, waiting, done };
    Notify* notify_;
    std::uint64_t generation_;  // notify_all() calls seen when the future was created
    State state_ = State::idle;
    // node_.amount, once granted: 1 if by notify_one() (to pass on if unused), 0 if by
    // notify_all().
    detail::WaitNode node_;
  };

  Notified notified() noexcept {
    return Notified(*this, all_generation_.load(std::memory_order_acquire));
  }
  void notify_one();
  void notify_all();

 private:
  // Gives a notify_one() notification to the head waiter, or stores it. Caller holds mutex_.
  void notify_one_locked(detail::PendingWakes& wakes);

  std::mutex mutex_;
  bool permit_ = false;  // guarded by mutex_
  detail::WaitList waiters_;
  // Incremented (under mutex_) by each notify_all().
  std::atomic<std::uint64_t> all_generation_{0};
};

}  // namespace weft
