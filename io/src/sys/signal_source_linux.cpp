// Signals on Linux: a signalfd(2) (sys/signal_source.hpp). It sees only signals that are
// blocked in every thread, hence block_signals() (signal_mask_posix.cpp).
#include <cerrno>
#include <csignal>

#include <sys/signalfd.h>
#include <unistd.h>

#include "signal_source.hpp"

namespace weft::io::sys {

FileDescriptor open_signal_source(std::span<const int> signals) noexcept {
  sigset_t set;
  ::sigemptyset(&set);
  for (const int signal : signals) {
    if (::sigaddset(&set, signal) != 0) {
      errno = EINVAL;
      return FileDescriptor();
    }
  }
  return FileDescriptor(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
}

int take_signal(NativeHandle source, int* signal) noexcept {
  signalfd_siginfo info{};
  for (;;) {
    const ssize_t n = ::read(source, &info, sizeof info);
    if (n == static_cast<ssize_t>(sizeof info)) {
      *signal = static_cast<int>(info.ssi_signo);
      return 1;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n >= 0) errno = EIO;  // a signalfd reads whole records or nothing
    return -1;
  }
}

}  // namespace weft::io::sys
