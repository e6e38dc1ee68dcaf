// TcpListener / TcpStream on loopback: round trips, IPv6, connect failures and timeouts,
// resets, half-close, end of file, SIGPIPE, back-pressure and idle timeouts.

#include <cerrno>
#include <csignal>
#include <cstring>
#include <numeric>

#include "../../examples/echo_protocol.hpp"
#include "../common/sigpipe.hpp"
#include "../common/under_wine.hpp"
#include "net_test_support.hpp"

namespace {

using namespace weft_net_test;

Task<void> echo_once(TcpListener& listener) {
  auto [stream, peer] = co_await listener.accept();
  co_await weft_examples::echo_connection(stream);
}

std::vector<std::byte> pattern(std::size_t size) {
  std::vector<std::byte> data(size);
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::byte>((i * 131 + 7) % 251);
  return data;
}

Task<void> write_all_then_shutdown(TcpStream& stream, std::span<const std::byte> data) {
  co_await stream.write_all(data);
  stream.shutdown(weft::net::Shutdown::write);
}

// A large payload through the echo server: one task writes while this one reads, so
// neither direction's buffers can fill up and deadlock.
Task<void> round_trip(bool ipv6) {
  TcpListener listener = loopback_listener(ipv6);
  EXPECT_EQ(listener.local_address().is_ipv6(), ipv6);
  auto server = weft::spawn(echo_once(listener));
  TcpStream client = co_await TcpStream::connect(listener.local_address());
  client.set_nodelay(true);
  EXPECT_TRUE(client.nodelay());
  EXPECT_EQ(client.peer_address(), listener.local_address());

  // Small messages first, one at a time.
  for (std::string_view message : {"a", "hello", "weft weft weft"}) {
    co_await client.write_all(message);
    std::string back(message.size(), '\0');
    co_await client.read_exact(std::as_writable_bytes(std::span(back)));
    EXPECT_EQ(back, message);
  }
  // Then 4 MiB both ways at once.
  const std::vector<std::byte> payload = pattern(std::size_t{4} << 20);
  auto writer = weft::spawn(write_all_then_shutdown(client, payload));
  const std::string echoed = co_await read_to_end(client);
  co_await writer;
  co_await server;
  CO_ASSERT_TRUE(echoed.size() == payload.size());
  EXPECT_EQ(std::memcmp(echoed.data(), payload.data(), payload.size()), 0);
}

TEST(Tcp, EchoRoundTripIpv4) {
  run(round_trip(false));
}

TEST(Tcp, EchoRoundTripIpv6) {
  run(round_trip(true));
}

Task<void> connect_refused() {
  SocketAddress address;
  {
    TcpListener listener = loopback_listener();
    address = listener.local_address();
  }  // closed: nothing listens on the port now
  const auto error = co_await io_error_of(TcpStream::connect(address));
  CO_ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code(), std::errc::connection_refused);
  EXPECT_EQ(error->operation(), "connect " + address.to_string());
  // The same text on every platform (Windows' C library has none for socket errors).
  EXPECT_EQ(std::string(error->what()),
            "weft: connect " + address.to_string() + ": Connection refused");
}

TEST(Tcp, ConnectToClosedPortIsRefused) {
  if (on_libkqueue()) GTEST_SKIP() << kLibkqueueTakesSocketErrors;
  run(connect_refused());
}

// A listener with a full accept queue drops new SYNs, so the next connect hangs in the
// handshake until the client gives up: a connect timeout on loopback.
Task<void> connect_timeout() {
  TcpListener listener = loopback_listener(false, {.backlog = 0});
  std::vector<TcpStream> queued;
  bool timed_out = false;
  for (int i = 0; i < 16 && !timed_out; ++i) {
    try {
      queued.push_back(co_await weft::timeout(300ms, TcpStream::connect(listener.local_address())));
    } catch (const weft::TimeoutError&) {
      timed_out = true;
    }
  }
  CO_ASSERT_TRUE(timed_out);
  // The built-in timeout reports ETIMEDOUT and names the address.
  const auto start = std::chrono::steady_clock::now();
  const auto error = co_await io_error_of(
      TcpStream::connect(listener.local_address(), std::chrono::milliseconds(200)));
  CO_ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code(), std::errc::timed_out);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
  EXPECT_EQ(error->operation(), "connect " + listener.local_address().to_string());
}

TEST(Tcp, ConnectTimesOut) {
  run(connect_timeout());
}

Task<void> wait_readable_then_expect_reset(TcpStream& stream, weft_test::Event& waiting) {
  std::array<std::byte, 64> buffer{};
  const auto error = co_await io_error_of(SignalOnPending(stream.read(buffer), waiting));
  CO_ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code(), std::errc::connection_reset);
  EXPECT_EQ(error->operation(), "read");
}

// SO_LINGER 0 makes close() send RST instead of FIN.
Task<void> reset_mid_read() {
  TcpListener listener = loopback_listener();
  Connection c = co_await connect_pair(listener);
  weft_test::Event waiting;
  auto reader = weft::spawn(wait_readable_then_expect_reset(c.server, waiting));
  co_await waiting.wait();  // the reader is parked in read()
  c.client.set_linger(std::chrono::seconds(0));
  c.client.close();
  co_await reader;
}

