// weft::when_all: results in argument order, children run concurrently inside one task,
// a wake re-polls only its child, the first exception cancels the rest, cancellation and
// timeout destroy every child frame, the vector form, coop budget, late wakes, stress.

#include <weft/runtime/when_all.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

#include "combinator_support.hpp"

namespace {

using combinator_test::Boom;
using combinator_test::CountingWait;
using combinator_test::ManualContext;
using combinator_test::parked_forever;
using combinator_test::ready_value;
using combinator_test::throws_after_yield;
using combinator_test::value_after;
using combinator_test::yield_then;
using weft_test::config_with;
using weft_test::Event;
using weft_test::expect_block_on_throws;
using weft_test::LiveGuard;
using weft_test::wait_for_result;
using weft_test::Watchdog;

weft::Task<std::string> text_after_yield(std::string s) {
  co_await weft::yield_now();
  co_return s;
}

weft::Task<void> void_after_yield(std::atomic<int>* ran) {
  co_await weft::yield_now();
  ran->fetch_add(1);
}

weft::Task<std::tuple<int, std::string, std::monostate>> three_kinds(std::atomic<int>* ran) {
  co_return co_await weft::when_all(yield_then(7, 3), text_after_yield("seven"),
                                    void_after_yield(ran));
}

TEST(WhenAll, ResultsComeInArgumentOrderWithMonostateForVoid) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> ran{0};
  auto [n, s, v] = rt.block_on(three_kinds(&ran));
  static_assert(std::is_same_v<decltype(v), std::monostate>);
  EXPECT_EQ(n, 7);
  EXPECT_EQ(s, "seven");
  EXPECT_EQ(ran.load(), 1);
}

weft::Task<std::tuple<>> nothing() {
  co_return co_await weft::when_all();
}

TEST(WhenAll, NoArgumentsIsReadyAtOnce) {
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(nothing()), std::tuple<>());
}

// A Task, a JoinHandle, a oneshot Receiver and a hand-written future together.
weft::Task<int> mixed_awaitables() {
  auto handle = weft::spawn(ready_value(1));
  auto [tx, rx] = weft::oneshot::channel<int>();
  tx.send(10);
  Event event;
  event.set();
  std::atomic<int> polls{0};
  auto [a, b, c, d] = co_await weft::when_all(yield_then(100, 1), std::move(handle), std::move(rx),
                                              CountingWait{&event, &polls});
  static_assert(std::is_same_v<decltype(d), std::monostate>);
  co_return a + b + c;
}

TEST(WhenAll, AcceptsTasksJoinHandlesChannelsAndHandWrittenFutures) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  EXPECT_EQ(rt.block_on(mixed_awaitables()), 111);
}

// Each child waits for what the other sends after it started: awaiting them one after the
// other would deadlock, so passing proves they run concurrently.
weft::Task<int> ping(weft::oneshot::Receiver<int> rx, weft::oneshot::Sender<int> tx) {
  int v = co_await rx;
  tx.send(v + 1);
  co_return v;
}
weft::Task<int> pong(weft::oneshot::Sender<int> tx, weft::oneshot::Receiver<int> rx) {
  co_await weft::yield_now();
  tx.send(1);
  co_return co_await rx;
}
weft::Task<int> ping_pong() {
  auto [tx1, rx1] = weft::oneshot::channel<int>();
  auto [tx2, rx2] = weft::oneshot::channel<int>();
  auto [a, b] = co_await weft::when_all(ping(std::move(rx1), std::move(tx2)),
                                        pong(std::move(tx1), std::move(rx2)));
  co_return a * 10 + b;
}

TEST(WhenAll, ChildrenRunConcurrentlyInsideTheAwaitingTask) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(ping_pong()), 12);
}

weft::Task<void> two_counting_waits(Event* a, Event* b, std::atomic<int>* polls_a,
                                    std::atomic<int>* polls_b) {
  co_await weft::when_all(CountingWait{a, polls_a}, CountingWait{b, polls_b});
}

