#include <weft/scheduler/atomic_waker.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "../common/probe_waker.hpp"

namespace {

using Probe = weft_test::ProbeWaker;

TEST(Waker, CopyAndMoveCountReferences) {
  Probe probe;
  {
    weft::Waker a = probe.waker();
    weft::Waker b = a;
    EXPECT_EQ(probe.refs.load(), 2);
    EXPECT_TRUE(a.will_wake(b));
    weft::Waker c = std::move(a);
    EXPECT_FALSE(static_cast<bool>(a));
    EXPECT_EQ(probe.refs.load(), 2);
    c.wake();
    EXPECT_FALSE(static_cast<bool>(c));
    EXPECT_EQ(probe.refs.load(), 1);
    b.wake_by_ref();
  }
  EXPECT_EQ(probe.wakes.load(), 2);
  EXPECT_EQ(probe.refs.load(), 0);
}

TEST(AtomicWaker, WakeAfterRegisterWakesOnce) {
  Probe probe;
  weft::AtomicWaker slot;
  slot.register_waker(probe.waker());
  EXPECT_EQ(probe.refs.load(), 1);  // the temporary went away; the slot keeps a copy
  slot.wake();
  slot.wake();
  EXPECT_EQ(probe.wakes.load(), 1);
  EXPECT_EQ(probe.refs.load(), 0);
}

TEST(AtomicWaker, ReRegisteringTheSameWakerDoesNotCopy) {
  Probe probe;
  weft::AtomicWaker slot;
  weft::Waker w = probe.waker();
  slot.register_waker(w);
  slot.register_waker(w);
  EXPECT_EQ(probe.refs.load(), 2);
  slot.clear();
  EXPECT_EQ(probe.refs.load(), 1);
  EXPECT_EQ(probe.wakes.load(), 0);
}

// The consumer registers then checks a flag; the producer sets the flag then wakes. Over
// many rounds on two threads, the consumer never misses: it sees the flag or is woken.
TEST(AtomicWakerStress, NoLostWakeup) {
  constexpr int kRounds = 20'000;
  for (int round = 0; round < kRounds; ++round) {
    Probe probe;
    weft::AtomicWaker slot;
    std::atomic<bool> flag{false};
    std::thread producer([&] {
      flag.store(true, std::memory_order_release);
      slot.wake();
    });
    slot.register_waker(probe.waker());
    const bool saw_flag = flag.load(std::memory_order_acquire);
    producer.join();
    ASSERT_TRUE(saw_flag || probe.wakes.load() == 1) << "round " << round;
    slot.clear();
  }
}

}  // namespace
