#pragma once
// The part of every task the scheduler knows: one atomic state word, a vtable for the
// parts it does not know (the future, its output), and the links the scheduler needs.
//
// State word (in the spirit of Tokio's): flag bits below, a reference count above them.
//   RUNNING        a worker is polling the task right now
//   NOTIFIED       the task is queued, or must be re-queued when the current poll ends
//   COMPLETE       the future finished (or was cancelled); the output is stored
//   CANCELLED      abort() was requested: the next poll destroys the future instead
//   JOIN_INTEREST  a JoinHandle still wants the output
// References are held by: the owned-tasks registry, each queue entry (one per NOTIFIED
// push), the JoinHandle, and every Waker.

#include <atomic>
#include <cstdint>

#include <weft/scheduler/atomic_waker.hpp>
#include <weft/scheduler/context.hpp>

namespace weft::detail {

class SchedulerCore;
struct TaskHeader;

struct TaskVTable {
  // Polls the future once. Returns true when it finished: the output is stored and the
  // future destroyed.
  bool (*poll)(TaskHeader* task, Context& cx);
  // Destroys the future without finishing it and stores the "cancelled" outcome.
  void (*cancel)(TaskHeader* task) noexcept;
  // Called once if the task completed with nobody left to join it: reports a failure
  // (an escaped exception) to the runtime's handler.
  void (*report_detached)(TaskHeader* task) noexcept;
  // Frees the task (the reference count reached zero).
  void (*destroy)(TaskHeader* task) noexcept;
};

namespace task_state {
inline constexpr std::uint64_t kRunning = 1u << 0;
inline constexpr std::uint64_t kNotified = 1u << 1;
inline constexpr std::uint64_t kComplete = 1u << 2;
inline constexpr std::uint64_t kCancelled = 1u << 3;
inline constexpr std::uint64_t kJoinInterest = 1u << 4;
inline constexpr int kRefShift = 6;
inline constexpr std::uint64_t kRefOne = std::uint64_t(1) << kRefShift;
inline constexpr std::uint64_t kFlagsMask = kRefOne - 1;
}  // namespace task_state

inline constexpr std::uint32_t kNoWorker = ~std::uint32_t(0);

struct TaskHeader {
  TaskHeader(const TaskVTable* vt, std::uint64_t initial_state) noexcept
      : state(initial_state), vtable(vt) {}

  std::atomic<std::uint64_t> state;
  const TaskVTable* vtable;
  SchedulerCore* scheduler = nullptr;
  // Worker that polled the task last: a wake from outside is routed to its inbox, where
  // the task's data is likely still in cache.
  std::atomic<std::uint32_t> last_worker{kNoWorker};
  std::uint32_t owned_shard = 0;
  TaskHeader* owned_prev = nullptr;  // links in the owned-tasks registry, under its lock
  TaskHeader* owned_next = nullptr;
  AtomicWaker join_waker;
};

// Reference counting. Dropping the last reference destroys the task.
void task_ref_inc(TaskHeader* task) noexcept;
void task_ref_dec(TaskHeader* task) noexcept;

// A new Waker (one more reference) for `task`.
Waker task_waker(TaskHeader* task) noexcept;

// JoinHandle side of the state machine.
bool task_is_complete(const TaskHeader* task) noexcept;
// Clears JOIN_INTEREST and drops the handle's reference; reports an escaped exception if
// the task already finished and nobody will read its output.
void task_drop_join_interest(TaskHeader* task) noexcept;
// Requests cancellation: the task's future is destroyed at its next suspension point.
void task_abort(TaskHeader* task) noexcept;

}  // namespace weft::detail
