// weft::JoinSet: results in completion order, nullopt when empty, exceptions and
// TaskCancelled delivered by join_next, abort_all, destruction aborts the children,
// spawn outside a runtime, timeout around join_next loses nothing, stress.

#include <weft/runtime/join_set.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <variant>
#include <vector>

#include "combinator_support.hpp"

namespace {

using combinator_test::Boom;
using combinator_test::parked_forever;
using combinator_test::ready_value;
using combinator_test::throws_after_yield;
using combinator_test::value_after;
using combinator_test::yield_then;
using weft_test::config_with;
using weft_test::Event;
using weft_test::wait_for_result;
using weft_test::Watchdog;

weft::Task<int> sum_all(int n) {
  weft::JoinSet<int> set;
  EXPECT_TRUE(set.empty());
  for (int i = 1; i <= n; ++i) set.spawn(yield_then(i, i % 3));
  EXPECT_EQ(set.size(), static_cast<std::size_t>(n));
  int sum = 0;
  int count = 0;
  while (auto v = co_await set.join_next()) {
    sum += *v;
    ++count;
    EXPECT_EQ(set.size(), static_cast<std::size_t>(n - count));
  }
  EXPECT_TRUE(set.empty());
  EXPECT_FALSE((co_await set.join_next()).has_value()) << "an empty set yields nullopt again";
  co_return sum;
}

TEST(JoinSet, JoinsEveryChildThenYieldsNullopt) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(4));
  EXPECT_EQ(rt.block_on(sum_all(40)), 40 * 41 / 2);
}

weft::Task<bool> empty_set_join() {
  weft::JoinSet<int> set;
  auto v = co_await set.join_next();
  co_return v.has_value();
}

TEST(JoinSet, AnEmptySetYieldsNulloptAtOnce) {
  weft::Runtime rt(config_with(1));
  EXPECT_FALSE(rt.block_on(empty_set_join()));
}

// Children released in the reverse of their spawn order come back in release order.
// `joined` counts the results received, so that the test releases the next child only after
// the set has handed over the previous one (a child's locals are gone before its completion is
// published, so `live` alone would let two completions race).
weft::Task<std::vector<int>> in_completion_order(std::vector<std::shared_ptr<Event>> events,
                                                 std::atomic<int>* live, std::atomic<int>* joined,
                                                 weft::oneshot::Sender<int> spawned) {
  weft::JoinSet<int> set;
  for (std::size_t i = 0; i < events.size(); ++i) {
    set.spawn(value_after(events[i].get(), static_cast<int>(i), live));
  }
  spawned.send(1);
  std::vector<int> order;
  while (auto v = co_await set.join_next()) {
    order.push_back(*v);
    weft_test::bump_and_notify(*joined);
  }
  co_return order;
}

TEST(JoinSet, ResultsComeInCompletionOrder) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  std::atomic<int> joined{0};
  std::vector<std::shared_ptr<Event>> events;
  for (int i = 0; i < 4; ++i) events.push_back(std::make_shared<Event>());
  auto [spawned_tx, spawned_rx] = weft::oneshot::channel<int>();
  auto handle = rt.spawn(in_completion_order(events, &live, &joined, std::move(spawned_tx)));
  wait_for_result(spawned_rx);
  for (auto& event : events) event->wait_registrations(1);  // every child started
  EXPECT_EQ(live.load(), 4);
  for (int i = 3; i >= 0; --i) {
    events[static_cast<std::size_t>(i)]->set();
    // Release the next one only after the set returned this child, so the order is determined.
    weft_test::wait_at_least(joined, 4 - i);
  }
  EXPECT_EQ(wait_for_result(handle), (std::vector<int>{3, 2, 1, 0}));
  EXPECT_EQ(live.load(), 0);
}

