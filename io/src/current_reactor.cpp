#include <weft/io/current_reactor.hpp>

#include <stdexcept>

namespace weft::io {

namespace {
constinit thread_local Reactor* tl_reactor = nullptr;
}

Reactor* current_reactor_or_null() noexcept {
  return tl_reactor;
}

Reactor& current_reactor() {
  if (tl_reactor == nullptr) {
    throw std::logic_error(
        "weft: no reactor on this thread; create timers and sockets inside a task");
  }
  return *tl_reactor;
}

void set_current_reactor(Reactor* reactor) noexcept {
  tl_reactor = reactor;
}

}  // namespace weft::io
