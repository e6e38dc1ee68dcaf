#include "sigpipe.hpp"

#include <csignal>

namespace weft_test {

bool sigpipe_is_fatal() {
  return std::signal(SIGPIPE, SIG_DFL) == SIG_DFL;
}

}  // namespace weft_test