weft::Task<int> with_failures() {
  weft::JoinSet<int> set;
  set.spawn(throws_after_yield("child 1"));
  set.spawn(ready_value(5));
  set.spawn(throws_after_yield("child 3"));
  int values = 0;
  int failures = 0;
  for (;;) {
    try {
      auto v = co_await set.join_next();
      if (!v) break;
      values += *v;
    } catch (const Boom&) {
      ++failures;
    }
  }
  co_return values * 10 + failures;
}

TEST(JoinSet, ChildExceptionsAreRethrownByJoinNextAndTheSetGoesOn) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  EXPECT_EQ(rt.block_on(with_failures()), 52);
}

weft::Task<int> abort_all_then_join(std::atomic<int>* live, int n) {
  weft::JoinSet<int> set;
  for (int i = 0; i < n; ++i) set.spawn(parked_forever(live));
  set.spawn(ready_value(7));
  // Let the quick child finish first so that it is delivered as a value.
  auto first = co_await set.join_next();
  EXPECT_EQ(first, std::optional<int>(7));
  set.abort_all();
  int cancelled = 0;
  for (;;) {
    try {
      if (!(co_await set.join_next())) break;
      ADD_FAILURE() << "a parked child produced a value";
    } catch (const weft::TaskCancelled&) {
      ++cancelled;
    }
  }
  co_return cancelled;
}

TEST(JoinSet, AbortAllDeliversTaskCancelledForEachChild) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  EXPECT_EQ(rt.block_on(abort_all_then_join(&live, 5)), 5);
  EXPECT_EQ(live.load(), 0);
}

weft::Task<void> drop_a_full_set(std::atomic<int>* live, weft::oneshot::Receiver<int> rx) {
  weft::JoinSet<int> set;
  for (int i = 0; i < 6; ++i) set.spawn(parked_forever(live));
  set.spawn(std::move(rx));  // a Future child: its Receiver goes with the aborted task
  co_await weft::yield_now();
}

TEST(JoinSet, DestroyingTheSetAbortsEveryChild) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  auto [tx, rx] = weft::oneshot::channel<int>();
  rt.block_on(drop_a_full_set(&live, std::move(rx)));
  EXPECT_TRUE(weft_test::eventually([&] { return live.load() == 0 && tx.is_closed(); }))
      << "live=" << live.load();
  EXPECT_FALSE(tx.send(1));
}

TEST(JoinSet, SpawnOutsideARuntimeThrowsAndSpawnOnWorksFromAnyThread) {
  Watchdog watchdog;
  weft::JoinSet<int> set;
  EXPECT_THROW(set.spawn(ready_value(1)), std::logic_error);
  EXPECT_TRUE(set.empty());
  weft::Runtime rt(config_with(2));
  for (int i = 0; i < 10; ++i) set.spawn_on(rt, yield_then(i, 1));
  EXPECT_EQ(set.size(), 10u);
  int sum = 0;
  auto next = set.join_next();
  while (auto v = weft::block_on_future(next)) sum += *v;
  EXPECT_EQ(sum, 45);
  EXPECT_TRUE(set.empty());
}

weft::Task<void> void_children(std::atomic<int>* ran) {
  weft::JoinSet<void> set;
  for (int i = 0; i < 8; ++i) {
    set.spawn([](std::atomic<int>* r) -> weft::Task<void> {
      co_await weft::yield_now();
      r->fetch_add(1);
    }(ran));
  }
  int joined = 0;
  while (auto v = co_await set.join_next()) {
    static_assert(std::is_same_v<std::decay_t<decltype(*v)>, std::monostate>);
    ++joined;
  }
  EXPECT_EQ(joined, 8);
}

TEST(JoinSet, VoidChildren) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> ran{0};
  rt.block_on(void_children(&ran));
  EXPECT_EQ(ran.load(), 8);
}

