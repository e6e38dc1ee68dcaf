#pragma once
// The frame allocator's side of a memory release (memory_releaser.hpp); private to the
// scheduler, beside the public allocate/deallocate in <weft/scheduler/frame_allocator.hpp>.

namespace weft::detail {

// Hands the blocks of the shared depot back to the global allocator, keeping a few batches
// per size class so that a producer/consumer flow of tasks does not start from empty.
// Per-thread caches are left alone: only their owner threads may touch them, and each is
// bounded. Any thread.
void frame_allocator_release_depot() noexcept;

}  // namespace weft::detail
