// weft::Semaphore: permits and RAII, bad arguments, FIFO fairness with partial assignment,
// close, cancellation of queued waiters (permits handed on, never lost), timeout, plain
// threads, and a bounded stress test of the permit invariant.

#include <weft/runtime/sync/semaphore.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <stdexcept>
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

TEST(Semaphore, TryAcquireTakesPermitsAndThePermitGivesThemBack) {
  weft::Semaphore sem(3);
  EXPECT_EQ(sem.available_permits(), 3u);
  {
    auto two = sem.try_acquire(2);
    ASSERT_TRUE(two.has_value());
    EXPECT_EQ(two->count(), 2u);
    EXPECT_EQ(sem.available_permits(), 1u);
    EXPECT_FALSE(sem.try_acquire(2).has_value());
    auto one = sem.try_acquire();
    ASSERT_TRUE(one.has_value());
    EXPECT_EQ(sem.available_permits(), 0u);
    EXPECT_FALSE(sem.try_acquire().has_value());
  }
  EXPECT_EQ(sem.available_permits(), 3u);
}

TEST(Semaphore, MovedPermitReleasesOnce) {
  weft::Semaphore sem(2);
  auto a = sem.try_acquire();
  auto b = sem.try_acquire();
  ASSERT_TRUE(a && b);
  weft::SemaphorePermit moved = std::move(*a);
  EXPECT_EQ(a->count(), 0u);
  EXPECT_EQ(moved.count(), 1u);
  a.reset();
  EXPECT_EQ(sem.available_permits(), 0u) << "the moved-from permit must release nothing";
  moved = std::move(*b);  // releases the permit `moved` held, takes b's
  EXPECT_EQ(sem.available_permits(), 1u);
  b.reset();
  EXPECT_EQ(sem.available_permits(), 1u);
  { auto gone = std::move(moved); }
  EXPECT_EQ(sem.available_permits(), 2u);
}

TEST(Semaphore, ForgetShrinksTheSemaphore) {
  weft::Semaphore sem(3);
  {
    auto permit = sem.try_acquire(2);
    ASSERT_TRUE(permit);
    permit->forget();
    EXPECT_EQ(permit->count(), 0u);
  }
  EXPECT_EQ(sem.available_permits(), 1u);
}

TEST(Semaphore, ReleaseAddsPermits) {
  weft::Semaphore sem(0);
  EXPECT_FALSE(sem.try_acquire().has_value());
  sem.release(2);
  EXPECT_EQ(sem.available_permits(), 2u);
  sem.release(0);
  EXPECT_EQ(sem.available_permits(), 2u);
  EXPECT_TRUE(sem.try_acquire(2).has_value());
}

TEST(Semaphore, BadArgumentsThrowInvalidArgument) {
  EXPECT_THROW(weft::Semaphore(weft::Semaphore::kMaxPermits + 1), std::invalid_argument);
  weft::Semaphore max(weft::Semaphore::kMaxPermits);
  EXPECT_EQ(max.available_permits(), weft::Semaphore::kMaxPermits);
  EXPECT_THROW(max.release(1), std::invalid_argument);
  EXPECT_EQ(max.available_permits(), weft::Semaphore::kMaxPermits);

  weft::Semaphore sem(1);
  EXPECT_THROW((void)sem.acquire(weft::Semaphore::kMaxPermits + 1), std::invalid_argument);
  EXPECT_THROW((void)sem.try_acquire(weft::Semaphore::kMaxPermits + 1), std::invalid_argument);
  EXPECT_THROW(sem.release(weft::Semaphore::kMaxPermits), std::invalid_argument);
  EXPECT_EQ(sem.available_permits(), 1u);
}

TEST(Semaphore, ZeroPermitRequestsAreReadyAtOnce) {
  weft::Semaphore sem(0);
  auto permit = sem.try_acquire(0);
  ASSERT_TRUE(permit.has_value());
  EXPECT_EQ(permit->count(), 0u);
  auto acquire = sem.acquire(0);
  EXPECT_EQ(wait_for_result(acquire).count(), 0u);
}

weft::Task<std::size_t> acquire_and_hold(weft::Semaphore* sem, std::size_t n,
                                         std::atomic<int>* queued) {
  auto permit = co_await observed(sem->acquire(n), queued);
  co_return permit.count();
}

TEST(Semaphore, AcquireWaitsForARelease) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::Semaphore sem(0);
  std::atomic<int> queued{0};
  auto handle = rt.spawn(acquire_and_hold(&sem, 1, &queued));
  wait_at_least(queued, 1);
  EXPECT_FALSE(handle.is_finished());
  sem.release(1);  // from a plain thread
  EXPECT_EQ(wait_for_result(handle), 1u);
  EXPECT_EQ(sem.available_permits(), 1u) << "the task's permit came back when it finished";
}

