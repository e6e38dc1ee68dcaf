#include <weft/scheduler/atomic_waker.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace {

// A Waker that counts its wakes and live references, to check the contract precisely.
struct Probe {
  std::atomic<int> wakes{0};
  std::atomic<int> refs{0};

  weft::Waker waker() {
    refs.fetch_add(1);
    return weft::Waker(&vtable, this);
  }

  static void* clone(void* p) noexcept {
    static_cast<Probe*>(p)->refs.fetch_add(1);
    return p;
  }
  static void wake(void* p) noexcept {
    wake_by_ref(p);
    drop(p);
  }
  static void wake_by_ref(void* p) noexcept { static_cast<Probe*>(p)->wakes.fetch_add(1); }
  static void drop(void* p) noexcept { static_cast<Probe*>(p)->refs.fetch_sub(1); }
  static constexpr weft::WakerVTable vtable{&clone, &wake, &wake_by_ref, &drop};
};

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