TEST(Tcp, PeerResetMidReadIsConnectionReset) {
  if (on_libkqueue()) GTEST_SKIP() << kLibkqueueTakesSocketErrors;
  if (weft_test::running_under_wine()) GTEST_SKIP() << weft_test::kWineReadsResetAsEof;
  run(reset_mid_read());
}

// Writing into a connection the peer has reset, or closed: EPIPE/ECONNRESET as an
// IoError, and the process survives (send uses MSG_NOSIGNAL; SIGPIPE keeps its default,
// fatal, action in this test).
Task<void> write_to_closed_peer(bool reset) {
  TcpListener listener = loopback_listener();
  Connection c = co_await connect_pair(listener);
  if (reset) c.client.set_linger(std::chrono::seconds(0));
  c.client.close();
  const std::vector<std::byte> chunk(64 * 1024, std::byte{'x'});
  std::optional<IoError> error;
  for (int i = 0; i < 1000 && !error; ++i) {
    error = co_await io_error_of(c.server.write_all(chunk));
    if (!error) co_await weft::yield_now();  // the peer's RST answers the first write
  }
  CO_ASSERT_TRUE(error.has_value());
  EXPECT_TRUE(error->code() == std::errc::broken_pipe ||
              error->code() == std::errc::connection_reset)
      << error->what();
  EXPECT_EQ(error->operation(), "write_all");
}

TEST(Tcp, WritingToAResetPeerFailsWithoutSigpipe) {
  ASSERT_TRUE(weft_test::sigpipe_is_fatal());
  run(write_to_closed_peer(true));
}

TEST(Tcp, WritingToAClosedPeerFailsWithoutSigpipe) {
  ASSERT_TRUE(weft_test::sigpipe_is_fatal());
  run(write_to_closed_peer(false));
}

// The peer resets while this side is blocked in write_all (its send buffer full).
Task<void> reset_mid_write() {
  TcpListener listener = loopback_listener();
  Connection c = co_await connect_pair(listener);
  const std::vector<std::byte> big(std::size_t{16} << 20, std::byte{'y'});
  weft_test::Event waiting;
  auto writer = weft::spawn(io_error_of(SignalOnPending(c.server.write_all(big), waiting)));
  co_await waiting.wait();  // the buffers are full and the writer is parked
  c.client.set_linger(std::chrono::seconds(0));
  c.client.close();
  const auto error = co_await writer;
  CO_ASSERT_TRUE(error.has_value());
  EXPECT_TRUE(error->code() == std::errc::broken_pipe ||
              error->code() == std::errc::connection_reset)
      << error->what();
}

TEST(Tcp, PeerResetMidWrite) {
  run(reset_mid_write());
}

// shutdown(write) on one side: the other reads end of file (again and again), and can
// still write back.
Task<void> half_close() {
  TcpListener listener = loopback_listener();
  Connection c = co_await connect_pair(listener);
  co_await c.client.write_all("request");
  c.client.shutdown(weft::net::Shutdown::write);

  EXPECT_EQ(co_await read_to_end(c.server), "request");
  std::array<std::byte, 16> buffer{};
  EXPECT_EQ(co_await c.server.read(buffer), 0u) << "reading after end of file";
  EXPECT_EQ(co_await c.server.read(buffer), 0u);

  co_await c.server.write_all("response");
  c.server.close();
  EXPECT_EQ(co_await read_to_end(c.client), "response");
  EXPECT_EQ(co_await c.client.read(buffer), 0u);
}

TEST(Tcp, HalfCloseReadsEofAndWritingGoesOn) {
  run(half_close());
}

Task<void> read_exact_eof() {
  TcpListener listener = loopback_listener();
  Connection c = co_await connect_pair(listener);
  co_await c.client.write_all("abc");
  c.client.close();
  std::array<std::byte, 8> buffer{};
  try {
    co_await c.server.read_exact(buffer);
    ADD_FAILURE() << "read_exact should have thrown";
  } catch (const weft::net::UnexpectedEof& eof) {
    EXPECT_EQ(eof.received(), 3u);
    EXPECT_EQ(eof.expected(), 8u);
    EXPECT_EQ(eof.code(), weft::net::NetError::unexpected_eof);
    EXPECT_STREQ(eof.what(), "weft: read_exact (3 of 8 bytes received): unexpected end of file");
  }
}

TEST(Tcp, ReadExactThrowsUnexpectedEof) {
  run(read_exact_eof());
}

// Counts the polls in which write_all was pending, and remembers how much it had written
// when it first had to wait.
struct WriteProgress {
  std::atomic<int> pendings{0};
  std::atomic<std::size_t> written_at_first_wait{0};
};

