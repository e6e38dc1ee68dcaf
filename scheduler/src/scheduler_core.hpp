#pragma once
// SchedulerCore: the scheduler's shared state and the worker threads.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include <concurrentqueue/concurrentqueue.h>

#include <weft/scheduler/detail/local_queue.hpp>
#include <weft/scheduler/detail/task_header.hpp>
#include <weft/scheduler/metrics.hpp>
#include <weft/scheduler/scheduler_options.hpp>

#include <weft/scheduler/detail/parker.hpp>
#include "idle.hpp"
#include "memory_releaser.hpp"
#include "owned_tasks.hpp"
#include "worker_thread.hpp"

namespace weft::detail {

class SchedulerCore;

// The inbox: tasks pushed from other threads. Its owner drains it with a consumer token,
// which makes moodycamel rotate between producer threads every 64 tasks; without one it
// favours the fullest producer, and a thread that keeps spawning would starve tasks queued
// earlier by others.
struct InboxTraits : moodycamel::ConcurrentQueueDefaultTraits {
  static const std::uint32_t EXPLICIT_CONSUMER_CONSUMPTION_QUOTA_BEFORE_ROTATE = 64;
};
using Inbox = moodycamel::ConcurrentQueue<TaskHeader*, InboxTraits>;

// Counters a worker bumps on its own thread (load + store, no locked instruction); other
// threads only read them, except `remote_schedules`, which pushers add to.
struct WorkerCounters {
  std::atomic<std::uint64_t> polls{0}, steal_operations{0}, steals{0}, parks{0}, unparks{0},
      spins{0}, local_schedules{0}, remote_schedules{0}, overflows{0}, lifo_hits{0},
      stalled_peer_steals{0};

  static void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) noexcept {
    counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }
};

class Worker {
 public:
  Worker(SchedulerCore& core, std::uint32_t index) : core_(core), index_(index) {}

  void run();  // the worker loop, on the worker's own thread

  // On this worker's thread only: queue a task woken here. Yielded tasks go to the back of
  // the queue; others take the LIFO slot, which runs next (message-passing locality).
  void schedule_local(TaskHeader* task, bool is_yield);
  // On this worker's thread only: queue tasks it woke between polls (driving the reactor),
  // in order, at the back of the local queue. The caller notifies.
  void keep_woken(std::span<TaskHeader*> tasks);

  std::uint32_t index() const noexcept { return index_; }
  SchedulerCore& core() noexcept { return core_; }
  // True while this worker runs a task (and the LIFO streak after it), i.e. when a task it
  // wakes will be picked up by run_task() without anyone being notified.
  bool running_task() const noexcept { return running_task_; }
  bool has_queued_work() const noexcept;
  WorkerMetrics read_metrics() const noexcept;

  LocalQueue<TaskHeader> local;
  Inbox inbox;
  moodycamel::ConsumerToken inbox_token{inbox};  // owner thread only
  Parker parker;
  WorkerCounters counters;
  TaskHeader* lifo = nullptr;  // owner thread only

 private:
  TaskHeader* next_task();
  TaskHeader* take_from_own_inbox();
  TaskHeader* take_from_inbox(Inbox& from);
  TaskHeader* refill_from(std::span<TaskHeader*> batch);
  std::size_t inbox_batch_size() const noexcept;
  TaskHeader* steal_work();
  TaskHeader* steal_half_of(Worker& victim);
  void count_steal(std::uint32_t local_size_before);
  TaskHeader* take_from_stalled_peer();
  void run_task(TaskHeader* task);
  void poll_task(TaskHeader* task);
  bool spin_for_work();
  void park();
  void push_back(TaskHeader* task);

