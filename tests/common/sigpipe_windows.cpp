#include "sigpipe.hpp"

namespace weft_test {

bool sigpipe_is_fatal() {
  return true;  // no SIGPIPE: a write to a closed connection fails with an error, nothing more
}

}  // namespace weft_test
