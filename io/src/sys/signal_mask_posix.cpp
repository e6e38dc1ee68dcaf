// The POSIX signal mask for sys::block_signals (sys/signal_source.hpp): both POSIX signal
// sources (signalfd, kqueue) need the signals blocked, or their default action (terminating
// the process, for SIGINT and SIGTERM) would win.
#include <cerrno>
#include <csignal>

#include <pthread.h>

#include "signal_source.hpp"

namespace weft::io::sys {

int block_signals(std::span<const int> signals) noexcept {
  sigset_t set;
  ::sigemptyset(&set);
  for (const int signal : signals) {
    if (::sigaddset(&set, signal) != 0) return EINVAL;
  }
  return ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace weft::io::sys
