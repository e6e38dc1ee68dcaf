#pragma once
// Poller: the operating system's readiness primitive behind one small interface, so that the
// reactor never names a backend. Each backend is a file beside the others under io/src/:
//
//   epoll_poller.cpp   Linux, edge-triggered epoll + an eventfd for wake()
//   kqueue_poller.cpp  BSDs and macOS (and Linux over libkqueue), EV_CLEAR filters +
//                      EVFILT_USER for wake()
//   iocp_poller.cpp    Windows, AFD poll requests on a completion port +
//                      PostQueuedCompletionStatus for wake()
//
// make_poller() builds the one asked for (io_backend.hpp says which exist); io/src/backends.cmake
// decides which files a build compiles.
//
// Contract every backend keeps:
// - Readiness is reported on edges: a descriptor is reported when it becomes ready (and once
//   when interest is added or modified, for the state it is in then), not on every wait
//   while it stays ready. The reactor relies on this to register each descriptor once and
//   never touch its interest again. A direction counts as drained, and its next readiness as
//   a new edge, once rearm() said so: epoll and kqueue see edges themselves and ignore it;
//   IOCP's AFD polls report states, so that backend stops asking for a direction it reported
//   until rearm() (see iocp_poller.hpp). So a caller that waits for readiness calls rearm()
//   after an operation failed with EAGAIN (Reactor::clear_readiness does).
// - Tokens are the caller's; the backend hands them back unchanged. kWakeToken is reserved.
// - wait() is called by one thread at a time; add/modify/remove/wake from any thread.
// - Errors throw std::system_error carrying the error and the operation ("epoll_ctl(add)").

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>

#include <weft/io/io_backend.hpp>
#include <weft/io/native_handle.hpp>
#include <weft/io/readiness.hpp>

namespace weft::io {

// One readiness report: the token given when interest was added, and what became ready.
struct Event {
  std::uint64_t token = 0;
  Readiness readiness = Readiness::none;
};

class Poller {
 public:
  // Backends use this token internally for their wake mechanism; callers must not.
  static constexpr std::uint64_t kWakeToken = std::numeric_limits<std::uint64_t>::max();

  Poller() = default;
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;
  virtual ~Poller() = default;

  // Starts watching `handle` for `interest`, reporting events with `token`.
  virtual void add(NativeHandle handle, std::uint64_t token, Interest interest) = 0;
  // Replaces the token and interest of a watched handle (and re-arms it: its current state
  // is reported once more).
  virtual void modify(NativeHandle handle, std::uint64_t token, Interest interest) = 0;
  // Stops watching `handle`.
  virtual void remove(NativeHandle handle) = 0;
  // The caller drained `drained` (readable and/or writable) on `handle`: an operation in that
  // direction failed with EAGAIN, so its next readiness is an edge to report. Backends that
  // see edges themselves do nothing. Never throws: a backend that fails to re-arm reports
  // an error event for the handle from the next wait().
  virtual void rearm(NativeHandle handle, Readiness drained) noexcept {
    static_cast<void>(handle);
    static_cast<void>(drained);
  }

  // Blocks until at least one event, wake(), a signal or the timeout (nullopt: no timeout;
  // zero: just look). Fills the front of `events` and returns how many it filled; 0 on
  // timeout, wake or interruption. The timeout is rounded up to the backend's resolution,
  // never down, so a wait never ends before a timer it was computed from is due.
  virtual std::size_t wait(std::span<Event> events,
                           std::optional<std::chrono::nanoseconds> timeout) = 0;

  // Makes the current wait, or the next one if none is in progress, return promptly. Any
  // thread; wakes before a wait coalesce into one.
  virtual void wake() = 0;
};

// A poller of `backend` (by default the platform's: epoll on Linux, kqueue on the BSDs and
// macOS, IOCP on Windows). Throws std::invalid_argument naming the available backends when
// this build has no `backend`, std::system_error when the system refuses to create it.
std::unique_ptr<Poller> make_poller(IoBackend backend = default_io_backend());

}  // namespace weft::io
