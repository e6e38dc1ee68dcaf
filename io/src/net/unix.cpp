#include <weft/io/net/unix_listener.hpp>
#include <weft/io/net/unix_stream.hpp>

#include <stdexcept>
#include <string>

#include <weft/io/current_reactor.hpp>
#include <weft/io/net/error.hpp>

#include "../sys/native_socket.hpp"
#include "socket_core.hpp"
#include "text.hpp"

namespace weft::net {

namespace {

const SocketAddress& require_unix(const SocketAddress& address, const char* what) {
  if (!address.is_unix()) {
    throw std::invalid_argument(
        detail::concat({"weft: ", what, " needs a Unix address, not ", address.to_string()}));
  }
  return address;
}

}  // namespace

ConnectFuture<UnixStream> UnixStream::connect(std::string_view path) {
  return {nullptr, SocketAddress::unix_path(path), std::nullopt};
}

ConnectFuture<UnixStream> UnixStream::connect(const SocketAddress& address) {
  return {nullptr, require_unix(address, "UnixStream::connect"), std::nullopt};
}

std::pair<UnixStream, UnixStream> UnixStream::pair() {
  return pair(io::current_reactor());
}

std::pair<UnixStream, UnixStream> UnixStream::pair(io::Reactor& reactor) {
  io::NativeHandle fds[2];
  if (io::sys::socket_pair(fds) != 0) throw IoError(io::sys::last_error(), "socketpair");
  io::FileDescriptor first(fds[0]);
  io::FileDescriptor second(fds[1]);
  using detail::SocketCore;
  using detail::Transfer;
  UnixStream a(SocketCore::adopt(reactor, std::move(first), Transfer::stream, "socketpair"));
  UnixStream b(SocketCore::adopt(reactor, std::move(second), Transfer::stream, "socketpair"));
  return {std::move(a), std::move(b)};
}

UnixListener::UnixListener(io::Reactor& reactor, const SocketAddress& address,
                           const ListenOptions& options)
    : ListenerSocket(reactor, require_unix(address, "UnixListener::bind"), SOCK_STREAM, options) {}

UnixListener UnixListener::bind(std::string_view path, const ListenOptions& options) {
  return UnixListener(io::current_reactor(), SocketAddress::unix_path(path), options);
}

UnixListener UnixListener::bind(const SocketAddress& address, const ListenOptions& options) {
  return UnixListener(io::current_reactor(), address, options);
}

UnixListener UnixListener::bind(io::Reactor& reactor, const SocketAddress& address,
                                const ListenOptions& options) {
  return UnixListener(reactor, address, options);
}

}  // namespace weft::net
