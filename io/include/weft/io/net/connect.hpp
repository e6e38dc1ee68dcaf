#pragma once
// The connect() future TcpStream and UnixStream share: a non-blocking connect(2), then a
// wait until the socket is writable, then SO_ERROR decides. With a timeout, running out
// of time throws IoError(ETIMEDOUT, "connect <address>") and closes the socket.
//
// The reactor is looked up when the future is first polled (io::current_reactor()), so a
// connect future can be created anywhere and awaited in a task; or pass one explicitly.

#include <chrono>
#include <optional>

#include <weft/io/net/socket_address.hpp>
#include <weft/io/net/socket_handle.hpp>
#include <weft/io/reactor.hpp>
#include <weft/io/sleep.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft::net {

namespace detail {

class ConnectCore {
 public:
  ConnectCore(io::Reactor* reactor, const SocketAddress& address,
              std::optional<std::chrono::steady_clock::duration> timeout) noexcept
      : reactor_(reactor), address_(address), timeout_(timeout) {}
  Poll<SocketPtr> poll(Context& cx);

 private:
  bool start();  // true when connected at once
  [[noreturn]] void fail(int error) const;

  io::Reactor* reactor_;  // nullptr: the polling worker's
  SocketAddress address_;
  std::optional<std::chrono::steady_clock::duration> timeout_;
  std::optional<io::Sleep> deadline_;
  SocketPtr socket_;
};

}  // namespace detail

// Ready with the connected stream.
template <class Stream>
class ConnectFuture {
 public:
  ConnectFuture(io::Reactor* reactor, const SocketAddress& address,
                std::optional<std::chrono::steady_clock::duration> timeout) noexcept
      : core_(reactor, address, timeout) {}

  Poll<Stream> poll(Context& cx) {
    Poll<detail::SocketPtr> socket = core_.poll(cx);
    if (socket.is_pending()) return pending;
    return Stream(std::move(socket).value());
  }

 private:
  detail::ConnectCore core_;
};

}  // namespace weft::net
