#pragma once
// How much memory the process holds, per platform (process_memory_*.cpp):
//
//   process_memory_linux.cpp    /proc/self/statm, glibc's mallinfo2
//   process_memory_windows.cpp  GetProcessMemoryInfo, a walk of the C runtime's heap

#include <cstddef>

namespace weft_test {

// Bytes of the process resident in memory (Windows: its working set).
std::size_t resident_bytes();
// Bytes the C heap has handed out and not had back.
std::size_t heap_in_use();

}  // namespace weft_test
