// weft::Mutex<T>: guards, try_lock, FIFO hand-off, cancellation of a queued lock (the lock
// is never lost), timeout, and a stress test of mutual exclusion.

#include <weft/runtime/sync/mutex.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sync_test_support.hpp"

namespace {

using weft_sync_test::observed;
using weft_sync_test::Occupancy;
using weft_test::config_with;
using weft_test::wait_at_least;
using weft_test::wait_for_result;
using weft_test::Watchdog;

TEST(Mutex, TryLockGivesAccessAndTheGuardUnlocks) {
  weft::Mutex<int> m(5);
  {
    auto guard = m.try_lock();
    ASSERT_TRUE(guard.has_value());
    EXPECT_EQ(**guard, 5);
    **guard = 6;
    EXPECT_FALSE(m.try_lock().has_value()) << "locked";
  }
  auto again = m.try_lock();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(**again, 6);
}

TEST(Mutex, InPlaceAndDefaultConstruction) {
  weft::Mutex<std::string> s(std::in_place, 3u, 'x');
  EXPECT_EQ((*s.try_lock())->size(), 3u);
  EXPECT_EQ(**s.try_lock(), "xxx");
  weft::Mutex<std::vector<int>> v;
  EXPECT_TRUE((*v.try_lock())->empty());
}

TEST(Mutex, MovingAGuardMovesTheLock) {
  weft::Mutex<int> m(1);
  auto first = m.try_lock();
  ASSERT_TRUE(first);
  weft::MutexGuard<int> moved = std::move(*first);
  first.reset();  // the moved-from guard unlocks nothing
  EXPECT_FALSE(m.try_lock().has_value());
  { auto gone = std::move(moved); }
  EXPECT_TRUE(m.try_lock().has_value());
}

weft::Task<int> lock_and_record(weft::Mutex<std::vector<int>>* m, int id,
                                std::atomic<int>* queued) {
  auto guard = co_await observed(m->lock(), queued);
  guard->push_back(id);
  co_return id;
}

TEST(Mutex, LockWaitsAndHandsOffInArrivalOrder) {
  for (std::size_t workers : {1u, 2u, 4u}) {
    Watchdog watchdog;
    weft::Runtime rt(config_with(workers));
    weft::Mutex<std::vector<int>> m;
    std::atomic<int> queued{0};
    auto held = m.try_lock();
    ASSERT_TRUE(held);
    std::vector<weft::JoinHandle<int>> handles;
    const int n = 6;
    for (int i = 0; i < n; ++i) {
      handles.push_back(rt.spawn(lock_and_record(&m, i, &queued)));
      wait_at_least(queued, i + 1);
    }
    for (auto& handle : handles) EXPECT_FALSE(handle.is_finished());
    held.reset();  // unlock from a plain thread
    for (int i = 0; i < n; ++i) EXPECT_EQ(wait_for_result(handles[i]), i);
    auto guard = m.try_lock();
    ASSERT_TRUE(guard);
    EXPECT_EQ(**guard, (std::vector<int>{0, 1, 2, 3, 4, 5})) << "workers=" << workers;
  }
}

TEST(Mutex, AbortedQueuedLockerLeavesTheQueueConsistent) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::Mutex<std::vector<int>> m;
  std::atomic<int> queued{0};
  auto held = m.try_lock();
  ASSERT_TRUE(held);
  auto a = rt.spawn(lock_and_record(&m, 1, &queued));
  wait_at_least(queued, 1);
  auto b = rt.spawn(lock_and_record(&m, 2, &queued));
  wait_at_least(queued, 2);
  a.abort();
  EXPECT_THROW(wait_for_result(a), weft::TaskCancelled);
  held.reset();
  EXPECT_EQ(wait_for_result(b), 2);
  auto guard = m.try_lock();
  ASSERT_TRUE(guard) << "the lock was lost";
  EXPECT_EQ(**guard, std::vector<int>{2});
}

