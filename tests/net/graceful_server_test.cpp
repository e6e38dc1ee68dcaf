// The examples' server loop (examples/graceful_server.hpp) with the examples' protocols:
// it serves echo and HTTP (pipelined too), and on stop refuses new connections, lets a
// request in progress finish, ends idle connections, and returns.

#include "../../examples/graceful_server.hpp"
#include "../../examples/echo_protocol.hpp"
#include "../../examples/http_protocol.hpp"
#include "../common/under_wine.hpp"
#include "net_test_support.hpp"

namespace {

using namespace weft_net_test;
using weft_examples::kHelloResponse;
using weft_examples::serve_until;

std::string repeat(std::string_view text, int times) {
  std::string all;
  for (int i = 0; i < times; ++i) all += text;
  return all;
}

Task<void> http_requests(TcpStream& client) {
  const std::string_view request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  // One at a time.
  for (int i = 0; i < 3; ++i) {
    co_await client.write_all(request);
    std::string response(kHelloResponse.size(), '\0');
    co_await client.read_exact(std::as_writable_bytes(std::span(response)));
    EXPECT_EQ(response, kHelloResponse);
  }
  // 16 pipelined, and split across writes at awkward places.
  const std::string batch = repeat(request, 16);
  co_await client.write_all(std::string_view(batch).substr(0, 7));
  co_await client.write_all(std::string_view(batch).substr(7, 30));
  co_await client.write_all(std::string_view(batch).substr(37));
  std::string responses(kHelloResponse.size() * 16, '\0');
  co_await client.read_exact(std::as_writable_bytes(std::span(responses)));
  EXPECT_EQ(responses, repeat(kHelloResponse, 16));
}

Task<void> serves_then_stops() {
  TcpListener echo_listener = loopback_listener();
  TcpListener http_listener = loopback_listener();
  const SocketAddress echo_address = echo_listener.local_address();
  const SocketAddress http_address = http_listener.local_address();
  weft_test::Event stop;
  auto echo = weft::spawn(serve_until(std::move(echo_listener), weft_examples::echo_connection,
                                      stop.wait(), std::chrono::seconds(5)));
  auto http = weft::spawn(serve_until(std::move(http_listener), weft_examples::http_connection,
                                      stop.wait(), std::chrono::seconds(5)));

  TcpStream echo_client = co_await TcpStream::connect(echo_address);
  co_await echo_client.write_all("hello");
  std::string back(5, '\0');
  co_await echo_client.read_exact(std::as_writable_bytes(std::span(back)));
  EXPECT_EQ(back, "hello");

  TcpStream http_client = co_await TcpStream::connect(http_address);
  co_await http_requests(http_client);

  // Stop: both servers end their idle connections (the clients read end of file), refuse
  // new ones, and report no connection left behind.
  stop.set();
  EXPECT_EQ(co_await echo, 0u);
  EXPECT_EQ(co_await http, 0u);
  EXPECT_EQ(co_await read_to_end(echo_client), "");
  EXPECT_EQ(co_await read_to_end(http_client), "");
  const auto refused = co_await io_error_of(TcpStream::connect(echo_address));
  CO_ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->code(), std::errc::connection_refused);
}

TEST(GracefulServer, ServesEchoAndHttpThenStops) {
  // A stopped server must refuse connections, which connect() cannot tell there.
  if (on_libkqueue()) GTEST_SKIP() << kLibkqueueTakesSocketErrors;
  run(serves_then_stops());
}

// A handler whose request takes a while: it reads a request, waits for the test to
// release it, then answers.
weft_test::Event* g_request_started = nullptr;
weft_test::Event* g_release = nullptr;

Task<void> slow_handler(TcpStream& stream) {
  std::array<std::byte, 64> buffer{};
  for (;;) {
    const std::size_t n = co_await stream.read(buffer);
    if (n == 0) co_return;
    g_request_started->set();
    co_await g_release->wait();
    co_await stream.write_all(std::span(buffer).first(n));
  }
}

Task<void> in_flight_request_finishes() {
  weft_test::Event started;
  weft_test::Event release;
  g_request_started = &started;
  g_release = &release;
  TcpListener listener = loopback_listener();
  const SocketAddress address = listener.local_address();
  weft_test::Event stop;
  auto server = weft::spawn(
      serve_until(std::move(listener), slow_handler, stop.wait(), std::chrono::seconds(10)));

  TcpStream client = co_await TcpStream::connect(address);
  co_await client.write_all("work");
  co_await started.wait();  // the request is in progress

  stop.set();
  // New connections are refused once the listener is closed, which happens promptly;
  // poll for it with a bounded number of attempts. (A connect that races with the close
  // may also be accepted by the kernel and then reset.)
  bool refused = false;
  for (int i = 0; i < 1000 && !refused; ++i) {
    const auto error = co_await io_error_of(TcpStream::connect(address));
    refused = error && error->code() == std::errc::connection_refused;
    if (!refused) co_await weft::sleep(1ms);
  }
  EXPECT_TRUE(refused);
  EXPECT_FALSE(server.is_finished()) << "the request in progress holds the shutdown";

  release.set();
  EXPECT_EQ(co_await read_to_end(client), "work") << "the response, then end of file";
  EXPECT_EQ(co_await server, 0u);
}

TEST(GracefulServer, InFlightRequestFinishesNewConnectionsAreRefused) {
  if (on_libkqueue()) GTEST_SKIP() << kLibkqueueTakesSocketErrors;
  // Its connects race with the listener's close.
  if (weft_test::running_under_wine()) GTEST_SKIP() << weft_test::kWineHidesConnectReset;
  run(in_flight_request_finishes());
}

}  // namespace
