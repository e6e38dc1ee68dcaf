#pragma once
// Allocation of task cells and coroutine frames: a per-thread cache of free blocks by size
// class in front of the global allocator. Spawning allocates two blocks (task cell and
// coroutine frame) and completion frees them, usually on the same or a neighbouring
// worker, so a thread-local free list turns both into a few loads and stores. Each
// thread's cache is bounded; blocks beyond it go back to the global allocator. See
// docs/architecture.md for the measurement against oneTBB's scalable allocator.

#include <cstddef>

namespace weft::detail {

void* frame_allocate(std::size_t size);
void frame_deallocate(void* block, std::size_t size) noexcept;

}  // namespace weft::detail
