#pragma once
// BlockingPool: the elastic thread pool behind spawn_blocking. Threads are started on demand
// up to a maximum; beyond it jobs queue. A thread that finds no job for `keep_alive` exits.
// Shutdown drops the jobs that have not started (their handles see TaskCancelled), waits for
// the running ones (blocking code cannot be interrupted) and joins every thread.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <weft/runtime/offload_handle.hpp>

namespace weft::detail {

class BlockingPool {
 public:
  BlockingPool(std::size_t max_threads, std::chrono::milliseconds keep_alive);
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;
  // Shuts down and waits. Must not run on one of the pool's own threads (std::terminate).
  ~BlockingPool();

  // Queues the job and wakes or starts a thread for it. After shutdown the job is dropped
  // at once (TaskCancelled). Throws std::system_error if no thread runs and none could be
  // started (the job is then not queued).
  void submit(OffloadJobPtr job);

  // Drops the queued jobs and makes the threads exit once their current job returns. With
  // `wait`, also waits for them and joins them; a pool thread calling this never waits (it
  // would wait for itself): the destructor does.
  void shutdown(bool wait) noexcept;

  // Threads alive now, busy or idle.
  std::size_t threads() const;

 private:
  void run(std::uint64_t id) noexcept;
  // Joins the threads that exited on their own (keep-alive expiry).
  void join_exited() noexcept;

  const std::size_t max_threads_;
  const std::chrono::milliseconds keep_alive_;

  mutable std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable all_exited_;
  std::deque<OffloadJobPtr> queue_;
  std::map<std::uint64_t, std::thread> running_;  // every live thread, by id
  std::vector<std::thread> exited_;               // returned from run(), not yet joined
  std::uint64_t next_id_ = 0;
  std::size_t idle_ = 0;      // threads waiting for work and not yet claimed by a submit
  std::size_t notified_ = 0;  // wakeups submit() sent to idle threads, not yet consumed
  bool shutdown_ = false;
};

}  // namespace weft::detail
