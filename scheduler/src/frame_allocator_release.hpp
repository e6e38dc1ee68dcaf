#pragma once
// The frame allocator's side of a memory release (memory_releaser.hpp); private to the
// scheduler, beside the public allocate/deallocate in <weft/scheduler/frame_allocator.hpp>.

namespace weft::detail {

// Moves every block cached by the calling thread to the shared depot, where the next
// frame_allocator_release_depot() frees it. Only a thread can empty its own cache.
void frame_allocator_flush_thread_cache() noexcept;

// Hands the blocks of the shared depot back to the global allocator, keeping a few batches
// per size class so that a producer/consumer flow of tasks does not start from empty.
// Per-thread caches are not touched (only their owners may: see above). Any thread.
void frame_allocator_release_depot() noexcept;

}  // namespace weft::detail
