#include "signals.hpp"

#include <pthread.h>
#include <signal.h>

namespace weft::platform {

void with_all_signals_blocked(const std::function<void()>& start) {
  sigset_t all;
  sigset_t previous;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  try {
    start();
  } catch (...) {
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    throw;
  }
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

}  // namespace weft::platform
