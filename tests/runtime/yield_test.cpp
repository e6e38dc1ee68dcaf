// weft::yield_now(): a single Pending with an immediate self-wake, so that other tasks get
// the worker; and fairness: tasks that never stop being ready do not starve the others.

#include <weft/scheduler/atomic_waker.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {

using weft_test::config_with;
using weft_test::wait_for_result;
using weft_test::Watchdog;

using CountingWaker = weft_test::ProbeWaker;

TEST(YieldNow, IsPendingOnceWithASelfWakeThenReady) {
  CountingWaker counter;
  {
    weft::Waker waker = counter.waker();
    weft::Context cx(waker);
    auto yield = weft::yield_now();
    EXPECT_TRUE(yield.poll(cx).is_pending());
    EXPECT_EQ(counter.wakes.load(), 1);
    EXPECT_TRUE(yield.poll(cx).is_ready());
    EXPECT_EQ(counter.wakes.load(), 1);
  }
  EXPECT_EQ(counter.refs.load(), 0) << "yield_now must not keep a waker";
}

weft::Task<int> yield_n(int n) {
  for (int i = 0; i < n; ++i) co_await weft::yield_now();
  co_return n;
}

TEST(YieldNow, ATaskThatYieldsCompletes) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(yield_n(1000)), 1000);
}

// Waits (by yielding, never by suspending on a waker) until `flag` is set by another task.
// With a single worker this can only finish if yield_now really lets the other task run.
// Returns how many yields it took, or -1 if it gave up after `limit`. The bound is time, not
// a yield count: the setter may be spawned by a test thread that a loaded machine preempts
// for milliseconds, long enough for any fixed number of yields.
weft::Task<long> spin_until(std::atomic<bool>* flag, std::chrono::seconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  for (long i = 0; std::chrono::steady_clock::now() < give_up; ++i) {
    if (flag->load()) co_return i;
    co_await weft::yield_now();
  }
  co_return -1;
}

weft::Task<void> set_flag(std::atomic<bool>* flag) {
  flag->store(true);
  co_return;
}

weft::Task<long> spinner_then_setter(std::atomic<bool>* flag) {
  auto spinner = weft::spawn(spin_until(flag, std::chrono::seconds(10)));
  auto setter = weft::spawn(set_flag(flag));
  co_await setter;
  co_return co_await spinner;
}

TEST(YieldNow, LetsOtherTasksOnTheSameWorkerRun) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  // Spawned from outside: both land in the worker's inbox.
  std::atomic<bool> flag{false};
  auto spinner = rt.spawn(spin_until(&flag, std::chrono::seconds(10)));
  auto setter = rt.spawn(set_flag(&flag));
  wait_for_result(setter);
  EXPECT_GE(wait_for_result(spinner), 0) << "the spinner never saw the other task run";

  // Spawned from inside a task: both land in the worker's local queue / LIFO slot.
  std::atomic<bool> flag2{false};
  EXPECT_GE(rt.block_on(spinner_then_setter(&flag2)), 0);
}

weft::Task<void> yield_until_stopped(std::atomic<bool>* stop, std::atomic<long>* spins) {
  while (!stop->load()) {
    spins->fetch_add(1, std::memory_order_relaxed);
    co_await weft::yield_now();
  }
}

weft::Task<int> small_job(int i) {
  co_await weft::yield_now();
  co_return i;
}

// Always-ready tasks (they yield forever) occupy every worker; tasks spawned afterwards from
// outside must still run to completion.
void always_ready_tasks_do_not_starve_others(std::size_t workers) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(workers));
  std::atomic<bool> stop{false};
  std::atomic<long> spins{0};
  std::vector<weft::JoinHandle<void>> spinners;
  for (std::size_t i = 0; i < 2 * workers; ++i) {
    spinners.push_back(rt.spawn(yield_until_stopped(&stop, &spins)));
  }
  ASSERT_TRUE(weft_test::eventually([&] { return spins.load() > 100; }));
  const int jobs = 100 * weft_test::kScale;
  std::vector<weft::JoinHandle<int>> handles;
  for (int i = 0; i < jobs; ++i) handles.push_back(rt.spawn(small_job(i)));
  long sum = 0;
  for (auto& h : handles) sum += wait_for_result(h);
  EXPECT_EQ(sum, static_cast<long>(jobs) * (jobs - 1) / 2);
  EXPECT_GT(spins.load(), 100);
  stop.store(true);
  for (auto& s : spinners) wait_for_result(s);
}

TEST(Fairness, AlwaysYieldingTasksDoNotStarveOthersOneWorker) {
  always_ready_tasks_do_not_starve_others(1);
}

TEST(Fairness, AlwaysYieldingTasksDoNotStarveOthersTwoWorkers) {
  always_ready_tasks_do_not_starve_others(2);
}