weft::Task<void> acquire_in_order(weft::Semaphore* sem, std::size_t n, int id,
                                  std::atomic<int>* queued, std::mutex* order_mutex,
                                  std::vector<int>* order) {
  auto permit = co_await observed(sem->acquire(n), queued);
  {
    std::lock_guard lock(*order_mutex);
    order->push_back(id);
  }
  permit.forget();  // keep them, so the test controls exactly who can run next
}

TEST(Semaphore, WaitersAreServedInArrivalOrder) {
  for (std::size_t workers : {1u, 2u, 4u}) {
    Watchdog watchdog;
    weft::Runtime rt(config_with(workers));
    weft::Semaphore sem(0);
    std::atomic<int> queued{0};
    std::mutex order_mutex;
    std::vector<int> order;
    std::vector<weft::JoinHandle<void>> handles;
    const int n = 8;
    for (int i = 0; i < n; ++i) {
      handles.push_back(rt.spawn(acquire_in_order(&sem, 1, i, &queued, &order_mutex, &order)));
      wait_at_least(queued, i + 1);  // queued before the next one arrives
    }
    for (int i = 0; i < n; ++i) {
      sem.release(1);
      wait_for_result(handles[i]);  // exactly waiter i, the head of the queue, was served
    }
    std::lock_guard lock(order_mutex);
    ASSERT_EQ(order.size(), static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) EXPECT_EQ(order[i], i) << "workers=" << workers;
  }
}

TEST(Semaphore, ALargeRequestIsNotOvertakenBySmallerOnes) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::Semaphore sem(1);
  std::atomic<int> queued{0};
  std::mutex order_mutex;
  std::vector<int> order;
  // The big one takes the single free permit and queues for two more.
  auto big = rt.spawn(acquire_in_order(&sem, 3, 0, &queued, &order_mutex, &order));
  wait_at_least(queued, 1);
  EXPECT_EQ(sem.available_permits(), 0u) << "the head waiter holds the free permit";
  auto small = rt.spawn(acquire_in_order(&sem, 1, 1, &queued, &order_mutex, &order));
  wait_at_least(queued, 2);
  EXPECT_FALSE(sem.try_acquire().has_value()) << "try_acquire must not jump the queue";

  sem.release(1);  // assigned to the big request: still one short
  EXPECT_EQ(sem.available_permits(), 0u);
  EXPECT_FALSE(big.is_finished());
  EXPECT_FALSE(small.is_finished());
  // One more permit: enough for the small request, but the big one is at the head and takes
  // it. With no permit left the small one cannot have been served, so checking it is not
  // finished is not a race.
  sem.release(1);
  wait_for_result(big);
  EXPECT_EQ(sem.available_permits(), 0u);
  EXPECT_FALSE(small.is_finished()) << "the small request overtook the big one";
  sem.release(1);
  wait_for_result(small);
  EXPECT_EQ(sem.available_permits(), 0u);
  // Both tasks record themselves only after being granted, and the big one had finished
  // before the small one could be granted anything.
  std::lock_guard lock(order_mutex);
  EXPECT_EQ(order, (std::vector<int>{0, 1}));
}

weft::Task<int> acquire_expecting_close(weft::Semaphore* sem, std::size_t n,
                                        std::atomic<int>* queued) {
  try {
    auto permit = co_await observed(sem->acquire(n), queued);
    co_return 1;
  } catch (const weft::SemaphoreClosed&) {
    co_return -1;
  }
}

TEST(Semaphore, CloseWakesEveryWaiterWithSemaphoreClosed) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::Semaphore sem(1);
  auto held = sem.try_acquire();
  ASSERT_TRUE(held);
  sem.release(1);  // one free permit, which the first waiter takes partially
  std::atomic<int> queued{0};
  std::vector<weft::JoinHandle<int>> handles;
  handles.push_back(rt.spawn(acquire_expecting_close(&sem, 2, &queued)));
  wait_at_least(queued, 1);
  for (int i = 1; i < 4; ++i) {
    handles.push_back(rt.spawn(acquire_expecting_close(&sem, 1, &queued)));
    wait_at_least(queued, i + 1);
  }
  EXPECT_FALSE(sem.is_closed());
  sem.close();
  EXPECT_TRUE(sem.is_closed());
  for (auto& handle : handles) EXPECT_EQ(wait_for_result(handle), -1);
  // The permit the first waiter had been assigned came back.
  EXPECT_EQ(sem.available_permits(), 1u);
  EXPECT_FALSE(sem.try_acquire().has_value()) << "closed: try_acquire returns nullopt";
  auto late = sem.acquire();
  EXPECT_THROW(wait_for_result(late), weft::SemaphoreClosed);
  auto late_zero = sem.acquire(0);
  EXPECT_THROW(wait_for_result(late_zero), weft::Error);
  // Permits handed out before the close stay valid and come back.
  held.reset();
  EXPECT_EQ(sem.available_permits(), 2u);
  sem.close();  // idempotent
  EXPECT_TRUE(sem.is_closed());
}

