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
  // one bulk enqueue.
  std::sort(tasks_.begin(), tasks_.end(), [](detail::TaskHeader* a, detail::TaskHeader* b) {
    if (a->scheduler != b->scheduler) return a->scheduler < b->scheduler;
    return a->last_worker.load(std::memory_order_relaxed) <
           b->last_worker.load(std::memory_order_relaxed);
  });
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
