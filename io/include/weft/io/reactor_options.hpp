#pragma once
// How a Reactor is set up.

#include <cstddef>
#include <string>

namespace weft::io {

struct ReactorOptions {
  // Most events taken from the poller per wait. Wakers of one wait are delivered as one batch,
  // so this also bounds a batch's size; more ready descriptors are simply taken next turn.
  std::size_t events_per_wait = 1024;
  // Name of the reactor thread as tools show it (at most 15 characters are kept on Linux).
  std::string thread_name = "weft-reactor";
};

}  // namespace weft::io
