// weft::RwLock<T>: shared readers, exclusive writers, fairness (a queued writer blocks later
// readers), cancellation of a queued writer that had collected read slots, timeout, and a
// stress test of the reader/writer invariant.

#include <weft/runtime/sync/rw_lock.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "sync_test_support.hpp"

namespace {

using weft_sync_test::observed;
using weft_test::config_with;
using weft_test::wait_at_least;
using weft_test::wait_for_result;
using weft_test::Watchdog;

TEST(RwLock, ReadersShareWritersExclude) {
  weft::RwLock<int> lock(3);
  {
    auto r1 = lock.try_read();
    auto r2 = lock.try_read();
    ASSERT_TRUE(r1 && r2);
    EXPECT_EQ(**r1, 3);
    EXPECT_EQ(**r2, 3);
    EXPECT_FALSE(lock.try_write().has_value()) << "readers are inside";
  }
  {
    auto w = lock.try_write();
    ASSERT_TRUE(w);
    **w = 4;
    EXPECT_FALSE(lock.try_read().has_value()) << "a writer is inside";
    EXPECT_FALSE(lock.try_write().has_value());
  }
  auto r = lock.try_read();
  ASSERT_TRUE(r);
  EXPECT_EQ(**r, 4);
  static_assert(std::is_same_v<decltype(**r), const int&>, "a read guard gives const access");
}

TEST(RwLock, InPlaceConstructionAndMovedGuards) {
  weft::RwLock<std::vector<int>> lock(std::in_place, 2u, 9);
  auto w = lock.try_write();
  ASSERT_TRUE(w);
  weft::WriteGuard<std::vector<int>> moved = std::move(*w);
  w.reset();
  EXPECT_FALSE(lock.try_read().has_value()) << "the moved guard still holds the lock";
  EXPECT_EQ(moved->size(), 2u);
  { auto gone = std::move(moved); }
  EXPECT_TRUE(lock.try_read().has_value());
}

weft::Task<int> write_value(weft::RwLock<int>* lock, int value, std::atomic<int>* queued,
                            std::mutex* order_mutex, std::vector<int>* order) {
  auto guard = co_await observed(lock->write(), queued);
  *guard = value;
  std::lock_guard hold(*order_mutex);
  order->push_back(value);
  co_return value;
}

weft::Task<int> read_value(weft::RwLock<int>* lock, std::atomic<int>* queued,
                           std::mutex* order_mutex, std::vector<int>* order) {
  auto guard = co_await observed(lock->read(), queued);
  std::lock_guard hold(*order_mutex);
  order->push_back(-*guard);
  co_return *guard;
}

TEST(RwLock, AQueuedWriterBlocksLaterReaders) {
  for (std::size_t workers : {1u, 2u, 4u}) {
    Watchdog watchdog;
    weft::Runtime rt(config_with(workers));
    weft::RwLock<int> lock(0);
    std::atomic<int> queued{0};
    std::mutex order_mutex;
    std::vector<int> order;
    auto reading = lock.try_read();
    ASSERT_TRUE(reading);
    auto writer = rt.spawn(write_value(&lock, 5, &queued, &order_mutex, &order));
    wait_at_least(queued, 1);
    EXPECT_FALSE(lock.try_read().has_value()) << "a writer is queued: new readers wait";
    auto reader = rt.spawn(read_value(&lock, &queued, &order_mutex, &order));
    wait_at_least(queued, 2);
    EXPECT_FALSE(writer.is_finished());
    reading.reset();  // the last reader leaves: the writer goes first, then the reader
    EXPECT_EQ(wait_for_result(writer), 5);
    EXPECT_EQ(wait_for_result(reader), 5) << "the later reader saw the writer's value";
    std::lock_guard hold(order_mutex);
    EXPECT_EQ(order, (std::vector<int>{5, -5})) << "workers=" << workers;
  }
}

TEST(RwLock, AbortedQueuedWriterReturnsTheSlotsItCollected) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::RwLock<int> lock(1);
  std::atomic<int> queued{0};
  std::mutex order_mutex;
  std::vector<int> order;
  auto r1 = lock.try_read();
  auto r2 = lock.try_read();
  ASSERT_TRUE(r1 && r2);
  auto writer = rt.spawn(write_value(&lock, 9, &queued, &order_mutex, &order));
  wait_at_least(queued, 1);
  r1.reset();  // the writer collects this slot and still waits for r2's
  EXPECT_FALSE(lock.try_read().has_value());
  writer.abort();
  EXPECT_THROW(wait_for_result(writer), weft::TaskCancelled);
  // Every slot the writer had collected came back: readers get in, and once r2 leaves a
  // writer does too.
  auto r3 = lock.try_read();
  ASSERT_TRUE(r3);
  EXPECT_EQ(**r3, 1);
  r3.reset();
  r2.reset();
  auto w = lock.try_write();
  ASSERT_TRUE(w) << "read slots were lost";
}

