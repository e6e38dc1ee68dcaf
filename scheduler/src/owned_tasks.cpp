#include "owned_tasks.hpp"

namespace weft::detail {

bool OwnedTasks::bind(TaskHeader* task) {
  // Each thread walks the shards round-robin on its own counter: spreading tasks without a
  // shared counter to bounce between cores (and not by address: the frame allocator reuses
  // addresses, which would pile recycled tasks onto a few shards).
  thread_local std::uint32_t next_shard = 0;
  thread_local const std::uint32_t thread_offset =
      static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(&next_shard) >> 6);
  const std::uint32_t index = (thread_offset + next_shard++) % kShards;
  Shard& shard = shards_[index];
  std::lock_guard guard(shard.lock);
  if (shard.closed) return false;
  task->owned_shard = index;
  task->owned_prev = nullptr;
  task->owned_next = shard.head;
  if (shard.head) shard.head->owned_prev = task;
  shard.head = task;
  return true;
}

void OwnedTasks::remove(TaskHeader* task) noexcept {
  Shard& shard = shards_[task->owned_shard];
  std::lock_guard guard(shard.lock);
  if (task->owned_prev) {
    task->owned_prev->owned_next = task->owned_next;
  } else {
    shard.head = task->owned_next;
  }
  if (task->owned_next) task->owned_next->owned_prev = task->owned_prev;
  task->owned_prev = task->owned_next = nullptr;
}

void OwnedTasks::close() {
  for (Shard& shard : shards_) {
    std::lock_guard guard(shard.lock);
    shard.closed = true;
  }
}

TaskHeader* OwnedTasks::pop_any() {
  for (Shard& shard : shards_) {
    std::lock_guard guard(shard.lock);
    if (TaskHeader* task = shard.head) {
      shard.head = task->owned_next;
      if (shard.head) shard.head->owned_prev = nullptr;
      task->owned_prev = task->owned_next = nullptr;
      return task;
    }
  }
  return nullptr;
}

}  // namespace weft::detail
