// IocpPoller (Windows): AFD poll requests on a completion port. What the Poller contract
// promises, checked on loopback TCP sockets, plus what is particular to this backend: a
// direction it reported is asked for again only after rearm(), removal cancels the request
// in flight, and bad input (a handle that is not a socket, a socket closed while watched, a
// reset peer) has a defined outcome. Built on Windows only (tests/io/CMakeLists.txt).
#include <weft/io/poller.hpp>

#include <gtest/gtest.h>

#include <winsock2.h>
// winsock2.h before windows.h.
#include <windows.h>
#include <ws2tcpip.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <string>
#include <system_error>
#include <thread>

#include "io_test_support.hpp"

namespace {

using namespace weft_io_test;
using weft::io::Event;
using weft::io::Interest;
using weft::io::NativeHandle;
using weft::io::Readiness;
using weft_test::close_with_reset;
using weft_test::make_tcp_pair;

constexpr std::uint64_t kToken = 0x1234'0000'0007;
constexpr Interest kAll = Readiness::readable | Readiness::writable | Readiness::hang_up;
// Long enough for a loopback event to arrive, short enough to keep "nothing came" cheap.
constexpr auto kQuiet = std::chrono::milliseconds(100);

class IocpPollerTest : public ::testing::Test {
 protected:
  std::unique_ptr<weft::io::Poller> poller = weft::io::make_poller(weft::io::IoBackend::iocp);
  std::array<Event, 16> events{};

  std::size_t wait(std::optional<std::chrono::nanoseconds> timeout) {
    return poller->wait(events, timeout);
  }
  // Waits until an event for `token` arrives; its readiness, or none after kPatience.
  Readiness next_event_for(std::uint64_t token) {
    const auto give_up = std::chrono::steady_clock::now() + kPatience;
    while (std::chrono::steady_clock::now() < give_up) {
      const std::size_t n = wait(std::chrono::milliseconds(100));
      for (std::size_t i = 0; i < n; ++i) {
        if (events[i].token == token) return events[i].readiness;
      }
    }
    return Readiness::none;
  }
  // Collects the events of `token` for kQuiet.
  Readiness quiet_events_for(std::uint64_t token) {
    Readiness seen = Readiness::none;
    const auto until = std::chrono::steady_clock::now() + kQuiet;
    while (std::chrono::steady_clock::now() < until) {
      const std::size_t n = wait(std::chrono::milliseconds(10));
      for (std::size_t i = 0; i < n; ++i) {
        if (events[i].token == token) seen |= events[i].readiness;
      }
    }
    return seen;
  }
};

std::system_error error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::system_error& error) {
    return error;
  }
  ADD_FAILURE() << "no std::system_error thrown";
  return std::system_error(0, std::generic_category());
}

TEST_F(IocpPollerTest, AddingReportsTheCurrentStateOnce) {
  auto pair = make_tcp_pair();
  poller->add(pair.first.get(), kToken, kAll);
  EXPECT_EQ(next_event_for(kToken), Readiness::writable) << "an idle connected socket";
  EXPECT_EQ(quiet_events_for(kToken), Readiness::none) << "reported once, not on every wait";
}

TEST_F(IocpPollerTest, DataIsReadableAndReportedAgainOnlyAfterARearm) {
  auto pair = make_tcp_pair();
  poller->add(pair.first.get(), kToken, kAll);
  ASSERT_EQ(next_event_for(kToken), Readiness::writable);

  write_byte(pair.second.get());
  EXPECT_EQ(next_event_for(kToken), Readiness::readable);
  // The byte stays unread: a state, not a new edge.
  write_byte(pair.second.get());
  EXPECT_EQ(quiet_events_for(kToken), Readiness::none);

  // Drained to EAGAIN and re-armed (what Reactor::clear_readiness does): the next byte is
  // an edge.
  EXPECT_EQ(drain(pair.first.get()), 2u);
  poller->rearm(pair.first.get(), Readiness::readable);
  EXPECT_EQ(quiet_events_for(kToken), Readiness::none) << "nothing to read yet";
  write_byte(pair.second.get());
  EXPECT_EQ(next_event_for(kToken), Readiness::readable);
}

