// SocketAddress parsing and formatting, and the error types' contract (no sockets).

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <gtest/gtest.h>

#include <weft/io/net/error.hpp>
#include <weft/io/net/socket_address.hpp>

namespace {

using weft::net::IoError;
using weft::net::SocketAddress;

TEST(SocketAddress, ParsesAndFormatsIpv4) {
  const auto a = SocketAddress::parse("127.0.0.1:8080");
  EXPECT_TRUE(a.is_ipv4());
  EXPECT_EQ(a.port(), 8080);
  EXPECT_EQ(a.ip_string(), "127.0.0.1");
  EXPECT_EQ(a.to_string(), "127.0.0.1:8080");
  EXPECT_EQ(a, SocketAddress::ipv4_loopback(8080));
  EXPECT_EQ(a.with_port(1).to_string(), "127.0.0.1:1");
  EXPECT_EQ(SocketAddress::ipv4_any(0).to_string(), "0.0.0.0:0");
}

TEST(SocketAddress, ParsesAndFormatsIpv6) {
  const auto a = SocketAddress::parse("[::1]:8080");
  EXPECT_TRUE(a.is_ipv6());
  EXPECT_EQ(a.port(), 8080);
  EXPECT_EQ(a.ip_string(), "::1");
  EXPECT_EQ(a.to_string(), "[::1]:8080");
  EXPECT_EQ(a, SocketAddress::ipv6_loopback(8080));
  EXPECT_EQ(SocketAddress::parse("[fe80::1%7]:80").to_string(), "[fe80::1%7]:80");
  EXPECT_EQ(SocketAddress::parse("[2001:db8::a:b]:65535").to_string(), "[2001:db8::a:b]:65535");
}

TEST(SocketAddress, RejectsMalformedText) {
  for (const char* bad :
       {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80x", "::1:80",
        "[127.0.0.1]:80", "localhost:80", "[::1]", "[::1:80", "1.2.3:80", "[fe80::1%]:80"}) {
    EXPECT_FALSE(SocketAddress::try_parse(bad).has_value()) << bad;
    EXPECT_THROW(SocketAddress::parse(bad), std::invalid_argument) << bad;
  }
}

TEST(SocketAddress, FromIpAcceptsLiteralsOnly) {
  EXPECT_EQ(SocketAddress::from_ip("::1", 5)->to_string(), "[::1]:5");
  EXPECT_EQ(SocketAddress::from_ip("[::1]", 5)->to_string(), "[::1]:5");
  EXPECT_EQ(SocketAddress::from_ip("10.0.0.1", 5)->to_string(), "10.0.0.1:5");
  EXPECT_FALSE(SocketAddress::from_ip("localhost", 5).has_value());
  EXPECT_FALSE(SocketAddress::from_ip("", 5).has_value());
}

TEST(SocketAddress, UnixPaths) {
  const auto a = SocketAddress::unix_path("/run/app.sock");
  EXPECT_TRUE(a.is_unix());
  EXPECT_EQ(a.path(), "/run/app.sock");
  EXPECT_EQ(a.to_string(), "/run/app.sock");
  EXPECT_EQ(a.port(), 0);
  const auto abstract = SocketAddress::unix_path("@weft-test");
  EXPECT_EQ(abstract.path(), "@weft-test");
  EXPECT_NE(abstract, a);
  EXPECT_THROW(SocketAddress::unix_path(std::string(200, 'x')), std::invalid_argument);
  EXPECT_THROW(SocketAddress::unix_path(""), std::invalid_argument);
  EXPECT_EQ(SocketAddress().to_string(), "(unspecified)");
}

TEST(IoError, CarriesErrnoAndOperation) {
  const IoError error(ECONNREFUSED, "connect 127.0.0.1:1");
  EXPECT_EQ(error.code(), std::errc::connection_refused);
  EXPECT_EQ(error.error_number(), ECONNREFUSED);
  EXPECT_EQ(error.operation(), "connect 127.0.0.1:1");
  // The same text on every platform (Windows' C library has none for socket errors).
  EXPECT_EQ(std::string(error.what()), "weft: connect 127.0.0.1:1: Connection refused");
  const std::system_error& base = error;  // catchable as std::system_error
  EXPECT_EQ(base.code().value(), ECONNREFUSED);
}

TEST(IoError, UnexpectedEofHasItsOwnCode) {
  const weft::net::UnexpectedEof eof(3, 64);
  const IoError& base = eof;
  EXPECT_EQ(base.code(), weft::net::NetError::unexpected_eof);
  EXPECT_EQ(base.code().category().name(), std::string("weft.net"));
  EXPECT_EQ(base.error_number(), 0);
  EXPECT_STREQ(base.what(), "weft: read_exact (3 of 64 bytes received): unexpected end of file");
}

}  // namespace
