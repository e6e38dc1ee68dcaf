// Spawning: Runtime::spawn from outside, weft::spawn from inside, JoinHandle results and
// exceptions, is_finished, detaching, the misuse that throws std::logic_error, and spawning
// and awaiting hand-written futures.

#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {

using weft_test::config_with;
using weft_test::wait_for_result;
using weft_test::Watchdog;

weft::Task<int> value_task(int v) {
  co_return v;
}

weft::Task<void> noop() {
  co_return;
}

weft::Task<std::string> string_task(std::string s) {
  co_await weft::yield_now();
  co_return s + "!";
}

TEST(Spawn, FromOutsideTheRuntime) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto handle = rt.spawn(value_task(7));
  EXPECT_TRUE(handle.valid());
  EXPECT_EQ(wait_for_result(handle), 7);
  EXPECT_TRUE(handle.is_finished());
}

TEST(Spawn, JoinHandleOfAStringTask) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto handle = rt.spawn(string_task("hi"));
  EXPECT_EQ(rt.block_on(std::move(handle)), "hi!");
}

TEST(Spawn, DefaultJoinHandleIsInvalid) {
  weft::JoinHandle<int> handle;
  EXPECT_FALSE(handle.valid());
  EXPECT_FALSE(handle.is_finished());
  handle.abort();   // no task: nothing happens
  handle.detach();  // likewise
}

TEST(Spawn, FromManyForeignThreadsAtOnce) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  constexpr int kThreads = 4;
  const int per_thread = 200 * weft_test::kScale;
  std::atomic<long> total{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<weft::JoinHandle<int>> handles;
      for (int i = 0; i < per_thread; ++i) handles.push_back(rt.spawn(value_task(t * 100000 + i)));
      long sum = 0;
      for (auto& h : handles) sum += wait_for_result(h);
      total += sum;
    });
  }
  for (auto& t : threads) t.join();
  long expected = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < per_thread; ++i) expected += t * 100000 + i;
  }
  EXPECT_EQ(total.load(), expected);
}

weft::Task<long> fan_out(int children) {
  std::vector<weft::JoinHandle<int>> handles;
  for (int i = 0; i < children; ++i) handles.push_back(weft::spawn(value_task(i)));
  long sum = 0;
  for (auto& h : handles) sum += co_await h;
  co_return sum;
}

TEST(Spawn, InsideATaskWithWeftSpawn) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  const int n = 500 * weft_test::kScale;
  EXPECT_EQ(rt.block_on(fan_out(n)), static_cast<long>(n) * (n - 1) / 2);
}

weft::Task<int> spawn_through_runtime_pointer(weft::Runtime* rt) {
  auto handle = rt->spawn(value_task(5));
  co_return co_await std::move(handle);
}

TEST(Spawn, RuntimeSpawnFromInsideATask) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  EXPECT_EQ(rt.block_on(spawn_through_runtime_pointer(&rt)), 5);
}

TEST(Spawn, WeftSpawnOutsideARuntimeThrowsLogicError) {
  EXPECT_EQ(weft::Runtime::current(), nullptr);
  EXPECT_THROW(static_cast<void>(weft::spawn(noop())), std::logic_error);
  weft::Runtime rt(config_with(1));  // a runtime existing elsewhere does not change that
  EXPECT_THROW(static_cast<void>(weft::spawn(noop())), std::logic_error);
}

weft::Task<bool> current_is(weft::Runtime* expected) {
  co_return weft::Runtime::current() == expected;
}

TEST(Spawn, RuntimeCurrentNamesTheRuntimeOnItsWorkers) {
  weft::Runtime rt(config_with(2));
  EXPECT_EQ(weft::Runtime::current(), nullptr);
  EXPECT_TRUE(rt.block_on(current_is(&rt)));
  EXPECT_EQ(rt.worker_count(), 2u);
  EXPECT_EQ(rt.config().worker_threads, 2u);
}