TEST(WhenAll, AWakeRepollsOnlyTheChildItBelongsTo) {
  Watchdog watchdog;
  // One worker: once child a's second poll was seen, a probe task can only run after the
  // parent's poll (the one that would wrongly have re-polled b as well) has returned.
  weft::Runtime rt(config_with(1));
  Event a;
  Event b;
  std::atomic<int> polls_a{0};
  std::atomic<int> polls_b{0};
  auto handle = rt.spawn(two_counting_waits(&a, &b, &polls_a, &polls_b));
  a.wait_registrations(1);
  b.wait_registrations(1);
  EXPECT_EQ(polls_a.load(), 1);
  EXPECT_EQ(polls_b.load(), 1);

  a.set();
  weft_test::wait_at_least(polls_a, 2);
  EXPECT_EQ(rt.block_on(ready_value(0)), 0);  // the probe
  EXPECT_FALSE(handle.is_finished());
  EXPECT_EQ(polls_a.load(), 2);
  EXPECT_EQ(polls_b.load(), 1) << "waking child a re-polled child b";

  b.set();
  wait_for_result(handle);
  EXPECT_EQ(polls_a.load(), 2);
  EXPECT_EQ(polls_b.load(), 2);
}

weft::Task<int> sum_of_pair_with_failure(std::atomic<int>* live) {
  auto [a, b] = co_await weft::when_all(parked_forever(live), throws_after_yield("child failed"));
  co_return a + b;
}

TEST(WhenAll, FirstExceptionCancelsTheOthersAndIsRethrown) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  expect_block_on_throws<Boom>(rt, sum_of_pair_with_failure(&live), "child failed");
  EXPECT_EQ(live.load(), 0) << "the parked sibling's frame was not destroyed";
}

// Only the first exception is seen; a second child failing in the same poll is dropped.
weft::Task<void> two_failures() {
  co_await weft::when_all(throws_after_yield("first"), throws_after_yield("second"));
}

TEST(WhenAll, OnlyTheFirstOfSeveralExceptionsIsRethrown) {
  weft::Runtime rt(config_with(1));
  expect_block_on_throws<Boom>(rt, two_failures(), "first");
}

weft::Task<void> await_parked_pair(std::atomic<int>* live, weft::oneshot::Receiver<int> rx,
                                   weft::oneshot::Sender<int> started) {
  started.send(1);
  co_await weft::when_all(parked_forever(live), std::move(rx));
}

TEST(WhenAll, AbortingTheAwaitingTaskDestroysEveryChild) {
  Watchdog watchdog;
  auto tx = combinator_test::abort_while_awaiting_parked_pair(await_parked_pair);
  EXPECT_FALSE(tx.send(1));
}

weft::Task<int> when_all_with_timeout(std::atomic<int>* live, Event* event) {
  auto [a, b] =
      co_await weft::timeout(std::chrono::milliseconds(20),
                             weft::when_all(parked_forever(live), value_after(event, 2, live)));
  co_return a + b;
}

TEST(WhenAll, TimeoutAroundWhenAllDestroysEveryChild) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  Event event;
  EXPECT_THROW(rt.block_on(when_all_with_timeout(&live, &event)), weft::TimeoutError);
  EXPECT_EQ(live.load(), 0);
  event.set();  // the wakers the children registered are dropped or harmless now
}

weft::Task<std::vector<int>> all_of(std::vector<weft::Task<int>> tasks) {
  co_return co_await weft::when_all(std::move(tasks));
}

TEST(WhenAll, VectorOfTasksGivesTheirResultsInOrder) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(4));
  std::vector<weft::Task<int>> tasks;
  for (int i = 0; i < 50; ++i) tasks.push_back(yield_then(i, i % 7));
  std::vector<int> results = rt.block_on(all_of(std::move(tasks)));
  ASSERT_EQ(results.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(results[static_cast<std::size_t>(i)], i);
}

TEST(WhenAll, EmptyVectorIsReadyAtOnce) {
  weft::Runtime rt(config_with(1));
  EXPECT_TRUE(rt.block_on(all_of({})).empty());
}

