#include "signals.hpp"

namespace weft::platform {

// Windows has no per-thread signal mask: the C runtime's signal() handlers (SIGINT, SIGBREAK)
// run on a thread the console starts for the event, never on a thread weft created, so there
// is nothing to block.
void with_all_signals_blocked(const std::function<void()>& start) {
  start();
}

}  // namespace weft::platform