class ObservedWriteAll {
 public:
  ObservedWriteAll(weft::net::WriteAllFuture inner, WriteProgress& progress,
                   weft_test::Event& waiting)
      : inner_(inner), progress_(&progress), waiting_(&waiting) {}
  weft::Poll<void> poll(weft::Context& cx) {
    weft::Poll<void> result = inner_.poll(cx);
    if (result.is_pending() && progress_->pendings.fetch_add(1) == 0) {
      progress_->written_at_first_wait = inner_.written();
      waiting_->set();
    }
    return result;
  }

 private:
  weft::net::WriteAllFuture inner_;
  WriteProgress* progress_;
  weft_test::Event* waiting_;
};

Task<void> write_big(TcpStream& stream, std::span<const std::byte> data, WriteProgress& progress,
                     weft_test::Event& waiting) {
  co_await ObservedWriteAll(stream.write_all(data), progress, waiting);
  stream.shutdown(weft::net::Shutdown::write);
}

// A reader that does not read: write_all stops (pending) once the socket buffers are
// full, holding no memory of its own beyond the caller's buffer; it completes once the
// reader drains.
Task<void> slow_reader() {
  TcpListener listener = loopback_listener();
  Connection c = co_await connect_pair(listener);
  const std::vector<std::byte> data = pattern(std::size_t{16} << 20);
  WriteProgress progress;
  weft_test::Event waiting;
  auto writer = weft::spawn(write_big(c.server, data, progress, waiting));
  co_await waiting.wait();
  EXPECT_FALSE(writer.is_finished());
  EXPECT_LT(progress.written_at_first_wait.load(), data.size())
      << "the kernel buffers should hold far less than 16 MiB";
  const std::string received = co_await read_to_end(c.client);
  co_await writer;
  CO_ASSERT_TRUE(received.size() == data.size());
  EXPECT_EQ(std::memcmp(received.data(), data.data(), data.size()), 0);
}

TEST(Tcp, SlowReaderAppliesBackPressure) {
  run(slow_reader());
}

// The server gives a silent client 100 ms to send something, then drops it.
Task<void> serve_with_idle_timeout(TcpListener& listener, std::atomic<bool>& timed_out) {
  auto [stream, peer] = co_await listener.accept();
  std::array<std::byte, 64> buffer{};
  try {
    co_await weft::timeout(100ms, stream.read(buffer));
  } catch (const weft::TimeoutError&) {
    timed_out = true;
  }
  stream.close();
}

Task<void> idle_client_is_dropped() {
  TcpListener listener = loopback_listener();
  std::atomic<bool> timed_out{false};
  auto server = weft::spawn(serve_with_idle_timeout(listener, timed_out));
  TcpStream client = co_await TcpStream::connect(listener.local_address());
  // Never sends: the server's timeout frees the connection, the client sees end of file.
  EXPECT_EQ(co_await read_to_end(client), "");
  co_await server;
  EXPECT_TRUE(timed_out.load());
}

TEST(Tcp, ClientThatNeverSendsIsFreedByTimeout) {
  run(idle_client_is_dropped());
}

Task<void> addresses_and_options() {
  TcpListener listener = loopback_listener();
  EXPECT_NE(listener.local_address().port(), 0);
  Connection c = co_await connect_pair(listener);
  EXPECT_EQ(c.client.local_address(), c.server.peer_address());
  EXPECT_EQ(c.server.local_address(), c.client.peer_address());
  EXPECT_FALSE(c.server.nodelay());
  c.server.set_nodelay(true);
  EXPECT_TRUE(c.server.nodelay());
  EXPECT_TRUE(c.server.is_open());
  c.server.close();
  EXPECT_FALSE(c.server.is_open());
  EXPECT_EQ(c.server.native_handle(), -1);
  c.server.close();  // idempotent
  const auto error = co_await io_error_of(c.server.write_all("x"));
  CO_ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code(), std::errc::bad_file_descriptor);
  EXPECT_EQ(error->operation(), "write_all on a closed socket");
  EXPECT_THROW(c.server.local_address(), IoError);

  TcpStream empty;
  EXPECT_FALSE(empty.is_open());
  std::array<std::byte, 4> buffer{};
  EXPECT_TRUE((co_await io_error_of(empty.read(buffer))).has_value());
}

TEST(Tcp, AddressesOptionsAndClosedStreams) {
  run(addresses_and_options());
}

Task<void> bind_errors() {
  TcpListener first = loopback_listener();
  try {
    TcpListener second = TcpListener::bind(first.local_address(), {.reuse_address = false});
    ADD_FAILURE() << "a second bind to the same port should fail";
  } catch (const IoError& error) {
    EXPECT_EQ(error.code(), std::errc::address_in_use);
    EXPECT_EQ(error.operation(), "bind " + first.local_address().to_string());
  }
  EXPECT_THROW(TcpListener::bind(SocketAddress::unix_path("/tmp/x")), std::invalid_argument);
  co_return;
}

TEST(Tcp, BindErrorsNameTheAddress) {
  run(bind_errors());
}

TEST(Tcp, BindOutsideAWorkerNeedsAReactor) {
  EXPECT_THROW(TcpListener::bind(SocketAddress::ipv4_loopback(0)), std::logic_error);
}

}  // namespace
