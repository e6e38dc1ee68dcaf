// The Poller interface, exercised on the platform backend (EpollPoller on Linux).
#include <weft/io/poller.hpp>

#include <gtest/gtest.h>

#include <array>
#include <future>
#include <string>
#include <system_error>

#include <sys/socket.h>
#include <unistd.h>

#include "io_test_support.hpp"

namespace {

using namespace weft_io_test;
using weft::io::Event;
using weft::io::Readiness;

constexpr std::uint64_t kToken = 0x1234'0000'0007;

class PollerTest : public ::testing::Test {
 protected:
  std::unique_ptr<weft::io::Poller> poller = weft::io::make_poller();
  std::array<Event, 16> events{};

  std::size_t wait(std::optional<std::chrono::nanoseconds> timeout) {
    return poller->wait(events, timeout);
  }
};

TEST_F(PollerTest, PipeBecomesReadableOnWriteEdgeTriggered) {
  auto pipe = make_pipe();
  poller->add(pipe.first.get(), kToken, Readiness::readable);
  EXPECT_EQ(wait(0ns), 0u);

  write_byte(pipe.second.get());
  ASSERT_EQ(wait(kPatience), 1u);
  EXPECT_EQ(events[0].token, kToken);
  EXPECT_TRUE(has_all(events[0].readiness, Readiness::readable));

  // Edge-triggered: the unread byte is not reported again...
  EXPECT_EQ(wait(0ns), 0u);
  // ...until a new edge.
  write_byte(pipe.second.get());
  ASSERT_EQ(wait(kPatience), 1u);
  EXPECT_EQ(events[0].token, kToken);
}

TEST_F(PollerTest, PipeWriterClosedIsHangUp) {
  auto pipe = make_pipe();
  poller->add(pipe.first.get(), kToken, Readiness::readable | Readiness::hang_up);
  EXPECT_EQ(wait(0ns), 0u);
  pipe.second.reset();
  ASSERT_EQ(wait(kPatience), 1u);
  EXPECT_TRUE(has_all(events[0].readiness, Readiness::hang_up));
}

TEST_F(PollerTest, PipeReaderClosedIsErrorForTheWriter) {
  auto pipe = make_pipe();
  poller->add(pipe.second.get(), kToken, Readiness::writable);
  ASSERT_EQ(wait(kPatience), 1u);  // initially writable
  EXPECT_TRUE(has_all(events[0].readiness, Readiness::writable));
  pipe.first.reset();
  ASSERT_EQ(wait(kPatience), 1u);
  EXPECT_TRUE(has_all(events[0].readiness, Readiness::error));
}

TEST_F(PollerTest, SocketpairReportsWritableThenReadableThenHangUp) {
  auto pair = make_socketpair();
  poller->add(pair.first.get(), kToken,
              Readiness::readable | Readiness::writable | Readiness::hang_up);
  // Adding reports the current state once: an idle connected socket is writable.
  ASSERT_EQ(wait(kPatience), 1u);
  EXPECT_EQ(events[0].readiness, Readiness::writable);

  write_byte(pair.second.get());
  ASSERT_EQ(wait(kPatience), 1u);
  EXPECT_TRUE(has_all(events[0].readiness, Readiness::readable));
  EXPECT_FALSE(has_any(events[0].readiness, Readiness::hang_up));

  ::shutdown(pair.second.get(), SHUT_WR);  // the peer half-closes
  ASSERT_EQ(wait(kPatience), 1u);
  EXPECT_TRUE(has_all(events[0].readiness, Readiness::hang_up));
}

TEST_F(PollerTest, ManyDescriptorsInOneWait) {
  std::vector<FdPair> pipes;
  for (int i = 0; i < 8; ++i) {
    pipes.push_back(make_pipe());
    poller->add(pipes.back().first.get(), static_cast<std::uint64_t>(i), Readiness::readable);
  }
  for (auto& pipe : pipes) write_byte(pipe.second.get());
  std::uint64_t seen = 0;
  ASSERT_TRUE(eventually([&] {
    const std::size_t n = wait(10ms);
    for (std::size_t i = 0; i < n; ++i) seen |= std::uint64_t{1} << events[i].token;
    return seen == 0xff;
  }));
}

TEST_F(PollerTest, WaitFillsAtMostTheSpanAndKeepsTheRestForLater) {
  std::vector<FdPair> pipes;
  for (int i = 0; i < 5; ++i) {
    pipes.push_back(make_pipe());
    poller->add(pipes.back().first.get(), static_cast<std::uint64_t>(i), Readiness::readable);
    write_byte(pipes.back().second.get());
  }
  std::array<Event, 2> small{};
  std::size_t total = 0;
  ASSERT_TRUE(eventually([&] {
    const std::size_t n = poller->wait(small, 10ms);
    EXPECT_LE(n, small.size());
    total += n;
    return total == 5;
  }));
}

TEST_F(PollerTest, WakeInterruptsABlockingWaitFromAnotherThread) {
  std::promise<void> entering;
  auto waiting = std::async(std::launch::async, [&] {
    entering.set_value();
    return wait(std::nullopt);  // no timeout: only wake() can end it
  });
  entering.get_future().wait();
  poller->wake();
  ASSERT_EQ(waiting.wait_for(kPatience), std::future_status::ready) << "wake() was lost";
  EXPECT_EQ(waiting.get(), 0u);
}

TEST_F(PollerTest, WakeBeforeWaitIsNotLostAndCoalesces) {
  poller->wake();
  poller->wake();
  poller->wake();
  EXPECT_EQ(wait(kPatience), 0u);  // returns at once because of the pending wake
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(wait(20ms), 0u);  // the three wakes were one: this one times out
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
}

TEST_F(PollerTest, WakeDuringWaitIsReportedAsNoEvents) {
  auto pipe = make_pipe();
  poller->add(pipe.first.get(), kToken, Readiness::readable);
  write_byte(pipe.second.get());
  poller->wake();
  // The wake is swallowed; only the real event is reported (possibly over two waits).
  std::size_t real = 0;
  ASSERT_TRUE(eventually([&] {
    const std::size_t n = wait(10ms);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(events[i].token, kToken);
      ++real;
    }
    return real == 1;
  }));
}

