// weft::Barrier: bad size, a barrier of one, exactly one leader per generation, reuse across
// generations, a cancelled waiter withdraws (the generation still needs n live waiters),
// timeout, and a stress test that no task passes before its whole generation arrived.

#include <weft/runtime/sync/barrier.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <vector>

#include "sync_test_support.hpp"

namespace {

using weft_sync_test::observed;
using weft_test::config_with;
using weft_test::wait_at_least;
using weft_test::wait_for_result;
using weft_test::Watchdog;

TEST(Barrier, ZeroParticipantsIsInvalid) {
  EXPECT_THROW(weft::Barrier(0), std::invalid_argument);
}

TEST(Barrier, ABarrierOfOneLeadsEveryTime) {
  weft::Barrier barrier(1);
  EXPECT_EQ(barrier.size(), 1u);
  for (int i = 0; i < 3; ++i) {
    auto wait = barrier.wait();
    EXPECT_TRUE(wait_for_result(wait).is_leader());
  }
  EXPECT_EQ(barrier.generation(), 3u);
}

weft::Task<bool> arrive(weft::Barrier* barrier, std::atomic<int>* queued) {
  auto result = co_await observed(barrier->wait(), queued);
  co_return result.is_leader();
}

TEST(Barrier, ReleasesAllOnlyWhenTheLastArrivesWithExactlyOneLeader) {
  for (std::size_t workers : {1u, 2u, 4u}) {
    Watchdog watchdog;
    weft::Runtime rt(config_with(workers));
    const int n = 4;
    weft::Barrier barrier(n);
    for (int generation = 0; generation < 3; ++generation) {
      std::atomic<int> queued{0};
      std::vector<weft::JoinHandle<bool>> handles;
      for (int i = 0; i < n - 1; ++i) {
        handles.push_back(rt.spawn(arrive(&barrier, &queued)));
        wait_at_least(queued, i + 1);
      }
      for (auto& handle : handles) EXPECT_FALSE(handle.is_finished());
      handles.push_back(rt.spawn(arrive(&barrier, &queued)));
      std::vector<bool> led;
      for (auto& handle : handles) led.push_back(wait_for_result(handle));
      EXPECT_EQ(std::count(led.begin(), led.end(), true), 1)
          << "generation " << generation << " workers=" << workers;
      EXPECT_TRUE(led.back()) << "the last arrival leads";
    }
    EXPECT_EQ(barrier.generation(), 3u);
  }
}

TEST(Barrier, ACancelledWaiterWithdraws) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::Barrier barrier(3);
  std::atomic<int> queued{0};
  auto a = rt.spawn(arrive(&barrier, &queued));
  wait_at_least(queued, 1);
  auto b = rt.spawn(arrive(&barrier, &queued));
  wait_at_least(queued, 2);
  a.abort();
  EXPECT_THROW(wait_for_result(a), weft::TaskCancelled);
  // Two live arrivals (b, c): not enough. Had `a` still counted, c would complete it.
  auto c = rt.spawn(arrive(&barrier, &queued));
  wait_at_least(queued, 3);
  EXPECT_FALSE(b.is_finished());
  EXPECT_FALSE(c.is_finished());
  EXPECT_EQ(barrier.generation(), 0u);
  auto d = rt.spawn(arrive(&barrier, &queued));
  const int leaders = int{wait_for_result(b)} + int{wait_for_result(c)} + int{wait_for_result(d)};
  EXPECT_EQ(leaders, 1);
  EXPECT_EQ(barrier.generation(), 1u);
}

weft::Task<int> wait_with_timeout(weft::Barrier* barrier) {
  try {
    auto result = co_await weft::timeout(std::chrono::milliseconds(20), barrier->wait());
    co_return result.is_leader() ? 1 : 0;
  } catch (const weft::TimeoutError&) {
    co_return -1;
  }
}

TEST(Barrier, TimeoutAroundAWaitWithdrawsTheArrival) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::Barrier barrier(2);
  EXPECT_EQ(rt.block_on(wait_with_timeout(&barrier)), -1);
  EXPECT_EQ(rt.block_on(wait_with_timeout(&barrier)), -1)
      << "the first timed-out arrival must not complete the generation for the second";
  std::atomic<int> queued{0};
  auto a = rt.spawn(arrive(&barrier, &queued));
  wait_at_least(queued, 1);
  auto b = rt.spawn(arrive(&barrier, &queued));
  EXPECT_EQ(int{wait_for_result(a)} + int{wait_for_result(b)}, 1);
}

weft::Task<int> phases(weft::Barrier* barrier, std::vector<std::atomic<int>>* arrived, int n,
                       std::atomic<int>* violations) {
  int led = 0;
  for (std::size_t g = 0; g < arrived->size(); ++g) {
    (*arrived)[g].fetch_add(1);
    auto result = co_await barrier->wait();
    // Nobody passes generation g before all n arrived at it.
    if ((*arrived)[g].load() != n) violations->fetch_add(1);
    if (result.is_leader()) ++led;
    if (g % 2 == 0) co_await weft::yield_now();
  }
  co_return led;
}

TEST(Barrier, StressNoTaskPassesBeforeItsGenerationIsComplete) {
  for (std::size_t workers : {1u, 2u, 4u}) {
    Watchdog watchdog;
    weft::Runtime rt(config_with(workers));
    const int n = 5;
    const int generations = 40 * weft_test::kScale;
    weft::Barrier barrier(n);
    std::vector<std::atomic<int>> arrived(generations);
    std::atomic<int> violations{0};
    std::vector<weft::JoinHandle<int>> handles;
    for (int i = 0; i < n; ++i)
      handles.push_back(rt.spawn(phases(&barrier, &arrived, n, &violations)));
    int leaders = 0;
    for (auto& handle : handles) leaders += wait_for_result(handle);
    EXPECT_EQ(leaders, generations) << "one leader per generation";
    EXPECT_EQ(violations.load(), 0);
    EXPECT_EQ(barrier.generation(), static_cast<std::uint64_t>(generations));
  }
}

}  // namespace
