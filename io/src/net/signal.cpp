#include <weft/io/net/signal.hpp>

#include <string>

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <weft/io/current_reactor.hpp>
#include <weft/io/net/error.hpp>

#include "socket_core.hpp"
#include "text.hpp"

namespace weft::net {

namespace {

sigset_t to_sigset(std::span<const int> signals) {
  sigset_t set;
  ::sigemptyset(&set);
  for (const int signal : signals) {
    if (::sigaddset(&set, signal) != 0) {
      throw IoError(EINVAL, detail::concat({"signal set (signal ", std::to_string(signal), ")"}));
    }
  }
  return set;
}

}  // namespace

void block_signals(std::initializer_list<int> signals) {
  block_signals(std::span<const int>(signals.begin(), signals.size()));
}

void block_signals(std::span<const int> signals) {
  const sigset_t set = to_sigset(signals);
  if (const int error = ::pthread_sigmask(SIG_BLOCK, &set, nullptr); error != 0) {
    throw IoError(error, "pthread_sigmask");
  }
}

SignalListener::SignalListener(std::initializer_list<int> signals)
    : SignalListener(io::current_reactor(), std::span<const int>(signals.begin(), signals.size())) {
}

SignalListener::SignalListener(io::Reactor& reactor, std::span<const int> signals) {
  block_signals(signals);
  const sigset_t set = to_sigset(signals);
  const int fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) throw IoError(errno, "signalfd");
  core_ = detail::SocketCore::adopt(reactor, io::FileDescriptor(fd), detail::Transfer::message,
                                    "signalfd");
}

Poll<int> SignalFuture::poll(Context& cx) {
  if (core_ == nullptr) detail::SocketCore::throw_closed("wait for signal");
  signalfd_siginfo info{};
  Poll<detail::IoResult> result =
      core_->poll_io(io::Direction::read, cx, "wait for signal", sizeof info,
                     [&info](int fd) { return ::read(fd, &info, sizeof info); });
  if (result.is_pending()) return pending;
  if (result.value().error != 0) throw IoError(result.value().error, "wait for signal");
  return static_cast<int>(info.ssi_signo);
}

Poll<int> WaitForSignal::poll(Context& cx) {
  if (!listener_) listener_.emplace(io::current_reactor(), std::span<const int>(signals_));
  return listener_->recv().poll(cx);
}

}  // namespace weft::net
