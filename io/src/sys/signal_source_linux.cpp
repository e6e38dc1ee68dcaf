// Signals on Linux: a signalfd(2) (sys/signal_source.hpp). It only sees signals that are
// blocked in every thread, hence block_signals().
#include "signal_source.hpp"

#include <cerrno>
#include <csignal>

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace weft::io::sys {

namespace {

// False (errno EINVAL) if a number is not a signal.
bool to_sigset(std::span<const int> signals, sigset_t& set) noexcept {
  ::sigemptyset(&set);
  for (const int signal : signals) {
    if (::sigaddset(&set, signal) != 0) return false;
  }
  return true;
}

}  // namespace

int block_signals(std::span<const int> signals) noexcept {
  sigset_t set;
  if (!to_sigset(signals, set)) return EINVAL;
  return ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

FileDescriptor open_signal_source(std::span<const int> signals) noexcept {
  sigset_t set;
  if (!to_sigset(signals, set)) return FileDescriptor();
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
