#pragma once
// OwnedTasks: every task that has been spawned and not yet completed, so that shutdown can
// find and cancel tasks that sit in no queue (those waiting on a waker). Sharded by task
// so that spawns and completions on different workers rarely share a lock.

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>

#include <weft/scheduler/detail/spin_lock.hpp>

#include <weft/scheduler/detail/task_header.hpp>

namespace weft::detail {

class OwnedTasks {
 public:
  // Adds `task` (taking its registry reference). Returns false, adding nothing, once
  // close() has run: the caller must then cancel the task itself.
  bool bind(TaskHeader* task);
  // Removes a completed task; the caller drops the registry reference.
  void remove(TaskHeader* task) noexcept;
  // Refuses new binds from now on.
  void close();
  // Removes and returns one task, or nullptr when empty. Used by shutdown, which cancels
  // tasks one at a time so that a cancelled task may complete or free others meanwhile.
  TaskHeader* pop_any();

 private:
  static constexpr std::size_t kShards = 64;
  struct alignas(64) Shard {
    SpinLock lock;
    TaskHeader* head = nullptr;
    bool closed = false;
  };
  std::array<Shard, kShards> shards_;
};

}  // namespace weft::detail
