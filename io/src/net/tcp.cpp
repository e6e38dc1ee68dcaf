#include <weft/io/net/tcp_listener.hpp>
#include <weft/io/net/tcp_stream.hpp>

#include <stdexcept>
#include <string>

#include <weft/io/current_reactor.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "socket_core.hpp"
#include "text.hpp"

namespace weft::net {

namespace {

const SocketAddress& require_ip(const SocketAddress& address, const char* what) {
  if (!address.is_ipv4() && !address.is_ipv6()) {
    throw std::invalid_argument(detail::concat(
        {"weft: ", what, " needs an IPv4 or IPv6 address, not ", address.to_string()}));
  }
  return address;
}

detail::SocketCore& require(detail::SocketCore* core, const char* op) {
  if (core == nullptr) detail::SocketCore::throw_closed(op);
  return *core;
}

}  // namespace

ConnectFuture<TcpStream> TcpStream::connect(const SocketAddress& address) {
  return {nullptr, require_ip(address, "TcpStream::connect"), std::nullopt};
}

ConnectFuture<TcpStream> TcpStream::connect(const SocketAddress& address, Duration timeout) {
  return {nullptr, require_ip(address, "TcpStream::connect"), timeout};
}

ConnectFuture<TcpStream> TcpStream::connect(io::Reactor& reactor, const SocketAddress& address,
                                            std::optional<Duration> timeout) {
  return {&reactor, require_ip(address, "TcpStream::connect"), timeout};
}

void TcpStream::set_nodelay(bool enabled) {
  require(core(), "set_nodelay")
      .set_option(IPPROTO_TCP, TCP_NODELAY, enabled ? 1 : 0, "set_nodelay");
}

bool TcpStream::nodelay() const {
  return require(core(), "nodelay").get_option(IPPROTO_TCP, TCP_NODELAY, "nodelay") != 0;
}

void TcpStream::set_linger(std::optional<std::chrono::seconds> linger) {
  detail::SocketCore& socket = require(core(), "set_linger");
  const detail::SocketCore::Use use(socket);
  if (!use) detail::SocketCore::throw_closed("set_linger");
  ::linger value{};
  value.l_onoff = linger ? 1 : 0;
  value.l_linger = linger ? static_cast<int>(linger->count()) : 0;
  if (::setsockopt(socket.fd(), SOL_SOCKET, SO_LINGER, &value, sizeof value) != 0) {
    throw IoError(errno, "set_linger");
  }
}

TcpListener::TcpListener(io::Reactor& reactor, const SocketAddress& address,
                         const ListenOptions& options)
    : ListenerSocket(reactor, require_ip(address, "TcpListener::bind"), SOCK_STREAM, options) {}

TcpListener TcpListener::bind(const SocketAddress& address, const ListenOptions& options) {
  return TcpListener(io::current_reactor(), address, options);
}

TcpListener TcpListener::bind(io::Reactor& reactor, const SocketAddress& address,
                              const ListenOptions& options) {
  return TcpListener(reactor, address, options);
}

}  // namespace weft::net
