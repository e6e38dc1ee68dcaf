// Shutdown: destroying a Runtime (or calling shutdown()) cancels every unfinished task and
// destroys its frame, whatever the tasks are doing: parked on each other, re-spawning
// themselves, busy. Nothing hangs, nothing leaks. Also: spawning after shutdown, handles
// that outlive the runtime, and where exceptions of detached tasks go.

#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using weft_test::bump_and_notify;
using weft_test::config_with;
using weft_test::LiveGuard;
using weft_test::wait_at_least;
using weft_test::wait_for_result;
using weft_test::Watchdog;

weft::Task<int> await_handle(std::atomic<int>* live, std::atomic<int>* parked,
                             weft::JoinHandle<int> other,
                             [[maybe_unused]] weft::oneshot::Sender<int> keep) {
  LiveGuard guard(*live);
  bump_and_notify(*parked);
  co_return co_await other;
}

weft::Task<int> await_oneshot(std::atomic<int>* live, std::atomic<int>* parked,
                              weft::oneshot::Receiver<int> rx) {
  LiveGuard guard(*live);
  bump_and_notify(*parked);
  co_return co_await rx;
}

// A waits for B's result; B waits on a oneshot whose sender A holds: neither can finish.
TEST(Shutdown, TasksBlockedOnEachOther) {
  Watchdog watchdog;
  std::atomic<int> live{0};
  std::atomic<int> parked{0};
  {
    weft::Runtime rt(config_with(2));
    for (int i = 0; i < 50; ++i) {
      auto [tx, rx] = weft::oneshot::channel<int>();
      auto b = rt.spawn(await_oneshot(&live, &parked, std::move(rx)));
      rt.spawn(await_handle(&live, &parked, std::move(b), std::move(tx))).detach();
    }
    wait_at_least(parked, 100);
    EXPECT_EQ(live.load(), 100);
  }
  EXPECT_EQ(live.load(), 0);
}

// A ring: task i holds the sender task i+1 waits on, and waits on its own receiver.
weft::Task<int> ring_member(std::atomic<int>* live, std::atomic<int>* parked,
                            weft::oneshot::Receiver<int> mine, weft::oneshot::Sender<int> next) {
  LiveGuard guard(*live);
  bump_and_notify(*parked);
  const int v = co_await mine;
  next.send(v + 1);
  co_return v;
}

TEST(Shutdown, RingOfTasksParkedOnOneshotsHeldByOtherParkedTasks) {
  Watchdog watchdog;
  std::atomic<int> live{0};
  std::atomic<int> parked{0};
  const int n = 100;
  std::vector<weft::JoinHandle<int>> handles;  // outlive the runtime on purpose
  {
    weft::Runtime rt(config_with(2));
    std::vector<weft::oneshot::Sender<int>> senders;
    std::vector<weft::oneshot::Receiver<int>> receivers;
    for (int i = 0; i < n; ++i) {
      auto [tx, rx] = weft::oneshot::channel<int>();
      senders.push_back(std::move(tx));
      receivers.push_back(std::move(rx));
    }
    for (int i = 0; i < n; ++i) {
      handles.push_back(rt.spawn(
          ring_member(&live, &parked, std::move(receivers[i]), std::move(senders[(i + 1) % n]))));
    }
    wait_at_least(parked, n);
  }
  EXPECT_EQ(live.load(), 0);
  for (auto& h : handles) {
    EXPECT_TRUE(h.is_finished());
    EXPECT_THROW(wait_for_result(h), weft::TaskCancelled);
  }
}

weft::Task<void> respawn_forever(std::atomic<int>* live, std::atomic<int>* generations) {
  LiveGuard guard(*live);
  bump_and_notify(*generations);
  weft::spawn(respawn_forever(live, generations)).detach();
  co_await weft::yield_now();
}

TEST(Shutdown, TasksThatRespawnThemselvesForever) {
  Watchdog watchdog;
  std::atomic<int> live{0};
  std::atomic<int> generations{0};
  {
    weft::Runtime rt(config_with(2));
    for (int i = 0; i < 4; ++i) rt.spawn(respawn_forever(&live, &generations)).detach();
    wait_at_least(generations, 2000);
  }
  EXPECT_EQ(live.load(), 0);
}