// Two tasks that hand a baton back and forth by waking each other: whenever one runs, the
// other sits in the LIFO slot, so the worker always has a "hot" task to run next. Work that
// arrives from outside must still get its turn.
struct Baton {
  std::atomic<int> turn{0};
  std::atomic<bool> stop{false};
  std::atomic<long> passes{0};
  weft::AtomicWaker waiting[2];
};

struct AwaitTurn {
  Baton* baton;
  int me;
  // Ready(true) when it is our turn, Ready(false) when told to stop.
  weft::Poll<bool> poll(weft::Context& cx) {
    auto check = [&]() -> weft::Poll<bool> {
      if (baton->stop.load()) return false;
      if (baton->turn.load() == me) return true;
      return weft::pending;
    };
    if (auto r = check(); r.is_ready()) return r;
    baton->waiting[me].register_waker(cx.waker());
    return check();
  }
};

// Note: not `while (co_await AwaitTurn{...})`: g++ 12.2 miscompiles a co_await in a while
// condition (the coroutine suspends without evaluating it and never resumes).
weft::Task<void> player(Baton* baton, int me) {
  for (;;) {
    const bool my_turn = co_await AwaitTurn{baton, me};
    if (!my_turn) break;
    baton->passes.fetch_add(1, std::memory_order_relaxed);
    baton->turn.store(1 - me);
    baton->waiting[1 - me].wake();
  }
}

TEST(Fairness, PingPongThroughTheLifoSlotDoesNotStarveRemoteWork) {
  Watchdog watchdog;
  Baton baton;  // outlives the runtime, whose tasks use it
  weft::Runtime rt(config_with(1));
  auto first = rt.spawn(player(&baton, 0));
  auto second = rt.spawn(player(&baton, 1));
  ASSERT_TRUE(weft_test::eventually([&] { return baton.passes.load() > 1000; }));
  for (int round = 0; round < 20; ++round) {
    auto handle = rt.spawn(small_job(round));
    ASSERT_EQ(wait_for_result(handle), round);
  }
  const long passes = baton.passes.load();
  EXPECT_GT(passes, 1000);
  baton.stop.store(true);
  baton.waiting[0].wake();
  baton.waiting[1].wake();
  wait_for_result(first);
  wait_for_result(second);
}

weft::Task<int> local_job_spawner(int jobs) {
  std::vector<weft::JoinHandle<int>> handles;
  for (int i = 0; i < jobs; ++i) handles.push_back(weft::spawn(small_job(i)));
  int sum = 0;
  for (auto& h : handles) sum += co_await h;
  co_return sum;
}

TEST(Fairness, PingPongDoesNotStarveLocallySpawnedWork) {
  Watchdog watchdog;
  Baton baton;  // outlives the runtime, whose tasks use it
  weft::Runtime rt(config_with(1));
  auto first = rt.spawn(player(&baton, 0));
  auto second = rt.spawn(player(&baton, 1));
  ASSERT_TRUE(weft_test::eventually([&] { return baton.passes.load() > 1000; }));
  EXPECT_EQ(rt.block_on(local_job_spawner(50)), 49 * 50 / 2);
  baton.stop.store(true);
  baton.waiting[0].wake();
  baton.waiting[1].wake();
  wait_for_result(first);
  wait_for_result(second);
}

weft::Task<void> mark_done(std::atomic<bool>* done) {
  done->store(true);
  co_return;
}

weft::Task<void> count_if_before(std::atomic<bool>* done, std::atomic<int>* overtook) {
  if (!done->load()) overtook->fetch_add(1);
  co_return;
}

// One worker, kept busy while the test queues work in its inbox: first X from this thread,
// then many tasks from another thread that started spawning into the inbox later. When the
// worker is free again it should reach X after a bounded number of the later tasks (one
// inbox batch or so), not after all of them: otherwise a thread that keeps spawning starves
// every task queued by an older one (and a worker's own spilled tasks) for as long as it
// keeps it up. The inbox is a moodycamel ConcurrentQueue, which keeps no order between
// producers; the owner drains it with a consumer token, which rotates between producers
// every 64 tasks (without it, all 1000 ran first).
TEST(Fairness, LaterSpawnsFromAnotherThreadDoNotOvertakeAnEarlierOne) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  std::atomic<bool> x_done{false};
  std::atomic<int> overtook{0};
  weft_test::HeldWorker held(rt);
  auto x = rt.spawn(mark_done(&x_done));
  const int later = 1000;
  std::vector<weft::JoinHandle<void>> handles;
  std::thread([&] {
    for (int i = 0; i < later; ++i)
      handles.push_back(rt.spawn(count_if_before(&x_done, &overtook)));
  }).join();
  held.release();
  wait_for_result(x);
  for (auto& h : handles) wait_for_result(h);
  EXPECT_LE(overtook.load(), 256) << "of " << later << " tasks spawned after X, " << overtook.load()
                                  << " ran before it";
}

}  // namespace
