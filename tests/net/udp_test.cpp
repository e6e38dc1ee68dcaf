// UdpSocket on loopback: send_to/recv_from both ways, truncation, connected sockets, IPv6.

#include "net_test_support.hpp"

namespace {

using namespace weft_net_test;
using weft::net::UdpSocket;

Task<void> datagrams(bool ipv6) {
  const SocketAddress any =
      ipv6 ? SocketAddress::ipv6_loopback(0) : SocketAddress::ipv4_loopback(0);
  UdpSocket a = UdpSocket::bind(any);
  UdpSocket b = UdpSocket::bind(any);
  EXPECT_NE(a.local_address().port(), 0);

  EXPECT_EQ(co_await a.send_to(bytes_of("ping"), b.local_address()), 4u);
  std::array<std::byte, 64> buffer{};
  auto [n, from] = co_await b.recv_from(buffer);
  EXPECT_EQ(text_of(std::span(buffer).first(n)), "ping");
  EXPECT_EQ(from, a.local_address());

  co_await b.send_to(bytes_of("pong"), from);
  auto [m, back_from] = co_await a.recv_from(buffer);
  EXPECT_EQ(text_of(std::span(buffer).first(m)), "pong");
  EXPECT_EQ(back_from, b.local_address());

  // Datagram boundaries are kept, and a datagram longer than the buffer is truncated.
  co_await a.send_to(bytes_of("0123456789"), b.local_address());
  co_await a.send_to(bytes_of("xy"), b.local_address());
  std::array<std::byte, 4> small{};
  auto [t, t_from] = co_await b.recv_from(small);
  EXPECT_EQ(text_of(std::span(small).first(t)), "0123");
  auto [u, u_from] = co_await b.recv_from(small);
  EXPECT_EQ(text_of(std::span(small).first(u)), "xy");
}

TEST(Udp, SendToAndRecvFromIpv4) {
  run(datagrams(false));
}

TEST(Udp, SendToAndRecvFromIpv6) {
  run(datagrams(true));
}

Task<void> receive_many(UdpSocket& socket, int count, std::atomic<int>& received) {
  std::array<std::byte, 16> buffer{};
  while (received.load() < count) {
    co_await socket.recv(buffer);
    received.fetch_add(1);
  }
}

Task<void> send_many(UdpSocket& socket, int count, std::atomic<int>& received) {
  // UDP may drop datagrams under pressure; resend until the receiver has all it wants.
  while (received.load() < count) {
    for (int i = 0; i < 8; ++i) co_await socket.send(bytes_of("d"));
    co_await weft::yield_now();
  }
}

// connect() fixes the peer: send()/recv() without addresses; a receiver parked in recv()
// is woken by each datagram.
Task<void> connected() {
  UdpSocket a = UdpSocket::bind(SocketAddress::ipv4_loopback(0));
  UdpSocket b = UdpSocket::bind(SocketAddress::ipv4_loopback(0));
  a.connect(b.local_address());
  b.connect(a.local_address());
  EXPECT_EQ(a.peer_address(), b.local_address());
  const int count = 200 * weft_test::kScale;
  std::atomic<int> received{0};
  auto receiver = weft::spawn(receive_many(b, count, received));
  co_await send_many(a, count, received);
  co_await receiver;
  EXPECT_GE(received.load(), count);
}

TEST(Udp, ConnectedSendAndRecv) {
  run(connected());
}

// A datagram to a port where nobody listens: the ICMP error surfaces on a connected
// socket as ECONNREFUSED.
Task<void> refused() {
  SocketAddress closed;
  {
    UdpSocket gone = UdpSocket::bind(SocketAddress::ipv4_loopback(0));
    closed = gone.local_address();
  }
  UdpSocket a = UdpSocket::bind(SocketAddress::ipv4_loopback(0));
  a.connect(closed);
  std::optional<IoError> error;
  for (int i = 0; i < 100 && !error; ++i) {
    error = co_await io_error_of(a.send(bytes_of("x")));
    if (!error) {
      std::array<std::byte, 4> buffer{};
      try {
        co_await weft::timeout(10ms, a.recv(buffer));
      } catch (const IoError& e) {
        error = e;
      } catch (const weft::TimeoutError&) {
      }
    }
  }
  CO_ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code(), std::errc::connection_refused);
}

TEST(Udp, IcmpUnreachableSurfacesAsConnectionRefused) {
  run(refused());
}

}  // namespace