weft::Task<std::string> try_block_on_inside(weft::Runtime* rt) {
  try {
    rt->block_on(noop());
  } catch (const std::logic_error& error) {
    co_return std::string("logic_error: ") + error.what();
  }
  co_return "no exception";
}

TEST(Spawn, BlockOnFromAWorkerThrowsLogicError) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  const std::string outcome = rt.block_on(try_block_on_inside(&rt));
  EXPECT_EQ(outcome.rfind("logic_error: ", 0), 0u) << outcome;
}

weft::Task<int> throws_runtime_error() {
  co_await weft::yield_now();
  throw std::runtime_error("task failed");
}

weft::Task<std::string> await_failing_child() {
  auto handle = weft::spawn(throws_runtime_error());
  try {
    co_await handle;
  } catch (const std::runtime_error& error) {
    co_return error.what();
  }
  co_return "no exception";
}

TEST(Spawn, JoinHandleRethrowsTheTaskException) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  EXPECT_EQ(rt.block_on(await_failing_child()), "task failed");
  auto handle = rt.spawn(throws_runtime_error());
  EXPECT_THROW(wait_for_result(handle), std::runtime_error);
}

weft::Task<int> wait_for_value(weft::oneshot::Receiver<int> rx) {
  co_return co_await rx;
}

TEST(Spawn, IsFinishedTurnsTrueOnlyOnCompletion) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::oneshot::channel<int>();
  auto handle = rt.spawn(wait_for_value(std::move(rx)));
  EXPECT_FALSE(handle.is_finished());
  EXPECT_TRUE(tx.send(11));
  EXPECT_EQ(wait_for_result(handle), 11);
  EXPECT_TRUE(handle.is_finished());
}

weft::Task<void> report_through(weft::oneshot::Receiver<int> rx, weft::oneshot::Sender<int> done) {
  const int v = co_await rx;
  done.send(v * 2);
}

TEST(Spawn, DetachedTaskRunsToCompletion) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [go_tx, go_rx] = weft::oneshot::channel<int>();
  auto [done_tx, done_rx] = weft::oneshot::channel<int>();
  auto handle = rt.spawn(report_through(std::move(go_rx), std::move(done_tx)));
  handle.detach();
  EXPECT_FALSE(handle.valid());
  EXPECT_FALSE(handle.is_finished());
  go_tx.send(21);  // only now can the detached task finish
  EXPECT_EQ(wait_for_result(done_rx), 42);
}

TEST(Spawn, DroppingTheJoinHandleDetaches) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [go_tx, go_rx] = weft::oneshot::channel<int>();
  auto [done_tx, done_rx] = weft::oneshot::channel<int>();
  { auto dropped = rt.spawn(report_through(std::move(go_rx), std::move(done_tx))); }
  go_tx.send(4);
  EXPECT_EQ(wait_for_result(done_rx), 8);
}

TEST(Spawn, MoveAssigningAJoinHandleDetachesTheOldTask) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [go_tx, go_rx] = weft::oneshot::channel<int>();
  auto [done_tx, done_rx] = weft::oneshot::channel<int>();
  auto first = rt.spawn(report_through(std::move(go_rx), std::move(done_tx)));
  auto second = rt.spawn(noop());
  first = std::move(second);
  EXPECT_FALSE(second.valid());
  wait_for_result(first);
  EXPECT_TRUE(first.is_finished());
  go_tx.send(5);  // the detached first task still runs
  EXPECT_EQ(wait_for_result(done_rx), 10);
}

// A hand-written future: pending `remaining` times (waking itself), then ready with 42.
struct CountdownFuture {
  int remaining;
  std::atomic<int>* polls;
  weft::Poll<int> poll(weft::Context& cx) {
    polls->fetch_add(1);
    if (remaining-- == 0) return 42;
    cx.waker().wake_by_ref();
    return weft::pending;
  }
};

TEST(Spawn, AHandWrittenFutureCanBeSpawned) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> polls{0};
  auto handle = rt.spawn(CountdownFuture{4, &polls});
  static_assert(std::is_same_v<decltype(handle), weft::JoinHandle<int>>);
  EXPECT_EQ(wait_for_result(handle), 42);
  EXPECT_EQ(polls.load(), 5);
}

