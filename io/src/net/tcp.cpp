#include <weft/io/net/tcp_listener.hpp>
#include <weft/io/net/tcp_stream.hpp>

#include <stdexcept>
#include <string>

#include <weft/io/current_reactor.hpp>

#include "../sys/native_socket.hpp"
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
  require(core(), "set_nodelay").set_flag(io::sys::SocketFlag::no_delay, enabled, "set_nodelay");
}

bool TcpStream::nodelay() const {
  return require(core(), "nodelay").get_flag(io::sys::SocketFlag::no_delay, "nodelay");
}

void TcpStream::set_linger(std::optional<std::chrono::seconds> linger) {
  require(core(), "set_linger").control("set_linger", [linger](io::NativeHandle fd) {
    return io::sys::set_linger(fd, linger);
  });
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
