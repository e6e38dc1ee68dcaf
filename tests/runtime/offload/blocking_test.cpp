// weft::spawn_blocking: results, void and move-only values, exceptions, the pool's bound and
// keep-alive, detaching, cancellation of the awaiting task, timeout(), shutdown (queued jobs
// dropped, running ones waited for) and a bounded stress test.

#include <weft/runtime/blocking.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../test_support.hpp"
#include "offload_test_support.hpp"

namespace {

using namespace std::chrono_literals;
using weft_test::bump_and_notify;
using weft_test::eventually;
using weft_test::wait_at_least;
using weft_test::wait_for_result;
using weft_test::Watchdog;

weft::Config blocking_config(std::size_t workers, std::size_t max_threads,
                             std::chrono::milliseconds keep_alive = 60s) {
  return weft::Config::builder()
      .worker_threads(workers)
      .max_blocking_threads(max_threads)
      .blocking_keep_alive(keep_alive)
      .build();
}

using weft_test::Failure;
using weft_test::Gate;

weft::Task<int> add_off_the_workers(int a, int b) {
  co_return co_await weft::spawn_blocking([a, b] { return a + b; });
}

TEST(SpawnBlocking, ReturnsTheResultToTheAwaitingTask) {
  Watchdog watchdog;
  for (std::size_t workers : {1, 2, 4}) {
    weft::Runtime rt(weft_test::config_with(workers));
    EXPECT_EQ(rt.block_on(add_off_the_workers(40, 2)), 42) << workers << " workers";
  }
}

weft::Task<void> run_void(std::atomic<int>& ran) {
  co_await weft::spawn_blocking([&ran] { ran.fetch_add(1); });
}

TEST(SpawnBlocking, VoidResult) {
  Watchdog watchdog;
  weft::Runtime rt(weft_test::config_with(1));
  std::atomic<int> ran{0};
  rt.block_on(run_void(ran));
  EXPECT_EQ(ran.load(), 1);
}

weft::Task<std::unique_ptr<std::string>> move_only() {
  auto owned = std::make_unique<std::string>("captured");
  // A move-only callable returning a move-only value. The handle is bound first: g++ 12
  // mishandles a closure temporary with move-only captures inside a co_await expression
  // (it crashed here; docs/blocking-and-compute.md).
  auto handle = weft::spawn_blocking([owned = std::move(owned)]() mutable {
    *owned += " and returned";
    return std::move(owned);
  });
  co_return co_await handle;
}

TEST(SpawnBlocking, MoveOnlyCallableAndResult) {
  Watchdog watchdog;
  weft::Runtime rt(weft_test::config_with(2));
  auto result = rt.block_on(move_only());
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(*result, "captured and returned");
}

weft::Task<int> throws_inside() {
  co_return co_await weft::spawn_blocking([]() -> int { throw Failure("blocking failed"); });
}

TEST(SpawnBlocking, AnExceptionIsRethrownAtTheAwait) {
  Watchdog watchdog;
  weft::Runtime rt(weft_test::config_with(2));
  weft_test::expect_block_on_throws<Failure>(rt, throws_inside(), "blocking failed");
}

TEST(SpawnBlocking, RunsOnAThreadThatIsNotAWorker) {
  Watchdog watchdog;
  weft::Runtime rt(weft_test::config_with(2));
  auto handle = rt.spawn_blocking([] {
    return std::pair{weft::Runtime::current() == nullptr, std::this_thread::get_id()};
  });
  auto [outside, id] = wait_for_result(handle);
  EXPECT_TRUE(outside) << "the job ran on a worker thread";
  EXPECT_NE(id, std::this_thread::get_id());
}

TEST(SpawnBlocking, FreeFunctionOutsideARuntimeThrows) {
  EXPECT_THROW((void)weft::spawn_blocking([] { return 1; }), std::logic_error);
}

TEST(SpawnBlocking, FromAPlainThreadThroughTheRuntime) {
  Watchdog watchdog;
  weft::Runtime rt(weft_test::config_with(1));
  auto handle = rt.spawn_blocking([] { return std::string("from main"); });
  EXPECT_EQ(wait_for_result(handle), "from main");
  EXPECT_TRUE(handle.valid());
  EXPECT_TRUE(handle.is_finished());
  // The result is taken once; taking it again is a usage error.
  EXPECT_THROW(wait_for_result(handle), std::logic_error);
}

TEST(SpawnBlocking, AnEmptyHandleCannotBeAwaited) {
  weft::OffloadHandle<int> empty;
  EXPECT_FALSE(empty.valid());
  EXPECT_FALSE(empty.is_finished());
  EXPECT_THROW(wait_for_result(empty), std::logic_error);
}

// While a blocking job holds its thread, the only worker keeps running other tasks.
weft::Task<int> wait_for_task(std::atomic<int>& flag) {
  co_return co_await weft::spawn_blocking([&flag] {
    flag.wait(0, std::memory_order_acquire);
    return flag.load();
  });
}

weft::Task<void> set_flag(std::atomic<int>& flag) {
  co_await weft::yield_now();
  flag.store(7, std::memory_order_release);
  flag.notify_all();
}

TEST(SpawnBlocking, TheWorkerStaysFreeWhileTheJobBlocks) {
  Watchdog watchdog;
  weft::Runtime rt(weft_test::config_with(1));
  std::atomic<int> flag{0};
  auto waiting = rt.spawn(wait_for_task(flag));
  // Only the single worker can run set_flag; the job waits for it.
  auto setter = rt.spawn(set_flag(flag));
  wait_for_result(setter);
  EXPECT_EQ(wait_for_result(waiting), 7);
}

TEST(SpawnBlocking, ThreadsAreBoundedByTheMaximumAndExtraJobsQueue) {
  Watchdog watchdog;
  constexpr std::size_t kMax = 2;
  weft::Runtime rt(blocking_config(1, kMax));
  Gate gate;
  std::atomic<int> started{0};
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::vector<weft::OffloadHandle<int>> handles;
  for (int i = 0; i < 6; ++i) {
    handles.push_back(rt.spawn_blocking([&, i] {
      const int now = running.fetch_add(1) + 1;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      bump_and_notify(started);
      gate.wait();
      running.fetch_sub(1);
      return i;
    }));
  }
  wait_at_least(started, static_cast<int>(kMax));
  // Both threads are held by the gate: nothing else can have started.
  EXPECT_EQ(rt.blocking_threads(), kMax);
  EXPECT_EQ(started.load(), static_cast<int>(kMax));
  gate.open();
  for (int i = 0; i < 6; ++i) EXPECT_EQ(wait_for_result(handles[i]), i);
  EXPECT_EQ(started.load(), 6);
  EXPECT_LE(peak.load(), static_cast<int>(kMax));
  EXPECT_LE(rt.blocking_threads(), kMax);
}

TEST(SpawnBlocking, IdleThreadsExitAfterTheKeepAlive) {
  Watchdog watchdog;
  weft::Runtime rt(blocking_config(1, 4, 20ms));
  EXPECT_EQ(rt.blocking_threads(), 0u) << "threads start on demand";
  Gate gate;
  std::atomic<int> started{0};
  std::vector<weft::OffloadHandle<void>> handles;
  for (int i = 0; i < 3; ++i) {
    handles.push_back(rt.spawn_blocking([&] {
      bump_and_notify(started);
      gate.wait();
    }));
  }
  wait_at_least(started, 3);
  EXPECT_EQ(rt.blocking_threads(), 3u);
  gate.open();
  for (auto& handle : handles) wait_for_result(handle);
  EXPECT_TRUE(eventually([&] { return rt.blocking_threads() == 0; }))
      << rt.blocking_threads() << " threads still alive after the keep-alive";
  // The pool starts again after it emptied.
  auto again = rt.spawn_blocking([] { return 5; });
  EXPECT_EQ(wait_for_result(again), 5);
}

TEST(SpawnBlocking, ZeroKeepAliveStillRunsEveryJob) {
  Watchdog watchdog;
  weft::Runtime rt(blocking_config(2, 2, 0ms));
  const int n = 50 * weft_test::kScale;
  for (int i = 0; i < n; ++i) {
    auto handle = rt.spawn_blocking([i] { return i; });
    ASSERT_EQ(wait_for_result(handle), i);
  }
  EXPECT_TRUE(eventually([&] { return rt.blocking_threads() == 0; }));
}

TEST(SpawnBlocking, AHugeKeepAliveDoesNotOverflow) {
  Watchdog watchdog;
  weft::Runtime rt(blocking_config(1, 2, std::chrono::milliseconds::max()));
  auto handle = rt.spawn_blocking([] { return 1; });
  EXPECT_EQ(wait_for_result(handle), 1);
  // An overflowing deadline would lie in the past and end the thread at once.
  auto second = rt.spawn_blocking([] { return 2; });
  EXPECT_EQ(wait_for_result(second), 2);
  EXPECT_GE(rt.blocking_threads(), 1u);
}

TEST(SpawnBlocking, DroppingTheHandleDetachesTheJob) {
  Watchdog watchdog;
  weft::Runtime rt(weft_test::config_with(1));
  Gate gate;
  std::atomic<int> done{0};
  {
    auto handle = rt.spawn_blocking([&] {
      gate.wait();
      bump_and_notify(done);
    });
  }  // dropped while the job waits
  gate.open();
  wait_at_least(done, 1);
  EXPECT_EQ(done.load(), 1);
}

TEST(SpawnBlocking, ADetachedFailureGoesToTheUnhandledExceptionHandler) {
  Watchdog watchdog;
  std::atomic<int> reported{0};
  weft::Runtime rt(weft::Config::builder()
                       .worker_threads(1)
                       .unhandled_exception_handler([&](std::exception_ptr error) {
                         try {
                           std::rethrow_exception(error);
                         } catch (const Failure&) {
                           bump_and_notify(reported);
                         } catch (...) {
                         }
                       })
                       .build());
  // Dropped before the job fails: the pool thread reports.
  Gate gate;
  rt.spawn_blocking([&]() -> int {
      gate.wait();
      throw Failure("late");
    }).detach();
  gate.open();
  wait_at_least(reported, 1);
  // Dropped after the job failed, unobserved: the dropping thread reports.
  {
    auto handle = rt.spawn_blocking([]() -> int { throw Failure("early"); });
    ASSERT_TRUE(eventually([&] { return handle.is_finished(); }));
  }
  wait_at_least(reported, 2);
  // Observed failures and successes are not reported.
  {
    auto handle = rt.spawn_blocking([]() -> int { throw Failure("seen"); });
    EXPECT_THROW(wait_for_result(handle), Failure);
    auto fine = rt.spawn_blocking([] { return 1; });
    ASSERT_TRUE(eventually([&] { return fine.is_finished(); }));
  }
  EXPECT_EQ(reported.load(), 2);
}

weft::Task<int> await_gated(Gate& gate, std::atomic<int>& started, std::atomic<int>& finished,
                            std::atomic<int>& live) {
  weft_test::LiveGuard guard(live);
  co_return co_await weft::spawn_blocking([&] {
    bump_and_notify(started);
    gate.wait();
    bump_and_notify(finished);
    return 1;
  });
}

TEST(SpawnBlocking, AbortingTheAwaitingTaskDetachesTheJob) {
  Watchdog watchdog;
  weft::Runtime rt(weft_test::config_with(2));
  Gate gate;
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
  std::atomic<int> live{0};
  auto task = rt.spawn(await_gated(gate, started, finished, live));
  wait_at_least(started, 1);
  task.abort();
  EXPECT_THROW(wait_for_result(task), weft::TaskCancelled);
  EXPECT_EQ(live.load(), 0) << "the aborted task's frame was not destroyed";
  // The job runs to its end regardless, and the pool serves the next job.
  gate.open();
  wait_at_least(finished, 1);
  auto next = rt.spawn_blocking([] { return 9; });
  EXPECT_EQ(wait_for_result(next), 9);
}

TEST(SpawnBlocking, TimeoutGivesUpWaitingButTheJobRunsOn) {
  Watchdog watchdog;
  weft::Runtime rt(weft_test::config_with(1));
  const auto via_spawn_blocking = [](auto job) { return weft::spawn_blocking(std::move(job)); };
  EXPECT_EQ(weft_test::run_gated_job_past_a_timeout(rt, via_spawn_blocking), 1);
}

TEST(SpawnBlocking, ShutdownDropsQueuedJobsAndWaitsForRunningOnes) {
  Watchdog watchdog;
  auto rt = std::make_unique<weft::Runtime>(blocking_config(1, 1));
  Gate gate;
  std::atomic<int> started{0};
  std::atomic<int> ran_queued{0};
  std::atomic<bool> running_done{false};
  auto running = rt->spawn_blocking([&] {
    bump_and_notify(started);
    gate.wait();
    running_done.store(true);
    return 1;
  });
  std::vector<weft::OffloadHandle<void>> queued;
  for (int i = 0; i < 3; ++i) queued.push_back(rt->spawn_blocking([&] { ran_queued++; }));
  wait_at_least(started, 1);

  std::thread stopper([&] { rt->shutdown(); });
  // The queued jobs are dropped at once; the running one holds shutdown back.
  for (auto& handle : queued) {
    ASSERT_TRUE(eventually([&] { return handle.is_finished(); }));
  }
  EXPECT_FALSE(running.is_finished());
  gate.open();
  stopper.join();
  EXPECT_TRUE(running_done.load()) << "shutdown returned before the running job finished";
  EXPECT_EQ(wait_for_result(running), 1);
  for (auto& handle : queued) EXPECT_THROW(wait_for_result(handle), weft::TaskCancelled);
  EXPECT_EQ(ran_queued.load(), 0);
  EXPECT_EQ(rt->blocking_threads(), 0u) << "shutdown left threads behind";

  // After shutdown a new job is dropped at once.
  auto late = rt->spawn_blocking([&] { ran_queued++; });
  EXPECT_TRUE(late.is_finished());
  EXPECT_THROW(wait_for_result(late), weft::TaskCancelled);
  rt.reset();
  EXPECT_EQ(ran_queued.load(), 0);
}

// Opens the gate when destroyed: a task holding one opens it when shutdown cancels the task.
struct OpenOnDrop {
  explicit OpenOnDrop(Gate& g) : gate(&g) {}
  OpenOnDrop(const OpenOnDrop&) = delete;
  OpenOnDrop& operator=(const OpenOnDrop&) = delete;
  ~OpenOnDrop() { gate->open(); }
  Gate* gate;
};

weft::Task<void> park_holding(Gate& gate, weft_test::Event& never) {
  OpenOnDrop opener(gate);
  co_await never.wait();
}

TEST(SpawnBlocking, DestroyingTheRuntimeCancelsTasksThenWaitsForRunningJobs) {
  Watchdog watchdog;
  Gate gate;
  weft_test::Event never;
  std::atomic<int> started{0};
  std::atomic<bool> finished{false};
  auto rt = std::make_unique<weft::Runtime>(blocking_config(1, 2));
  rt->spawn_blocking([&] {
      bump_and_notify(started);
      gate.wait();
      finished.store(true);
    }).detach();
  rt->spawn(park_holding(gate, never)).detach();
  wait_at_least(started, 1);
  never.wait_registrations(1);
  // Shutdown cancels the parked task first, whose frame opens the gate; only then can the
  // running job end, and the destructor must wait for it.
  rt.reset();
  EXPECT_TRUE(finished.load()) << "the destructor did not wait for the running job";
}

// From a blocking job: Runtime::block_on and Runtime::spawn_blocking (the job is not on a
// worker, so block_on is allowed there).
TEST(SpawnBlocking, AJobCanUseTheRuntimeFromItsThread) {
  Watchdog watchdog;
  weft::Runtime rt(blocking_config(2, 4));
  auto handle = rt.spawn_blocking([&rt] {
    const int from_task = rt.block_on(add_off_the_workers(1, 2));
    auto nested = rt.spawn_blocking([] { return 10; });
    return from_task + weft::block_on_future(nested);
  });
  EXPECT_EQ(wait_for_result(handle), 13);
}

weft::Task<long> spawn_many(int jobs, std::atomic<int>& running, std::atomic<int>& peak) {
  std::vector<weft::OffloadHandle<long>> handles;
  for (int i = 0; i < jobs; ++i) {
    handles.push_back(weft::spawn_blocking([i, &running, &peak] {
      const int now = running.fetch_add(1) + 1;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::yield();  // let others overlap; not synchronisation
      running.fetch_sub(1);
      return static_cast<long>(i);
    }));
  }
  long sum = 0;
  for (auto& handle : handles) sum += co_await handle;
  co_return sum;
}

TEST(SpawnBlocking, StressManyTasksManyJobsBoundedThreads) {
  Watchdog watchdog(std::chrono::seconds(60));
  constexpr std::size_t kMax = 3;
  weft::Runtime rt(blocking_config(4, kMax));
  const int tasks = 8;
  const int jobs = 40 * weft_test::kScale;
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::vector<weft::JoinHandle<long>> handles;
  for (int t = 0; t < tasks; ++t) handles.push_back(rt.spawn(spawn_many(jobs, running, peak)));
  const long expected = static_cast<long>(jobs) * (jobs - 1) / 2;
  for (auto& handle : handles) EXPECT_EQ(wait_for_result(handle), expected);
  EXPECT_LE(peak.load(), static_cast<int>(kMax));
  EXPECT_GE(peak.load(), 1);
  EXPECT_LE(rt.blocking_threads(), kMax);
}

}  // namespace