// The reactor's race: data lands after the task's read returned EAGAIN and before its clear
// (and so the rearm). The request the rearm issues finds the data at once: no edge is lost.
TEST_F(IocpPollerTest, DataThatArrivedBeforeTheRearmIsReportedByIt) {
  auto pair = make_tcp_pair();
  poller->add(pair.first.get(), kToken, Readiness::readable);
  write_byte(pair.second.get());
  ASSERT_EQ(next_event_for(kToken), Readiness::readable);
  EXPECT_EQ(drain(pair.first.get()), 1u);
  write_byte(pair.second.get());
  EXPECT_EQ(quiet_events_for(kToken), Readiness::none);
  poller->rearm(pair.first.get(), Readiness::readable);
  EXPECT_EQ(next_event_for(kToken), Readiness::readable);
}

// Re-arming reading while a request for writing is in flight replaces that request.
TEST_F(IocpPollerTest, RearmingOneDirectionKeepsWatchingTheOther) {
  auto pair = make_tcp_pair();
  poller->add(pair.first.get(), kToken, kAll);
  ASSERT_EQ(next_event_for(kToken), Readiness::writable);
  write_byte(pair.second.get());
  ASSERT_EQ(next_event_for(kToken), Readiness::readable);

  // Fill the send buffer (the peer does not read) and re-arm writing: a request for SEND
  // is in flight. Then drain and re-arm reading: it must be asked for as well.
  ASSERT_GT(fill(pair.first.get()), 0u);
  poller->rearm(pair.first.get(), Readiness::writable);
  EXPECT_EQ(drain(pair.first.get()), 1u);
  poller->rearm(pair.first.get(), Readiness::readable);
  write_byte(pair.second.get());
  EXPECT_TRUE(has_all(next_event_for(kToken), Readiness::readable));
  // And writing still: the peer reads, room frees.
  drain(pair.second.get());
  EXPECT_TRUE(has_all(next_event_for(kToken), Readiness::writable));
}

TEST_F(IocpPollerTest, EndOfFileIsHangUp) {
  auto pair = make_tcp_pair();
  poller->add(pair.first.get(), kToken, Readiness::readable | Readiness::hang_up);
  EXPECT_EQ(quiet_events_for(kToken), Readiness::none);
  pair.second.reset();
  EXPECT_TRUE(has_all(next_event_for(kToken), Readiness::hang_up));
  char byte = 0;
  EXPECT_EQ(weft_test::read_some(pair.first.get(), &byte, 1), 0) << "end of file";
}

TEST_F(IocpPollerTest, AResetPeerIsErrorAndHangUp) {
  auto pair = make_tcp_pair();
  poller->add(pair.first.get(), kToken, Readiness::readable);
  EXPECT_EQ(quiet_events_for(kToken), Readiness::none);
  close_with_reset(pair.second);
  const Readiness ready = next_event_for(kToken);
  EXPECT_TRUE(has_all(ready, Readiness::error | Readiness::hang_up)) << int(to_bits(ready));
  // Windows then fails the read with WSAECONNRESET. Wine 8 reads end of file instead: its
  // server takes the socket's error (SO_ERROR, which clears it) when it completes the poll.
  char byte = 0;
  const std::ptrdiff_t n = weft_test::read_some(pair.first.get(), &byte, 1);
  EXPECT_TRUE(n == 0 || (n == -1 && ::WSAGetLastError() == WSAECONNRESET))
      << n << " " << ::WSAGetLastError();
}

TEST_F(IocpPollerTest, ARefusedConnectIsAnError) {
  // A port nobody listens on: bind one, note it, close it.
  auto probe = make_tcp_pair();
  sockaddr_in address{};
  int length = sizeof address;
  {
    const SOCKET closed = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(closed, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::getsockname(closed, reinterpret_cast<sockaddr*>(&address), &length), 0);
    ::closesocket(closed);
  }
  const weft::io::FileDescriptor socket(
      static_cast<NativeHandle>(::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)));
  u_long on = 1;
  ASSERT_EQ(::ioctlsocket(static_cast<SOCKET>(socket.get()), FIONBIO, &on), 0);
  ASSERT_NE(::connect(static_cast<SOCKET>(socket.get()), reinterpret_cast<sockaddr*>(&address),
                      sizeof address),
            0);
  ASSERT_EQ(::WSAGetLastError(), WSAEWOULDBLOCK);
  poller->add(socket.get(), kToken, kAll);
  EXPECT_TRUE(has_all(next_event_for(kToken), Readiness::error));
}

