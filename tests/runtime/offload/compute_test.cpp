// weft::compute: results, void and move-only values, exceptions, oneTBB algorithms inside the
// arena and its concurrency, the awaiting worker staying free, timeout(), cancellation of
// the awaiting task, shutdown (queued jobs dropped, running ones waited for), many jobs.

#include <weft/runtime/compute.hpp>
#include <weft/weft.hpp>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_reduce.h>
#include <oneapi/tbb/task_arena.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../test_support.hpp"
#include "offload_test_support.hpp"

namespace {

using weft_test::bump_and_notify;
using weft_test::eventually;
using weft_test::wait_at_least;
using weft_test::wait_for_result;
using weft_test::Watchdog;

weft::Config compute_config(std::size_t workers, std::size_t compute_threads) {
  return weft::Config::builder().worker_threads(workers).compute_threads(compute_threads).build();
}

using weft_test::Failure;
using weft_test::Gate;

// libtbb is not built with ThreadSanitizer, so TSan reports oneTBB's own parallel
// algorithms as racing (their inline code runs instrumented on threads TSan cannot see being
// synchronised by the library). TSan builds therefore keep oneTBB algorithms out of the jobs:
// the pool itself is still checked.
constexpr bool kTbbAlgorithms = !weft_test::kThreadSanitizer;

std::int64_t parallel_sum(std::int64_t n) {
  if constexpr (!kTbbAlgorithms) {
    std::int64_t sum = 0;
    for (std::int64_t i = 0; i < n; ++i) sum += i;
    return sum;
  }
  return tbb::parallel_reduce(
      tbb::blocked_range<std::int64_t>(0, n), std::int64_t{0},
      [](const tbb::blocked_range<std::int64_t>& range, std::int64_t acc) {
        for (std::int64_t i = range.begin(); i != range.end(); ++i) acc += i;
        return acc;
      },
      std::plus<>());
}

weft::Task<std::int64_t> sum_in_arena(std::int64_t n) {
  co_return co_await weft::compute([n] { return parallel_sum(n); });
}

TEST(Compute, ReturnsTheResultOfAParallelAlgorithm) {
  Watchdog watchdog;
  // Under TSan the job sums with a plain loop (see kTbbAlgorithms).
  for (std::size_t workers : {1, 2, 4}) {
    weft::Runtime rt(compute_config(workers, 2));
    const std::int64_t n = 100'000;
    EXPECT_EQ(rt.block_on(sum_in_arena(n)), n * (n - 1) / 2) << workers << " workers";
  }
}

TEST(Compute, RunsInTheRuntimesArenaOffTheWorkers) {
  Watchdog watchdog;
  weft::Runtime rt(compute_config(1, 3));
  EXPECT_EQ(rt.compute_concurrency(), 3u);
  auto handle = rt.compute([] {
    return std::pair{tbb::this_task_arena::max_concurrency(), weft::Runtime::current() == nullptr};
  });
  auto [concurrency, off_workers] = wait_for_result(handle);
  EXPECT_EQ(concurrency, 3);
  EXPECT_TRUE(off_workers) << "the job ran on a weft worker";
}

TEST(Compute, ZeroThreadsLetsOneTbbChoose) {
  weft::Runtime rt(compute_config(1, 0));
  EXPECT_EQ(rt.compute_concurrency(), static_cast<std::size_t>(tbb::info::default_concurrency()));
}

weft::Task<void> compute_void(std::atomic<int>& ran) {
  co_await weft::compute([&ran] { ran.fetch_add(1); });
}

TEST(Compute, VoidResult) {
  Watchdog watchdog;
  weft::Runtime rt(compute_config(1, 1));
  std::atomic<int> ran{0};
  rt.block_on(compute_void(ran));
  EXPECT_EQ(ran.load(), 1);
}

weft::Task<std::unique_ptr<std::vector<int>>> compute_move_only() {
  auto seed = std::make_unique<int>(5);
  // The handle is bound first: g++ 12 mishandles a closure temporary with move-only captures
  // inside a co_await expression (docs/blocking-and-compute.md).
  auto handle = weft::compute([seed = std::move(seed)] {
    auto values = std::make_unique<std::vector<int>>(static_cast<std::size_t>(*seed));
    std::iota(values->begin(), values->end(), 0);
    return values;
  });
  co_return co_await handle;
}

TEST(Compute, MoveOnlyCallableAndResult) {
  Watchdog watchdog;
  weft::Runtime rt(compute_config(2, 2));
  auto values = rt.block_on(compute_move_only());
  ASSERT_NE(values, nullptr);
  EXPECT_EQ(*values, (std::vector<int>{0, 1, 2, 3, 4}));
}

weft::Task<int> compute_throws_plain() {
  co_return co_await weft::compute([]() -> int { throw Failure("plain failure"); });
}

TEST(Compute, AnExceptionFromTheCallableIsRethrownAtTheAwait) {
  Watchdog watchdog;
  weft::Runtime rt(compute_config(1, 1));
  weft_test::expect_block_on_throws<Failure>(rt, compute_throws_plain(), "plain failure");
}

weft::Task<int> compute_throws() {
  co_return co_await weft::compute([]() -> int {
    // An exception from inside a parallel algorithm crosses the arena to the awaiter too.
    return tbb::parallel_reduce(
        tbb::blocked_range<int>(0, 1000), 0,
        [](const tbb::blocked_range<int>& range, int acc) -> int {
          if (range.begin() <= 500 && 500 < range.end()) throw Failure("compute failed");
          return acc;
        },
        std::plus<>());
  });
}

TEST(Compute, AnExceptionFromInsideAParallelAlgorithmIsRethrown) {
  if (!kTbbAlgorithms) GTEST_SKIP() << "oneTBB algorithms under ThreadSanitizer (kTbbAlgorithms)";
  Watchdog watchdog;
  weft::Runtime rt(compute_config(2, 2));
  weft_test::expect_block_on_throws<Failure>(rt, compute_throws(), "compute failed");
}

TEST(Compute, FreeFunctionOutsideARuntimeThrows) {
  EXPECT_THROW((void)weft::compute([] { return 1; }), std::logic_error);
}

// The awaiting worker is not blocked: with one worker, a long compute job waits for another
// task, which only that worker can run.
weft::Task<int> long_compute(std::atomic<int>& started, std::atomic<int>& release) {
  co_return co_await weft::compute([&] {
    bump_and_notify(started);
    release.wait(0, std::memory_order_acquire);
    return release.load() * 2;
  });
}

weft::Task<int> count_progress(std::atomic<int>& release) {
  int steps = 0;
  for (int i = 0; i < 10; ++i) {
    co_await weft::yield_now();
    ++steps;
  }
  release.store(steps, std::memory_order_release);
  release.notify_all();
  co_return steps;
}

TEST(Compute, TheAwaitingWorkerStaysResponsive) {
  Watchdog watchdog;
  weft::Runtime rt(compute_config(1, 2));
  std::atomic<int> started{0};
  std::atomic<int> release{0};
  auto waiting = rt.spawn(long_compute(started, release));
  wait_at_least(started, 1);
  auto other = rt.spawn(count_progress(release));
  EXPECT_EQ(wait_for_result(other), 10);
  EXPECT_EQ(wait_for_result(waiting), 20);
}

TEST(Compute, TimeoutGivesUpWaitingButTheJobRunsOn) {
  Watchdog watchdog;
  weft::Runtime rt(compute_config(1, 1));
  const auto via_compute = [](auto job) { return weft::compute(std::move(job)); };
  weft_test::run_gated_job_past_a_timeout(rt, via_compute);
  // The arena serves the next job.
  auto next = rt.compute([] { return 3; });
  EXPECT_EQ(wait_for_result(next), 3);
}

weft::Task<int> await_gated(Gate& gate, std::atomic<int>& started, std::atomic<int>& live) {
  weft_test::LiveGuard guard(live);
  co_return co_await weft::compute([&] {
    bump_and_notify(started);
    gate.wait();
    return 1;
  });
}

TEST(Compute, AbortingTheAwaitingTaskDetachesTheJob) {
  Watchdog watchdog;
  weft::Runtime rt(compute_config(2, 1));
  Gate gate;
  std::atomic<int> started{0};
  std::atomic<int> live{0};
  auto task = rt.spawn(await_gated(gate, started, live));
  wait_at_least(started, 1);
  task.abort();
  EXPECT_THROW(wait_for_result(task), weft::TaskCancelled);
  EXPECT_EQ(live.load(), 0);
  gate.open();
  auto next = rt.compute([] { return 4; });
  EXPECT_EQ(wait_for_result(next), 4);
}

TEST(Compute, ShutdownDropsQueuedJobsAndWaitsForRunningOnes) {
  Watchdog watchdog;
  auto rt = std::make_unique<weft::Runtime>(compute_config(1, 1));
  Gate gate;
  std::atomic<int> started{0};
  std::atomic<int> ran_queued{0};
  std::atomic<bool> running_done{false};
  auto running = rt->compute([&] {
    bump_and_notify(started);
    gate.wait();
    running_done.store(true);
    return 1;
  });
  wait_at_least(started, 1);
  // Concurrency 1 and the only slot is held: these wait in the queue.
  std::vector<weft::OffloadHandle<void>> queued;
  for (int i = 0; i < 3; ++i) queued.push_back(rt->compute([&] { ran_queued++; }));

  std::thread stopper([&] { rt->shutdown(); });
  for (auto& handle : queued) {
    ASSERT_TRUE(eventually([&] { return handle.is_finished(); }));
  }
  EXPECT_FALSE(running.is_finished());
  gate.open();
  stopper.join();
  EXPECT_TRUE(running_done.load()) << "shutdown returned before the running job finished";
  EXPECT_EQ(wait_for_result(running), 1);
  for (auto& handle : queued) EXPECT_THROW(wait_for_result(handle), weft::TaskCancelled);

  auto late = rt->compute([&] { ran_queued++; });
  EXPECT_THROW(wait_for_result(late), weft::TaskCancelled);
  rt.reset();
  EXPECT_EQ(ran_queued.load(), 0);
}

weft::Task<std::int64_t> many_computes(int jobs) {
  std::vector<weft::OffloadHandle<std::int64_t>> handles;
  for (int i = 0; i < jobs; ++i) {
    handles.push_back(weft::compute([i] { return parallel_sum(i); }));
  }
  std::int64_t sum = 0;
  for (auto& handle : handles) sum += co_await handle;
  co_return sum;
}

TEST(Compute, StressManyTasksManyJobs) {
  Watchdog watchdog(std::chrono::seconds(60));
  weft::Runtime rt(compute_config(4, 2));
  const int tasks = 6;
  const int jobs = 30 * weft_test::kScale;
  std::int64_t expected = 0;
  for (std::int64_t i = 0; i < jobs; ++i) expected += i * (i - 1) / 2;
  std::vector<weft::JoinHandle<std::int64_t>> handles;
  for (int t = 0; t < tasks; ++t) handles.push_back(rt.spawn(many_computes(jobs)));
  for (auto& handle : handles) EXPECT_EQ(wait_for_result(handle), expected);
}

}  // namespace