TEST(Semaphore, AbortedWaiterGivesItsPartialAssignmentToTheNext) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::Semaphore sem(2);
  std::atomic<int> queued{0};
  auto big = rt.spawn(acquire_and_hold(&sem, 5, &queued));  // takes 2, needs 3 more
  wait_at_least(queued, 1);
  auto next = rt.spawn(acquire_and_hold(&sem, 3, &queued));
  wait_at_least(queued, 2);
  sem.release(1);  // the big one now holds 3 of 5
  EXPECT_EQ(sem.available_permits(), 0u);
  EXPECT_FALSE(next.is_finished());

  big.abort();
  EXPECT_THROW(wait_for_result(big), weft::TaskCancelled);
  // Its 3 permits went to the next waiter, which finished and gave them back.
  EXPECT_EQ(wait_for_result(next), 3u);
  EXPECT_EQ(sem.available_permits(), 3u) << "no permit lost to the cancelled waiter";
  EXPECT_TRUE(sem.try_acquire(3).has_value());
}

TEST(Semaphore, AbortedWaiterUnlinksWithoutDisturbingTheQueue) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::Semaphore sem(0);
  std::atomic<int> queued{0};
  std::vector<weft::JoinHandle<std::size_t>> handles;
  for (int i = 0; i < 3; ++i) {
    handles.push_back(rt.spawn(acquire_and_hold(&sem, 1, &queued)));
    wait_at_least(queued, i + 1);
  }
  handles[1].abort();  // from the middle of the queue
  EXPECT_THROW(wait_for_result(handles[1]), weft::TaskCancelled);
  sem.release(1);
  EXPECT_EQ(wait_for_result(handles[0]), 1u);
  EXPECT_EQ(wait_for_result(handles[2]), 1u) << "the permit the first one returned";
  EXPECT_EQ(sem.available_permits(), 1u);
}

weft::Task<int> acquire_with_timeout(weft::Semaphore* sem, std::size_t n) {
  try {
    auto permit = co_await weft::timeout(std::chrono::milliseconds(20), sem->acquire(n));
    co_return static_cast<int>(permit.count());
  } catch (const weft::TimeoutError&) {
    co_return -1;
  }
}

TEST(Semaphore, TimeoutAroundAnAcquireReturnsTheAssignedPermits) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::Semaphore sem(1);
  // Takes the one permit partially, times out waiting for the second: the permit returns.
  EXPECT_EQ(rt.block_on(acquire_with_timeout(&sem, 2)), -1);
  EXPECT_EQ(sem.available_permits(), 1u);
  EXPECT_EQ(rt.block_on(acquire_with_timeout(&sem, 1)), 1);
  EXPECT_EQ(sem.available_permits(), 1u);
}

weft::Task<void> churn(weft::Semaphore* sem, Occupancy* occupancy, int rounds, unsigned seed,
                       std::atomic<long>* acquired) {
  std::minstd_rand rng(seed);
  for (int i = 0; i < rounds; ++i) {
    const std::size_t n = 1 + rng() % 3;
    auto permit = co_await sem->acquire(n);
    occupancy->enter(static_cast<int>(n));
    acquired->fetch_add(static_cast<long>(n), std::memory_order_relaxed);
    if (rng() % 2 == 0) co_await weft::yield_now();
    occupancy->leave(static_cast<int>(n));
  }
}

TEST(Semaphore, StressNeverMoreThanTheLimitHeldAndNoPermitLost) {
  for (std::size_t workers : {1u, 2u, 4u}) {
    Watchdog watchdog;
    weft::Runtime rt(config_with(workers));
    weft::Semaphore sem(4);
    Occupancy occupancy;
    std::atomic<long> acquired{0};
    const int tasks = 8;
    const int rounds = 100 * weft_test::kScale;
    std::vector<weft::JoinHandle<void>> handles;
    for (int t = 0; t < tasks; ++t) {
      handles.push_back(rt.spawn(churn(&sem, &occupancy, rounds, 17u * t + 1, &acquired)));
    }
    // A plain thread competes with try_acquire.
    std::thread plain([&] {
      for (int i = 0; i < rounds; ++i) {
        if (auto permit = sem.try_acquire(2)) {
          occupancy.enter(2);
          occupancy.leave(2);
        }
      }
    });
    for (auto& handle : handles) wait_for_result(handle);
    plain.join();
    EXPECT_LE(occupancy.max(), 4) << "workers=" << workers;
    EXPECT_GT(acquired.load(), 0);
    EXPECT_EQ(sem.available_permits(), 4u) << "workers=" << workers;
  }
}

