#include <weft/runtime/detail/leaf_wait.hpp>

namespace weft::detail {

constinit thread_local RootPollState* tl_current_root = nullptr;

#if defined(__SANITIZE_ADDRESS__)
RootPollState*& current_root() noexcept {
  return tl_current_root;
}
#endif

}  // namespace weft::detail
