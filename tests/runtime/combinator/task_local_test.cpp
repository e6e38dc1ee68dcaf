// weft::TaskLocal: get/try_get outside and inside a scope, visibility through the awaited
// coroutine chain across suspensions and worker migrations, nested scopes shadowing,
// independence of locals and of concurrent tasks, spawned tasks not inheriting, futures
// and when_all children inside a scope, exceptions, cancellation, timeout, stress.

#include <weft/runtime/task_local.hpp>
#include <weft/runtime/when_all.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "combinator_support.hpp"

namespace {

using combinator_test::Boom;
using weft_test::config_with;
using weft_test::Event;
using weft_test::LiveGuard;
using weft_test::wait_for_result;
using weft_test::Watchdog;

weft::TaskLocal<int> request_id;
weft::TaskLocal<std::string> user_name;

TEST(TaskLocal, OutsideAnyScopeGetThrowsAndTryGetIsNull) {
  EXPECT_THROW(request_id.get(), std::logic_error);
  EXPECT_EQ(request_id.try_get(), nullptr);
  EXPECT_FALSE(request_id.is_set());
}

weft::Task<int> read_id() {
  co_return request_id.get();
}

weft::Task<int> read_id_deep(int depth) {
  if (depth == 0) co_return co_await read_id();
  co_await weft::yield_now();
  co_return co_await read_id_deep(depth - 1);
}

TEST(TaskLocal, VisibleInEveryTaskTheScopedWorkAwaits) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  EXPECT_EQ(rt.block_on(request_id.scope(7, read_id_deep(5))), 7);
  EXPECT_EQ(request_id.try_get(), nullptr);
}

// Across suspensions on a 4-worker runtime: the task is woken from a foreign thread and
// sleeps, so it is likely polled by different workers; the value must follow.
weft::Task<int> check_across_suspensions(int expected, Event* event, std::atomic<int>* mismatches) {
  std::thread::id first_thread = std::this_thread::get_id();
  bool migrated = false;
  for (int i = 0; i < 20; ++i) {
    if (request_id.get() != expected) mismatches->fetch_add(1);
    if (i == 5) co_await event->wait();
    if (i % 3 == 0) co_await weft::sleep(std::chrono::milliseconds(1));
    co_await weft::yield_now();
    migrated = migrated || std::this_thread::get_id() != first_thread;
  }
  (void)migrated;  // not guaranteed; the check above must hold either way
  co_return request_id.get();
}

TEST(TaskLocal, FollowsTheTaskAcrossSuspensionsAndWorkers) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(4));
  std::atomic<int> mismatches{0};
  Event event;
  auto handle = rt.spawn(request_id.scope(99, check_across_suspensions(99, &event, &mismatches)));
  event.wait_registrations(1);
  std::thread waker([&] { event.set(); });
  waker.join();
  EXPECT_EQ(wait_for_result(handle), 99);
  EXPECT_EQ(mismatches.load(), 0);
}

weft::Task<std::string> nested_scopes() {
  std::string trace = std::to_string(request_id.get());
  trace += "," + std::to_string(co_await request_id.scope(2, read_id()));
  trace += "," + std::to_string(request_id.get());  // the outer value is back
  co_return trace;
}

TEST(TaskLocal, NestedScopesShadowTheOuterOne) {
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(request_id.scope(1, nested_scopes())), "1,2,1");
}

weft::Task<std::string> both_locals() {
  co_return user_name.get() + ":" + std::to_string(request_id.get());
}

weft::Task<std::string> name_outside_id_inside() {
  EXPECT_EQ(request_id.try_get(), nullptr);
  co_return co_await request_id.scope(5, both_locals());
}

TEST(TaskLocal, DifferentLocalsAreIndependent) {
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(user_name.scope("ann", name_outside_id_inside())), "ann:5");
}

weft::Task<bool> spawned_sees_binding() {
  co_return request_id.is_set();
}

weft::Task<bool> spawn_inside_scope() {
  EXPECT_TRUE(request_id.is_set());
  auto handle = weft::spawn(spawned_sees_binding());
  co_return co_await handle;
}

TEST(TaskLocal, SpawnedTasksDoNotInherit) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  EXPECT_FALSE(rt.block_on(request_id.scope(3, spawn_inside_scope())));
}

// A hand-written future reads the local in its poll.
struct ReadInPoll {
  int polls = 0;
  weft::Poll<int> poll(weft::Context& cx) {
    if (polls++ == 0) {
      cx.waker().wake_by_ref();
      return weft::pending;
    }
    return request_id.get();
  }
};

weft::Task<int> future_in_scope() {
  co_return co_await request_id.scope(8, ReadInPoll{});
}

