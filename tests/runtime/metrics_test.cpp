// Runtime::metrics(): the per-worker counters move when the corresponding thing happens:
// polls, steals between two workers, parking and unparking, local versus remote schedules,
// LIFO-slot hits, local-queue overflow, and the queue depths.

#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <vector>

#include "test_support.hpp"

namespace {

using weft_test::config_with;
using weft_test::metric_sum;
using weft_test::wait_for_result;
using weft_test::Watchdog;
using M = weft::WorkerMetrics;

weft::Task<void> noop() {
  co_return;
}

weft::Task<void> yield_times(int n) {
  for (int i = 0; i < n; ++i) co_await weft::yield_now();
}

TEST(Metrics, OneEntryPerWorker) {
  weft::Runtime rt(config_with(2));
  EXPECT_EQ(rt.metrics().size(), 2u);
  weft::Runtime single(config_with(1));
  EXPECT_EQ(single.metrics().size(), 1u);
}

TEST(Metrics, PollsCountEveryPoll) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  const int tasks = 10;
  const int yields = 7;
  std::vector<weft::JoinHandle<void>> handles;
  for (int i = 0; i < tasks; ++i) handles.push_back(rt.spawn(yield_times(yields)));
  for (auto& h : handles) wait_for_result(h);
  // Each yield is one Pending poll; the last poll completes the task.
  EXPECT_EQ(metric_sum(rt, &M::polls), static_cast<std::uint64_t>(tasks * (yields + 1)));
}

TEST(Metrics, RemoteSchedulesCountSpawnsFromOutside) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  for (int i = 0; i < 12; ++i) {
    auto h = rt.spawn(noop());
    wait_for_result(h);
  }
  EXPECT_EQ(metric_sum(rt, &M::remote_schedules), 12u);
  EXPECT_EQ(metric_sum(rt, &M::local_schedules), 0u);
}

weft::Task<int> spawn_children(int n) {
  std::vector<weft::JoinHandle<void>> handles;
  for (int i = 0; i < n; ++i) handles.push_back(weft::spawn(noop()));
  for (auto& h : handles) co_await h;
  co_return n;
}

TEST(Metrics, LocalSchedulesCountSpawnsAndWakesFromWorkers) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  const int n = 40;
  EXPECT_EQ(rt.block_on(spawn_children(n)), n);
  EXPECT_GE(metric_sum(rt, &M::local_schedules), static_cast<std::uint64_t>(n));
  EXPECT_EQ(metric_sum(rt, &M::remote_schedules), 1u) << "only block_on's task came from outside";
}

weft::Task<void> spawn_one_child_and_await() {
  auto child = weft::spawn(noop());
  co_await child;
}

TEST(Metrics, LifoSlotRunsTheTaskJustWoken) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  rt.block_on(spawn_one_child_and_await());
  EXPECT_GE(metric_sum(rt, &M::lifo_hits), 1u);
}

TEST(Metrics, LocalQueueOverflowsIntoTheInbox) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  // Far more children than the local queue holds, spawned in one poll.
  EXPECT_EQ(rt.block_on(spawn_children(1000)), 1000);
  EXPECT_GE(metric_sum(rt, &M::overflows), 1u);
}

TEST(Metrics, InboxDepthShowsTasksWaitingForABusyWorker) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  weft_test::HeldWorker held(rt);
  std::vector<weft::JoinHandle<void>> handles;
  for (int i = 0; i < 5; ++i) handles.push_back(rt.spawn(noop()));
  const auto m = rt.metrics();
  EXPECT_EQ(m[0].inbox_depth, 5u);
  EXPECT_EQ(m[0].local_queue_depth, 0u);
  held.release();
  for (auto& h : handles) wait_for_result(h);
}