TEST_F(IocpPollerTest, AHandleThatIsNotASocketIsRefusedClearly) {
  // An event object: a valid handle, but not a socket.
  const HANDLE event = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
  ASSERT_NE(event, nullptr);
  const std::system_error error = error_of(
      [&] { poller->add(reinterpret_cast<NativeHandle>(event), kToken, Readiness::readable); });
  EXPECT_EQ(error.code(), std::errc::not_a_socket);
  EXPECT_NE(std::string(error.what()).find("iocp add (SO_TYPE)"), std::string::npos)
      << error.what();
  EXPECT_NE(std::string(error.what()).find("Socket operation on non-socket"), std::string::npos)
      << error.what();
  ::CloseHandle(event);
  // A number that is no handle at all.
  EXPECT_EQ(
      error_of([&] { poller->add(NativeHandle{0x7ff0}, kToken, Readiness::readable); }).code(),
      std::errc::not_a_socket);
}

TEST_F(IocpPollerTest, AddingTwiceOrChangingWhatIsNotWatchedIsAnError) {
  auto pair = make_tcp_pair();
  poller->add(pair.first.get(), kToken, kAll);
  EXPECT_EQ(error_of([&] { poller->add(pair.first.get(), kToken, kAll); }).code(),
            std::errc::file_exists);
  EXPECT_EQ(error_of([&] { poller->modify(pair.second.get(), kToken, kAll); }).code(),
            std::errc::no_such_file_or_directory);
  EXPECT_EQ(error_of([&] { poller->remove(pair.second.get()); }).code(),
            std::errc::no_such_file_or_directory);
  // rearm() of an unknown socket is ignored (it never throws).
  poller->rearm(pair.second.get(), Readiness::readable);
}

TEST_F(IocpPollerTest, ModifyReportsTheCurrentStateAgainWithTheNewToken) {
  auto pair = make_tcp_pair();
  poller->add(pair.first.get(), kToken, kAll);
  ASSERT_EQ(next_event_for(kToken), Readiness::writable);
  write_byte(pair.second.get());
  ASSERT_EQ(next_event_for(kToken), Readiness::readable);
  poller->modify(pair.first.get(), kToken + 1, kAll);
  EXPECT_EQ(next_event_for(kToken + 1), Readiness::readable | Readiness::writable);
}

TEST_F(IocpPollerTest, ARemovedSocketReportsNothing) {
  auto pair = make_tcp_pair();
  poller->add(pair.first.get(), kToken, Readiness::readable);
  poller->remove(pair.first.get());
  write_byte(pair.second.get());
  EXPECT_EQ(quiet_events_for(kToken), Readiness::none);
  // And it can be watched again.
  poller->add(pair.first.get(), kToken + 1, Readiness::readable);
  EXPECT_EQ(next_event_for(kToken + 1), Readiness::readable);
}

// Removal cancels the request in flight; its memory must outlive the cancelled completion.
// Many cycles, some with data racing the removal, then the poller is destroyed with
// cancellations still in flight.
TEST_F(IocpPollerTest, RemovingWhileARequestIsInFlightIsSafe) {
  auto pair = make_tcp_pair();
  for (int i = 0; i < 500; ++i) {
    poller->add(pair.first.get(), kToken + i, kAll);
    if (i % 3 == 0) write_byte(pair.second.get());
    if (i % 5 == 0) wait(std::chrono::nanoseconds::zero());
    poller->remove(pair.first.get());
  }
  drain(pair.first.get());
  poller->add(pair.first.get(), kToken, Readiness::readable);
  EXPECT_EQ(quiet_events_for(kToken + 1), Readiness::none) << "no stale token survives";
  poller->remove(pair.first.get());
  poller.reset();  // with the last cancellations possibly still in flight
}

