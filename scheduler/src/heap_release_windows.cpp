#include <malloc.h>

#include "heap_release.hpp"

namespace weft::detail {

// The C runtime's malloc (msvcrt's or the UCRT's) carves blocks out of a Win32 heap, which
// keeps freed ranges committed until asked. _heapmin() asks: it runs HeapCompact on the CRT's
// heap, which coalesces free blocks and decommits the large free ranges, giving their pages
// back to the system. (Small freed blocks stay with the low-fragmentation heap's buckets.)
bool release_free_heap() noexcept {
  ::_heapmin();
  return true;
}

}  // namespace weft::detail
