#include <weft/runtime/detail/leaf_wait.hpp>

namespace weft::detail {

RootPollState*& current_root() noexcept {
  thread_local RootPollState* root = nullptr;
  return root;
}

}  // namespace weft::detail