weft::Task<void> acquire_then_forget(weft::Semaphore* sem, std::size_t n,
                                     std::atomic<int>* queued) {
  auto permit = co_await observed(sem->acquire(n), queued);
  permit.forget();
}

TEST(Semaphore, LockFreeTryAcquireNeverOvertakesAQueuedWaiter) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::Semaphore sem(0);
  std::atomic<bool> stop{false};
  std::atomic<int> stolen{0};
  // Spins on the lock-free path while releases go to the queued waiter under the lock:
  // released permits belong to the waiter, so every try_acquire must fail.
  std::thread spinner([&] {
    while (!stop.load(std::memory_order_acquire)) {
      if (auto permit = sem.try_acquire(1)) stolen.fetch_add(1, std::memory_order_relaxed);
    }
  });
  const int rounds = 20 * weft_test::kScale;
  for (int round = 0; round < rounds; ++round) {
    std::atomic<int> queued{0};
    auto handle = rt.spawn(acquire_then_forget(&sem, 3, &queued));
    wait_at_least(queued, 1);
    for (int i = 0; i < 3; ++i) sem.release(1);
    wait_for_result(handle);
    ASSERT_EQ(sem.available_permits(), 0u) << "round " << round;
  }
  stop.store(true, std::memory_order_release);
  spinner.join();
  EXPECT_EQ(stolen.load(), 0);
  // With nobody queued the lock-free path works again.
  sem.release(2);
  EXPECT_TRUE(sem.try_acquire(2).has_value());
  EXPECT_EQ(sem.available_permits(), 2u);
}

TEST(Semaphore, LockFreeAndQueuedPathsRaceWithoutLosingPermits) {
  for (std::size_t workers : {1u, 2u}) {
    Watchdog watchdog;
    weft::Runtime rt(config_with(workers));
    weft::Semaphore sem(3);
    Occupancy occupancy;
    std::atomic<long> acquired{0};
    const int rounds = 100 * weft_test::kScale;
    std::vector<weft::JoinHandle<void>> handles;
    for (int t = 0; t < 4; ++t) {
      handles.push_back(rt.spawn(churn(&sem, &occupancy, rounds, 31u * t + 7, &acquired)));
    }
    // Plain threads on the lock-free paths: try_acquire with the permit's give-back, and
    // try_acquire + forget + release(), racing with waiters being queued and served.
    std::vector<std::thread> plain;
    for (int p = 0; p < 2; ++p) {
      plain.emplace_back([&, p] {
        for (int i = 0; i < rounds; ++i) {
          const std::size_t n = 1 + static_cast<std::size_t>((i + p) % 2);
          if (auto permit = sem.try_acquire(n)) {
            occupancy.enter(static_cast<int>(n));
            occupancy.leave(static_cast<int>(n));
            if (p == 1) {
              permit->forget();
              sem.release(n);
            }
          }
        }
      });
    }
    for (auto& handle : handles) wait_for_result(handle);
    for (auto& thread : plain) thread.join();
    EXPECT_LE(occupancy.max(), 3) << "workers=" << workers;
    EXPECT_GT(acquired.load(), 0);
    EXPECT_EQ(sem.available_permits(), 3u) << "workers=" << workers;
  }
}

weft::Task<void> acquire_forever(weft::Semaphore* sem, std::size_t n, std::atomic<int>* started) {
  weft_test::bump_and_notify(*started);
  auto permit = co_await sem->acquire(n);
  co_await weft::yield_now();
}

TEST(Semaphore, AbortsRacingWithReleasesLoseNoPermit) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(4));
  weft::Semaphore sem(0);
  const int rounds = 50 * weft_test::kScale;
  for (int round = 0; round < rounds; ++round) {
    std::atomic<int> started{0};
    std::vector<weft::JoinHandle<void>> handles;
    for (int i = 0; i < 4; ++i) {
      handles.push_back(rt.spawn(acquire_forever(&sem, 1 + i % 2, &started)));
    }
    wait_at_least(started, 4);
    // Releases land while the waiters are being cancelled: a permit granted to a waiter
    // that is destroyed before it sees the grant must move on, not vanish.
    std::thread releaser([&] {
      for (int i = 0; i < 3; ++i) sem.release(1);
    });
    for (int i = 0; i < 4; i += 2) handles[i].abort();
    releaser.join();
    for (auto& handle : handles) handle.abort();
    for (auto& handle : handles) {
      try {
        wait_for_result(handle);
      } catch (const weft::TaskCancelled&) {
      }
    }
    ASSERT_EQ(sem.available_permits(), 3u) << "round " << round;
    auto all = sem.try_acquire(3);
    ASSERT_TRUE(all.has_value());
    all->forget();
  }
}

}  // namespace
