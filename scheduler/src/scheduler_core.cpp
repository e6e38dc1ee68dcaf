#include "scheduler_core.hpp"

#include <cstdio>
#include <exception>
#include <string>
#include <system_error>
#include <thread>

#include <weft/scheduler/usable_cpus.hpp>

namespace weft::detail {

using namespace task_state;

SchedulerCore::SchedulerCore(SchedulerOptions options)
    : options_(std::move(options)),
      cpus_(usable_cpus()),
      cpu_budget_(detail::cpu_budget_of(cpus_.size())),
      memory_releaser_(options_.memory_release_interval),
      idle_(static_cast<std::uint32_t>(options_.worker_threads)) {
  workers_.reserve(options_.worker_threads);
  for (std::size_t i = 0; i < options_.worker_threads; ++i) {
    workers_.push_back(std::make_unique<Worker>(*this, static_cast<std::uint32_t>(i)));
    workers_.back()->parker.set_driver(options_.idle_driver);
  }
  exited_ = workers_.size();  // none running until start()
  if (options_.idle_driver) options_.idle_driver->watch_progress(&total_polls, this);
}

SchedulerCore::~SchedulerCore() {
  shutdown(std::chrono::milliseconds::max());
  drain_queues();  // anything a late waker pushed while we tore down
  if (options_.idle_driver) options_.idle_driver->watch_progress(nullptr, nullptr);
}

std::uint64_t SchedulerCore::total_polls(const void* self) noexcept {
  std::uint64_t polls = 0;
  for (const auto& w : static_cast<const SchedulerCore*>(self)->workers_) {
    polls += w->counters.polls.load(std::memory_order_relaxed);
  }
  return polls;
}

void SchedulerCore::start() {
  threads_.reserve(workers_.size());
  exited_ = 0;
  try {
    for (auto& worker : workers_) {
      ThreadSpec spec;
      spec.name = options_.thread_name_prefix + "-" + std::to_string(worker->index());
      spec.stack_size = options_.thread_stack_size;
      // Pinning stays inside the mask the process was started with (taskset, a cpuset).
      spec.pin_to_cpu = options_.pin_threads ? long(cpus_[worker->index() % cpus_.size()]) : -1;
      Worker* w = worker.get();
      threads_.push_back(std::make_unique<WorkerThread>(spec, [w] { w->run(); }));
    }
  } catch (...) {
    // Nothing starts half-configured: stop the workers that did start, then report which
    // one failed (the runtime names the settings behind it).
    const std::size_t failed = threads_.size() + 1;
    {
      std::lock_guard lock(exit_mutex_);
      exited_ += workers_.size() - threads_.size();
    }
    shutdown(std::chrono::milliseconds::max());
    try {
      throw;
    } catch (const std::system_error& error) {
      throw std::system_error(error.code(), "worker thread " + std::to_string(failed) + " of " +
                                                std::to_string(workers_.size()) +
                                                " could not be started");
    }
  }
}

void SchedulerCore::spawn(TaskHeader* task) {
  task->scheduler = this;
  if (!owned_.bind(task)) {
    cancel_unscheduled(task, /*in_registry=*/false);
    return;
  }
  schedule(task);
}

void SchedulerCore::schedule(TaskHeader* task) {
  Worker* w = current_worker();
  // The LIFO slot only while the worker runs a task: between tasks (driving the reactor in
  // the shared mode, spinning, parking) nothing would look at the slot, so the task goes to
  // the back of the worker's local queue instead, with a notify that ends a park
  // (schedule_remote).
  if (w != nullptr && &w->core() == this && w->running_task()) {
    w->schedule_local(task, /*is_yield=*/false);
    return;
  }
  schedule_remote(std::span<TaskHeader*>(&task, 1));
}

std::uint32_t SchedulerCore::pick_remote_worker(const TaskHeader* task) noexcept {
  const std::uint32_t last = task->last_worker.load(std::memory_order_relaxed);
  if (last != kNoWorker) return last;
  return next_remote_.fetch_add(1, std::memory_order_relaxed) % workers_.size();
}

void SchedulerCore::schedule_remote(std::span<TaskHeader*> tasks) {
  if (tasks.empty()) return;
  // The pusher count lets shutdown wait for in-flight pushes before it drains the inboxes
  // (seq_cst on both sides: either we see `closed_` or shutdown sees us).
  remote_pushers_.fetch_add(1, std::memory_order_seq_cst);
  if (closed_.load(std::memory_order_seq_cst)) {
    remote_pushers_.fetch_sub(1, std::memory_order_seq_cst);
    for (TaskHeader* task : tasks) task_ref_dec(task);
    return;
  }
  // A worker that dispatches IO itself (the shared reactor mode) keeps what it woke: it is
  // awake and about to look for work, while the tasks' previous workers may be asleep, and
  // waking one of them would bring back the hop this mode exists to avoid. The tasks go
  // straight to the back of its local queue, where thieves can reach them, instead of
  // through its inbox: the inbox is for other threads, and a trip through it costs an
  // enqueue and a dequeue per task on the hottest path of an IO server. The notify ends
  // the worker's own park when it woke them while driving, and otherwise wakes an idle
  // peer to steal.
  Worker* self = current_worker();
  if (self != nullptr && &self->core() == this) {
    self->keep_woken(tasks);
    notify_parked(self->index());
  } else {
    push_to_inboxes(tasks);
  }
  // Only now: teardown waits for this count to reach zero before it frees the workers, and
  // the notifies above still read them.
  remote_pushers_.fetch_sub(1, std::memory_order_seq_cst);
}

void SchedulerCore::push_to_inboxes(std::span<TaskHeader*> tasks) {
  // Group runs of tasks bound for the same worker into one bulk enqueue each. Callers
  // with many tasks (WakeBatch) sort them by worker first.
  std::uint32_t notified[64];
  std::size_t notified_count = 0;
  std::size_t begin = 0;
  while (begin < tasks.size()) {
    const std::uint32_t target = pick_remote_worker(tasks[begin]);
    std::size_t end = begin + 1;
    while (end < tasks.size() &&
           tasks[end]->last_worker.load(std::memory_order_relaxed) == target) {
      ++end;
    }
    Worker& w = *workers_[target];
    if (!w.inbox.enqueue_bulk(tasks.begin() + begin, end - begin)) {
      std::fputs("weft: out of memory while queueing tasks\n", stderr);
      std::terminate();
    }
    w.counters.remote_schedules.fetch_add(end - begin, std::memory_order_relaxed);
    if (notified_count < 64) notified[notified_count++] = target;
    begin = end;
  }
  // One notify per target at most; after the first wakes a searcher the rest are cheap
  // no-ops, and searchers chain further wakeups only while they keep finding work.
  for (std::size_t i = 0; i < notified_count; ++i) notify_parked(notified[i]);
}

void SchedulerCore::notify_parked(std::uint32_t preferred) {
  const long chosen = idle_.worker_to_notify(preferred);
  if (chosen >= 0) workers_[static_cast<std::size_t>(chosen)]->parker.unpark();
}

bool SchedulerCore::any_worker_has_work() const noexcept {
  for (const auto& w : workers_) {
    if (w->has_queued_work()) return true;
  }
  return false;
}

void SchedulerCore::complete(TaskHeader* task) noexcept {
  const std::uint64_t prev = task->state.fetch_xor(kRunning | kComplete, std::memory_order_acq_rel);
  if (prev & kJoinInterest) {
    task->join_waker.wake();
  } else {
    task->vtable->report_detached(task);
  }
  owned_.remove(task);
  // Drop the registry's reference and the queue's.
  const std::uint64_t before = task->state.fetch_sub(2 * kRefOne, std::memory_order_acq_rel);
  if ((before >> kRefShift) == 2) task->vtable->destroy(task);
}

void SchedulerCore::cancel_unscheduled(TaskHeader* task, bool in_registry) noexcept {
  // Called with no worker running (shutdown) or for a task that never reached a queue.
  std::uint64_t s = task->state.load(std::memory_order_acquire);
  while (
      !task->state.compare_exchange_weak(s, s | kRunning | kCancelled, std::memory_order_acq_rel)) {
  }
  task->vtable->cancel(task);
  const std::uint64_t prev = task->state.fetch_xor(kRunning | kComplete, std::memory_order_acq_rel);
  if (prev & kJoinInterest) {
    task->join_waker.wake();
  } else {
    task->vtable->report_detached(task);
  }
  // A registry reference (in_registry), and for a fresh spawn also its queue reference.
  const std::uint64_t refs = in_registry ? kRefOne : 2 * kRefOne;
  const std::uint64_t before = task->state.fetch_sub(refs, std::memory_order_acq_rel);
  if ((before >> kRefShift) == refs / kRefOne) task->vtable->destroy(task);
}

void SchedulerCore::worker_exited() {
  std::lock_guard lock(exit_mutex_);
  ++exited_;
  exit_cv_.notify_all();
}

bool SchedulerCore::shutdown(std::chrono::milliseconds timeout) {
  if (!closed_.exchange(true, std::memory_order_seq_cst)) {
    owned_.close();
    for (auto& w : workers_) w->parker.unpark();
  }
  // Called from one of our own tasks: the calling worker cannot stop while it waits here,
  // so only start the shutdown; the runtime's destructor (on another thread) completes it.
  if (Worker* w = current_worker(); w != nullptr && &w->core() == this) return false;
  {
    std::unique_lock lock(exit_mutex_);
    auto all_exited = [&] { return exited_ == workers_.size(); };
    if (timeout == std::chrono::milliseconds::max()) {
      exit_cv_.wait(lock, all_exited);
    } else if (!exit_cv_.wait_for(lock, timeout, all_exited)) {
      return false;
    }
    if (torn_down_) return true;
    torn_down_ = true;
  }
  threads_.clear();  // joins
  teardown();
  return true;
}

void SchedulerCore::teardown() noexcept {
  while (remote_pushers_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
  drain_queues();
  // Cancel what is left one task at a time: destroying a future may drop wakers, join
  // handles or other tasks, which must find the registry consistent.
  while (TaskHeader* task = owned_.pop_any()) cancel_unscheduled(task, /*in_registry=*/true);
  drain_queues();
}

void SchedulerCore::drain_queues() noexcept {
  for (auto& w : workers_) {
    if (TaskHeader* task = std::exchange(w->lifo, nullptr)) task_ref_dec(task);
    while (TaskHeader* task = w->local.pop()) task_ref_dec(task);
    TaskHeader* task = nullptr;
    while (w->inbox.try_dequeue(task)) task_ref_dec(task);
  }
}

std::vector<WorkerMetrics> SchedulerCore::metrics() const {
  std::vector<WorkerMetrics> out;
  out.reserve(workers_.size());
  for (const auto& w : workers_) out.push_back(w->read_metrics());
  return out;
}

}  // namespace weft::detail
