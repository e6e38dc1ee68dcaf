#include "heap_release.hpp"

namespace weft::detail {

bool release_free_heap() noexcept {
  return false;
}

}  // namespace weft::detail
