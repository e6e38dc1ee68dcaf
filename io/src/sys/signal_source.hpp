#pragma once
// A signal source: a descriptor the reactor watches like a socket, readable while one of a
// set of signals is waiting to be taken, with one implementation per platform:
//
//   signal_source_linux.cpp    a signalfd(2) for the set (the signals must be blocked)
//   signal_source_kqueue.cpp   a kqueue with an EVFILT_SIGNAL filter per signal (BSDs, macOS);
//                              itself pollable, so the reactor's poller watches it
//   signal_source_windows.cpp  console control events (Ctrl-C, Ctrl-Break, close, logoff,
//                              shutdown) mapped to SIGINT, SIGBREAK and SIGTERM, written by
//                              the console handler thread into a loopback socket
//
// Failures are reported as sys/socket_api.hpp does: -1 (or an empty FileDescriptor) with an
// errno value in last_error().

#include <cstddef>
#include <span>

#include <weft/io/file_descriptor.hpp>
#include <weft/io/native_handle.hpp>

namespace weft::io::sys {

// Adds `signals` to the calling thread's blocked set where the platform delivers signals by
// default action otherwise (POSIX); nothing to do on Windows. Returns 0 or an errno value
// (EINVAL for a number that is not a signal).
int block_signals(std::span<const int> signals) noexcept;

// A non-blocking source for `signals`; empty on failure.
FileDescriptor open_signal_source(std::span<const int> signals) noexcept;

// Takes the next waiting signal: 1 with its number in `*signal`, or -1 (EAGAIN: none waits).
int take_signal(NativeHandle source, int* signal) noexcept;

}  // namespace weft::io::sys
