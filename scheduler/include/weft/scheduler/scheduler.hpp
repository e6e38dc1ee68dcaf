#pragma once
// Scheduler: W worker threads with local queues, inboxes, a LIFO slot, work stealing and
// parking. It runs tasks (TaskHeader) and knows nothing of coroutines; weft::Runtime
// builds on it.

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include <weft/scheduler/detail/task_header.hpp>
#include <weft/scheduler/metrics.hpp>
#include <weft/scheduler/scheduler_options.hpp>

namespace weft {

class Scheduler {
 public:
  explicit Scheduler(SchedulerOptions options);
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  ~Scheduler();  // shutdown()

  // Takes ownership of one reference to a new task in state NOTIFIED and queues it (on
  // this worker when called from one of our workers, else on an inbox). After shutdown
  // began, the task is cancelled at once instead.
  void spawn(detail::TaskHeader* task);

  // Stops the workers (each finishes the poll it is in), joins their threads, then cancels
  // every task that has not completed and destroys its future. Idempotent. Returns false
  // if the workers did not stop within `timeout` (a task blocking its thread); the
  // threads are then still joined before the destructor returns. Called from one of this
  // scheduler's own tasks it only starts the shutdown and returns false at once (the
  // calling worker cannot stop while it waits); the destructor completes it.
  bool shutdown(std::chrono::milliseconds timeout = std::chrono::milliseconds::max());

  std::size_t worker_count() const noexcept;
  std::vector<WorkerMetrics> metrics() const;

  // The index of the calling thread's worker in this scheduler, or -1.
  long current_worker_index() const noexcept;

  detail::SchedulerCore& core() noexcept { return *core_; }

 private:
  std::unique_ptr<detail::SchedulerCore> core_;
};

}  // namespace weft
