#pragma once
// UnixListener: a listening Unix-domain stream socket. Binding creates the socket file;
// neither bind() nor the destructor removes an existing one (bind then fails with
// EADDRINUSE): unlink stale paths yourself, or use the abstract namespace ("@name").

#include <string_view>

#include <weft/io/net/listener_socket.hpp>
#include <weft/io/net/unix_stream.hpp>

namespace weft::net {

class UnixListener : public ListenerSocket {
 public:
  UnixListener() noexcept = default;

  // Binds `path` ("@name": abstract) and listens. Throws IoError("bind <path>") or
  // std::invalid_argument (path too long, or not a Unix address).
  static UnixListener bind(std::string_view path, const ListenOptions& options = {});
  static UnixListener bind(const SocketAddress& address, const ListenOptions& options = {});
  static UnixListener bind(io::Reactor& reactor, const SocketAddress& address,
                           const ListenOptions& options = {});

  AcceptFuture<UnixStream> accept() noexcept { return AcceptFuture<UnixStream>(state()); }

 private:
  UnixListener(io::Reactor& reactor, const SocketAddress& address, const ListenOptions& options);
};

}  // namespace weft::net