TEST(Metrics, LocalQueueDepthShowsTasksSpawnedByABusyTask) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  struct SpawnThenBlock {
    std::latch* spawned;
    std::latch* release;
    std::vector<weft::JoinHandle<void>>* children;
    weft::Poll<void> poll(weft::Context&) {
      for (int i = 0; i < 6; ++i) children->push_back(weft::spawn(noop()));
      spawned->count_down();
      release->wait();
      return weft::ready;
    }
  };
  std::latch spawned(1);
  std::latch release(1);
  std::vector<weft::JoinHandle<void>> children;
  auto parent = rt.spawn(SpawnThenBlock{&spawned, &release, &children});
  spawned.wait();
  // Six spawns: one sits in the LIFO slot, five in the local queue.
  EXPECT_EQ(rt.metrics()[0].local_queue_depth, 5u);
  release.count_down();
  wait_for_result(parent);
  for (auto& h : children) wait_for_result(h);
}

// The parent spawns children onto its own worker's queue and then blocks that worker until
// the children have run: only the other worker can run them, by stealing.
struct SpawnAndBlockUntilStolen {
  int children;
  std::atomic<int>* done;
  std::mutex* mutex;
  std::condition_variable* cv;
  bool* stolen_in_time;
  std::vector<weft::JoinHandle<void>>* handles;

  weft::Poll<void> poll(weft::Context&) {
    for (int i = 0; i < children; ++i) handles->push_back(weft::spawn(count_done(done, mutex, cv)));
    std::unique_lock lock(*mutex);
    // All but the child in the (unstealable) LIFO slot must be run by the thief.
    *stolen_in_time =
        cv->wait_for(lock, std::chrono::seconds(30), [&] { return done->load() >= children - 1; });
    return weft::ready;
  }

  static weft::Task<void> count_done(std::atomic<int>* done, std::mutex* mutex,
                                     std::condition_variable* cv) {
    std::lock_guard lock(*mutex);
    done->fetch_add(1);
    cv->notify_all();
    co_return;
  }
};

TEST(Metrics, AnIdleWorkerStealsFromABusyOne) {
  Watchdog watchdog(std::chrono::seconds(90));
  weft::Runtime rt(config_with(2));
  std::atomic<int> done{0};
  std::mutex mutex;
  std::condition_variable cv;
  bool stolen_in_time = false;
  std::vector<weft::JoinHandle<void>> handles;
  const int children = 64;
  auto parent =
      rt.spawn(SpawnAndBlockUntilStolen{children, &done, &mutex, &cv, &stolen_in_time, &handles});
  wait_for_result(parent);
  EXPECT_TRUE(stolen_in_time) << "the second worker never took the queued children";
  for (auto& h : handles) wait_for_result(h);
  EXPECT_GE(metric_sum(rt, &M::steal_operations), 1u);
  EXPECT_GE(metric_sum(rt, &M::steals), metric_sum(rt, &M::steal_operations));
}

TEST(Metrics, WorkersParkWhenIdleAndUnparkForWork) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  // Nothing was ever spawned: once the worker counted a park, it is asleep (or about to be).
  ASSERT_TRUE(weft_test::eventually([&] { return metric_sum(rt, &M::parks) >= 1; }));
  EXPECT_EQ(metric_sum(rt, &M::unparks), 0u);
  auto h = rt.spawn(noop());
  wait_for_result(h);
  EXPECT_GE(metric_sum(rt, &M::unparks), 1u) << "running the task required a wakeup";
  // And it goes back to sleep afterwards.
  ASSERT_TRUE(weft_test::eventually([&] { return metric_sum(rt, &M::parks) >= 2; }));
}

TEST(Metrics, CountersOnlyGrow) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto before = rt.metrics();
  for (int round = 0; round < 5; ++round) {
    EXPECT_EQ(rt.block_on(spawn_children(50)), 50);
    auto after = rt.metrics();
    for (std::size_t w = 0; w < after.size(); ++w) {
      EXPECT_GE(after[w].polls, before[w].polls);
      EXPECT_GE(after[w].steals, before[w].steals);
      EXPECT_GE(after[w].parks, before[w].parks);
      EXPECT_GE(after[w].local_schedules, before[w].local_schedules);
      EXPECT_GE(after[w].remote_schedules, before[w].remote_schedules);
    }
    before = after;
  }
  EXPECT_GE(metric_sum(rt, &M::polls), 5u * 51u);
}

}  // namespace
