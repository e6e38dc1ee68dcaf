#pragma once
// Waiting for POSIX signals in a task, through a signalfd(2) registered with the reactor.
//
//   int main() {
//     weft::net::block_signals({SIGINT, SIGTERM});  // FIRST, before any thread exists
//     weft::Runtime runtime;
//     runtime.block_on(serve());                    // ... co_await wait_for_signal({SIGINT,
//     SIGTERM});
//   }
//
// The process signal mask. A signalfd only sees a signal that is blocked in every thread;
// a thread that does not block it may take the signal with its default action (for
// SIGINT/SIGTERM: terminating the process). Threads inherit the mask of the thread that
// creates them, so call block_signals() at the start of main(), before creating a Runtime
// or any other thread. SignalListener also blocks its signals in the calling thread, but
// that cannot reach threads that already exist. weft's own helper threads (the resolver
// pool) block every signal. Blocked signals stay blocked: child processes inherit the mask
// through fork/exec; unblock them there if they need the default behaviour.
//
// Each delivered signal is consumed by one reader: with several listeners for the same
// signal, one of them gets it. Signals of one kind that arrive while none is read collapse
// into one (standard signals are not queued).

#include <concepts>
#include <csignal>
#include <initializer_list>
#include <optional>
#include <span>
#include <vector>

#include <weft/io/net/socket_handle.hpp>
#include <weft/io/reactor.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft::net {

// Adds `signals` to the calling thread's signal mask (pthread_sigmask). Throws IoError.
void block_signals(std::initializer_list<int> signals);
void block_signals(std::span<const int> signals);

// Ready with the number of the next signal received.
class SignalFuture {
 public:
  explicit SignalFuture(detail::SocketCore* core) noexcept : core_(core) {}
  Poll<int> poll(Context& cx);

 private:
  detail::SocketCore* core_;
};

class SignalListener {
 public:
  // Listens for `signals` on the calling worker's reactor, or `reactor`; blocks them in the
  // calling thread. Throws IoError("signalfd").
  explicit SignalListener(std::initializer_list<int> signals);
  SignalListener(io::Reactor& reactor, std::span<const int> signals);
  SignalListener(SignalListener&&) noexcept = default;
  SignalListener& operator=(SignalListener&&) noexcept = default;
  ~SignalListener() = default;

  SignalFuture recv() noexcept { return SignalFuture(core_.get()); }

 private:
  detail::SocketPtr core_;
};

// A one-off wait: ready with the first of `signals` received. The listener is created at
// the first poll, on the polling worker's reactor, so the future may be made on any thread.
class WaitForSignal {
 public:
  explicit WaitForSignal(std::vector<int> signals) noexcept : signals_(std::move(signals)) {}
  Poll<int> poll(Context& cx);

 private:
  std::vector<int> signals_;
  std::optional<SignalListener> listener_;
};

inline WaitForSignal wait_for_signal(std::initializer_list<int> signals) {
  return WaitForSignal(std::vector<int>(signals));
}
// wait_for_signal(SIGINT, SIGTERM): the same without a braced list. Prefer it inside a
// co_await expression: GCC 12 fails to compile an initializer_list temporary that lives
// across a suspension point ("array used as initializer").
template <std::same_as<int>... Rest>
WaitForSignal wait_for_signal(int first, Rest... rest) {
  return WaitForSignal(std::vector<int>{first, rest...});
}

}  // namespace weft::net
