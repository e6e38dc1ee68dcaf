#pragma once
// The reactor of the runtime whose worker is calling. The runtime sets it on each of its
// worker threads, so that io types created inside a task (sockets, sleeps) find their
// reactor without the io layer knowing about the runtime above it.

#include <weft/io/reactor.hpp>

namespace weft::io {

// The calling thread's reactor, or nullptr on a thread that is not a runtime worker.
Reactor* current_reactor_or_null() noexcept;
// The calling thread's reactor; throws std::logic_error on a thread that is not a worker.
Reactor& current_reactor();
// For the runtime: binds `reactor` (or nullptr) to the calling thread.
void set_current_reactor(Reactor* reactor) noexcept;

}  // namespace weft::io
