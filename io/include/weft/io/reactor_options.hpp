#pragma once
// How a Reactor is set up.

#include <cstddef>
#include <string>

#include <weft/io/io_backend.hpp>

namespace weft::io {

struct ReactorOptions {
  // The readiness primitive to wait in (io_backend.hpp); make_poller() rejects one this build
  // lacks.
  IoBackend backend = default_io_backend();
  // Most events taken from the poller per wait. Wakers of one wait are delivered as one batch,
  // so this also bounds a batch's size; more ready descriptors are simply taken next turn.
  std::size_t events_per_wait = 1024;
  // Name of the reactor thread as tools show it (at most 15 characters are kept on Linux).
  std::string thread_name = "weft-reactor";
  // false ("dedicated"): the reactor thread alone waits in the poller, and every IO wakeup
  // crosses from it to a worker.
  // true ("shared"): the reactor also serves as the scheduler's IdleDriver: a worker with
  // nothing to run waits in the poller itself and runs what it wakes without the hop, busy
  // workers poll it now and then, and the reactor thread only steps in when nobody has looked
  // for a millisecond while the workers made no progress (IdleDriver::watch_progress), e.g.
  // every worker is stuck in a long poll, or when nobody has looked for 10 ms. Its checks
  // back off from 1 ms to 64 ms while a worker waits in the poller or turns keep coming, and
  // to 5 ms once turns grow sparse; after a turn of its own it checks every millisecond again.
  bool idle_workers_drive = false;
};

}  // namespace weft::io