// closesocket() behind the poller's back: the request completes (AFD_POLL_LOCAL_CLOSE) and is
// reported as error and hang-up, so a task waiting on the socket wakes and its next call
// fails. The dead watch is then removable, and a new socket that gets the same handle value
// can be added.
TEST_F(IocpPollerTest, ASocketClosedWhileWatchedIsReportedAndCanBeReplaced) {
  auto pair = make_tcp_pair();
  const NativeHandle handle = pair.first.get();
  poller->add(handle, kToken, Readiness::readable | Readiness::hang_up);
  EXPECT_EQ(quiet_events_for(kToken), Readiness::none);
  pair.first.reset();  // closesocket
  EXPECT_TRUE(has_all(next_event_for(kToken), Readiness::error | Readiness::hang_up));
  poller->remove(handle);

  // Closed again, this time left registered: a new socket with the same value replaces it.
  auto second = make_tcp_pair();
  poller->add(second.first.get(), kToken + 1, Readiness::readable);
  const NativeHandle reused = second.first.get();
  second.first.reset();
  EXPECT_TRUE(has_any(next_event_for(kToken + 1), Readiness::hang_up));
  auto third = make_tcp_pair();
  if (third.first.get() == reused || third.second.get() == reused) {
    const NativeHandle same = third.first.get() == reused ? third.first.get() : third.second.get();
    EXPECT_NO_THROW(poller->add(same, kToken + 2, Readiness::readable));
  }
}

TEST_F(IocpPollerTest, WakeInterruptsAWaitAndWakesCoalesce) {
  std::thread waker([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    poller->wake();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(wait(std::nullopt), 0u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, kPatience);
  waker.join();

  poller->wake();
  poller->wake();
  poller->wake();
  EXPECT_EQ(wait(kPatience), 0u) << "the wakes before the wait";
  const auto quiet_start = std::chrono::steady_clock::now();
  EXPECT_EQ(wait(std::chrono::milliseconds(50)), 0u);
  EXPECT_GE(std::chrono::steady_clock::now() - quiet_start, std::chrono::milliseconds(50))
      << "they coalesced into one";
}

// wake() from other threads while one thread waits in a loop: every wait ends, none hangs,
// and socket events still come through.
TEST_F(IocpPollerTest, WakesRacingWaitsLoseNothing) {
  auto pair = make_tcp_pair();
  poller->add(pair.first.get(), kToken, Readiness::readable);
  std::atomic<bool> stop{false};
  std::thread waker([&] {
    while (!stop.load()) poller->wake();
  });
  int waits = 0;
  for (; waits < 2000; ++waits) wait(std::chrono::milliseconds(50));
  write_byte(pair.second.get());
  EXPECT_EQ(next_event_for(kToken), Readiness::readable);
  stop.store(true);
  waker.join();
  poller->wake();
  EXPECT_EQ(wait(kPatience), 0u) << "a wake after the race still ends a wait";
}

TEST_F(IocpPollerTest, TimeoutsAreRoundedUpToWholeMilliseconds) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(wait(std::chrono::microseconds(1500)), 0u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::microseconds(1500));
}

TEST_F(IocpPollerTest, MoreEventsThanRoomAreTakenByTheNextWait) {
  std::vector<weft_test::FdPair> pairs;
  for (std::uint64_t i = 0; i < 3; ++i) {
    pairs.push_back(make_tcp_pair());
    poller->add(pairs.back().first.get(), kToken + i, Readiness::readable);
    write_byte(pairs.back().second.get());
  }
  std::array<Event, 2> room{};
  std::size_t total = 0;
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  while (total < 3 && std::chrono::steady_clock::now() < give_up) {
    const std::size_t n = poller->wait(room, std::chrono::milliseconds(50));
    EXPECT_LE(n, room.size());
    total += n;
  }
  EXPECT_EQ(total, 3u);
}

TEST_F(IocpPollerTest, AListenerIsReadableWhenAConnectionWaits) {
  const SOCKET listener = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  const weft::io::FileDescriptor owned(static_cast<NativeHandle>(listener));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int length = sizeof address;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  poller->add(owned.get(), kToken, Readiness::readable);
  EXPECT_FALSE(has_any(quiet_events_for(kToken), Readiness::readable));
  const SOCKET client = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  const weft::io::FileDescriptor owned_client(static_cast<NativeHandle>(client));
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(next_event_for(kToken), Readiness::readable);
}

}  // namespace