  SchedulerCore& core_;
  const std::uint32_t index_;
  bool searching_ = false;
  bool running_task_ = false;
  std::uint32_t tick_ = 0;
  std::uint32_t rng_ = 0;
  // counters.polls when this worker last asked for a memory release, and the releaser's
  // release count then (owner thread only).
  std::uint64_t polls_at_release_request_ = 0;
  std::uint64_t releases_seen_ = 0;
  // take_from_stalled_peer() (owner thread only): the watched peer it looked at last, as an
  // offset into its window, and each watched peer's poll count when it last looked.
  static constexpr std::size_t kWatchedPeers = 8;
  std::uint32_t next_watched_ = 0;
  std::array<std::uint64_t, kWatchedPeers> watched_polls_{};
};

class SchedulerCore {
 public:
  explicit SchedulerCore(SchedulerOptions options);
  ~SchedulerCore();

  void start();
  void spawn(TaskHeader* task);
  // `task` is NOTIFIED and carries one queue reference, which the queue takes over.
  void schedule(TaskHeader* task);
  // Queues tasks (each NOTIFIED with a queue reference) from any thread: on one of this
  // scheduler's workers, to its own local queue; elsewhere, to the inboxes of the workers
  // they last ran on, one bulk enqueue per worker.
  void schedule_remote(std::span<TaskHeader*> tasks);
  // A task finished (or was cancelled) while a worker held its queue reference.
  void complete(TaskHeader* task) noexcept;
  // A task that cannot run any more (shutdown, or spawned after it) is cancelled here.
  void cancel_unscheduled(TaskHeader* task, bool in_registry) noexcept;
  bool shutdown(std::chrono::milliseconds timeout);

  // Wakes a sleeping worker if work is waiting and nobody is looking for it.
  void notify_parked(std::uint32_t preferred);
  // Called by the last searcher before it sleeps.
  bool any_worker_has_work() const noexcept;

  bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }
  const SchedulerOptions& options() const noexcept { return options_; }
  std::size_t worker_count() const noexcept { return workers_.size(); }
  // How many CPUs the workers may keep busy at once (cpu_budget() when the scheduler was made).
  std::size_t cpu_budget() const noexcept { return cpu_budget_; }
  Worker& worker(std::size_t i) noexcept { return *workers_[i]; }
  Idle& idle() noexcept { return idle_; }
  MemoryReleaser& memory_releaser() noexcept { return memory_releaser_; }
  std::vector<WorkerMetrics> metrics() const;
  void worker_exited();

 private:
  void teardown() noexcept;
  void drain_queues() noexcept;
  // The idle driver's measure of progress (IdleDriver::watch_progress): every poll counts.
  static std::uint64_t total_polls(const void* self) noexcept;
  void push_to_inboxes(std::span<TaskHeader*> tasks);
  std::uint32_t pick_remote_worker(const TaskHeader* task) noexcept;

  const SchedulerOptions options_;
  const std::vector<unsigned> cpus_;  // usable_cpus(), read once: where pinned workers go
  const std::size_t cpu_budget_;      // cpu_budget() of that mask, read once: the spin rule
  // Before the workers, so that it outlives every thread that may call request().
  MemoryReleaser memory_releaser_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<WorkerThread>> threads_;
  Idle idle_;
  OwnedTasks owned_;
  std::atomic<bool> closed_{false};
  std::atomic<std::uint32_t> remote_pushers_{0};
  std::atomic<std::uint32_t> next_remote_{0};

  std::mutex exit_mutex_;
  std::condition_variable exit_cv_;
  std::size_t exited_ = 0;
  bool torn_down_ = false;
};

// The worker running on this thread, if any.
Worker* current_worker() noexcept;

// State transitions shared by the wake paths (task.cpp).
// Marks `task` NOTIFIED. Returns true if the caller must now queue it, passing on one
// reference (taken from the consumed waker when `consume`, else newly added).
bool transition_to_notified(TaskHeader* task, bool consume) noexcept;
extern const WakerVTable task_waker_vtable;
// The current poll's remaining cooperative budget (worker.cpp, read by coop.cpp).
std::uint32_t& poll_budget() noexcept;

}  // namespace weft::detail
