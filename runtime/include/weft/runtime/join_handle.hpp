#pragma once
// JoinHandle<T>: the spawner's side of a task. co_await it (it is a Future) for the task's
// result, or the exception that escaped it (TaskCancelled if it was aborted). Dropping it
// detaches the task, which runs on; detach() says so explicitly.

#include <utility>

#include <weft/runtime/detail/outcome.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/detail/task_header.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft {

template <class T>
class [[nodiscard]] JoinHandle {
 public:
  JoinHandle() noexcept = default;
  JoinHandle(detail::TaskHeader* task, detail::Outcome<T>* outcome) noexcept
      : task_(task), outcome_(outcome) {}
  JoinHandle(JoinHandle&& other) noexcept
      : task_(std::exchange(other.task_, nullptr)),
        outcome_(std::exchange(other.outcome_, nullptr)) {}
  JoinHandle& operator=(JoinHandle&& other) noexcept {
    if (this != &other) {
      detach();
      task_ = std::exchange(other.task_, nullptr);
      outcome_ = std::exchange(other.outcome_, nullptr);
    }
    return *this;
  }
  JoinHandle(const JoinHandle&) = delete;
  JoinHandle& operator=(const JoinHandle&) = delete;
  ~JoinHandle() { detach(); }

  // Ready with the result once the task has completed; throws what the task threw.
  Poll<T> poll(Context& cx) {
    if (!detail::task_is_complete(task_)) {
      task_->join_waker.register_waker(cx.waker());
      if (!detail::task_is_complete(task_)) return pending;
    }
    if constexpr (std::is_void_v<T>) {
      outcome_->take();
      return ready;
    } else {
      return outcome_->take();
    }
  }

  bool is_finished() const noexcept { return task_ && detail::task_is_complete(task_); }

  // Cancels the task at its next suspension point: its future (coroutine frame included)
  // is destroyed, and awaiting this handle throws TaskCancelled. No effect on a task that
  // already completed.
  void abort() noexcept {
    if (task_) detail::task_abort(task_);
  }

  // Lets the task run on unobserved; an exception escaping it then goes to the runtime's
  // unhandled-exception handler.
  void detach() noexcept {
    if (task_) {
      detail::task_drop_join_interest(std::exchange(task_, nullptr));
      outcome_ = nullptr;
    }
  }

  bool valid() const noexcept { return task_ != nullptr; }

 private:
  detail::TaskHeader* task_ = nullptr;
  detail::Outcome<T>* outcome_ = nullptr;
};

}  // namespace weft
