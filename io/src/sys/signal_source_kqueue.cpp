// Signals on the BSDs and macOS: a kqueue of its own with one EVFILT_SIGNAL filter per signal
// (sys/signal_source.hpp). A kqueue descriptor is itself readable while it has events, so the
// reactor's poller watches it like a socket, whatever the reactor's backend.
//
// EVFILT_SIGNAL records each attempt to deliver the signal, even a blocked one; the signal
// stays blocked (block_signals(), signal_mask_posix.cpp) so that its default action never
// runs. Repeated signals of one kind collapse into one event, as standard signals do.
#include <cerrno>
#include <csignal>
#include <ctime>

#include <fcntl.h>
#include <sys/event.h>

#include "signal_source.hpp"

namespace weft::io::sys {

FileDescriptor open_signal_source(std::span<const int> signals) noexcept {
  FileDescriptor queue(::kqueue());
  if (!queue) return queue;
  if (::fcntl(queue.get(), F_SETFD, FD_CLOEXEC) != 0) return FileDescriptor();
  for (const int signal : signals) {
    if (signal <= 0 || signal >= NSIG) {
      errno = EINVAL;
      return FileDescriptor();
    }
    struct kevent change {};
    EV_SET(&change, static_cast<uintptr_t>(signal), EVFILT_SIGNAL, EV_ADD | EV_CLEAR, 0, 0,
           nullptr);
    if (::kevent(queue.get(), &change, 1, nullptr, 0, nullptr) != 0) return FileDescriptor();
  }
  return queue;
}

int take_signal(NativeHandle source, int* signal) noexcept {
  struct kevent event {};
  const timespec no_wait{};
  for (;;) {
    const int n = ::kevent(source, nullptr, 0, &event, 1, &no_wait);
    if (n == 1) {
      *signal = static_cast<int>(event.ident);
      return 1;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EAGAIN;
    return -1;
  }
}

}  // namespace weft::io::sys
