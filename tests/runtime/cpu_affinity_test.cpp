// The CPUs a process may use (its affinity mask, as taskset or a cpuset sets it) shape three
// things: the default worker count, where pinned workers go, and whether a worker spins for
// work before it sleeps (only while the workers leave a CPU of the budget free).
// Each test narrows this thread's mask, which the runtime's threads inherit, and restores it.

#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <latch>
#include <mutex>
#include <vector>

#include "../common/narrowed_affinity.hpp"
#include "test_support.hpp"

namespace {

using weft_test::affinity_of_this_thread;
using weft_test::config_with;
using weft_test::metric_sum;
using weft_test::NarrowedAffinity;
using weft_test::wait_for_result;
using weft_test::Watchdog;

unsigned last_usable_cpu() {
  return weft::usable_cpus().back();
}

TEST(UsableCpus, AreTheCpusOfTheAffinityMask) {
  EXPECT_EQ(weft::usable_cpus(), affinity_of_this_thread());
  const unsigned cpu = last_usable_cpu();
  const NarrowedAffinity one_cpu({cpu});
  EXPECT_EQ(weft::usable_cpus(), std::vector<unsigned>{cpu});
}

TEST(UsableCpus, SetTheDefaultWorkerCount) {
  EXPECT_EQ(weft::Config::defaults().worker_threads, weft::cpu_budget());
  const NarrowedAffinity one_cpu({last_usable_cpu()});
  EXPECT_EQ(weft::Config::defaults().worker_threads, 1u);
}

// Records the mask of the worker it runs on, then waits until `together` tasks have done so:
// the rendezvous makes them run on as many different workers at once.
weft::Task<void> record_mask(std::mutex& mutex, std::vector<std::vector<unsigned>>& seen,
                             std::latch& together) {
  {
    const std::lock_guard lock(mutex);
    seen.push_back(affinity_of_this_thread());
  }
  together.arrive_and_wait();
  co_return;
}

// Pinned workers go to the usable CPUs in turn, never outside the mask: pinning by raw CPU
// number would put worker 0 on CPU 0 here, which the mask excludes.
TEST(UsableCpus, PinnedWorkersStayInsideTheMask) {
  if (weft::usable_cpus().size() < 2) GTEST_SKIP() << "needs two usable CPUs";
  const Watchdog watchdog;
  const unsigned cpu = last_usable_cpu();
  const NarrowedAffinity one_cpu({cpu});
  weft::Runtime runtime(
      weft::Config::builder().from_env().worker_threads(2).pin_threads(true).build());
  std::mutex mutex;
  std::vector<std::vector<unsigned>> seen;
  std::latch together(2);
  auto first = runtime.spawn(record_mask(mutex, seen, together));
  auto second = runtime.spawn(record_mask(mutex, seen, together));
  wait_for_result(first);
  wait_for_result(second);
  ASSERT_EQ(seen.size(), 2u);
  for (const auto& mask : seen) EXPECT_EQ(mask, std::vector<unsigned>{cpu});
}

// Tasks that keep waking each other across workers: with two, each often runs out of work
// while its peer is awake, which is when a worker would spin if the rule allowed it.
weft::Task<void> ping_pong_between_workers(int rounds) {
  for (int round = 0; round < rounds; ++round) {
    std::vector<weft::JoinHandle<void>> batch;
    for (int i = 0; i < 8; ++i) {
      batch.push_back(weft::spawn([]() -> weft::Task<void> { co_await weft::yield_now(); }()));
    }
    for (auto& task : batch) co_await task;
  }
}

std::uint64_t spins_after_ping_pong(const weft::Config& config) {
  weft::Runtime runtime(config);
  runtime.block_on(ping_pong_between_workers(300));
  return metric_sum(runtime, &weft::WorkerMetrics::spins);
}

// A worker spins for work only while the workers leave a CPU of the budget free for whoever
// makes that work (worker.cpp). Two workers on one CPU, or on two, fill the budget: neither
// ever spins.
TEST(UsableCpus, WorkersThatFillTheCpuBudgetNeverSpin) {
  const Watchdog watchdog;
  {
    const NarrowedAffinity one_cpu({last_usable_cpu()});
    EXPECT_EQ(spins_after_ping_pong(config_with(2)), 0u);
  }
  if (weft::cpu_budget() < 2) GTEST_SKIP() << "needs two usable CPUs and no quota below two";
  const std::vector<unsigned> all = weft::usable_cpus();
  const NarrowedAffinity two_cpus({all[0], all[1]});
  EXPECT_EQ(spins_after_ping_pong(config_with(2)), 0u);
}

// One worker on two CPUs leaves one free: the rule above must not stop spinning altogether.
// The worker runs out of work at least when it starts and when block_on's task ends, and then
// it spins (bounded: a few attempts, each of which spins with near certainty).
TEST(UsableCpus, AWorkerThatLeavesACpuFreeMaySpin) {
  if (weft::cpu_budget() < 2) GTEST_SKIP() << "needs two usable CPUs and no quota below two";
  const Watchdog watchdog;
  const std::vector<unsigned> all = weft::usable_cpus();
  const NarrowedAffinity two_cpus({all[0], all[1]});
  std::uint64_t spins = 0;
  for (int attempt = 0; attempt < 5 && spins == 0; ++attempt) {
    spins = spins_after_ping_pong(config_with(1));
  }
  EXPECT_GT(spins, 0u);
}

}  // namespace
