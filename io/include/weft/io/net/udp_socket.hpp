#pragma once
// UdpSocket: a UDP socket (IPv4 or IPv6).
//
//   auto socket = weft::net::UdpSocket::bind(SocketAddress::parse("127.0.0.1:0"));
//   co_await socket.send_to(std::as_bytes(std::span(message)), peer);
//   auto [n, from] = co_await socket.recv_from(buffer);
//
// A datagram larger than the buffer is truncated (the rest is discarded, as recvfrom(2)
// does). connect() fixes the peer: send()/recv() then need no address and datagrams from
// other addresses are dropped by the kernel. Errors follow the model of error.hpp; an
// ICMP "port unreachable" for an earlier datagram surfaces as IoError(ECONNREFUSED) on a
// connected socket. One sender and one receiver may be pending at a time; the socket must
// outlive the futures, as with streams.

#include <cstddef>
#include <span>
#include <utility>

#include <weft/io/native_handle.hpp>
#include <weft/io/net/socket_address.hpp>
#include <weft/io/net/socket_handle.hpp>
#include <weft/io/net/stream_socket.hpp>
#include <weft/io/reactor.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft::net {

// Ready with the number of bytes sent (the whole datagram).
class SendToFuture {
 public:
  SendToFuture(detail::SocketCore* core, std::span<const std::byte> data,
               const SocketAddress& to) noexcept
      : core_(core), data_(data), to_(to) {}
  Poll<std::size_t> poll(Context& cx);

 private:
  detail::SocketCore* core_;
  std::span<const std::byte> data_;
  SocketAddress to_;
};

// Ready with the datagram's size (at most the buffer's) and its sender.
class RecvFromFuture {
 public:
  RecvFromFuture(detail::SocketCore* core, std::span<std::byte> buffer) noexcept
      : core_(core), buffer_(buffer) {}
  Poll<std::pair<std::size_t, SocketAddress>> poll(Context& cx);

 private:
  detail::SocketCore* core_;
  std::span<std::byte> buffer_;
};

class UdpSocket {
 public:
  UdpSocket() noexcept = default;

  // Binds `address` (port 0: ephemeral) with the calling worker's reactor, or `reactor`.
  static UdpSocket bind(const SocketAddress& address);
  static UdpSocket bind(io::Reactor& reactor, const SocketAddress& address);

  SendToFuture send_to(std::span<const std::byte> data, const SocketAddress& to) noexcept {
    return {core_.get(), data, to};
  }
  RecvFromFuture recv_from(std::span<std::byte> buffer) noexcept { return {core_.get(), buffer}; }

  // Sets the default peer (connect(2) on UDP does not block).
  void connect(const SocketAddress& peer);
  // After connect(): one datagram to the peer / from the peer.
  WriteFuture send(std::span<const std::byte> data) noexcept { return {core_.get(), data}; }
  ReadFuture recv(std::span<std::byte> buffer) noexcept { return {core_.get(), buffer}; }

  void set_broadcast(bool enabled);
  SocketAddress local_address() const;
  SocketAddress peer_address() const;
  void close() noexcept;
  bool is_open() const noexcept;
  io::NativeHandle native_handle() const noexcept;

 private:
  explicit UdpSocket(detail::SocketPtr core) noexcept : core_(std::move(core)) {}

  detail::SocketPtr core_;
};

}  // namespace weft::net
