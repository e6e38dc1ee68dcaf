#include "process_memory.hpp"

#include <windows.h>
// windows.h before psapi.h.
#include <malloc.h>
#include <psapi.h>

namespace weft_test {

std::size_t resident_bytes() {
  PROCESS_MEMORY_COUNTERS counters{};
  counters.cb = sizeof counters;
  if (!::GetProcessMemoryInfo(::GetCurrentProcess(), &counters, sizeof counters)) return 0;
  return counters.WorkingSetSize;
}

// The sum of the C runtime heap's blocks in use. A walk: slow, but tests only compare two
// readings of it.
std::size_t heap_in_use() {
  _HEAPINFO entry{};
  entry._pentry = nullptr;
  std::size_t used = 0;
  while (::_heapwalk(&entry) == _HEAPOK) {
    if (entry._useflag == _USEDENTRY) used += entry._size;
  }
  return used;
}

}  // namespace weft_test
