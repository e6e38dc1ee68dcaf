#include <weft/runtime/detail/leaf_wait.hpp>

namespace weft::detail {

constinit thread_local RootPollState* tl_current_root = nullptr;

}  // namespace weft::detail
