#include <weft/io/net/signal.hpp>

#include <string>

#include <weft/io/current_reactor.hpp>
#include <weft/io/net/error.hpp>

#include "../sys/signal_source.hpp"
#include "socket_core.hpp"

namespace weft::net {

void block_signals(std::initializer_list<int> signals) {
  block_signals(std::span<const int>(signals.begin(), signals.size()));
}

void block_signals(std::span<const int> signals) {
  if (const int error = io::sys::block_signals(signals); error != 0) {
    throw IoError(error, "block signals");
  }
}

SignalListener::SignalListener(std::initializer_list<int> signals)
    : SignalListener(io::current_reactor(), std::span<const int>(signals.begin(), signals.size())) {
}

SignalListener::SignalListener(io::Reactor& reactor, std::span<const int> signals) {
  block_signals(signals);
  io::FileDescriptor source = io::sys::open_signal_source(signals);
  if (!source) throw IoError(io::sys::last_error(), "signal source");
  core_ = detail::SocketCore::adopt(reactor, std::move(source), detail::Transfer::message,
                                    "signal source");
}

Poll<int> SignalFuture::poll(Context& cx) {
  if (core_ == nullptr) detail::SocketCore::throw_closed("wait for signal");
  int signal = 0;
  Poll<detail::IoResult> result =
      core_->poll_io(io::Direction::read, cx, "wait for signal", 1,
                     [&signal](io::NativeHandle fd) { return io::sys::take_signal(fd, &signal); });
  if (result.is_pending()) return pending;
  if (result.value().error != 0) throw IoError(result.value().error, "wait for signal");
  return signal;
}

Poll<int> WaitForSignal::poll(Context& cx) {
  if (!listener_) listener_.emplace(io::current_reactor(), std::span<const int>(signals_));
  return listener_->recv().poll(cx);
}

}  // namespace weft::net