weft::Task<void> fork_forever(std::atomic<int>* live, std::atomic<int>* spawned, int budget) {
  LiveGuard guard(*live);
  bump_and_notify(*spawned);
  // Each generation spawns two children until the budget is spent, then they all park.
  if (spawned->load() < budget) {
    weft::spawn(fork_forever(live, spawned, budget)).detach();
    weft::spawn(fork_forever(live, spawned, budget)).detach();
  }
  auto [tx, rx] = weft::oneshot::channel<int>();
  auto keep_sender_alive = std::move(tx);
  co_await rx;  // never completes
}

TEST(Shutdown, ManyParkedTasksSpawnedFromTasks) {
  Watchdog watchdog;
  std::atomic<int> live{0};
  std::atomic<int> spawned{0};
  const int budget = 2000 * weft_test::kScale;
  {
    weft::Runtime rt(config_with(2));
    rt.spawn(fork_forever(&live, &spawned, budget)).detach();
    wait_at_least(spawned, budget);
  }
  EXPECT_EQ(live.load(), 0);
}

weft::Task<void> busy_loop(std::atomic<int>* live, std::atomic<long>* work) {
  LiveGuard guard(*live);
  for (;;) {
    for (int i = 0; i < 100; ++i) work->fetch_add(1, std::memory_order_relaxed);
    co_await weft::yield_now();
  }
}

