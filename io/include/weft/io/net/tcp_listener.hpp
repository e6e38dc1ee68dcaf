#pragma once
// TcpListener: a listening TCP socket (IPv4 or IPv6).
//
//   auto listener = weft::net::TcpListener::bind(SocketAddress::parse("127.0.0.1:8080"));
//   for (;;) {
//     auto [stream, peer] = co_await listener.accept();
//     weft::spawn(serve(std::move(stream)));
//   }
//
// accept()'s behaviour when descriptors run out, and close(), are ListenerSocket's.

#include <weft/io/net/listener_socket.hpp>
#include <weft/io/net/tcp_stream.hpp>

namespace weft::net {

class TcpListener : public ListenerSocket {
 public:
  TcpListener() noexcept = default;

  // Binds and listens (port 0: an ephemeral port, see local_address()). Uses the calling
  // worker's reactor (std::logic_error on other threads), or `reactor`. Throws IoError
  // ("bind 127.0.0.1:8080": EADDRINUSE, EACCES...) or std::invalid_argument for a non-IP
  // address.
  static TcpListener bind(const SocketAddress& address, const ListenOptions& options = {});
  static TcpListener bind(io::Reactor& reactor, const SocketAddress& address,
                          const ListenOptions& options = {});

  AcceptFuture<TcpStream> accept() noexcept { return AcceptFuture<TcpStream>(state()); }

 private:
  TcpListener(io::Reactor& reactor, const SocketAddress& address, const ListenOptions& options);
};

}  // namespace weft::net
