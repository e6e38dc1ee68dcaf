#include "owned_tasks.hpp"

namespace weft::detail {

bool OwnedTasks::bind(TaskHeader* task) {
  // Round-robin rather than by address: the frame allocator reuses addresses, which would
  // pile recycled tasks onto a few shards.
  const std::uint32_t index = next_shard_.fetch_add(1, std::memory_order_relaxed) % kShards;
  Shard& shard = shards_[index];
  std::lock_guard lock(shard.mutex);
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
  std::lock_guard lock(shard.mutex);
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
    std::lock_guard lock(shard.mutex);
    shard.closed = true;
  }
}

TaskHeader* OwnedTasks::pop_any() {
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
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