weft::Task<void> all_void(std::atomic<int>* ran, int n) {
  std::vector<weft::Task<void>> tasks;
  for (int i = 0; i < n; ++i) tasks.push_back(void_after_yield(ran));
  static_assert(std::is_void_v<decltype(weft::when_all(std::move(tasks)))::Output>);
  co_await weft::when_all(std::move(tasks));
}

TEST(WhenAll, VectorOfVoidTasksWaitsForAll) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> ran{0};
  rt.block_on(all_void(&ran, 20));
  EXPECT_EQ(ran.load(), 20);
}

weft::Task<std::vector<int>> vector_with_failure(std::atomic<int>* live) {
  std::vector<weft::Task<int>> tasks;
  tasks.push_back(parked_forever(live));
  tasks.push_back(throws_after_yield("in vector"));
  tasks.push_back(parked_forever(live));
  co_return co_await weft::when_all(std::move(tasks));
}

TEST(WhenAll, VectorFormCancelsTheRestOnException) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  EXPECT_THROW(rt.block_on(vector_with_failure(&live)), Boom);
  EXPECT_EQ(live.load(), 0);
}

// Manual polling on the test thread (no runtime needed for plain futures).
TEST(WhenAll, MovingAfterThePollStartedOrPollingAfterTheEndIsALogicError) {
  Event never;
  auto pending_all = weft::when_all(never.wait());
  auto moved_before_poll = std::move(pending_all);  // fine: not polled yet
  ManualContext manual;
  EXPECT_TRUE(moved_before_poll.poll(manual.cx).is_pending());
  EXPECT_THROW({ auto moved = std::move(moved_before_poll); }, std::logic_error);

  auto [tx, rx] = weft::oneshot::channel<int>();
  tx.send(4);
  auto done = weft::when_all(std::move(rx));
  auto result = done.poll(manual.cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(std::get<0>(result.value()), 4);
  EXPECT_THROW(done.poll(manual.cx), std::logic_error);
}

// Budget: the children share the task's coop budget; a child that exhausts it makes the
// parent yield, and the others get polled after the worker ran something else.
struct BudgetedWork {
  int total;
  std::vector<int>* ops_per_poll;
  int done = 0;
  weft::Poll<int> poll(weft::Context& cx) {
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

weft::Task<int> two_budgeted(std::vector<int>* ops_a, std::vector<int>* ops_b, int total) {
  auto [a, b] = co_await weft::when_all(BudgetedWork{total, ops_a}, BudgetedWork{total, ops_b});
  co_return a + b;
}

TEST(WhenAll, ChildrenShareTheTasksCoopBudget) {
  Watchdog watchdog;
  constexpr int kBudget = 16;
  weft::Runtime rt(weft::Config::builder().worker_threads(1).event_budget(kBudget).build());
  std::vector<int> ops_a;
  std::vector<int> ops_b;
  EXPECT_EQ(rt.block_on(two_budgeted(&ops_a, &ops_b, 3 * kBudget + 5)), 2 * (3 * kBudget + 5));
  ASSERT_FALSE(ops_a.empty());
  ASSERT_FALSE(ops_b.empty());
  EXPECT_EQ(ops_a.front(), kBudget);
  EXPECT_EQ(ops_b.front(), 0) << "the second child got a fresh budget in the same poll";
  for (int ops : ops_a) EXPECT_LE(ops, kBudget);
  for (int ops : ops_b) EXPECT_LE(ops, kBudget);
}

// A child that yields in a loop while another task on the same (single) worker makes the
// progress it waits for: the child's self-wake must reach the parent task.
weft::Task<int> spin_until(std::atomic<int>* counter, int target) {
  int spins = 0;
  while (counter->load() < target) {
    co_await weft::yield_now();
    ++spins;
  }
  co_return spins;
}
weft::Task<void> count_up(std::atomic<int>* counter, int target) {
  for (int i = 0; i < target; ++i) {
    counter->fetch_add(1);
    co_await weft::yield_now();
  }
}
weft::Task<int> spin_alongside_counter(std::atomic<int>* counter, int target) {
  auto counting = weft::spawn(count_up(counter, target));
  auto [spins, ready] = co_await weft::when_all(spin_until(counter, target), ready_value(0));
  co_await counting;
  co_return spins + ready;
}

TEST(WhenAll, AChildYieldingLetsOtherTasksOnTheWorkerRun) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  std::atomic<int> counter{0};
  EXPECT_GT(rt.block_on(spin_alongside_counter(&counter, 50)), 0);
  EXPECT_EQ(counter.load(), 50);
}

// A child hands its waker to a foreign thread that wakes it long after when_all finished.
// (A constructor, not an aggregate: GCC 12 miscompiles aggregate temporaries with
// non-trivial members inside co_await, see task_test.cpp.)
struct LeakWakerToThread {
  explicit LeakWakerToThread(std::shared_ptr<weft::Waker> s) : slot(std::move(s)) {}
  std::shared_ptr<weft::Waker> slot;
  weft::Poll<int> poll(weft::Context& cx) {
    *slot = cx.waker();  // a clone outliving the combinator
    return 5;
  }
};

weft::Task<int> with_leaked_waker(std::shared_ptr<weft::Waker> slot) {
  auto [a, b] = co_await weft::when_all(LeakWakerToThread(std::move(slot)), yield_then(1, 2));
  co_return a + b;
}

TEST(WhenAll, LateWakeOfAChildAfterCompletionIsHarmless) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto slot = std::make_shared<weft::Waker>();
  EXPECT_EQ(rt.block_on(with_leaked_waker(slot)), 6);
  ASSERT_TRUE(static_cast<bool>(*slot));
  std::thread late([slot] {
    slot->wake_by_ref();
    weft::Waker copy = *slot;
    copy.wake();
  });
  late.join();
  slot->reset();  // the last reference frees the combinator's wake bookkeeping
}

// Stress: many when_alls, each child released by a foreign thread, on 4 workers: every
// result arrives exactly once and every frame is destroyed.
weft::Task<int> sum_of_released(std::vector<std::shared_ptr<Event>> events, int round,
                                std::atomic<int>* live) {
  std::vector<weft::Task<int>> tasks;
  for (std::size_t i = 0; i < events.size(); ++i) {
    tasks.push_back(value_after(events[i].get(), round + static_cast<int>(i), live));
  }
  std::vector<int> results = co_await weft::when_all(std::move(tasks));
  int sum = 0;
  for (int r : results) sum += r;
  co_return sum;
}

TEST(WhenAll, StressChildrenWokenFromForeignThreads) {
  Watchdog watchdog(std::chrono::seconds(60));
  weft::Runtime rt(config_with(4));
  std::atomic<int> live{0};
  const int rounds = 20 * weft_test::kScale;
  constexpr int kChildren = 8;
  std::vector<weft::JoinHandle<int>> handles;
  std::vector<std::vector<std::shared_ptr<Event>>> events(static_cast<std::size_t>(rounds));
  for (int r = 0; r < rounds; ++r) {
    for (int i = 0; i < kChildren; ++i) events[r].push_back(std::make_shared<Event>());
    handles.push_back(rt.spawn(sum_of_released(events[r], r, &live)));
  }
  std::thread releaser_a([&] {
    for (int r = 0; r < rounds; ++r) {
      for (int i = 0; i < kChildren; i += 2) events[r][i]->set();
    }
  });
  std::thread releaser_b([&] {
    for (int r = rounds - 1; r >= 0; --r) {
      for (int i = 1; i < kChildren; i += 2) events[r][i]->set();
    }
  });
  releaser_a.join();
  releaser_b.join();
  for (int r = 0; r < rounds; ++r) {
    const int expected = kChildren * r + kChildren * (kChildren - 1) / 2;
    EXPECT_EQ(wait_for_result(handles[r]), expected) << "round " << r;
  }
  EXPECT_EQ(live.load(), 0);
}

}  // namespace
