// The parking protocol: why no wakeup is lost.
//
// Terms. A worker is *unparked* unless it sleeps in Parker::park(). An unparked worker
// that ran out of work may become a *searcher*: it scans the peers' local queues and
// inboxes to steal. At most half of the workers search at once (try_start_searching), so
// thieves do not all contend on the same queues. `state_` packs both counts in one atomic
// word so that they are read and changed together.
//
// Publishing work. Whoever makes a task runnable (a worker pushing to its own queue, any
// thread pushing to an inbox) first publishes the task in the queue, then executes a
// seq_cst fence and reads `state_` (should_notify). If nobody is searching and somebody
// sleeps, it wakes one sleeper, which starts as a searcher. If a searcher exists, it
// wakes nobody: the searcher is responsible for the new task.
//
// Giving up. A searcher that finds nothing parks: it decrements both counts in one seq_cst
// RMW (transition_to_parked). If it was the *last* searcher, it then re-checks every
// queue (all local queues and inboxes) and wakes a peer if any has work; every parking
// worker also re-checks its own queues (local queue and inbox).
//
// Why that suffices. Take any published task and the pusher's read R of `state_`, which
// comes after the push in the pusher's program order, separated by a seq_cst fence. All
// RMWs on `state_` are totally ordered, and R reads from one of them.
//  * If R sees no searcher and a sleeper, the pusher wakes someone: done.
//  * If R sees no searcher and no sleeper, every worker is unparked and not searching,
//    i.e. busy or about to look for work; each of them, before it sleeps, performs its
//    parking RMW after R and then re-checks its own queues and (being the last searcher
//    or not searching at all) runs the full re-check if it was the last searcher. A
//    worker that was not searching and parks re-checks its own queues; a task pushed to
//    a peer's queue is covered because that peer is itself unparked and will find it
//    in its own queue before it parks.
//  * If R sees a searcher S, S's parking RMW (or its stop_searching, after which it is
//    running work and will look again) comes after R in the total order. The last of the
//    searchers to park performs its RMW after R, so its re-check, which follows that RMW,
//    sees the published task (the fence orders the push before R, R before the RMW, the
//    RMW before the re-check's loads). It then wakes a worker for it.
// And a searcher that finds work calls stop_searching(); if it was the last searcher and some
// queue still holds work, it wakes another worker, so that surplus work does not wait for a
// busy worker. (This wake is for throughput only: the argument above does not need it,
// since the searcher looks at every queue again before it parks. Skipping it when nothing
// is queued saves a futile wake per IO event when a driving worker wakes one task for
// itself.)
//
// Wakeups are not doubled either: worker_to_notify() moves a sleeper to unparked and
// searching under the sleeper lock before returning it, so two pushers never wake the
// same worker on one count, and a woken worker checks that it was taken off the sleeper
// list (transition_from_parked) to tell a real wakeup from a spurious one.

#include "idle.hpp"

#include <algorithm>

namespace weft::detail {

Idle::Idle(std::uint32_t workers)
    : workers_(workers), state_(std::uint64_t(workers) * kUnparkedOne) {
  sleepers_.reserve(workers);
}

bool Idle::try_start_searching() noexcept {
  std::uint64_t s = state_.load(std::memory_order_seq_cst);
  for (;;) {
    if (2 * searching(s) >= workers_) return false;
    if (state_.compare_exchange_weak(s, s + kSearchingOne, std::memory_order_seq_cst)) {
      return true;
    }
  }
}

bool Idle::stop_searching() noexcept {
  return searching(state_.fetch_sub(kSearchingOne, std::memory_order_seq_cst)) == 1;
}

bool Idle::transition_to_parked(std::uint32_t worker, bool is_searching) {
  std::lock_guard lock(sleepers_mutex_);
  const std::uint64_t dec = kUnparkedOne + (is_searching ? kSearchingOne : 0);
  const std::uint64_t prev = state_.fetch_sub(dec, std::memory_order_seq_cst);
  sleepers_.push_back(worker);
  return is_searching && searching(prev) == 1;
}

bool Idle::transition_from_parked(std::uint32_t worker) {
  std::lock_guard lock(sleepers_mutex_);
  return std::find(sleepers_.begin(), sleepers_.end(), worker) == sleepers_.end();
}

bool Idle::should_notify() noexcept {
#if defined(__SANITIZE_THREAD__)
  // ThreadSanitizer does not model fences (GCC rejects them under -fsanitize=thread); an
  // RMW on the same word gives the same ordering in a form it understands.
  const std::uint64_t s = state_.fetch_add(0, std::memory_order_seq_cst);
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
  const std::uint64_t s = state_.load(std::memory_order_seq_cst);
#endif
  return searching(s) == 0 && unparked(s) < workers_;
}

long Idle::worker_to_notify(std::uint32_t preferred) {
  if (!should_notify()) return -1;
  std::lock_guard lock(sleepers_mutex_);
  if (!should_notify() || sleepers_.empty()) return -1;
  state_.fetch_add(kUnparkedOne + kSearchingOne, std::memory_order_seq_cst);
  auto it = std::find(sleepers_.begin(), sleepers_.end(), preferred);
  if (it == sleepers_.end()) it = sleepers_.end() - 1;
  const std::uint32_t chosen = *it;
  *it = sleepers_.back();
  sleepers_.pop_back();
  return chosen;
}

bool Idle::unpark_self(std::uint32_t worker) {
  std::lock_guard lock(sleepers_mutex_);
  auto it = std::find(sleepers_.begin(), sleepers_.end(), worker);
  if (it == sleepers_.end()) return false;
  *it = sleepers_.back();
  sleepers_.pop_back();
  state_.fetch_add(kUnparkedOne + kSearchingOne, std::memory_order_seq_cst);
  return true;
}

std::uint32_t Idle::num_searching() const noexcept {
  return searching(state_.load(std::memory_order_relaxed));
}

std::uint32_t Idle::num_unparked() const noexcept {
  return unparked(state_.load(std::memory_order_relaxed));
}

}  // namespace weft::detail
