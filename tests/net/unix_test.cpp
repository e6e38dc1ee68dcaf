// UnixListener / UnixStream: paths under a fresh temporary directory, the abstract
// namespace, socketpair, and connect errors.

#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "../../examples/echo_protocol.hpp"
#include "../common/temp_dir.hpp"
#include "../common/test_sockets.hpp"
#include "net_test_support.hpp"

namespace {

using namespace weft_net_test;
using weft::net::UnixListener;
using weft::net::UnixStream;

// A temporary directory removed (with its contents) at the end of the test.
class TempDir {
 public:
  std::string file(const char* name) const { return (dir_.path() / name).string(); }

 private:
  weft_test::TempDir dir_{"weft-net-"};
};

Task<void> echo_unix_once(UnixListener& listener) {
  auto [stream, peer] = co_await listener.accept();
  EXPECT_TRUE(peer.is_unix());
  std::vector<std::byte> buffer(4096);
  for (;;) {
    const std::size_t n = co_await stream.read(buffer);
    if (n == 0) break;
    co_await stream.write_all(std::span(buffer).first(n));
  }
}

Task<void> round_trip(std::string path) {
  UnixListener listener = UnixListener::bind(path);
  EXPECT_EQ(listener.local_address().path(), path);
  auto server = weft::spawn(echo_unix_once(listener));
  UnixStream client = co_await UnixStream::connect(path);
  EXPECT_EQ(client.peer_address().path(), path);
  for (std::string_view message : {"one", "two", "three"}) {
    co_await client.write_all(message);
    std::string back(message.size(), '\0');
    co_await client.read_exact(std::as_writable_bytes(std::span(back)));
    EXPECT_EQ(back, message);
  }
  client.shutdown(weft::net::Shutdown::write);
  EXPECT_EQ(co_await read_to_end(client), "");
  co_await server;
}

TEST(Unix, RoundTripThroughAPath) {
  if (!weft_test::system_has_unix_sockets()) {
    GTEST_SKIP() << "the system has no AF_UNIX sockets (Wine 8; Windows before 10 1803)";
  }
  const TempDir dir;
  run(round_trip(dir.file("echo.sock")));
}

TEST(Unix, RoundTripThroughTheAbstractNamespace) {
  if (!weft_test::system_has_unix_sockets()) {
    GTEST_SKIP() << "the system has no AF_UNIX sockets (Wine 8; Windows before 10 1803)";
  }
  run(round_trip("@weft-net-test-" + std::to_string(::getpid())));
}

Task<void> pair_and_errors(std::string missing) {
  auto [a, b] = UnixStream::pair();
  co_await a.write_all("over the pair");
  a.close();
  EXPECT_EQ(co_await read_to_end(b), "over the pair");

  const auto error = co_await io_error_of(UnixStream::connect(missing));
  CO_ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code(), std::errc::no_such_file_or_directory);
  EXPECT_EQ(error->operation(), "connect " + missing);
}

TEST(Unix, SocketPairAndConnectErrors) {
  if (!weft_test::system_has_unix_sockets()) {
    GTEST_SKIP() << "the system has no AF_UNIX sockets (Wine 8; Windows before 10 1803)";
  }
  const TempDir dir;
  run(pair_and_errors(dir.file("nobody-listens.sock")));
}

Task<void> bind_taken(std::string path) {
  UnixListener first = UnixListener::bind(path);
  try {
    UnixListener second = UnixListener::bind(path);
    ADD_FAILURE() << "the path is taken";
  } catch (const IoError& error) {
    EXPECT_EQ(error.code(), std::errc::address_in_use);
    EXPECT_EQ(error.operation(), "bind " + path);
  }
  co_return;
}

TEST(Unix, BindingAnExistingPathFails) {
  if (!weft_test::system_has_unix_sockets()) {
    GTEST_SKIP() << "the system has no AF_UNIX sockets (Wine 8; Windows before 10 1803)";
  }
  const TempDir dir;
  run(bind_taken(dir.file("taken.sock")));
}

}  // namespace
