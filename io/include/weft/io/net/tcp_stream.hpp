#pragma once
// TcpStream: a connected TCP socket (IPv4 or IPv6). The byte-stream operations and their
// rules are StreamSocket's (stream_socket.hpp).
//
//   auto stream = co_await weft::net::TcpStream::connect(SocketAddress::parse("127.0.0.1:80"));
//   stream.set_nodelay(true);
//   co_await stream.write_all("GET / HTTP/1.1\r\n\r\n");
//   std::size_t n = co_await stream.read(buffer);

#include <chrono>
#include <optional>

#include <weft/io/net/connect.hpp>
#include <weft/io/net/stream_socket.hpp>

namespace weft::net {

class TcpStream : public StreamSocket {
 public:
  using Duration = std::chrono::steady_clock::duration;

  // An empty stream: is_open() is false and operations throw IoError(EBADF).
  TcpStream() noexcept = default;
  // For weft's accept() and connect(): adopts a registered socket.
  explicit TcpStream(detail::SocketPtr core) noexcept : StreamSocket(std::move(core)) {}

  // Connects to an IPv4 or IPv6 address (std::invalid_argument for any other). The future
  // throws IoError("connect <address>"): ECONNREFUSED, ENETUNREACH, ETIMEDOUT...
  static ConnectFuture<TcpStream> connect(const SocketAddress& address);
  // Gives up after `timeout` with IoError(ETIMEDOUT). weft::timeout() works as well.
  static ConnectFuture<TcpStream> connect(const SocketAddress& address, Duration timeout);
  // With an explicit reactor (the futures of the overloads above use the polling
  // worker's).
  static ConnectFuture<TcpStream> connect(io::Reactor& reactor, const SocketAddress& address,
                                          std::optional<Duration> timeout = std::nullopt);

  // TCP_NODELAY: send small writes at once instead of coalescing them (Nagle).
  void set_nodelay(bool enabled);
  bool nodelay() const;
  // SO_LINGER. nullopt (the default): close() returns at once and the kernel delivers what
  // is queued. Zero seconds: close() discards unsent data and resets the connection (RST).
  void set_linger(std::optional<std::chrono::seconds> linger);
};

}  // namespace weft::net