TEST_F(PollerTest, TimeoutIsHonouredAndRoundedUp) {
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(wait(0ns), 0u);

  start = std::chrono::steady_clock::now();
  EXPECT_EQ(wait(30ms), 0u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);

  // A sub-millisecond timeout is rounded up, not down to a busy zero.
  start = std::chrono::steady_clock::now();
  EXPECT_EQ(wait(200us), 0u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200us);

  // Negative means "just look".
  EXPECT_EQ(wait(-5ms), 0u);
}

TEST_F(PollerTest, ModifyChangesInterestAndTokenAndRearms) {
  auto pair = make_socketpair();
  poller->add(pair.first.get(), kToken, Readiness::readable);
  EXPECT_EQ(wait(0ns), 0u);  // not readable, writability not asked for

  poller->modify(pair.first.get(), kToken + 1, Readiness::writable);
  ASSERT_EQ(wait(kPatience), 1u);
  EXPECT_EQ(events[0].token, kToken + 1);
  EXPECT_TRUE(has_all(events[0].readiness, Readiness::writable));

  // Modifying re-arms: the still-writable socket is reported again.
  poller->modify(pair.first.get(), kToken + 2, Readiness::writable);
  ASSERT_EQ(wait(kPatience), 1u);
  EXPECT_EQ(events[0].token, kToken + 2);
}

TEST_F(PollerTest, RemovedDescriptorIsNotReported) {
  auto pipe = make_pipe();
  poller->add(pipe.first.get(), kToken, Readiness::readable);
  poller->remove(pipe.first.get());
  write_byte(pipe.second.get());
  EXPECT_EQ(wait(20ms), 0u);
  // It can be added again afterwards.
  poller->add(pipe.first.get(), kToken, Readiness::readable);
  ASSERT_EQ(wait(kPatience), 1u);
}

TEST_F(PollerTest, ErrorsCarryErrnoAndOperation) {
  auto pipe = make_pipe();
  poller->add(pipe.first.get(), kToken, Readiness::readable);
  try {
    poller->add(pipe.first.get(), kToken, Readiness::readable);
    FAIL() << "adding twice must throw";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::error_code(EEXIST, std::system_category()));
    EXPECT_NE(std::string(error.what()).find("epoll_ctl(add)"), std::string::npos);
  }
  try {
    poller->remove(pipe.second.get());
    FAIL() << "removing an unwatched descriptor must throw";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::error_code(ENOENT, std::system_category()));
    EXPECT_NE(std::string(error.what()).find("epoll_ctl(remove)"), std::string::npos);
  }
  try {
    poller->modify(-1, kToken, Readiness::readable);
    FAIL() << "modifying a bad descriptor must throw";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::error_code(EBADF, std::system_category()));
    EXPECT_NE(std::string(error.what()).find("epoll_ctl(modify)"), std::string::npos);
  }
}

}  // namespace