struct VoidFuture {
  bool first = true;
  weft::Poll<void> poll(weft::Context& cx) {
    if (!std::exchange(first, false)) return weft::ready;
    cx.waker().wake_by_ref();
    return weft::pending;
  }
};

TEST(Spawn, AHandWrittenVoidFutureCanBeSpawned) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  auto handle = rt.spawn(VoidFuture{});
  static_assert(std::is_same_v<decltype(handle), weft::JoinHandle<void>>);
  wait_for_result(handle);
  EXPECT_TRUE(handle.is_finished());
}

struct UniqueFuture {
  weft::Poll<std::unique_ptr<int>> poll(weft::Context&) { return std::make_unique<int>(9); }
};

TEST(Spawn, AFutureWithAMoveOnlyOutput) {
  weft::Runtime rt(config_with(1));
  auto handle = rt.spawn(UniqueFuture{});
  auto result = wait_for_result(handle);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(*result, 9);
}

struct FailingFuture {
  weft::Poll<int> poll(weft::Context&) { throw std::domain_error("poll failed"); }
};

TEST(Spawn, AFutureThatThrowsFailsItsJoinHandle) {
  weft::Runtime rt(config_with(1));
  auto handle = rt.spawn(FailingFuture{});
  EXPECT_THROW(wait_for_result(handle), std::domain_error);
}

weft::Task<int> await_hand_written(std::atomic<int>* polls) {
  CountdownFuture in_place{2, polls};
  const int a = co_await in_place;
  const int b = co_await CountdownFuture{1, polls};
  co_return a + b;
}

TEST(Spawn, AHandWrittenFutureCanBeAwaitedInsideATask) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> polls{0};
  EXPECT_EQ(rt.block_on(await_hand_written(&polls)), 84);
  EXPECT_EQ(polls.load(), 3 + 2);
}

weft::Task<int> await_spawned_future(std::atomic<int>* polls) {
  auto handle = weft::spawn(CountdownFuture{3, polls});
  co_return co_await handle;
}

TEST(Spawn, AHandWrittenFutureSpawnedFromATask) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> polls{0};
  EXPECT_EQ(rt.block_on(await_spawned_future(&polls)), 42);
}

weft::Task<int> await_handle_from_other_runtime(weft::JoinHandle<int> handle) {
  co_return co_await handle;
}

weft::Task<int> gated_value(weft::oneshot::Receiver<int> rx) {
  co_return 1 + co_await rx;
}

TEST(Spawn, AJoinHandleCanBeAwaitedOnAnotherRuntime) {
  Watchdog watchdog;
  weft::Runtime producer(config_with(1));
  weft::Runtime consumer(config_with(1));
  auto [tx, rx] = weft::oneshot::channel<int>();
  auto inner = producer.spawn(gated_value(std::move(rx)));
  auto outer = consumer.spawn(await_handle_from_other_runtime(std::move(inner)));
  EXPECT_FALSE(outer.is_finished());
  tx.send(99);
  EXPECT_EQ(wait_for_result(outer), 100);
}

TEST(Spawn, JoinHandleIsAFutureForBlockOn) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto handle = rt.spawn(value_task(12));
  EXPECT_EQ(rt.block_on(std::move(handle)), 12);
}

TEST(Spawn, TasksSpawnedWhileAllWorkersAreBusyRunLater) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  weft_test::HeldWorker held(rt);
  std::vector<weft::JoinHandle<int>> handles;
  for (int i = 0; i < 50; ++i) handles.push_back(rt.spawn(value_task(i)));
  for (auto& h : handles) EXPECT_FALSE(h.is_finished());
  held.release();
  int sum = 0;
  for (auto& h : handles) sum += wait_for_result(h);
  EXPECT_EQ(sum, 49 * 50 / 2);
}

}  // namespace
