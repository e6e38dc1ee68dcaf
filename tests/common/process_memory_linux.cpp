#include "process_memory.hpp"

#include <malloc.h>
#include <unistd.h>

#include <fstream>

namespace weft_test {

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size_pages = 0;
  std::size_t resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return resident_pages * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

std::size_t heap_in_use() {
  return mallinfo2().uordblks;
}

}  // namespace weft_test
