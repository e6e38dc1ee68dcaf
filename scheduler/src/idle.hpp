#pragma once
// Idle: which workers are asleep and how many are searching for work. The protocol that
// guarantees no lost wakeup is described at the top of idle.cpp.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

namespace weft::detail {

class Idle {
 public:
  explicit Idle(std::uint32_t workers);

  // A worker that ran dry asks to search (steal). Refused when half the workers already
  // search, which bounds the contention of thieves on the queues.
  bool try_start_searching() noexcept;
  // A searcher found work. Returns true if it was the last searcher: it must then wake a
  // parked peer, so that someone keeps looking for the rest of the work.
  bool stop_searching() noexcept;

  // The worker goes to sleep. Returns true if it was the last searcher: it must then
  // re-check every queue before sleeping (see idle.cpp).
  bool transition_to_parked(std::uint32_t worker, bool searching);
  // After waking up: true if someone woke this worker on purpose (it now counts as
  // unparked and searching); false for a spurious wakeup (it is still parked).
  bool transition_from_parked(std::uint32_t worker);

  // Called after work was made available: picks a sleeping worker to wake (preferring
  // `preferred`) if nobody is searching already. Returns the worker to unpark, or -1.
  long worker_to_notify(std::uint32_t preferred);
  // Takes `worker` off the sleeper list if it is on it (it found work itself).
  bool unpark_self(std::uint32_t worker);

  std::uint32_t num_searching() const noexcept;
  // Workers not asleep: running tasks, searching or about to park.
  std::uint32_t num_unparked() const noexcept;

 private:
  // Packed: low 32 bits = searching workers, high 32 bits = unparked workers.
  static constexpr std::uint64_t kSearchingOne = 1;
  static constexpr std::uint64_t kUnparkedOne = std::uint64_t(1) << 32;
  static std::uint32_t searching(std::uint64_t s) { return std::uint32_t(s); }
  static std::uint32_t unparked(std::uint64_t s) { return std::uint32_t(s >> 32); }
  bool should_notify() noexcept;

  const std::uint32_t workers_;
  std::atomic<std::uint64_t> state_;
  std::mutex sleepers_mutex_;
  std::vector<std::uint32_t> sleepers_;
};

}  // namespace weft::detail
