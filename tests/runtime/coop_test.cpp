// Cooperative budget: weft::coop::poll_proceed() allows Config::event_budget operations per
// poll; then it wakes the task and says no, and the task is polled again later with a
// fresh budget, after the worker had a chance to run others.

#include <weft/scheduler/coop.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <limits>
#include <vector>

#include "test_support.hpp"

namespace {

using weft_test::wait_for_result;
using weft_test::Watchdog;

weft::Config config_with_budget(std::size_t workers, std::uint32_t budget) {
  return weft::Config::builder().worker_threads(workers).event_budget(budget).build();
}

// Performs `total` operations, each guarded by poll_proceed; records the budget it saw at
// the start of every poll and how many operations each poll managed.
struct BudgetedWork {
  int total;
  std::vector<std::uint32_t>* budget_at_start;
  std::vector<int>* ops_per_poll;
  int done = 0;

  weft::Poll<int> poll(weft::Context& cx) {
    budget_at_start->push_back(weft::coop::remaining());
    int ops = 0;
    while (done < total) {
      if (!weft::coop::poll_proceed(cx)) {
        ops_per_poll->push_back(ops);
        return weft::pending;
      }
      ++done;
      ++ops;
    }
    ops_per_poll->push_back(ops);
    return done;
  }
};

TEST(Coop, BudgetExhaustsAfterEventBudgetOperationsAndTheTaskIsRepolled) {
  Watchdog watchdog;
  constexpr std::uint32_t kBudget = 16;
  weft::Runtime rt(config_with_budget(1, kBudget));
  std::vector<std::uint32_t> budget_at_start;
  std::vector<int> ops_per_poll;
  auto handle = rt.spawn(BudgetedWork{3 * kBudget + 5, &budget_at_start, &ops_per_poll});
  EXPECT_EQ(wait_for_result(handle), static_cast<int>(3 * kBudget + 5));
  ASSERT_EQ(ops_per_poll.size(), 4u);
  EXPECT_EQ(ops_per_poll[0], static_cast<int>(kBudget));
  EXPECT_EQ(ops_per_poll[1], static_cast<int>(kBudget));
  EXPECT_EQ(ops_per_poll[2], static_cast<int>(kBudget));
  EXPECT_EQ(ops_per_poll[3], 5);
  for (std::uint32_t b : budget_at_start) EXPECT_EQ(b, kBudget) << "each poll starts afresh";
}

TEST(Coop, DefaultBudgetIs128) {
  Watchdog watchdog;
  weft::Runtime rt(weft_test::config_with(1));
  std::vector<std::uint32_t> budget_at_start;
  std::vector<int> ops_per_poll;
  auto handle = rt.spawn(BudgetedWork{300, &budget_at_start, &ops_per_poll});
  EXPECT_EQ(wait_for_result(handle), 300);
  ASSERT_EQ(ops_per_poll.size(), 3u);
  EXPECT_EQ(ops_per_poll[0], 128);
  EXPECT_EQ(ops_per_poll[1], 128);
  EXPECT_EQ(ops_per_poll[2], 44);
}

TEST(Coop, BudgetOfOneAllowsOneOperationPerPoll) {
  Watchdog watchdog;
  weft::Runtime rt(config_with_budget(1, 1));
  std::vector<std::uint32_t> budget_at_start;
  std::vector<int> ops_per_poll;
  auto handle = rt.spawn(BudgetedWork{10, &budget_at_start, &ops_per_poll});
  EXPECT_EQ(wait_for_result(handle), 10);
  ASSERT_EQ(ops_per_poll.size(), 10u);  // one operation per poll; the tenth finishes
  for (int ops : ops_per_poll) EXPECT_EQ(ops, 1);
}

struct CountingWaker {
  std::atomic<int> wakes{0};
  static void* clone(void* p) noexcept { return p; }
  static void wake(void* p) noexcept { wake_by_ref(p); }
  static void wake_by_ref(void* p) noexcept { static_cast<CountingWaker*>(p)->wakes.fetch_add(1); }
  static void drop(void*) noexcept {}
  static constexpr weft::WakerVTable vtable{&clone, &wake, &wake_by_ref, &drop};
};

TEST(Coop, OutsideAWorkerTheBudgetIsUnlimited) {
  CountingWaker counter;
  weft::Waker waker(&CountingWaker::vtable, &counter);
  weft::Context cx(waker);
  EXPECT_GT(weft::coop::remaining(), 1'000'000'000u);
  for (int i = 0; i < 100'000; ++i) ASSERT_TRUE(weft::coop::poll_proceed(cx));
  EXPECT_EQ(counter.wakes.load(), 0);
}

// Outside a worker, poll_proceed() still counts down the thread's budget, which starts at
// UINT32_MAX and is never refilled on a thread that is not a worker: after 2^32 operations
// on one plain thread it returns false (and self-wakes) forever, so block_on_future() of a
// future that honours the budget then spins without progress. "Unlimited" should mean the
// budget is not consumed at all.
TEST(Coop, OutsideAWorkerPollProceedConsumesNothing) {
  CountingWaker counter;
  weft::Waker waker(&CountingWaker::vtable, &counter);
  weft::Context cx(waker);
  const std::uint32_t before = weft::coop::remaining();
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(weft::coop::poll_proceed(cx));
  EXPECT_EQ(weft::coop::remaining(), before);
}

weft::Task<std::uint32_t> remaining_inside_a_task() {
  co_await weft::yield_now();
  co_return weft::coop::remaining();
}

TEST(Coop, TasksSeeTheConfiguredBudget) {
  weft::Runtime rt(config_with_budget(1, 77));
  EXPECT_EQ(rt.block_on(remaining_inside_a_task()), 77u);
}

// Greedy: does budgeted operations until `stop` is set. Without the budget it would keep
// its only worker forever; with it, the task spawned after it gets to run and set `stop`.
struct Greedy {
  std::atomic<bool>* stop;
  long* ops;
  weft::Poll<long> poll(weft::Context& cx) {
    while (!stop->load()) {
      if (!weft::coop::poll_proceed(cx)) return weft::pending;
      ++*ops;
      if (*ops > 100'000'000) return -1;  // give up rather than hang the suite
    }
    return *ops;
  }
};

weft::Task<void> set_flag(std::atomic<bool>* flag) {
  flag->store(true);
  co_return;
}

TEST(Coop, AnExhaustedTaskLetsOthersRun) {
  Watchdog watchdog;
  weft::Runtime rt(config_with_budget(1, 32));
  std::atomic<bool> stop{false};
  long ops = 0;
  auto greedy = rt.spawn(Greedy{&stop, &ops});
  auto setter = rt.spawn(set_flag(&stop));
  wait_for_result(setter);
  const long result = wait_for_result(greedy);
  EXPECT_GT(result, 0) << "the greedy task never let the other one run";
}

weft::Task<int> budget_in_chain(int depth) {
  if (depth > 0) co_return co_await budget_in_chain(depth - 1);
  co_return static_cast<int>(weft::coop::remaining());
}

TEST(Coop, AwaitingTasksConsumesNoBudget) {
  weft::Runtime rt(config_with_budget(1, 50));
  EXPECT_EQ(rt.block_on(budget_in_chain(20)), 50);
}

}  // namespace
