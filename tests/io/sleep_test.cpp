// Sleep, the timer leaf future, polled by hand (Probe wakers) and by block_on_future.
#include <weft/io/sleep.hpp>

#include <gtest/gtest.h>

#include <random>
#include <thread>
#include <vector>

#include <weft/scheduler/thread_waker.hpp>

#include "io_test_support.hpp"

namespace {

using namespace weft_io_test;
using weft::Context;
using weft::io::Reactor;
using weft::io::Sleep;
using Clock = std::chrono::steady_clock;

class SleepTest : public ::testing::Test {
 protected:
  Probe probe;  // outlives the reactor and every waker it holds
  Probe other;
  Reactor reactor{test_reactor_options()};
};

TEST_F(SleepTest, CompletesNoEarlierThanItsDeadline) {
  const auto start = Clock::now();
  Sleep sleep(reactor, start + 30ms);
  weft::block_on_future(sleep);
  EXPECT_GE(Clock::now() - start, 30ms);
  EXPECT_EQ(reactor.timers(), 0u);
}

TEST_F(SleepTest, ZeroOrPastDeadlineIsReadyOnTheFirstPollWithoutATimer) {
  const weft::Waker waker = probe.waker();
  Context cx(waker);
  Sleep zero = Sleep::after(reactor, Clock::duration::zero());
  EXPECT_TRUE(zero.poll(cx).is_ready());
  Sleep negative = Sleep::after(reactor, -5s);
  EXPECT_TRUE(negative.poll(cx).is_ready());
  Sleep past(reactor, Clock::time_point::min());
  EXPECT_TRUE(past.poll(cx).is_ready());
  EXPECT_EQ(reactor.timers(), 0u);
  EXPECT_EQ(probe.refs.load(), 1);
}

TEST_F(SleepTest, PendingPollArmsOneTimerAndWakesTheTask) {
  const weft::Waker waker = probe.waker();
  Context cx(waker);
  Sleep sleep = Sleep::after(reactor, 20ms);
  EXPECT_TRUE(sleep.poll(cx).is_pending());
  EXPECT_TRUE(sleep.poll(cx).is_pending());  // a spurious poll does not arm a second timer
  EXPECT_EQ(reactor.timers(), 1u);
  ASSERT_TRUE(probe.wait_for_wakes(1));
  EXPECT_TRUE(sleep.poll(cx).is_ready());
  EXPECT_EQ(probe.wakes.load(), 1);
}

TEST_F(SleepTest, DroppingAPendingSleepCancelsItsTimer) {
  const weft::Waker waker = probe.waker();
  Context cx(waker);
  {
    Sleep sleep = Sleep::after(reactor, 1h);
    EXPECT_TRUE(sleep.poll(cx).is_pending());
    EXPECT_EQ(reactor.timers(), 1u);
    EXPECT_EQ(probe.refs.load(), 2);
  }
  EXPECT_EQ(reactor.timers(), 0u);
  EXPECT_EQ(probe.refs.load(), 1) << "the timer's waker was dropped";
  EXPECT_EQ(probe.wakes.load(), 0);
}

TEST_F(SleepTest, RepollWithAnotherWakerWakesTheNewOne) {
  Sleep sleep = Sleep::after(reactor, 20ms);
  {
    const weft::Waker waker = probe.waker();
    Context cx(waker);
    EXPECT_TRUE(sleep.poll(cx).is_pending());
  }
  const weft::Waker waker = other.waker();
  Context cx(waker);
  EXPECT_TRUE(sleep.poll(cx).is_pending());  // the task moved (say, to another worker)
  EXPECT_EQ(probe.refs.load(), 0);
  ASSERT_TRUE(other.wait_for_wakes(1));
  EXPECT_EQ(probe.wakes.load(), 0);
  EXPECT_TRUE(sleep.poll(cx).is_ready());
}

TEST_F(SleepTest, MovingKeepsTheTimerAndMovingOverCancelsTheOldOne) {
  const weft::Waker waker = probe.waker();
  Context cx(waker);
  Sleep first = Sleep::after(reactor, 1h);
  EXPECT_TRUE(first.poll(cx).is_pending());
  Sleep moved = std::move(first);
  EXPECT_EQ(reactor.timers(), 1u);

  Sleep short_one = Sleep::after(reactor, 10ms);
  moved = std::move(short_one);  // the hour-long timer goes
  EXPECT_EQ(reactor.timers(), 0u);
  weft::block_on_future(moved);
  EXPECT_EQ(probe.wakes.load(), 0);
}

TEST_F(SleepTest, ResetMovesTheDeadline) {
  const weft::Waker waker = probe.waker();
  Context cx(waker);
  Sleep sleep = Sleep::after(reactor, 1h);
  EXPECT_TRUE(sleep.poll(cx).is_pending());
  const auto soon = Clock::now() + 10ms;
  sleep.reset(soon);
  EXPECT_EQ(reactor.timers(), 0u);
  EXPECT_EQ(sleep.deadline(), soon);
  weft::block_on_future(sleep);
  EXPECT_TRUE(sleep.is_elapsed());
}

TEST_F(SleepTest, ForeverSaturatesAndIsCancellable) {
  const weft::Waker waker = probe.waker();
  Context cx(waker);
  Sleep forever = Sleep::after(reactor, Clock::duration::max());
  EXPECT_EQ(forever.deadline(), Clock::time_point::max());
  EXPECT_TRUE(forever.poll(cx).is_pending());
  EXPECT_EQ(reactor.timers(), 1u);
  forever.reset(Clock::time_point::max());
  EXPECT_EQ(reactor.timers(), 0u);
}

TEST_F(SleepTest, ManyConcurrentSleepers) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      std::mt19937 random(static_cast<unsigned>(t));
      for (int i = 0; i < 40; ++i) {
        const auto start = Clock::now();
        const auto duration = std::chrono::microseconds(random() % 4'000);
        Sleep sleep = Sleep::after(reactor, duration);
        weft::block_on_future(sleep);
        EXPECT_GE(Clock::now() - start, duration);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(reactor.timers(), 0u);
}

}  // namespace