TEST(TaskLocal, AScopeAroundAHandWrittenFuture) {
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(future_in_scope()), 8);
}

weft::Task<int> id_after_yield() {
  co_await weft::yield_now();
  co_return request_id.get();
}

weft::Task<int> when_all_in_scope() {
  auto [a, b] = co_await weft::when_all(id_after_yield(), read_id());
  co_return a + b;
}

TEST(TaskLocal, WhenAllChildrenInsideTheScopeSeeIt) {
  weft::Runtime rt(config_with(2));
  EXPECT_EQ(rt.block_on(request_id.scope(4, when_all_in_scope())), 8);
}

weft::Task<int> throws_in_scope() {
  co_await weft::yield_now();
  throw Boom("scoped");
}

weft::Task<bool> exception_unbinds() {
  try {
    co_await request_id.scope(6, throws_in_scope());
  } catch (const Boom&) {
  }
  co_return request_id.is_set();
}

TEST(TaskLocal, AnExceptionPropagatesAndTheBindingEndsWithTheScope) {
  weft::Runtime rt(config_with(1));
  EXPECT_FALSE(rt.block_on(exception_unbinds()));
}

weft::Task<int> parked_in_scope(std::atomic<int>* live, weft::oneshot::Sender<int> started) {
  LiveGuard guard(*live);
  started.send(request_id.get());
  Event never;
  co_await never.wait();
  co_return 0;
}

weft::Task<bool> probe_binding() {
  co_return request_id.is_set();
}

TEST(TaskLocal, AbortingAScopedTaskDestroysItAndLeavesNoBindingBehind) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  std::atomic<int> live{0};
  auto [tx, rx] = weft::oneshot::channel<int>();
  auto handle = rt.spawn(request_id.scope(12, parked_in_scope(&live, std::move(tx))));
  EXPECT_EQ(wait_for_result(rx), 12);
  handle.abort();
  EXPECT_THROW(wait_for_result(handle), weft::TaskCancelled);
  EXPECT_EQ(live.load(), 0);
  // The same (single) worker runs the next task with no binding left on its thread.
  EXPECT_FALSE(rt.block_on(probe_binding()));
}

weft::Task<int> scope_with_timeout(std::atomic<int>* live) {
  try {
    auto [tx, rx] = weft::oneshot::channel<int>();
    co_await weft::timeout(std::chrono::milliseconds(5),
                           request_id.scope(1, parked_in_scope(live, std::move(tx))));
  } catch (const weft::TimeoutError&) {
    co_return request_id.is_set() ? -1 : 1;
  }
  co_return 0;
}

TEST(TaskLocal, TimeoutAroundAScopeCancelsItAndUnbinds) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  EXPECT_EQ(rt.block_on(scope_with_timeout(&live)), 1);
  EXPECT_EQ(live.load(), 0);
}

TEST(TaskLocal, SyncScopeBindsForACall) {
  EXPECT_EQ(request_id.sync_scope(21, [] { return request_id.get() * 2; }), 42);
  EXPECT_FALSE(request_id.is_set());
}

TEST(TaskLocal, GetReturnsAReferenceToTheScopesValue) {
  weft::Runtime rt(config_with(1));
  auto bump_twice = []() -> weft::Task<int> {
    ++request_id.get();
    co_await weft::yield_now();
    ++request_id.get();
    co_return request_id.get();
  };
  EXPECT_EQ(rt.block_on(request_id.scope(10, bump_twice())), 12);
}

// Stress: many concurrent tasks on 4 workers, each in its own scope, interleaving
// suspensions; each must always see its own value.
weft::Task<int> own_value_many_times(int id, std::atomic<int>* mismatches) {
  for (int i = 0; i < 20; ++i) {
    if (request_id.get() != id) mismatches->fetch_add(1);
    co_await weft::yield_now();
    if (i % 5 == 0) {
      int inner = co_await request_id.scope(-id, read_id());
      if (inner != -id) mismatches->fetch_add(1);
    }
  }
  co_return id;
}

TEST(TaskLocal, StressConcurrentScopesNeverSeeEachOthersValues) {
  Watchdog watchdog(std::chrono::seconds(60));
  weft::Runtime rt(config_with(4));
  std::atomic<int> mismatches{0};
  const int n = 50 * weft_test::kScale;
  std::vector<weft::JoinHandle<int>> handles;
  for (int i = 1; i <= n; ++i) {
    handles.push_back(rt.spawn(request_id.scope(i, own_value_many_times(i, &mismatches))));
  }
  for (int i = 1; i <= n; ++i) {
    EXPECT_EQ(wait_for_result(handles[static_cast<std::size_t>(i - 1)]), i);
  }
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