TEST(Shutdown, WhileBusy) {
  Watchdog watchdog;
  for (int round = 0; round < 10; ++round) {
    std::atomic<int> live{0};
    std::atomic<long> work{0};
    {
      weft::Runtime rt(config_with(2));
      for (int i = 0; i < 20; ++i) rt.spawn(busy_loop(&live, &work)).detach();
      ASSERT_TRUE(weft_test::eventually([&] { return work.load() > 10'000; }));
    }
    ASSERT_EQ(live.load(), 0) << "round " << round;
  }
}

TEST(Shutdown, WhileForeignThreadsKeepSpawning) {
  Watchdog watchdog;
  std::atomic<int> live{0};
  std::atomic<long> work{0};
  std::atomic<int> spawned{0};
  std::atomic<int> cancelled{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> spawners;
  {
    weft::Runtime rt(config_with(2));
    for (int t = 0; t < 2; ++t) {
      spawners.emplace_back([&] {
        while (!stop.load()) {
          auto handle = rt.spawn(busy_loop(&live, &work));
          bump_and_notify(spawned);
          if (spawned.load() % 2 == 0) continue;  // detached by dropping it
          handle.abort();
          try {
            wait_for_result(handle);
          } catch (const weft::TaskCancelled&) {
            cancelled.fetch_add(1);
          }
        }
      });
    }
    wait_at_least(spawned, 200);
    EXPECT_TRUE(rt.shutdown());
    // The spawners keep spawning into the stopped runtime for a while.
    const int at_shutdown = spawned.load();
    wait_at_least(spawned, at_shutdown + 50);
    stop.store(true);
    for (auto& t : spawners) t.join();
  }
  EXPECT_EQ(live.load(), 0);
  EXPECT_GT(cancelled.load(), 0);
}

TEST(Shutdown, ShutdownReturnsTrueAndIsIdempotent) {
  std::atomic<int> live{0};
  std::atomic<int> parked{0};
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::oneshot::channel<int>();
  auto handle = rt.spawn(await_oneshot(&live, &parked, std::move(rx)));
  wait_at_least(parked, 1);
  EXPECT_TRUE(rt.shutdown(std::chrono::milliseconds(10'000)));
  EXPECT_EQ(live.load(), 0);
  EXPECT_TRUE(rt.shutdown());
  EXPECT_TRUE(rt.shutdown(0ms));
  EXPECT_THROW(wait_for_result(handle), weft::TaskCancelled);
  EXPECT_TRUE(tx.is_closed());
}

TEST(Shutdown, ShutdownTimesOutWhileATaskBlocksItsThread) {
  Watchdog watchdog;
  std::latch started(1);
  std::latch release(1);
  std::optional<weft::JoinHandle<void>> handle;
  {
    weft::Runtime rt(config_with(1));
    handle.emplace(rt.spawn(weft_test::blocks_thread(&started, &release)));
    started.wait();
    EXPECT_FALSE(rt.shutdown(50ms)) << "the worker is stuck in a poll";
    release.count_down();
    EXPECT_TRUE(rt.shutdown());
  }
  // It finished the poll it was in: the task completed rather than being cancelled.
  wait_for_result(*handle);
}

TEST(Shutdown, DestructorWaitsForATaskBlockingItsThread) {
  Watchdog watchdog;
  std::latch started(1);
  std::latch release(1);
  std::optional<weft::JoinHandle<void>> handle;
  std::thread releaser;
  {
    weft::Runtime rt(config_with(1));
    handle.emplace(rt.spawn(weft_test::blocks_thread(&started, &release)));
    started.wait();
    EXPECT_FALSE(rt.shutdown(10ms));
    releaser = std::thread([&] { release.count_down(); });
  }  // the destructor must wait for the blocked worker, not crash or leak
  releaser.join();
  wait_for_result(*handle);
}

weft::Task<int> must_not_run(std::shared_ptr<int> token, std::atomic<bool>* ran) {
  ran->store(true);
  co_return *token;
}

TEST(Shutdown, SpawningAfterShutdownYieldsACancelledHandle) {
  weft::Runtime rt(config_with(2));
  EXPECT_TRUE(rt.shutdown());
  std::atomic<bool> ran{false};
  auto token = std::make_shared<int>(1);
  std::weak_ptr<int> weak = token;
  auto handle = rt.spawn(must_not_run(std::move(token), &ran));
  EXPECT_TRUE(handle.valid());
  EXPECT_TRUE(handle.is_finished());
  EXPECT_THROW(wait_for_result(handle), weft::TaskCancelled);
  EXPECT_FALSE(ran.load());
  EXPECT_TRUE(weak.expired()) << "the never-run frame must be destroyed";
  EXPECT_THROW(rt.block_on(must_not_run(std::make_shared<int>(2), &ran)), weft::TaskCancelled);
  EXPECT_FALSE(ran.load());
}

weft::Task<int> spawn_during_shutdown(std::atomic<int>* live, std::atomic<int>* entered,
                                      std::latch* release, std::atomic<int>* cancelled,
                                      std::atomic<bool>* child_ran) {
  LiveGuard guard(*live);
  bump_and_notify(*entered);
  release->wait();  // hold the worker until shutdown has begun
  auto child = weft::spawn(must_not_run(std::make_shared<int>(3), child_ran));
  try {
    co_await child;
  } catch (const weft::TaskCancelled&) {
    cancelled->fetch_add(1);
    throw;
  }
  co_return 0;
}

TEST(Shutdown, TaskSpawningWhileTheRuntimeShutsDown) {
  Watchdog watchdog;
  std::atomic<int> live{0};
  std::atomic<int> entered{0};
  std::atomic<int> cancelled{0};
  std::atomic<bool> child_ran{false};
  std::latch release(1);
  std::optional<weft::JoinHandle<int>> handle;
  {
    weft::Runtime rt(config_with(1));
    handle.emplace(
        rt.spawn(spawn_during_shutdown(&live, &entered, &release, &cancelled, &child_ran)));
    wait_at_least(entered, 1);
    EXPECT_FALSE(rt.shutdown(10ms));
    release.count_down();
  }
  EXPECT_EQ(live.load(), 0);
  EXPECT_EQ(cancelled.load(), 1) << "a task spawned after shutdown began is cancelled at once";
  EXPECT_FALSE(child_ran.load());
  EXPECT_THROW(wait_for_result(*handle), weft::TaskCancelled);
}

TEST(Shutdown, AForeignThreadBlockedOnAHandleIsReleased) {
  Watchdog watchdog;
  std::atomic<int> live{0};
  std::atomic<int> parked{0};
  auto [tx, rx] = weft::oneshot::channel<int>();
  std::string outcome;
  std::thread waiter;
  {
    weft::Runtime rt(config_with(2));
    auto handle = rt.spawn(await_oneshot(&live, &parked, std::move(rx)));
    wait_at_least(parked, 1);
    waiter = std::thread([&outcome, h = std::move(handle)]() mutable {
      try {
        wait_for_result(h);
        outcome = "value";
      } catch (const weft::TaskCancelled&) {
        outcome = "cancelled";
      }
    });
  }
  waiter.join();
  EXPECT_EQ(outcome, "cancelled");
  EXPECT_FALSE(tx.send(1)) << "the cancelled frame dropped its receiver";
}

// Collects what the runtime's unhandled-exception handler receives.
struct HandlerLog {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> messages;

  std::function<void(std::exception_ptr)> handler() {
    return [this](std::exception_ptr error) {
      std::string what;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
        what = "?";
      }
      std::lock_guard lock(mutex);
      messages.push_back(what);
      cv.notify_all();
    };
  }
  // Waits up to a generous bound for `n` reports.
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, 20s, [&] { return messages.size() >= n; });
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return messages.size();
  }
};

weft::Task<void> throw_after_yield(std::string message) {
  co_await weft::yield_now();
  throw std::runtime_error(message);
}

TEST(UnhandledException, DetachedTaskExceptionGoesToTheConfiguredHandler) {
  Watchdog watchdog;
  HandlerLog log;
  weft::Runtime rt(
      weft::Config::builder().worker_threads(2).unhandled_exception_handler(log.handler()).build());
  rt.spawn(throw_after_yield("detached boom")).detach();
  ASSERT_TRUE(log.wait_for(1));
  rt.shutdown();
  ASSERT_EQ(log.count(), 1u);
  EXPECT_EQ(log.messages[0], "detached boom");
}

TEST(UnhandledException, DroppingTheHandleOfAFailedTaskReportsIt) {
  Watchdog watchdog;
  HandlerLog log;
  weft::Runtime rt(
      weft::Config::builder().worker_threads(1).unhandled_exception_handler(log.handler()).build());
  {
    auto handle = rt.spawn(throw_after_yield("nobody looked"));
    ASSERT_TRUE(weft_test::eventually([&] { return handle.is_finished(); }));
    EXPECT_EQ(log.count(), 0u) << "still joinable: not reported yet";
  }
  EXPECT_EQ(log.count(), 1u);
  EXPECT_EQ(log.messages.at(0), "nobody looked");
}

TEST(UnhandledException, AnObservedExceptionIsNotReported) {
  Watchdog watchdog;
  HandlerLog log;
  {
    weft::Runtime rt(weft::Config::builder()
                         .worker_threads(2)
                         .unhandled_exception_handler(log.handler())
                         .build());
    auto handle = rt.spawn(throw_after_yield("seen"));
    EXPECT_THROW(wait_for_result(handle), std::runtime_error);
  }
  EXPECT_EQ(log.count(), 0u);
}

TEST(UnhandledException, ManyDetachedFailuresAreEachReportedOnce) {
  Watchdog watchdog;
  HandlerLog log;
  const std::size_t n = 100;
  {
    weft::Runtime rt(weft::Config::builder()
                         .worker_threads(2)
                         .unhandled_exception_handler(log.handler())
                         .build());
    for (std::size_t i = 0; i < n; ++i) {
      auto handle = rt.spawn(throw_after_yield("x"));
      if (i % 3 == 0) handle.detach();  // the others detach by being dropped
    }
    ASSERT_TRUE(log.wait_for(n));
  }
  EXPECT_EQ(log.count(), n);
}

weft::Task<int> throw_now() {
  throw std::runtime_error("outlived");
  co_return 0;
}

// A JoinHandle that outlives its runtime still yields the task's outcome.
TEST(Shutdown, AJoinHandleMayOutliveTheRuntime) {
  std::optional<weft::JoinHandle<int>> finished;
  std::optional<weft::JoinHandle<int>> parked;
  std::atomic<int> live{0};
  std::atomic<int> parked_count{0};
  auto [tx, rx] = weft::oneshot::channel<int>();
  {
    weft::Runtime rt(config_with(1));
    finished.emplace(rt.spawn(throw_now()));
    parked.emplace(rt.spawn(await_oneshot(&live, &parked_count, std::move(rx))));
    wait_at_least(parked_count, 1);
    ASSERT_TRUE(weft_test::eventually([&] { return finished->is_finished(); }));
  }
  EXPECT_THROW(wait_for_result(*finished), std::runtime_error);
  EXPECT_THROW(wait_for_result(*parked), weft::TaskCancelled);
}

// Dropping, after the runtime is gone, the handle of a task that failed and was never
// awaited must not touch the destroyed runtime (its unhandled-exception handler).
TEST(Shutdown, DroppingAFailedTasksHandleAfterTheRuntimeIsGone) {
  std::atomic<int> reports{0};
  std::optional<weft::JoinHandle<int>> handle;
  {
    auto rt = std::make_unique<weft::Runtime>(
        weft::Config::builder()
            .worker_threads(1)
            .unhandled_exception_handler([&reports](std::exception_ptr) { reports.fetch_add(1); })
            .build());
    handle.emplace(rt->spawn(throw_now()));
    ASSERT_TRUE(weft_test::eventually([&] { return handle->is_finished(); }));
  }
  handle.reset();  // the runtime is gone: the failure is discarded, nothing dangles
  EXPECT_EQ(reports.load(), 0);
}

weft::Task<bool> shutdown_with_timeout_from_inside(weft::Runtime* rt) {
  co_return rt->shutdown(std::chrono::milliseconds(50));
}

TEST(Shutdown, ShutdownWithATimeoutFromInsideATaskReturnsFalse) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto handle = rt.spawn(shutdown_with_timeout_from_inside(&rt));
  // The calling worker is inside that very poll, so it cannot have stopped in time.
  EXPECT_FALSE(wait_for_result(handle));
  EXPECT_TRUE(rt.shutdown());
  EXPECT_THROW(rt.block_on(shutdown_with_timeout_from_inside(&rt)), weft::TaskCancelled);
}

weft::Task<std::string> shutdown_from_inside(weft::Runtime* rt, std::atomic<int>* live) {
  LiveGuard guard(*live);
  try {
    co_return rt->shutdown() ? "returned true" : "returned false";
  } catch (const std::logic_error&) {
    co_return "logic_error";
  }
}

// Runtime::shutdown() with its default (unbounded) timeout, called from one of the
// runtime's own tasks, must not wait for its own worker (it used to hang here): it starts
// the shutdown and returns false at once; the destructor, on this thread, completes it.
TEST(Shutdown, ShutdownFromInsideATaskDoesNotDeadlock) {
  Watchdog watchdog(std::chrono::seconds(10));
  std::atomic<int> live{0};
  std::atomic<int> parked{0};
  auto [tx, rx] = weft::oneshot::channel<int>();
  std::atomic<bool> ran{false};
  std::optional<weft::JoinHandle<int>> bystander;
  {
    weft::Runtime rt(config_with(2));
    bystander.emplace(rt.spawn(await_oneshot(&live, &parked, std::move(rx))));
    wait_at_least(parked, 1);
    auto handle = rt.spawn(shutdown_from_inside(&rt, &live));
    EXPECT_EQ(wait_for_result(handle), "returned false");
    // The shutdown it started is real: new work is refused.
    EXPECT_THROW(rt.block_on(must_not_run(std::make_shared<int>(1), &ran)), weft::TaskCancelled);
    EXPECT_FALSE(ran.load());
  }  // the destructor finishes it: the parked task is cancelled
  EXPECT_THROW(wait_for_result(*bystander), weft::TaskCancelled);
  EXPECT_EQ(live.load(), 0);
  EXPECT_TRUE(tx.is_closed());
}

}  // namespace