weft::Task<int> write_with_timeout(weft::RwLock<int>* lock) {
  try {
    auto guard = co_await weft::timeout(std::chrono::milliseconds(20), lock->write());
    *guard += 1;
    co_return *guard;
  } catch (const weft::TimeoutError&) {
    co_return -1;
  }
}

TEST(RwLock, TimeoutAroundAWrite) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::RwLock<int> lock(10);
  {
    auto reading = lock.try_read();
    ASSERT_TRUE(reading);
    EXPECT_EQ(rt.block_on(write_with_timeout(&lock)), -1);
    EXPECT_TRUE(lock.try_read().has_value()) << "the timed-out writer no longer blocks readers";
  }
  EXPECT_EQ(rt.block_on(write_with_timeout(&lock)), 11);
}

struct Pair {
  long a = 0;
  long b = 0;
};

weft::Task<long> writer_task(weft::RwLock<Pair>* lock, std::atomic<int>* writers_inside,
                             std::atomic<int>* readers_inside, std::atomic<int>* violations,
                             int rounds) {
  for (int i = 0; i < rounds; ++i) {
    auto guard = co_await lock->write();
    if (writers_inside->fetch_add(1) != 0 || readers_inside->load() != 0) violations->fetch_add(1);
    guard->a += 1;
    if (i % 2 == 0) co_await weft::yield_now();  // readers must not see the torn pair
    guard->b += 1;
    writers_inside->fetch_sub(1);
  }
  co_return rounds;
}

weft::Task<long> reader_task(weft::RwLock<Pair>* lock, std::atomic<int>* writers_inside,
                             std::atomic<int>* readers_inside, std::atomic<int>* violations,
                             int rounds) {
  long reads = 0;
  for (int i = 0; i < rounds; ++i) {
    auto guard = co_await lock->read();
    readers_inside->fetch_add(1);
    if (writers_inside->load() != 0 || guard->a != guard->b) violations->fetch_add(1);
    if (i % 3 == 0) co_await weft::yield_now();
    readers_inside->fetch_sub(1);
    ++reads;
  }
  co_return reads;
}

TEST(RwLock, StressWritersAreExclusiveAndReadersNeverSeeATornValue) {
  for (std::size_t workers : {1u, 2u, 4u}) {
    Watchdog watchdog;
    weft::Runtime rt(config_with(workers));
    weft::RwLock<Pair> lock;
    std::atomic<int> writers_inside{0};
    std::atomic<int> readers_inside{0};
    std::atomic<int> violations{0};
    const int rounds = 50 * weft_test::kScale;
    std::vector<weft::JoinHandle<long>> handles;
    for (int t = 0; t < 6; ++t) {
      handles.push_back(rt.spawn(
          t % 3 == 0 ? writer_task(&lock, &writers_inside, &readers_inside, &violations, rounds)
                     : reader_task(&lock, &writers_inside, &readers_inside, &violations, rounds)));
    }
    for (auto& handle : handles) EXPECT_EQ(wait_for_result(handle), rounds);
    EXPECT_EQ(violations.load(), 0) << "workers=" << workers;
    auto guard = lock.try_write();
    ASSERT_TRUE(guard);
    EXPECT_EQ((*guard)->a, 2L * rounds);
    EXPECT_EQ((*guard)->b, 2L * rounds);
  }
}

}  // namespace
