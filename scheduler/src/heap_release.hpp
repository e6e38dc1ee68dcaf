#pragma once
// Giving the C heap's free memory back to the operating system: the one platform-specific
// step of a memory release (memory_releaser.hpp). One implementation per C library, chosen
// by scheduler/CMakeLists.txt:
//  * heap_release_glibc.cpp: glibc keeps freed blocks in its arenas and returns only the
//    top of each heap by itself, so memory freed in the middle (a burst of connections
//    that all closed) stays resident until malloc_trim() releases those pages.
//  * heap_release_windows.cpp: the C runtime's heap is a Win32 heap; _heapmin() compacts it
//    and decommits its large free ranges.
//  * heap_release_none.cpp: allocators that return memory on their own (or offer no way to
//    ask): nothing to do.

namespace weft::detail {

// Releases the pages of free heap blocks to the system. Returns true if it could ask the
// allocator to do so (false where the platform has no such call).
bool release_free_heap() noexcept;

}  // namespace weft::detail
