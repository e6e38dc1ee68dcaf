#pragma once
// Helpers for the networking tests: every test body is a Task run on a fresh runtime under
// a deadline (weft::timeout) and a watchdog, so that a bug fails the test instead of
// hanging it. Everything is on loopback with ephemeral ports.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <weft/io/net/net.hpp>
#include <weft/weft.hpp>

#include "../runtime/test_support.hpp"

namespace weft_net_test {

using namespace std::chrono_literals;
using weft::Task;
using weft::net::IoError;
using weft::net::SocketAddress;
using weft::net::TcpListener;
using weft::net::TcpStream;

// How long a test body may take before it fails as hung (longer under sanitizers).
inline constexpr std::chrono::seconds kBodyLimit =
    (weft_test::kThreadSanitizer || weft_test::kAddressSanitizer) ? 60s : 20s;

inline Task<void> bounded(Task<void> body, std::chrono::seconds limit) {
  co_await weft::timeout(limit, std::move(body));
}

// Runs `body` on a runtime of `workers` workers; rethrows what escapes it, and fails with
// TimeoutError if it takes longer than `limit`.
inline void run(Task<void> body, std::size_t workers = 2, std::chrono::seconds limit = kBodyLimit) {
  const weft_test::Watchdog watchdog(limit + 30s);
  weft::Runtime runtime(weft_test::config_with(workers));
  runtime.block_on(bounded(std::move(body), limit));
}

// True on the kqueue backend over libkqueue (kqueue on Linux: the `kqueue` preset's kqueue.*
// runs, WEFT_IO_BACKEND=kqueue). libkqueue emulates kqueue over epoll, with gaps of its own; a
// test that meets one skips there (GTEST_SKIP, before run()) and says which.
inline bool on_libkqueue() {
#if defined(__linux__)
  const char* backend = std::getenv("WEFT_IO_BACKEND");
  return backend != nullptr && std::string_view(backend) == "kqueue";
#else
  return false;
#endif
}

// libkqueue's read and write filters fetch a socket's pending error with getsockopt(SO_ERROR)
// to report it in the event (src/linux/read.c, write.c), and that clears it: the syscall that
// follows sees none. A refused connect() then looks still in progress (SO_ERROR 0,
// getpeername ENOTCONN) and waits for an edge that never comes; a reset reads as end of file.
// The BSDs report so_error in the event without clearing it.
inline constexpr std::string_view kLibkqueueTakesSocketErrors =
    "libkqueue limitation: reporting a socket's error in a kevent clears it "
    "(getsockopt(SO_ERROR) in its read/write filters), so connect() cannot learn that it was "
    "refused, nor read() that the connection was reset";

// Inside a coroutine (ASSERT_* would `return`).
#define CO_ASSERT_TRUE(condition)               \
  do {                                          \
    if (!(condition)) {                         \
      ADD_FAILURE() << "expected: " #condition; \
      co_return;                                \
    }                                           \
  } while (false)

// Awaits `future` and returns the IoError it threw, or nullopt if it completed.
template <class F>
Task<std::optional<IoError>> io_error_of(F future) {
  try {
    co_await future;
  } catch (const IoError& error) {
    co_return error;
  }
  co_return std::nullopt;
}

inline std::span<const std::byte> bytes_of(std::string_view text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

inline std::string text_of(std::span<const std::byte> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// A listener on 127.0.0.1 (or ::1) with an ephemeral port.
inline TcpListener loopback_listener(bool ipv6 = false, weft::net::ListenOptions options = {}) {
  return TcpListener::bind(ipv6 ? SocketAddress::ipv6_loopback(0) : SocketAddress::ipv4_loopback(0),
                           options);
}

struct Connection {
  TcpStream client;
  TcpStream server;
};

// A connected pair through `listener` (loopback connect completes without accept).
inline Task<Connection> connect_pair(TcpListener& listener) {
  TcpStream client = co_await TcpStream::connect(listener.local_address());
  auto accepted = co_await listener.accept();
  co_return Connection{std::move(client), std::move(accepted.first)};
}

// Wraps a future and reports (through `flag`) that it has returned Pending at least once,
// i.e. that the task is now waiting on it: the observable point a test synchronises on.
template <class F>
class SignalOnPending {
 public:
  SignalOnPending(F inner, weft_test::Event& event) : inner_(std::move(inner)), event_(&event) {}
  auto poll(weft::Context& cx) {
    auto result = inner_.poll(cx);
    if (result.is_pending()) event_->set();
    return result;
  }

 private:
  F inner_;
  weft_test::Event* event_;
};

// Reads until end of file; returns everything read.
inline Task<std::string> read_to_end(weft::net::StreamSocket& stream) {
  std::string all;
  std::vector<std::byte> buffer(64 * 1024);
  for (;;) {
    const std::size_t n = co_await stream.read(buffer);
    if (n == 0) co_return all;
    all += text_of(std::span(buffer).first(n));
  }
}

}  // namespace weft_net_test
