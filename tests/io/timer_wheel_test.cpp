// The hierarchical timer wheel, driven with synthetic time: no test here waits for a clock.
#include <weft/io/timer_wheel.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "io_test_support.hpp"

namespace {

using namespace weft_io_test;
using weft::io::TimerHandle;
using weft::io::TimerWheel;
using TimePoint = TimerWheel::TimePoint;
using std::chrono::milliseconds;

constexpr auto kYear = std::chrono::hours(24 * 365);

// Timers whose wakers record their id in firing order.
class Recorder {
 public:
  explicit Recorder(std::size_t count) : probes_(count) {
    for (std::size_t i = 0; i < count; ++i) {
      probes_[i].on_wake = [this, i] { order_.push_back(static_cast<int>(i)); };
    }
  }
  weft::Waker waker(std::size_t i) { return probes_[i].waker(); }
  Probe& probe(std::size_t i) { return probes_[i]; }
  const std::vector<int>& order() const { return order_; }

 private:
  std::vector<Probe> probes_;
  std::vector<int> order_;  // written on the advancing thread only
};

class TimerWheelTest : public ::testing::Test {
 protected:
  const TimePoint origin{};  // synthetic time: tick n is origin + n ms
  TimerWheel wheel{origin};

  std::size_t advance_to(milliseconds t) {
    weft::WakeBatch batch;
    return wheel.advance(origin + t, batch);
  }
  std::optional<milliseconds> next() const {
    const auto deadline = wheel.next_deadline();
    if (!deadline) return std::nullopt;
    return std::chrono::duration_cast<milliseconds>(*deadline - origin);
  }
};

TEST_F(TimerWheelTest, EmptyWheelHasNoDeadline) {
  EXPECT_EQ(next(), std::nullopt);
  EXPECT_EQ(advance_to(1'000ms), 0u);
  EXPECT_EQ(wheel.size(), 0u);
}

TEST_F(TimerWheelTest, FiresInDeadlineOrder) {
  Recorder recorder(6);
  const std::array<int, 6> deadlines_ms = {300, 5, 70, 4'100, 64, 1};
  for (std::size_t i = 0; i < deadlines_ms.size(); ++i) {
    wheel.insert(origin + milliseconds(deadlines_ms[i]), recorder.waker(i));
  }
  // Step one millisecond at a time: each fires exactly at its tick.
  std::vector<int> fired_at(6, -1);
  for (int t = 0; t <= 5'000; ++t) {
    const std::size_t before = recorder.order().size();
    advance_to(milliseconds(t));
    for (std::size_t k = before; k < recorder.order().size(); ++k) {
      fired_at[static_cast<std::size_t>(recorder.order()[k])] = t;
    }
  }
  EXPECT_EQ(recorder.order(), (std::vector<int>{5, 1, 4, 2, 0, 3}));
  for (std::size_t i = 0; i < deadlines_ms.size(); ++i) EXPECT_EQ(fired_at[i], deadlines_ms[i]);
  EXPECT_EQ(wheel.size(), 0u);
}

TEST_F(TimerWheelTest, OneBigAdvanceStillFiresInOrder) {
  Recorder recorder(5);
  const std::array<int, 5> deadlines_ms = {90'000, 3, 4'096, 262'145, 700};
  for (std::size_t i = 0; i < deadlines_ms.size(); ++i) {
    wheel.insert(origin + milliseconds(deadlines_ms[i]), recorder.waker(i));
  }
  EXPECT_EQ(advance_to(1'000'000ms), 5u);
  EXPECT_EQ(recorder.order(), (std::vector<int>{1, 4, 2, 0, 3}));
}

TEST_F(TimerWheelTest, DeadlinesRoundUpToTheMillisecond) {
  Probe probe;
  wheel.insert(origin + std::chrono::microseconds(10'200), probe.waker());
  EXPECT_EQ(next(), 11ms);
  advance_to(10ms);
  EXPECT_EQ(probe.wakes.load(), 0);
  // 10.9 ms is still before the deadline's tick: time is floored, deadlines are ceiled.
  weft::WakeBatch batch;
  wheel.advance(origin + std::chrono::microseconds(10'900), batch);
  EXPECT_EQ(probe.wakes.load(), 0);
  advance_to(11ms);
  EXPECT_EQ(probe.wakes.load(), 1);
}

TEST_F(TimerWheelTest, NextDeadlineIsTheEarliestSlot) {
  Probe probe;
  wheel.insert(origin + 5'000ms, probe.waker());  // level 2 (4096..262143 ms spans)
  const auto first = next();
  ASSERT_TRUE(first.has_value());
  EXPECT_LE(*first, 5'000ms);  // the slot's start; the timer cascades from there
  wheel.insert(origin + 7ms, probe.waker());
  EXPECT_EQ(next(), 7ms);
  advance_to(7ms);
  EXPECT_EQ(probe.wakes.load(), 1);
  // Keep advancing to each reported deadline: the far timer fires exactly at 5000 ms.
  int steps = 0;
  while (probe.wakes.load() < 2 && steps++ < 10) {
    const auto deadline = next();
    ASSERT_TRUE(deadline.has_value());
    ASSERT_LE(*deadline, 5'000ms);
    advance_to(*deadline);
  }
  EXPECT_EQ(probe.wakes.load(), 2);
  EXPECT_EQ(next(), std::nullopt);
}

TEST_F(TimerWheelTest, ZeroAndPastDeadlinesFireOnTheNextAdvance) {
  Probe zero;
  Probe past;
  advance_to(100ms);
  wheel.insert(origin + 100ms, zero.waker());      // exactly now
  wheel.insert(origin - 5 * kYear, past.waker());  // long ago (before the origin even)
  EXPECT_EQ(next(), 100ms) << "due timers make the next deadline 'now'";
  // Even an advance to an earlier time fires them: they are already due.
  EXPECT_EQ(advance_to(50ms), 2u);
  EXPECT_EQ(zero.wakes.load(), 1);
  EXPECT_EQ(past.wakes.load(), 1);
  EXPECT_EQ(zero.refs.load(), 0);
}

TEST_F(TimerWheelTest, CancelBeforeFiringDropsTheWaker) {
  Probe probe;
  const TimerHandle handle = wheel.insert(origin + 10ms, probe.waker());
  EXPECT_EQ(wheel.size(), 1u);
  EXPECT_TRUE(wheel.cancel(handle));
  EXPECT_EQ(probe.refs.load(), 0);
  EXPECT_EQ(wheel.size(), 0u);
  EXPECT_EQ(next(), std::nullopt);
  advance_to(100ms);
  EXPECT_EQ(probe.wakes.load(), 0);
  EXPECT_FALSE(wheel.cancel(handle)) << "cancelling twice";
  EXPECT_EQ(wheel.stats().cancelled, 1u);
}

TEST_F(TimerWheelTest, CancelAfterFiringIsANoOp) {
  Probe probe;
  const TimerHandle handle = wheel.insert(origin + 10ms, probe.waker());
  advance_to(10ms);
  EXPECT_EQ(probe.wakes.load(), 1);
  EXPECT_FALSE(wheel.cancel(handle));
}

TEST_F(TimerWheelTest, StaleHandleDoesNotTouchTheTimerReusingItsEntry) {
  Probe first;
  Probe second;
  const TimerHandle old_handle = wheel.insert(origin + 10ms, first.waker());
  ASSERT_TRUE(wheel.cancel(old_handle));
  const TimerHandle new_handle = wheel.insert(origin + 20ms, second.waker());
  EXPECT_EQ(new_handle.index, old_handle.index);  // the entry was reused...
  EXPECT_NE(new_handle, old_handle);              // ...under a new generation
  EXPECT_FALSE(wheel.cancel(old_handle));
  EXPECT_FALSE(wheel.update_waker(old_handle, first.waker()));
  advance_to(20ms);
  EXPECT_EQ(second.wakes.load(), 1);
  EXPECT_EQ(first.wakes.load(), 0);
  EXPECT_EQ(first.refs.load(), 0);
}

TEST_F(TimerWheelTest, CancelFromTheMiddleOfASlot) {
  Recorder recorder(3);
  std::array<TimerHandle, 3> handles;
  for (std::size_t i = 0; i < 3; ++i) handles[i] = wheel.insert(origin + 10ms, recorder.waker(i));
  EXPECT_TRUE(wheel.cancel(handles[1]));
  advance_to(10ms);
  auto order = recorder.order();
  std::sort(order.begin(), order.end());
  EXPECT_EQ(order, (std::vector<int>{0, 2}));
}

TEST_F(TimerWheelTest, UpdateWakerReplacesOnlyADifferentWaker) {
  Probe first;
  Probe second;
  const TimerHandle handle = wheel.insert(origin + 10ms, first.waker());
  const weft::Waker same = first.waker();
  EXPECT_TRUE(wheel.update_waker(handle, same));
  EXPECT_EQ(first.refs.load(), 2) << "same waker: no copy taken";
  EXPECT_TRUE(wheel.update_waker(handle, second.waker()));
  EXPECT_EQ(first.refs.load(), 1) << "the replaced waker was dropped";
  advance_to(10ms);
  EXPECT_EQ(second.wakes.load(), 1);
  EXPECT_EQ(first.wakes.load(), 0);
  EXPECT_FALSE(wheel.update_waker(handle, second.waker())) << "already fired";
}

// Beyond the wheel's ~795-day horizon a timer is parked in the top level and re-inserted
// (cascaded) each time its slot comes round, until it fires exactly at its deadline.
TEST_F(TimerWheelTest, FarDeadlinesCascadeAndFireExactlyOnTime) {
  Probe probe;
  const auto deadline = origin + 5 * kYear + 123ms;
  wheel.insert(deadline, probe.waker());
  ASSERT_GT(5 * kYear, TimerWheel::kHorizon);

  // Drive it the way the reactor does: always to the reported next deadline.
  int turns = 0;
  while (probe.wakes.load() == 0) {
    ASSERT_LT(++turns, 200) << "far timers must not need many turns";
    const auto next_deadline = wheel.next_deadline();
    ASSERT_TRUE(next_deadline.has_value());
    ASSERT_LE(*next_deadline, deadline) << "the wheel never sleeps past a deadline";
    weft::WakeBatch batch;
    wheel.advance(*next_deadline, batch);
    if (probe.wakes.load() != 0) {
      EXPECT_EQ(*next_deadline, deadline) << "fires at its deadline, not a cascade point";
    }
  }
  EXPECT_GT(wheel.stats().cascaded, 0u);
  EXPECT_EQ(wheel.size(), 0u);
}

TEST_F(TimerWheelTest, FarDeadlineDoesNotFireEarlyOnBigJumps) {
  Probe probe;
  wheel.insert(origin + 5 * kYear, probe.waker());
  advance_to(std::chrono::duration_cast<milliseconds>(2 * kYear));
  advance_to(std::chrono::duration_cast<milliseconds>(4 * kYear));
  advance_to(std::chrono::duration_cast<milliseconds>(5 * kYear) - 1ms);
  EXPECT_EQ(probe.wakes.load(), 0);
  advance_to(std::chrono::duration_cast<milliseconds>(5 * kYear));
  EXPECT_EQ(probe.wakes.load(), 1);
}

TEST_F(TimerWheelTest, DeadlineAtTimePointMaxNeverFiresAndNeverOverflows) {
  Probe probe;
  const TimerHandle handle = wheel.insert(TimePoint::max(), probe.waker());
  const auto first = wheel.next_deadline();
  ASSERT_TRUE(first.has_value());
  EXPECT_GT(*first, origin);
  advance_to(std::chrono::duration_cast<milliseconds>(100 * kYear));
  EXPECT_EQ(probe.wakes.load(), 0);
  EXPECT_TRUE(wheel.next_deadline().has_value());
  EXPECT_TRUE(wheel.cancel(handle));
  EXPECT_EQ(probe.refs.load(), 0);
}

TEST_F(TimerWheelTest, TimerAcrossAHorizonBoundaryFiresOnTime) {
  // Advance close to the end of one horizon, then arm a timer just past it: the deadline
  // differs from 'now' beyond the top level's digit but is less than a horizon away.
  const milliseconds near_end(TimerWheel::kHorizonTicks - 10);
  advance_to(near_end);
  Probe probe;
  wheel.insert(origin + near_end + 25ms, probe.waker());
  const auto deadline = next();
  ASSERT_TRUE(deadline.has_value());
  EXPECT_LE(*deadline, near_end + 25ms);
  advance_to(near_end + 24ms);
  EXPECT_EQ(probe.wakes.load(), 0);
  advance_to(near_end + 25ms);
  EXPECT_EQ(probe.wakes.load(), 1);
}

// Many timers at random deadlines, advanced in random steps: each fires exactly once, at
// the first advance whose time reaches its deadline.
TEST_F(TimerWheelTest, ManyTimersFireExactlyOnceAtTheFirstDueAdvance) {
  constexpr std::size_t kTimers = 20'000;
  std::mt19937_64 random(42);
  std::uniform_int_distribution<std::int64_t> deadline_ms(0, 600'000);
  std::vector<Probe> probes(kTimers);
  std::vector<std::int64_t> deadlines(kTimers);
  std::vector<TimerHandle> handles(kTimers);
  for (std::size_t i = 0; i < kTimers; ++i) {
    deadlines[i] = deadline_ms(random);
    handles[i] = wheel.insert(origin + milliseconds(deadlines[i]), probes[i].waker());
  }
  // Cancel every tenth.
  for (std::size_t i = 0; i < kTimers; i += 10) ASSERT_TRUE(wheel.cancel(handles[i]));

  std::uniform_int_distribution<std::int64_t> step_ms(1, 5'000);
  std::int64_t now = 0;
  while (now <= 600'000) {
    now += step_ms(random);
    advance_to(milliseconds(now));
    for (std::size_t i = 1; i < kTimers; ++i) {
      if (i % 10 == 0) continue;
      // Checked after every advance, so a timer that fired early or late is caught at the
      // step where it did.
      const bool due = deadlines[i] <= now;
      ASSERT_EQ(probes[i].wakes.load(), due ? 1 : 0)
          << "timer " << i << " due at " << deadlines[i] << " ms, wheel at " << now << " ms";
    }
  }
  for (std::size_t i = 0; i < kTimers; ++i) {
    EXPECT_EQ(probes[i].refs.load(), 0);
    if (i % 10 == 0) {
      EXPECT_EQ(probes[i].wakes.load(), 0);
    }
  }
  EXPECT_EQ(wheel.size(), 0u);
  EXPECT_EQ(wheel.stats().fired, kTimers - kTimers / 10);
}

TEST_F(TimerWheelTest, DestructionDropsPendingWakersWithoutWaking) {
  Probe probe;
  {
    TimerWheel local(origin);
    local.insert(origin + 10ms, probe.waker());
    local.insert(origin + 10 * kYear, probe.waker());
    EXPECT_EQ(probe.refs.load(), 2);
  }
  EXPECT_EQ(probe.refs.load(), 0);
  EXPECT_EQ(probe.wakes.load(), 0);
}

TEST(TimerWheelDriver, EarlierInsertInterruptsTheDriverOnce) {
  std::atomic<int> interrupts{0};
  const TimePoint origin{};
  TimerWheel wheel(origin, [&] { interrupts.fetch_add(1); });
  Probe probe;
  wheel.insert(origin + 1'000ms, probe.waker());
  EXPECT_EQ(interrupts.load(), 0) << "the driver is awake: it will look before it sleeps";

  EXPECT_EQ(wheel.begin_wait(), origin + 960ms);  // the level-1 slot holding the timer
  wheel.insert(origin + 2'000ms, probe.waker());
  EXPECT_EQ(interrupts.load(), 0) << "later than the driver's wake-up: no interrupt";
  wheel.insert(origin + 100ms, probe.waker());
  EXPECT_EQ(interrupts.load(), 1);
  wheel.insert(origin + 150ms, probe.waker());
  EXPECT_EQ(interrupts.load(), 1) << "already interrupted for an earlier time";
  wheel.insert(origin + 50ms, probe.waker());
  EXPECT_EQ(interrupts.load(), 2);

  weft::WakeBatch batch;
  wheel.advance(origin + 10ms, batch);  // the driver is awake again
  wheel.insert(origin + 20ms, probe.waker());
  EXPECT_EQ(interrupts.load(), 2);

  EXPECT_EQ(wheel.begin_wait(), origin + 20ms);
  wheel.insert(origin, probe.waker());  // already due
  EXPECT_EQ(interrupts.load(), 3);
}

TEST(TimerWheelDriver, WaitingForeverIsInterruptedByAnyInsert) {
  std::atomic<int> interrupts{0};
  const TimePoint origin{};
  TimerWheel wheel(origin, [&] { interrupts.fetch_add(1); });
  EXPECT_EQ(wheel.begin_wait(), std::nullopt);
  Probe probe;
  wheel.insert(origin + 100 * kYear, probe.waker());
  EXPECT_EQ(interrupts.load(), 1);
}

// Workers insert and cancel while a driver advances in real time: every timer either fires
// once or is cancelled, none is lost, and TSan sees no race.
TEST(TimerWheelStress, ConcurrentInsertCancelAdvance) {
  TimerWheel wheel(std::chrono::steady_clock::now());
  constexpr int kThreads = 3;
  constexpr int kPerThread = 3'000;
  std::vector<Probe> probes(kThreads * kPerThread);
  std::atomic<int> inserters_done{0};
  std::atomic<bool> stop{false};
  std::thread driver([&] {
    while (!stop.load()) {
      weft::WakeBatch batch;
      wheel.advance(std::chrono::steady_clock::now(), batch);
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> workers;
  std::atomic<int> cancelled{0};
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(t));
      for (int i = 0; i < kPerThread; ++i) {
        Probe& probe = probes[static_cast<std::size_t>(t * kPerThread + i)];
        const auto handle = wheel.insert(
            std::chrono::steady_clock::now() + std::chrono::microseconds(random() % 3'000),
            probe.waker());
        if (i % 3 == 0 && wheel.cancel(handle)) cancelled.fetch_add(1);
      }
      inserters_done.fetch_add(1);
    });
  }
  for (auto& worker : workers) worker.join();
  ASSERT_TRUE(eventually([&] { return wheel.size() == 0; }));
  stop.store(true);
  driver.join();
  int fired = 0;
  for (auto& probe : probes) {
    EXPECT_EQ(probe.refs.load(), 0);
    EXPECT_LE(probe.wakes.load(), 1);
    fired += probe.wakes.load();
  }
  EXPECT_EQ(fired + cancelled.load(), kThreads * kPerThread);
}

}  // namespace