TEST(Mutex, LockerCancelledAfterTheHandOffPassesTheLockOn) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  weft::Mutex<std::vector<int>> m;
  std::atomic<int> queued{0};
  auto held = m.try_lock();
  ASSERT_TRUE(held);
  auto a = rt.spawn(lock_and_record(&m, 1, &queued));
  wait_at_least(queued, 1);
  auto b = rt.spawn(lock_and_record(&m, 2, &queued));
  wait_at_least(queued, 2);
  // Keep the only worker busy, so that `a` is handed the lock but cannot run to see it.
  weft_test::HeldWorker busy(rt);
  held.reset();  // hands the lock to `a`
  a.abort();     // `a` dies without ever seeing its guard
  busy.release();
  EXPECT_THROW(wait_for_result(a), weft::TaskCancelled);
  EXPECT_EQ(wait_for_result(b), 2) << "the lock must pass from the cancelled `a` to `b`";
  auto guard = m.try_lock();
  ASSERT_TRUE(guard);
  EXPECT_EQ(**guard, std::vector<int>{2});
}

weft::Task<int> lock_with_timeout(weft::Mutex<int>* m) {
  try {
    auto guard = co_await weft::timeout(std::chrono::milliseconds(20), m->lock());
    co_return *guard;
  } catch (const weft::TimeoutError&) {
    co_return -1;
  }
}

TEST(Mutex, TimeoutAroundALock) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::Mutex<int> m(7);
  {
    auto held = m.try_lock();
    ASSERT_TRUE(held);
    EXPECT_EQ(rt.block_on(lock_with_timeout(&m)), -1);
  }
  EXPECT_EQ(rt.block_on(lock_with_timeout(&m)), 7) << "the timed-out waiter left no trace";
  EXPECT_TRUE(m.try_lock().has_value());
}

struct Counter {
  long value = 0;
  long shadow = 0;
};

weft::Task<void> increment(weft::Mutex<Counter>* m, Occupancy* occupancy, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    auto guard = co_await m->lock();
    occupancy->enter();
    const long before = guard->value;
    if (i % 3 == 0) co_await weft::yield_now();  // hold the lock across a suspension
    guard->value = before + 1;
    guard->shadow += 1;
    occupancy->leave();
  }
}

TEST(Mutex, StressMutualExclusionAndNoLostUpdate) {
  for (std::size_t workers : {1u, 2u, 4u}) {
    Watchdog watchdog;
    weft::Runtime rt(config_with(workers));
    weft::Mutex<Counter> m;
    Occupancy occupancy;
    const int tasks = 6;
    const int rounds = 100 * weft_test::kScale;
    std::vector<weft::JoinHandle<void>> handles;
    for (int t = 0; t < tasks; ++t) handles.push_back(rt.spawn(increment(&m, &occupancy, rounds)));
    // A plain thread takes the lock with try_lock meanwhile.
    long plain_increments = 0;
    std::thread plain([&] {
      for (int i = 0; i < rounds; ++i) {
        if (auto guard = m.try_lock()) {
          occupancy.enter();
          (*guard)->value += 1;
          (*guard)->shadow += 1;
          ++plain_increments;
          occupancy.leave();
        }
      }
    });
    for (auto& handle : handles) wait_for_result(handle);
    plain.join();
    auto guard = m.try_lock();
    ASSERT_TRUE(guard);
    EXPECT_EQ((*guard)->value, static_cast<long>(tasks) * rounds + plain_increments);
    EXPECT_EQ((*guard)->value, (*guard)->shadow);
    EXPECT_EQ(occupancy.max(), 1) << "workers=" << workers;
  }
}

weft::Task<void> lock_forever(weft::Mutex<Counter>* m, std::atomic<int>* started) {
  weft_test::bump_and_notify(*started);
  auto guard = co_await m->lock();
  guard->value += 1;
  co_await weft::yield_now();
}

TEST(Mutex, AbortsRacingWithUnlocksNeverLoseTheLock) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(4));
  weft::Mutex<Counter> m;
  for (int round = 0; round < 50 * weft_test::kScale; ++round) {
    std::atomic<int> started{0};
    auto held = m.try_lock();
    ASSERT_TRUE(held) << "round " << round;
    std::vector<weft::JoinHandle<void>> handles;
    for (int i = 0; i < 4; ++i) handles.push_back(rt.spawn(lock_forever(&m, &started)));
    wait_at_least(started, 4);
    std::thread unlocker([&] { held.reset(); });
    handles[round % 4].abort();
    handles[(round + 1) % 4].abort();
    unlocker.join();
    for (auto& handle : handles) {
      try {
        wait_for_result(handle);
      } catch (const weft::TaskCancelled&) {
      }
    }
  }
  EXPECT_TRUE(m.try_lock().has_value());
}

}  // namespace
