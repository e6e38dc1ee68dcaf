// resolve(): names through getaddrinfo off the workers, literals without a thread,
// failures as IoError in resolve_category(), and cancellation safety.

#include <algorithm>

#include "net_test_support.hpp"

namespace {

using namespace weft_net_test;
using weft::net::resolve;

Task<void> localhost() {
  const std::vector<SocketAddress> addresses = co_await resolve("localhost", 8080);
  CO_ASSERT_TRUE(!addresses.empty());
  for (const SocketAddress& address : addresses) {
    EXPECT_EQ(address.port(), 8080);
    EXPECT_TRUE(address.is_ipv4() || address.is_ipv6());
  }
  const auto v4 = SocketAddress::ipv4_loopback(8080);
  const auto v6 = SocketAddress::ipv6_loopback(8080);
  EXPECT_TRUE(std::find(addresses.begin(), addresses.end(), v4) != addresses.end() ||
              std::find(addresses.begin(), addresses.end(), v6) != addresses.end());
  // And it connects: a listener found through its resolved name.
  TcpListener listener = loopback_listener();
  const auto found = co_await resolve("localhost", listener.local_address().port());
  const auto it =
      std::find_if(found.begin(), found.end(), [](const SocketAddress& a) { return a.is_ipv4(); });
  CO_ASSERT_TRUE(it != found.end());
  TcpStream stream = co_await TcpStream::connect(*it);
  EXPECT_TRUE(stream.is_open());
}

TEST(Resolve, Localhost) {
  run(localhost());
}

Task<void> literals() {
  // (No braced lists inside co_await expressions: GCC 12 miscompiles those.)
  const std::vector<SocketAddress> v4 = co_await resolve("127.0.0.1", 80);
  const std::vector<SocketAddress> v6 = co_await resolve("::1", 80);
  const std::vector<SocketAddress> bracketed = co_await resolve("[::1]", 81);
  EXPECT_EQ(v4.size(), 1u);
  EXPECT_EQ(v4.at(0), SocketAddress::ipv4_loopback(80));
  EXPECT_EQ(v6.size(), 1u);
  EXPECT_EQ(v6.at(0), SocketAddress::ipv6_loopback(80));
  EXPECT_EQ(bracketed.size(), 1u);
  EXPECT_EQ(bracketed.at(0), SocketAddress::ipv6_loopback(81));
}

TEST(Resolve, NumericHostsNeedNoLookup) {
  run(literals());
}

Task<void> unknown() {
  // .invalid is reserved (RFC 6761): it never resolves.
  const auto error = co_await io_error_of(resolve("no-such-host.invalid", 80));
  CO_ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->operation(), "resolve no-such-host.invalid:80");
  EXPECT_TRUE(error->code().category() == weft::net::resolve_category() ||
              error->code().category() == std::system_category())
      << error->what();
}

TEST(Resolve, UnknownNameIsAnIoError) {
  run(unknown());
}

Task<void> resolve_forever_ignored() {
  co_await resolve("localhost", 1);
}

// Lookups abandoned while queued or running: aborted tasks, a zero timeout. Their
// results are dropped on the pool threads; AddressSanitizer checks nothing is used after
// it was freed. Later lookups still work.
Task<void> cancellations() {
  const int count = 20 * weft_test::kScale;
  std::vector<weft::JoinHandle<void>> handles;
  for (int i = 0; i < count; ++i) handles.push_back(weft::spawn(resolve_forever_ignored()));
  for (auto& handle : handles) handle.abort();
  for (auto& handle : handles) {
    try {
      co_await handle;
    } catch (const weft::TaskCancelled&) {
    }
  }
  for (int i = 0; i < count; ++i) {
    try {
      co_await weft::timeout(0ms, resolve("localhost", 2));
    } catch (const weft::TimeoutError&) {
    }
  }
  const auto addresses = co_await resolve("localhost", 3);
  EXPECT_FALSE(addresses.empty());
}

TEST(Resolve, AbandonedLookupsAreDroppedSafely) {
  run(cancellations());
}

}  // namespace
