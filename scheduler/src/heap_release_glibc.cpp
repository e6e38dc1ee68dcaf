#include <malloc.h>

#include "heap_release.hpp"

namespace weft::detail {

bool release_free_heap() noexcept {
  // Pad 0: keep nothing spare at the top of the main heap; every arena, not just the main
  // one, has its free pages released (glibc 2.8 and later).
  ::malloc_trim(0);
  return true;
}

}  // namespace weft::detail