// A join_next cancelled by timeout loses nothing: the child that finishes later is still
// delivered by the next join_next.
weft::Task<int> join_with_timeout(Event* release, std::atomic<int>* live) {
  weft::JoinSet<int> set;
  set.spawn(value_after(release, 11, live));
  try {
    co_await weft::timeout(std::chrono::milliseconds(5), set.join_next());
    ADD_FAILURE() << "join_next should have timed out";
  } catch (const weft::TimeoutError&) {
  }
  EXPECT_EQ(set.size(), 1u);
  release->set();
  auto v = co_await set.join_next();
  co_return v.value_or(-1);
}

TEST(JoinSet, TimeoutAroundJoinNextLosesNoResult) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  Event release;
  std::atomic<int> live{0};
  EXPECT_EQ(rt.block_on(join_with_timeout(&release, &live)), 11);
  EXPECT_EQ(live.load(), 0);
}

// Aborting the task that owns the set (while it awaits join_next) aborts the children.
weft::Task<void> own_set_and_wait(std::atomic<int>* live, weft::oneshot::Sender<int> started) {
  weft::JoinSet<int> set;
  for (int i = 0; i < 3; ++i) set.spawn(parked_forever(live));
  started.send(1);
  co_await set.join_next();
}

TEST(JoinSet, AbortingTheOwnerAbortsTheChildren) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  auto [tx, rx] = weft::oneshot::channel<int>();
  auto handle = rt.spawn(own_set_and_wait(&live, std::move(tx)));
  wait_for_result(rx);
  handle.abort();
  EXPECT_THROW(wait_for_result(handle), weft::TaskCancelled);
  EXPECT_TRUE(weft_test::eventually([&] { return live.load() == 0; }));
}

weft::Task<int> moved_set(weft::JoinSet<int> set) {
  int sum = 0;
  while (auto v = co_await set.join_next()) sum += *v;
  co_return sum;
}

TEST(JoinSet, ASetFilledFromMainCanBeMovedIntoATask) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::JoinSet<int> set;
  for (int i = 0; i < 5; ++i) set.spawn_on(rt, ready_value(i));
  weft::JoinSet<int> other = std::move(set);
  EXPECT_TRUE(set.empty());  // NOLINT(bugprone-use-after-move): documented moved-from state
  EXPECT_EQ(rt.block_on(moved_set(std::move(other))), 10);
}

// Stress: children finishing concurrently on 4 workers (each yields a few times, some
// throw); every child delivered exactly once.
weft::Task<int> tagged_child(int tag) {
  for (int i = 0; i < tag % 4; ++i) co_await weft::yield_now();
  if (tag % 10 == 3) throw Boom("tag");
  co_return tag;
}

weft::Task<std::size_t> collect_many(int n, std::set<int>* seen, int* failures) {
  weft::JoinSet<int> set;
  for (int i = 0; i < n; ++i) {
    set.spawn(tagged_child(i));
    if (i % 16 == 0) co_await weft::yield_now();  // interleave spawning with completions
  }
  for (;;) {
    try {
      auto v = co_await set.join_next();
      if (!v) break;
      EXPECT_TRUE(seen->insert(*v).second) << "child " << *v << " delivered twice";
    } catch (const Boom&) {
      ++*failures;
    }
  }
  co_return set.size();
}

TEST(JoinSet, StressConcurrentCompletionsDeliverEachChildOnce) {
  Watchdog watchdog(std::chrono::seconds(60));
  weft::Runtime rt(config_with(4));
  const int n = 200 * weft_test::kScale;
  for (int round = 0; round < 3; ++round) {
    std::set<int> seen;
    int failures = 0;
    EXPECT_EQ(rt.block_on(collect_many(n, &seen, &failures)), 0u);
    int expected_failures = 0;
    for (int i = 0; i < n; ++i) {
      if (i % 10 == 3) {
        ++expected_failures;
      } else {
        EXPECT_TRUE(seen.count(i)) << "child " << i << " lost";
      }
    }
    EXPECT_EQ(failures, expected_failures);
    EXPECT_EQ(seen.size() + static_cast<std::size_t>(failures), static_cast<std::size_t>(n));
  }
}

}  // namespace
