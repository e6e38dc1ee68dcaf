// Signals on Windows (sys/signal_source.hpp): console control events, the nearest thing
// Windows has to SIGINT and SIGTERM, mapped as the C runtime's signal() maps them:
//
//   CTRL_C_EVENT         SIGINT    Ctrl-C, or GenerateConsoleCtrlEvent(CTRL_C_EVENT)
//   CTRL_BREAK_EVENT     SIGBREAK  Ctrl-Break, or GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT)
//   CTRL_CLOSE_EVENT     SIGTERM   the console window is closed
//   CTRL_LOGOFF_EVENT    SIGTERM   the user logs off (services only)
//   CTRL_SHUTDOWN_EVENT  SIGTERM   the system shuts down (services only)
//
// Windows calls the console control handler on a thread it starts for the event. The
// handler writes the signal's number (one byte) into the writing end of a connected loopback
// TCP pair; the reading end is the source, a socket that the reactor watches like any other
// and that is readable while a signal waits. Each event goes to one source that listens for
// it (the oldest), as a POSIX signal goes to one signalfd reader; when no source listens the
// handler declines and Windows' default applies (Ctrl-C ends the process).
//
// Windows ends the process as soon as the handler returns from a close, logoff or shutdown
// event. So for those the handler, once it has delivered SIGTERM, does not return: the
// application gets the time Windows allows (5 s for close, 20 s for logoff and shutdown) to
// finish, exactly as much as if it handled SIGTERM on POSIX and exited on its own.
//
// block_signals() has nothing to block: no signal reaches weft's threads on Windows.
#include "signal_source.hpp"

#include <winsock2.h>
// winsock2.h before windows.h.
#include <windows.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <mutex>
#include <vector>

#include "socket_api.hpp"
#include "winsock_windows.hpp"

namespace weft::io::sys {

namespace {

// The signals a console event can raise.
bool is_console_signal(int signal) noexcept {
  return signal == SIGINT || signal == SIGBREAK || signal == SIGTERM;
}

int signal_of(DWORD event) noexcept {
  switch (event) {
    case CTRL_C_EVENT:
      return SIGINT;
    case CTRL_BREAK_EVENT:
      return SIGBREAK;
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
      return SIGTERM;
    default:
      return 0;
  }
}

struct Listener {
  unsigned mask = 0;  // bit n: signal n is listened for (every signal number is < 32)
  SOCKET source = 0;  // the reading end, owned by the caller's FileDescriptor
  SOCKET writer = 0;  // the writing end, owned here
};

// The sources that exist, oldest first. Never destroyed: the handler thread may run during
// process exit, after static destructors.
struct Registry {
  std::mutex mutex;
  std::vector<Listener> listeners;
  bool handler_installed = false;
};

Registry& registry() {
  static Registry* const instance = new Registry;
  return *instance;
}

// A listener whose source was closed: its writer sees the peer's FIN (or a reset) as
// readable, and recv() then returns 0 or fails.
bool source_closed(SOCKET writer) noexcept {
  WSAPOLLFD poll{};
  poll.fd = writer;
  poll.events = POLLRDNORM;
  if (::WSAPoll(&poll, 1, 0) <= 0) return false;
  char byte = 0;
  const int n = ::recv(writer, &byte, 1, 0);
  return n == 0 || (n < 0 && ::WSAGetLastError() != WSAEWOULDBLOCK);
}

// Drops listeners whose source is gone. With the registry's mutex held.
void forget_closed(Registry& r) noexcept {
  const auto closed = std::remove_if(r.listeners.begin(), r.listeners.end(),
                                     [](const Listener& l) { return source_closed(l.writer); });
  for (auto it = closed; it != r.listeners.end(); ++it) ::closesocket(it->writer);
  r.listeners.erase(closed, r.listeners.end());
}

BOOL WINAPI on_console_event(DWORD event) {
  const int signal = signal_of(event);
  if (signal == 0) return FALSE;
  bool delivered = false;
  {
    Registry& r = registry();
    const std::lock_guard lock(r.mutex);
    forget_closed(r);
    for (const Listener& listener : r.listeners) {
      if ((listener.mask & (1u << signal)) == 0) continue;
      const char byte = static_cast<char>(signal);
      // A full buffer means this signal is already waiting many times over: like a standard
      // POSIX signal, it collapses into the ones pending.
      const int n = ::send(listener.writer, &byte, 1, 0);
      delivered = n == 1 || ::WSAGetLastError() == WSAEWOULDBLOCK;
      if (delivered) break;
    }
  }
  if (!delivered) return FALSE;              // nobody listens: Windows' default action
  if (signal == SIGTERM) ::Sleep(INFINITE);  // see the file comment
  return TRUE;
}

}  // namespace

int block_signals(std::span<const int> signals) noexcept {
  for (const int signal : signals) {
    if (signal <= 0 || signal >= NSIG) return EINVAL;
  }
  return 0;
}

FileDescriptor open_signal_source(std::span<const int> signals) noexcept {
  unsigned mask = 0;
  for (const int signal : signals) {
    // Other signals (SIGSEGV, SIGFPE, ...) are not events Windows can deliver to a listener.
    if (!is_console_signal(signal)) {
      fail(EINVAL);
      return FileDescriptor();
    }
    mask |= 1u << signal;
  }
  NativeHandle pair[2];
  if (connected_pair(AF_INET, pair) != 0) return FileDescriptor();
  FileDescriptor source(pair[0]);
  FileDescriptor writer(pair[1]);
  if (set_nonblocking(source.get()) != 0 || set_nonblocking(writer.get()) != 0) {
    return FileDescriptor();
  }
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  forget_closed(r);
  try {
    r.listeners.push_back(
        Listener{mask, static_cast<SOCKET>(source.get()), static_cast<SOCKET>(writer.get())});
  } catch (...) {
    fail(ENOMEM);
    return FileDescriptor();
  }
  if (!r.handler_installed) {
    if (!::SetConsoleCtrlHandler(&on_console_event, TRUE)) {
      r.listeners.pop_back();
      fail(EINVAL);
      return FileDescriptor();
    }
    r.handler_installed = true;
  }
  static_cast<void>(writer.release());  // the registry owns it now
  return source;
}

int take_signal(NativeHandle source, int* signal) noexcept {
  unsigned char byte = 0;
  const std::ptrdiff_t n = receive(source, &byte, 1);
  if (n == 1) {
    *signal = byte;
    return 1;
  }
  if (n == 0) fail(EIO);  // the writer never closes first: not a signal source
  return -1;
}

}  // namespace weft::io::sys
