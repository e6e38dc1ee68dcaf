// Closing a socket while another task waits on it, aborting and timing out a task blocked
// in an operation: the waiter gets an error or is destroyed cleanly, the socket stays
// consistent, nothing hangs.

#include <thread>

#include "net_test_support.hpp"

namespace {

using namespace weft_net_test;

Task<std::optional<IoError>> read_error(TcpStream& stream, weft_test::Event& waiting) {
  std::array<std::byte, 16> buffer{};
  co_return co_await io_error_of(SignalOnPending(stream.read(buffer), waiting));
}

Task<void> close_while_reading() {
  TcpListener listener = loopback_listener();
  Connection c = co_await connect_pair(listener);
  weft_test::Event waiting;
  auto reader = weft::spawn(read_error(c.server, waiting));
  co_await waiting.wait();
  c.server.close();  // from this task, while the reader is parked in read()
  const auto error = co_await reader;
  CO_ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code(), std::errc::bad_file_descriptor);
  EXPECT_EQ(error->operation(), "read on a closed socket");
}

TEST(CloseAbort, ClosingAStreamWakesItsReaderWithAnError) {
  run(close_while_reading());
}

Task<std::optional<IoError>> accept_error(TcpListener& listener, weft_test::Event& waiting) {
  co_return co_await io_error_of(SignalOnPending(listener.accept(), waiting));
}

Task<void> close_while_accepting() {
  TcpListener listener = loopback_listener();
  const SocketAddress address = listener.local_address();
  weft_test::Event waiting;
  auto acceptor = weft::spawn(accept_error(listener, waiting));
  co_await waiting.wait();
  listener.close();
  const auto error = co_await acceptor;
  CO_ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->operation(), "accept on a closed socket");
  // New connections are refused now.
  const auto refused = co_await io_error_of(TcpStream::connect(address));
  CO_ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->code(), std::errc::connection_refused);
}

TEST(CloseAbort, ClosingAListenerWakesItsAcceptorWithAnError) {
  // Its last check, that the closed listener's address refuses connections, hangs there.
  if (on_libkqueue()) GTEST_SKIP() << kLibkqueueTakesSocketErrors;
  run(close_while_accepting());
}

Task<void> park_in_read(TcpStream& stream, weft_test::Event& waiting, std::atomic<int>& live) {
  const weft_test::LiveGuard guard(live);
  std::array<std::byte, 16> buffer{};
  co_await SignalOnPending(stream.read(buffer), waiting);
  ADD_FAILURE() << "the read should never complete: the task is aborted";
}

// Aborting a task parked in read() destroys its frame; the stream it borrowed is intact:
// the next read gets the data, and it closes normally.
Task<void> abort_blocked_reader() {
  TcpListener listener = loopback_listener();
  Connection c = co_await connect_pair(listener);
  std::atomic<int> live{0};
  weft_test::Event waiting;
  auto reader = weft::spawn(park_in_read(c.server, waiting, live));
  co_await waiting.wait();
  reader.abort();
  try {
    co_await reader;
    ADD_FAILURE() << "expected TaskCancelled";
  } catch (const weft::TaskCancelled&) {
  }
  EXPECT_EQ(live.load(), 0) << "the aborted task's frame was destroyed";

  co_await c.client.write_all("still here");
  std::string back(10, '\0');
  co_await c.server.read_exact(std::as_writable_bytes(std::span(back)));
  EXPECT_EQ(back, "still here");
  c.server.close();
  EXPECT_EQ(co_await read_to_end(c.client), "");
}

TEST(CloseAbort, AbortingABlockedReaderLeavesTheStreamUsable) {
  run(abort_blocked_reader());
}

Task<void> timeout_then_read() {
  TcpListener listener = loopback_listener();
  Connection c = co_await connect_pair(listener);
  std::array<std::byte, 16> buffer{};
  try {
    co_await weft::timeout(20ms, c.server.read(buffer));
    ADD_FAILURE() << "nothing was sent";
  } catch (const weft::TimeoutError&) {
  }
  co_await c.client.write_all("late");
  EXPECT_EQ(co_await c.server.read(buffer), 4u);
  EXPECT_EQ(text_of(std::span(buffer).first(4)), "late");
}

TEST(CloseAbort, TimedOutReadLeavesTheStreamUsable) {
  run(timeout_then_read());
}

// Many rounds of a reader racing a closer on another worker: every round ends with the
// reader seeing data, end of file or the closed-socket error; never a hang, a crash or
// a syscall on a closed descriptor (ThreadSanitizer and AddressSanitizer watch this).
Task<int> read_until_error(TcpStream& stream) {
  std::array<std::byte, 256> buffer{};
  int reads = 0;
  try {
    for (;;) {
      if (co_await stream.read(buffer) == 0) co_return reads;
      ++reads;
    }
  } catch (const IoError& error) {
    EXPECT_EQ(error.code(), std::errc::bad_file_descriptor) << error.what();
  }
  co_return reads;
}

Task<void> close_soon(TcpStream& stream, TcpStream& peer) {
  co_await peer.write_all("ping");
  co_await weft::yield_now();
  stream.close();
}

Task<void> close_races() {
  TcpListener listener = loopback_listener();
  const int rounds = 50 * weft_test::kScale;
  for (int i = 0; i < rounds; ++i) {
    Connection c = co_await connect_pair(listener);
    auto reader = weft::spawn(read_until_error(c.server));
    auto closer = weft::spawn(close_soon(c.server, c.client));
    co_await closer;
    co_await reader;
  }
}

TEST(CloseAbort, CloseRacingAReaderOnAnotherWorker) {
  run(close_races());
}

}  // namespace
