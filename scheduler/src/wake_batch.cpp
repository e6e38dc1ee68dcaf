#include <weft/scheduler/wake_batch.hpp>

#include <algorithm>

#include "scheduler_core.hpp"

namespace weft {

void WakeBatch::add(Waker&& waker) {
  if (waker.vtable() != &detail::task_waker_vtable) {
    waker.wake();
    return;
  }
  auto* task = static_cast<detail::TaskHeader*>(waker.data());
  waker.release();  // its reference moves into the transition below
  if (detail::transition_to_notified(task, /*consume=*/true)) tasks_.push_back(task);
}

void WakeBatch::add_by_ref(const Waker& waker) {
  if (waker.vtable() != &detail::task_waker_vtable) {
    waker.wake_by_ref();
    return;
  }
  auto* task = static_cast<detail::TaskHeader*>(waker.data());
  if (detail::transition_to_notified(task, /*consume=*/false)) tasks_.push_back(task);
}

void WakeBatch::flush() {
  if (tasks_.empty()) return;
  // Group by scheduler, then by the worker each task last ran on, so that each inbox gets
  // one bulk enqueue. The grouping must keep each worker's tasks in the order they were added
  // (for the reactor, the order their sockets became ready): an unstable sort shuffles a
  // batch of equal keys, and a task it moves to the back waits a whole extra round behind
  // tasks that became ready after it, which was most of the p99 gap to Tokio on the echo and
  // HTTP benchmarks. Most batches are grouped already (one worker, or a driving worker that
  // keeps what it woke), so they skip the sort.
  const auto by_destination = [](detail::TaskHeader* a, detail::TaskHeader* b) {
    if (a->scheduler != b->scheduler) return a->scheduler < b->scheduler;
    return a->last_worker.load(std::memory_order_relaxed) <
           b->last_worker.load(std::memory_order_relaxed);
  };
  if (!std::is_sorted(tasks_.begin(), tasks_.end(), by_destination)) {
    std::stable_sort(tasks_.begin(), tasks_.end(), by_destination);
  }
  std::size_t begin = 0;
  while (begin < tasks_.size()) {
    std::size_t end = begin + 1;
    while (end < tasks_.size() && tasks_[end]->scheduler == tasks_[begin]->scheduler) ++end;
    tasks_[begin]->scheduler->schedule_remote(
        std::span<detail::TaskHeader*>(tasks_.data() + begin, end - begin));
    begin = end;
  }
  tasks_.clear();
}

}  // namespace weft
