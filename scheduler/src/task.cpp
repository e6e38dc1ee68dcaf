// The task state machine: references, wakes, abort, join interest. The transitions that
// belong to polling (running, idle, complete) are in worker.cpp beside the loop that
// drives them.

#include <weft/scheduler/detail/task_header.hpp>

#include "scheduler_core.hpp"

namespace weft::detail {

using namespace task_state;

void task_ref_inc(TaskHeader* task) noexcept {
  task->state.fetch_add(kRefOne, std::memory_order_relaxed);
}

void task_ref_dec(TaskHeader* task) noexcept {
  const std::uint64_t prev = task->state.fetch_sub(kRefOne, std::memory_order_acq_rel);
  if ((prev >> kRefShift) == 1) task->vtable->destroy(task);
}

bool transition_to_notified(TaskHeader* task, bool consume) noexcept {
  std::uint64_t s = task->state.load(std::memory_order_acquire);
  for (;;) {
    std::uint64_t next;
    bool schedule = false;
    if (s & (kComplete | kNotified)) {
      if (!consume) return false;
      next = s - kRefOne;  // nothing to do but give back the waker's reference
    } else if (s & kRunning) {
      // The worker polling it will see NOTIFIED and re-queue it when the poll ends.
      next = consume ? (s | kNotified) - kRefOne : (s | kNotified);
    } else {
      next = consume ? (s | kNotified) : (s | kNotified) + kRefOne;
      schedule = true;
    }
    if (task->state.compare_exchange_weak(s, next, std::memory_order_acq_rel,
                                          std::memory_order_acquire)) {
      if (!schedule && consume && (next >> kRefShift) == 0) task->vtable->destroy(task);
      return schedule;
    }
  }
}

namespace {

void* waker_clone(void* data) noexcept {
  task_ref_inc(static_cast<TaskHeader*>(data));
  return data;
}

void waker_wake(void* data) noexcept {
  auto* task = static_cast<TaskHeader*>(data);
  if (transition_to_notified(task, /*consume=*/true)) task->scheduler->schedule(task);
}

void waker_wake_by_ref(void* data) noexcept {
  auto* task = static_cast<TaskHeader*>(data);
  if (transition_to_notified(task, /*consume=*/false)) task->scheduler->schedule(task);
}

void waker_drop(void* data) noexcept {
  task_ref_dec(static_cast<TaskHeader*>(data));
}

}  // namespace

const WakerVTable task_waker_vtable = {&waker_clone, &waker_wake, &waker_wake_by_ref, &waker_drop};

Waker task_waker(TaskHeader* task) noexcept {
  task_ref_inc(task);
  return Waker(&task_waker_vtable, task);
}

bool task_is_complete(const TaskHeader* task) noexcept {
  return task->state.load(std::memory_order_acquire) & kComplete;
}

void task_drop_join_interest(TaskHeader* task) noexcept {
  std::uint64_t s = task->state.load(std::memory_order_acquire);
  for (;;) {
    if (s & kComplete) {
      // The completion saw JOIN_INTEREST and left the outcome to us: report it if nobody
      // read it, while our reference still keeps the task alive.
      if (task->state.compare_exchange_weak(s, s & ~kJoinInterest, std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
        task->vtable->report_detached(task);
        task_ref_dec(task);
        return;
      }
    } else if (task->state.compare_exchange_weak(s, (s & ~kJoinInterest) - kRefOne,
                                                 std::memory_order_acq_rel,
                                                 std::memory_order_acquire)) {
      // Still running: one RMW clears the interest and drops the handle's reference (the
      // registry's reference keeps the task alive, so this is never the last one).
      return;
    }
  }
}

void task_abort(TaskHeader* task) noexcept {
  std::uint64_t s = task->state.load(std::memory_order_acquire);
  for (;;) {
    if (s & (kComplete | kCancelled)) return;
    std::uint64_t next = s | kCancelled;
    bool schedule = false;
    if (s & kRunning) {
      next |= kNotified;  // re-queued after the current poll; that next poll cancels
    } else if (!(s & kNotified)) {
      next = (next | kNotified) + kRefOne;  // idle: queue it so that a worker cancels it
      schedule = true;
    }
    if (task->state.compare_exchange_weak(s, next, std::memory_order_acq_rel,
                                          std::memory_order_acquire)) {
      if (schedule) task->scheduler->schedule(task);
      return;
    }
  }
}

}  // namespace weft::detail
