#pragma once
// UnixStream: a connected Unix-domain stream socket. The byte-stream operations and their
// rules are StreamSocket's (stream_socket.hpp).

#include <string_view>
#include <utility>

#include <weft/io/net/connect.hpp>
#include <weft/io/net/stream_socket.hpp>

namespace weft::net {

class UnixStream : public StreamSocket {
 public:
  UnixStream() noexcept = default;
  explicit UnixStream(detail::SocketPtr core) noexcept : StreamSocket(std::move(core)) {}

  // Connects to a listening socket at `path` ("@name": the abstract namespace). A listener
  // whose backlog is full makes the future throw IoError(EAGAIN, "connect <path>") rather
  // than wait.
  static ConnectFuture<UnixStream> connect(std::string_view path);
  static ConnectFuture<UnixStream> connect(const SocketAddress& address);

  // A connected pair (socketpair(2)) registered with the calling worker's reactor, or with
  // `reactor`.
  static std::pair<UnixStream, UnixStream> pair();
  static std::pair<UnixStream, UnixStream> pair(io::Reactor& reactor);
};

}  // namespace weft::net
