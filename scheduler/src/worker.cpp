// The worker loop: find a task (LIFO slot, local queue, inbox, peers), poll it, and park
// when there is nothing to do. The parking protocol itself is argued in idle.cpp.

#include <algorithm>
#include <array>
#include <chrono>
#include <limits>
#include <utility>

#include <weft/scheduler/detail/cpu_relax.hpp>

#include "scheduler_core.hpp"

namespace weft::detail {

using namespace task_state;

namespace {
thread_local Worker* tl_worker = nullptr;
thread_local std::uint32_t tl_budget = std::numeric_limits<std::uint32_t>::max();

constexpr std::uint32_t kInboxBatch = LocalQueue<TaskHeader>::capacity / 2;

std::uint32_t next_random(std::uint32_t& state) noexcept {
  // xorshift32: cheap and good enough to spread thieves over victims.
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}
}  // namespace

Worker* current_worker() noexcept {
  return tl_worker;
}

std::uint32_t& poll_budget() noexcept {
  return tl_budget;
}

void Worker::run() {
  tl_worker = this;
  rng_ = index_ * 2654435761u + 1;
  if (core_.options().on_thread_start) core_.options().on_thread_start(index_);
  while (!core_.closed()) {
    if (TaskHeader* task = next_task()) {
      run_task(task);
    } else if (TaskHeader* stolen = steal_work()) {
      run_task(stolen);
    } else if (!(searching_ && spin_for_work())) {
      park();
    }
  }
  if (searching_) {
    searching_ = false;
    core_.idle().stop_searching();
  }
  if (core_.options().on_thread_stop) core_.options().on_thread_stop(index_);
  tl_worker = nullptr;
  core_.worker_exited();
}

TaskHeader* Worker::next_task() {
  ++tick_;
  // Fairness: every global_queue_interval ticks the inbox goes first, so tasks woken from
  // outside are not starved by a local queue that never empties.
  if (tick_ % core_.options().global_queue_interval == 0) {
    // In the shared reactor mode, IO that became ready while every worker was busy is
    // dispatched here, by a busy worker, at the same interval.
    if (IdleDriver* driver = core_.options().idle_driver) driver->dispatch_ready();
    TaskHeader* task = nullptr;
    if (inbox.try_dequeue(inbox_token, task)) return task;
    if (TaskHeader* rescued = take_from_stalled_peer()) return rescued;
  }
  if (lifo) {
    counters.bump(counters.lifo_hits);
    return std::exchange(lifo, nullptr);
  }
  if (TaskHeader* task = local.pop()) return task;
  return take_from_own_inbox();
}

// Moves up to half a queue's worth of tasks from an inbox into the (empty) local queue and
// returns one of them. Our own inbox is drained with our consumer token (fair between
// producer threads); a peer's, as a thief, without.
TaskHeader* Worker::take_from_own_inbox() {
  std::array<TaskHeader*, kInboxBatch> batch;
  const std::size_t n = inbox.try_dequeue_bulk(inbox_token, batch.begin(), inbox_batch_size());
  return refill_from(std::span<TaskHeader*>(batch.data(), n));
}

TaskHeader* Worker::take_from_inbox(Inbox& from) {
  if (&from == &inbox) return take_from_own_inbox();
  std::array<TaskHeader*, kInboxBatch> batch;
  const std::size_t n = from.try_dequeue_bulk(batch.begin(), inbox_batch_size());
  return refill_from(std::span<TaskHeader*>(batch.data(), n));
}

std::size_t Worker::inbox_batch_size() const noexcept {
  const std::uint32_t room = LocalQueue<TaskHeader>::capacity - local.size();
  return std::min<std::size_t>(kInboxBatch, room > 0 ? room : 1);
}

TaskHeader* Worker::refill_from(std::span<TaskHeader*> batch) {
  if (batch.empty()) return nullptr;
  for (std::size_t i = 1; i < batch.size(); ++i) push_back(batch[i]);
  return batch[0];
}

TaskHeader* Worker::steal_work() {
  if (!searching_) {
    if (!core_.idle().try_start_searching()) return nullptr;
    searching_ = true;
  }
  const std::size_t n = core_.worker_count();
  const std::size_t start = next_random(rng_) % n;
  for (std::size_t i = 0; i < n; ++i) {
    Worker& victim = core_.worker((start + i) % n);
    if (&victim == this) continue;
    if (TaskHeader* task = steal_half_of(victim)) return task;
  }
  // Inboxes last: our own (a remote push may have landed since next_task), then peers'.
  for (std::size_t i = 0; i <= n; ++i) {
    Worker& victim = i == 0 ? *this : core_.worker((start + i) % n);
    if (i > 0 && &victim == this) continue;
    const std::uint32_t before = local.size();
    if (TaskHeader* task = take_from_inbox(victim.inbox)) {
      if (&victim != this) count_steal(before);
      return task;
    }
  }
  return nullptr;
}

TaskHeader* Worker::steal_half_of(Worker& victim) {
  const std::uint32_t before = local.size();
  TaskHeader* task = victim.local.steal_into(local);
  if (task != nullptr) count_steal(before);
  return task;
}

// A steal hands back one task to run and leaves the rest in the local queue.
void Worker::count_steal(std::uint32_t local_size_before) {
  counters.bump(counters.steal_operations);
  counters.bump(counters.steals, local.size() - local_size_before + 1);
}

// A busy worker never looks for work, so tasks queued on a peer that cannot run them wait for
// that peer: one the OS has descheduled (more awake workers than CPUs, or other processes
// on them) or one inside a long poll. At every global_queue_interval, a busy worker looks at
// one peer in turn; if that peer polled nothing since the last look and has tasks queued, it
// takes half of them, as an idle worker would. Two workers on one CPU with
// global_queue_interval 31 had 7x Tokio's echo p99 without this: tasks stranded on the
// descheduled worker waited out its peer's whole time slice (about 4 ms).
// Each worker watches only the kWatchedPeers workers after it (wrapping): every worker still
// has that many watchers, and a worker's state stays the same size at any worker count (a
// watch of every peer made the runtime's memory grow with the square of the count).
TaskHeader* Worker::take_from_stalled_peer() {
  const std::size_t n = core_.worker_count();
  if (n < 2) return nullptr;
  const std::size_t watched = std::min<std::size_t>(n - 1, kWatchedPeers);
  next_watched_ = static_cast<std::uint32_t>((next_watched_ + 1) % watched);
  Worker& peer = core_.worker((index_ + 1 + next_watched_) % n);
  const std::uint64_t polls = peer.counters.polls.load(std::memory_order_relaxed);
  const bool stalled = polls == std::exchange(watched_polls_[next_watched_], polls);
  if (!stalled || peer.local.empty()) return nullptr;
  TaskHeader* task = steal_half_of(peer);
  if (task != nullptr) counters.bump(counters.stalled_peer_steals);
  return task;
}

void Worker::run_task(TaskHeader* task) {
  if (searching_) {
    searching_ = false;
    // The last searcher to find work hands the search on, so surplus work gets a worker; if
    // this task was the only one queued, a woken peer would find nothing (idle.cpp).
    if (core_.idle().stop_searching() && core_.any_worker_has_work()) {
      core_.notify_parked(index_);
    }
  }
  running_task_ = true;
  poll_task(task);
  // A task woken by the one just polled sits in the LIFO slot; run it now, while its data
  // is hot, but only lifo_cap times in a row so the local queue is not starved.
  for (std::uint32_t streak = 0; lifo != nullptr && !core_.closed(); ++streak) {
    TaskHeader* next = std::exchange(lifo, nullptr);
    if (streak >= core_.options().lifo_cap) {
      push_back(next);
      break;
    }
    counters.bump(counters.lifo_hits);
    poll_task(next);
  }
  running_task_ = false;
}

// Polls one task that we hold a queue reference for, and carries out the state transitions
// around the poll: NOTIFIED -> RUNNING before, and RUNNING -> idle, re-queued or COMPLETE
// after.
void Worker::poll_task(TaskHeader* task) {
  counters.bump(counters.polls);
  std::uint64_t s = task->state.load(std::memory_order_acquire);
  while (!task->state.compare_exchange_weak(s, (s & ~kNotified) | kRunning,
                                            std::memory_order_acquire)) {
  }
  task->last_worker.store(index_, std::memory_order_relaxed);
  if (s & kCancelled) {
    task->vtable->cancel(task);
    core_.complete(task);
    return;
  }

  tl_budget = core_.options().event_budget;
  Waker borrowed(&task_waker_vtable, task);  // the queue reference keeps the task alive
  Context cx(borrowed);
  const bool done = task->vtable->poll(task, cx);
  borrowed.release();
  tl_budget = std::numeric_limits<std::uint32_t>::max();

  if (done) {
    core_.complete(task);
    return;
  }
  s = task->state.load(std::memory_order_acquire);
  for (;;) {
    if (s & (kNotified | kCancelled)) {
      // Woken (or aborted) during its own poll: re-queue behind the others, keeping the
      // queue reference.
      if (task->state.compare_exchange_weak(s, (s & ~kRunning) | kNotified,
                                            std::memory_order_acq_rel)) {
        schedule_local(task, /*is_yield=*/true);
        return;
      }
    } else if (task->state.compare_exchange_weak(s, (s & ~kRunning) - kRefOne,
                                                 std::memory_order_acq_rel)) {
      if ((s >> kRefShift) == 1) task->vtable->destroy(task);
      return;
    }
  }
}

void Worker::push_back(TaskHeader* task) {
  const bool overflowed = local.push_back(task, [this](std::span<TaskHeader*> spill) {
    // The shared path for our surplus is our own inbox, where thieves can reach it.
    inbox.enqueue_bulk(spill.begin(), spill.size());
  });
  if (overflowed) counters.bump(counters.overflows);
}

void Worker::schedule_local(TaskHeader* task, bool is_yield) {
  counters.bump(counters.local_schedules);
  if (!is_yield) {
    TaskHeader* previous = std::exchange(lifo, task);
    if (previous == nullptr) return;  // we will run it ourselves right after this poll
    task = previous;
  }
  push_back(task);
  // There is now work in a stealable queue: if nobody is looking, wake someone.
  if (core_.worker_count() > 1) core_.notify_parked(index_);
}

void Worker::keep_woken(std::span<TaskHeader*> tasks) {
  counters.bump(counters.local_schedules, tasks.size());
  for (TaskHeader* task : tasks) push_back(task);
}

// A searcher that found nothing keeps looking for a short while before it sleeps. While it
// spins it still counts as searching, so whoever publishes work meanwhile sees a searcher and
// skips the futex wake: a producer that outpaces its consumers by a little does not pay a
// system call per task, and the consumer does not pay a sleep/wake cycle per task either.
//
// The work it waits for is made on another CPU: by a running peer, by a thread outside the
// runtime, by the kernel delivering IO (and by a client on the same machine). So it spins only
// while the workers leave a CPU of the process's budget (affinity mask, cgroup CPU quota) free;
// when they fill it, the spinner holds a CPU that whoever makes the work may need, and delays
// the very work it waits for. Measured on 2 CPUs:
// - two workers on one CPU (server pinned, HTTP at 64 connections) had 2-3x Tokio's p99 with
//   the spin, about Tokio's without it;
// - one worker pinned to one CPU, spinning there: 5-25% of HTTP requests at 256 connections
//   took about 0.8 ms longer than the rest, a second latency mode (likely the hypervisor
//   time-slicing a vCPU that never halts; not proven);
// - two workers on two CPUs, unpinned beside a local load generator, without the spin: echo at
//   64 connections +9%, HTTP at 64 +8% with 0.73x the p99, HTTP-256 p99 lower, echo-256 -3%,
//   `compare sched` spawn_many_remote 0.76x -> 0.96x Tokio's time per task in one run
//   (0.89x -> 0.91x in another);
// - one worker on two CPUs (the shared mode's lone worker, below), with the spin: one echo
//   connection 2.8x Tokio's round trips, echo at 64/256 connections and HTTP at 256 1.0-1.2x
//   those of parking at once, with lower p99.
//
// In the shared reactor mode, once every peer sleeps, only IO (or another thread) can bring
// work, and nobody waits in epoll while this worker spins, so it looks at epoll itself at every
// round and catches ready IO without waking a halted CPU (about 14 us on a 2-vCPU VM).
bool Worker::spin_for_work() {
  if (core_.worker_count() >= core_.cpu_budget()) return false;
  IdleDriver* const driver = core_.options().idle_driver;
  bool only_io_can_bring_work = driver != nullptr && core_.idle().num_unparked() == 1;
  counters.bump(counters.spins);
  constexpr int kRounds = 256;
  constexpr auto kMaxSpin = std::chrono::microseconds(50);
  const auto deadline = std::chrono::steady_clock::now() + kMaxSpin;
  for (int round = 0; round < kRounds && !core_.closed(); ++round) {
    for (int i = 0; i < 32; ++i) cpu_relax();
    if (core_.any_worker_has_work()) return true;
    // In the shared reactor mode nobody may be waiting in epoll while we spin: look at it too,
    // or IO that became ready now would wait for the end of the spin.
    if (driver != nullptr && (only_io_can_bring_work || (round & 15) == 15)) {
      driver->dispatch_ready();
      if (core_.any_worker_has_work()) return true;
      only_io_can_bring_work = core_.idle().num_unparked() == 1;
    }
    if (std::chrono::steady_clock::now() > deadline) break;
  }
  return false;
}

void Worker::park() {
  const bool last_searcher = core_.idle().transition_to_parked(index_, searching_);
  searching_ = false;
  // See idle.cpp: the last searcher re-checks every queue, and every worker its own queues,
  // after the parking RMW, so that no task published before it is left unseen. The local
  // queue may hold tasks too: IO this worker dispatched during its last spin.
  if ((last_searcher && core_.any_worker_has_work()) || has_queued_work()) {
    if (core_.idle().unpark_self(index_)) {
      searching_ = true;
      return;
    }
  }
  // Going to sleep after polling is when memory freed by those polls can go back to the
  // system; a worker woken for nothing (no polls since) does not ask again.
  const std::uint64_t polls = counters.polls.load(std::memory_order_relaxed);
  if (polls != std::exchange(polls_at_release_request_, polls)) {
    core_.memory_releaser().worker_going_idle(releases_seen_);
  }
  for (;;) {
    counters.bump(counters.parks);
    parker.park();
    if (core_.closed()) return;
    if (core_.idle().transition_from_parked(index_)) {
      counters.bump(counters.unparks);
      searching_ = true;
      return;
    }
  }
}

bool Worker::has_queued_work() const noexcept {
  return !local.empty() || inbox.size_approx() > 0;
}

WorkerMetrics Worker::read_metrics() const noexcept {
  auto get = [](const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  WorkerMetrics m;
  m.polls = get(counters.polls);
  m.steal_operations = get(counters.steal_operations);
  m.steals = get(counters.steals);
  m.stalled_peer_steals = get(counters.stalled_peer_steals);
  m.parks = get(counters.parks);
  m.unparks = get(counters.unparks);
  m.spins = get(counters.spins);
  m.local_schedules = get(counters.local_schedules);
  m.remote_schedules = get(counters.remote_schedules);
  m.overflows = get(counters.overflows);
  m.lifo_hits = get(counters.lifo_hits);
  m.local_queue_depth = local.size();
  m.inbox_depth = inbox.size_approx();
  return m;
}

}  // namespace weft::detail
