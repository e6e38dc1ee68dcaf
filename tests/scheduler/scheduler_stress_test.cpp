// Stress for the scheduler, driven through the runtime's public API: many tasks woken in
// random orders, wakes from foreign threads, storms of short tasks that keep the thieves
// busy, aborts racing with wakes and completion, and shutdown in the middle of all of it.
// Counts are bounded and scaled down under sanitizers; every test is guarded by a watchdog
// so that a lost wakeup shows up as a named failure rather than a timeout.

#include <weft/scheduler/wake_batch.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {

using weft_test::bump_and_notify;
using weft_test::config_with;
using weft_test::LiveGuard;
using weft_test::wait_at_least;
using weft_test::wait_for_result;
using weft_test::Watchdog;

constexpr int kScale = weft_test::kScale;

// One waker slot per task, woken by whoever advances that task's round counter.
struct Slot {
  std::atomic<int> round{0};
  weft::AtomicWaker waker;
};

// Pending until the slot's round has passed `seen`.
struct AwaitRound {
  Slot* slot;
  int seen;
  weft::Poll<int> poll(weft::Context& cx) {
    if (int r = slot->round.load(); r > seen) return r;
    slot->waker.register_waker(cx.waker());
    if (int r = slot->round.load(); r > seen) return r;
    return weft::pending;
  }
};

weft::Task<int> follow_rounds(Slot* slot, int rounds, std::atomic<int>* parked,
                              std::atomic<int>* live) {
  LiveGuard guard(*live);
  int seen = 0;
  while (seen < rounds) {
    bump_and_notify(*parked);
    seen = co_await AwaitRound{slot, seen};
  }
  co_return seen;
}

// Wakes every task once per round, in a fresh random order each round, from `threads`
// foreign threads that split the tasks between them.
void random_wake_orders(std::size_t workers, int threads) {
  Watchdog watchdog(std::chrono::seconds(60));
  weft::Runtime rt(config_with(workers));
  const int n = 64 * kScale;
  const int rounds = 20;
  std::vector<Slot> slots(n);
  std::atomic<int> parked{0};
  std::atomic<int> live{0};
  std::vector<weft::JoinHandle<int>> handles;
  for (int i = 0; i < n; ++i)
    handles.push_back(rt.spawn(follow_rounds(&slots[i], rounds, &parked, &live)));
  for (int r = 1; r <= rounds; ++r) {
    wait_at_least(parked, r * n);  // every task is waiting for round r
    std::vector<std::thread> wakers;
    for (int t = 0; t < threads; ++t) {
      wakers.emplace_back([&, t, r] {
        std::vector<int> order;
        for (int i = t; i < n; i += threads) order.push_back(i);
        std::shuffle(order.begin(), order.end(), std::mt19937(r * 31 + t));
        for (int i : order) {
          slots[i].round.store(r);
          slots[i].waker.wake();
        }
      });
    }
    for (auto& w : wakers) w.join();
  }
  for (auto& h : handles) ASSERT_EQ(wait_for_result(h), rounds);
  EXPECT_EQ(live.load(), 0);
}

TEST(SchedulerStress, RandomWakeOrdersOneWorker) {
  random_wake_orders(1, 1);
}
TEST(SchedulerStress, RandomWakeOrdersTwoWorkersTwoWakerThreads) {
  random_wake_orders(2, 2);
}
TEST(SchedulerStress, RandomWakeOrdersFourWorkersThreeWakerThreads) {
  random_wake_orders(4, 3);
}

// Tasks wake each other (not foreign threads): a task woken with the baton passes it to
// task (i * 7 + round) % n, so wakes travel between workers and through the LIFO slot.
// Batons that land on the same task merge; at least one always survives.
struct Relay {
  std::vector<Slot> slots;
  std::atomic<int> remaining;
  std::atomic<bool> finished{false};
  Relay(int n, int hops) : slots(n), remaining(hops) {}

  void finish() {
    finished.store(true);
    for (auto& s : slots) {
      s.round.fetch_add(1);
      s.waker.wake();
    }
  }
};

weft::Task<int> relay_member(Relay* relay, int me, std::atomic<int>* live) {
  LiveGuard guard(*live);
  const int n = static_cast<int>(relay->slots.size());
  int seen = 0;
  int hops = 0;
  for (;;) {
    seen = co_await AwaitRound{&relay->slots[me], seen};
    if (relay->finished.load()) co_return hops;
    const int left = relay->remaining.fetch_sub(1);
    if (left <= 0) co_return hops;  // the last hop was taken elsewhere
    ++hops;
    if (left == 1) {
      relay->finish();
      co_return hops;
    }
    Slot& next = relay->slots[(me * 7 + seen) % n];
    next.round.fetch_add(1);
    next.waker.wake();
  }
}

TEST(SchedulerStress, TasksWakingEachOtherInAScrambledRelay) {
  Watchdog watchdog(std::chrono::seconds(60));
  for (std::size_t workers : {1u, 2u, 3u}) {
    weft::Runtime rt(config_with(workers));
    const int n = 32;
    const int hops = 5000 * kScale;
    Relay relay(n, hops);
    std::atomic<int> live{0};
    std::vector<weft::JoinHandle<int>> handles;
    for (int i = 0; i < n; ++i) handles.push_back(rt.spawn(relay_member(&relay, i, &live)));
    for (int i = 0; i < 4; ++i) {  // several batons at once
      relay.slots[i * 5].round.fetch_add(1);
      relay.slots[i * 5].waker.wake();
    }
    long total = 0;
    for (auto& h : handles) total += wait_for_result(h);
    EXPECT_EQ(total, hops) << workers << " workers";
    EXPECT_EQ(live.load(), 0);
  }
}

weft::Task<long> tree(int depth, int fanout) {
  if (depth == 0) co_return 1;
  std::vector<weft::JoinHandle<long>> children;
  children.reserve(fanout);
  for (int i = 0; i < fanout; ++i) children.push_back(weft::spawn(tree(depth - 1, fanout)));
  long leaves = 0;
  for (auto& c : children) leaves += co_await c;
  co_return leaves;
}

TEST(SchedulerStress, StealStormOfShortTasks) {
  Watchdog watchdog(std::chrono::seconds(60));
  for (std::size_t workers : {2u, 4u}) {
    weft::Runtime rt(config_with(workers));
    const int depth = kScale >= 8 ? 6 : 5;
    const int fanout = 6;
    long expected = 1;
    for (int i = 0; i < depth; ++i) expected *= fanout;
    for (int round = 0; round < 3; ++round) {
      ASSERT_EQ(rt.block_on(tree(depth, fanout)), expected) << workers << " workers";
    }
  }
}

weft::Task<int> tiny(int v) {
  co_return v;
}

TEST(SchedulerStress, ManyShortTasksFromManyThreads) {
  Watchdog watchdog(std::chrono::seconds(60));
  weft::Runtime rt(config_with(2));
  constexpr int kThreads = 4;
  const int per_thread = 2000 * kScale;
  std::atomic<long> total{0};
  std::latch go(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      go.arrive_and_wait();
      std::vector<weft::JoinHandle<int>> handles;
      handles.reserve(per_thread);
      for (int i = 0; i < per_thread; ++i) handles.push_back(rt.spawn(tiny(1)));
      long sum = 0;
      for (auto& h : handles) sum += wait_for_result(h);
      total += sum;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(total.load(), static_cast<long>(kThreads) * per_thread);
}

// The parking protocol under the worst pattern for it: a single task at a time arrives from
// outside while the workers are going to sleep. A lost wakeup hangs here.
TEST(SchedulerStress, OneTaskAtATimeFromOutsideNeverLosesAWakeup) {
  Watchdog watchdog(std::chrono::seconds(60));
  for (std::size_t workers : {1u, 2u, 4u}) {
    weft::Runtime rt(config_with(workers));
    for (int i = 0; i < 500 * kScale; ++i) {
      auto h = rt.spawn(tiny(i));
      ASSERT_EQ(wait_for_result(h), i) << workers << " workers";
    }
  }
}

weft::Task<int> ping(weft::oneshot::Receiver<int> rx) {
  co_return co_await rx;
}

// Where parked tasks leave their wakers for a driver that wakes them through a WakeBatch.
struct WakerPool {
  std::mutex mutex;
  std::vector<weft::Waker> wakers;
  std::atomic<int> stored{0};
  std::atomic<int> round{0};

  std::vector<weft::Waker> take() {
    std::lock_guard lock(mutex);
    return std::move(wakers);
  }
};

struct AwaitPoolRound {
  WakerPool* pool;
  int seen;
  weft::Poll<int> poll(weft::Context& cx) {
    if (int r = pool->round.load(); r > seen) return r;
    {
      std::lock_guard lock(pool->mutex);
      if (int r = pool->round.load(); r > seen) return r;
      pool->wakers.push_back(cx.waker());
    }
    bump_and_notify(pool->stored);
    return weft::pending;
  }
};

weft::Task<int> follow_pool(WakerPool* pool, int rounds, std::atomic<int>* live) {
  LiveGuard guard(*live);
  int seen = 0;
  while (seen < rounds) seen = co_await AwaitPoolRound{pool, seen};
  co_return seen;
}

// Every round, all tasks are parked; two driver threads wake them in bursts, each through
// its own WakeBatch (bulk pushes to the workers' inboxes racing with each other).
TEST(SchedulerStress, BurstsOfWakesThroughWakeBatches) {
  Watchdog watchdog(std::chrono::seconds(60));
  weft::Runtime rt(config_with(2));
  const int n = 100 * kScale;
  const int rounds = 10;
  WakerPool pool;
  std::atomic<int> live{0};
  std::vector<weft::JoinHandle<int>> handles;
  for (int i = 0; i < n; ++i) handles.push_back(rt.spawn(follow_pool(&pool, rounds, &live)));
  for (int r = 1; r <= rounds; ++r) {
    wait_at_least(pool.stored, r * n);
    pool.round.store(r);
    std::vector<weft::Waker> wakers = pool.take();
    ASSERT_EQ(wakers.size(), static_cast<std::size_t>(n));
    std::shuffle(wakers.begin(), wakers.end(), std::mt19937(r));
    auto deliver = [&](std::size_t begin, std::size_t end) {
      weft::WakeBatch batch;
      for (std::size_t i = begin; i < end; ++i) batch.add(std::move(wakers[i]));
      batch.flush();
    };
    std::thread first(deliver, 0, wakers.size() / 2);
    std::thread second(deliver, wakers.size() / 2, wakers.size());
    first.join();
    second.join();
  }
  for (auto& h : handles) ASSERT_EQ(wait_for_result(h), rounds);
  EXPECT_EQ(live.load(), 0);
}

weft::Task<int> parked_until(std::atomic<int>* live, std::atomic<int>* parked,
                             weft::oneshot::Receiver<int> rx) {
  LiveGuard guard(*live);
  bump_and_notify(*parked);
  co_return co_await rx;
}

weft::Task<void> spinning(std::atomic<int>* live) {
  LiveGuard guard(*live);
  for (;;) co_await weft::yield_now();
}

// Aborts, sends and completions all at once, on tasks in every state.
TEST(SchedulerStress, AbortRaces) {
  Watchdog watchdog(std::chrono::seconds(60));
  for (int round = 0; round < 5; ++round) {
    weft::Runtime rt(config_with(2));
    const int n = 100 * kScale;
    std::atomic<int> live{0};
    std::atomic<int> parked{0};
    std::vector<weft::oneshot::Sender<int>> senders;
    std::vector<weft::JoinHandle<int>> parked_handles;
    std::vector<weft::JoinHandle<void>> spinning_handles;
    std::vector<weft::JoinHandle<int>> quick_handles;
    for (int i = 0; i < n; ++i) {
      auto [tx, rx] = weft::oneshot::channel<int>();
      senders.push_back(std::move(tx));
      parked_handles.push_back(rt.spawn(parked_until(&live, &parked, std::move(rx))));
      if (i % 4 == 0) spinning_handles.push_back(rt.spawn(spinning(&live)));
    }
    std::latch go(4);
    std::thread sender([&] {
      go.arrive_and_wait();
      for (int i = 0; i < n; ++i) senders[i].send(i);
    });
    std::thread abort_parked([&] {
      go.arrive_and_wait();
      std::vector<int> order(n);
      for (int i = 0; i < n; ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), std::mt19937(round));
      for (int i : order) parked_handles[i].abort();
    });
    std::thread abort_spinning([&] {
      go.arrive_and_wait();
      for (auto& h : spinning_handles) h.abort();
    });
    std::thread spawn_and_abort([&] {
      go.arrive_and_wait();
      for (int i = 0; i < n; ++i) {
        quick_handles.push_back(rt.spawn(tiny(i)));
        if (i % 2 == 0) quick_handles.back().abort();
      }
    });
    sender.join();
    abort_parked.join();
    abort_spinning.join();
    spawn_and_abort.join();

    for (int i = 0; i < n; ++i) {
      try {
        ASSERT_EQ(wait_for_result(parked_handles[i]), i);
      } catch (const weft::TaskCancelled&) {
      }
    }
    for (auto& h : spinning_handles) EXPECT_THROW(wait_for_result(h), weft::TaskCancelled);
    for (int i = 0; i < n; ++i) {
      try {
        ASSERT_EQ(wait_for_result(quick_handles[i]), i);
      } catch (const weft::TaskCancelled&) {
        ASSERT_EQ(i % 2, 0) << "only aborted tasks may be cancelled";
      }
    }
    ASSERT_EQ(live.load(), 0) << "round " << round;
  }
}

weft::Task<void> chatter(std::atomic<int>* live, std::atomic<long>* work, int depth) {
  LiveGuard guard(*live);
  for (int i = 0;; ++i) {
    work->fetch_add(1, std::memory_order_relaxed);
    if (depth > 0 && i < 16 && i % 8 == 0) weft::spawn(chatter(live, work, depth - 1)).detach();
    auto [tx, rx] = weft::oneshot::channel<int>();
    weft::spawn(ping(std::move(rx))).detach();
    tx.send(i);
    co_await weft::yield_now();
  }
}

// Shutdown while the workers are flooded: tasks spawn tasks, send to each other and yield;
// foreign threads spawn and wake too. Destruction must cancel everything and return.
TEST(SchedulerStress, ShutdownWhileBusy) {
  Watchdog watchdog(std::chrono::seconds(90));
  const int rounds = weft_test::kThreadSanitizer ? 4 : 10;
  for (int round = 0; round < rounds; ++round) {
    std::atomic<int> live{0};
    std::atomic<long> work{0};
    std::atomic<int> foreign_parked{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> foreign;
    {
      weft::Runtime rt(config_with(round % 2 == 0 ? 2 : 3));
      for (int i = 0; i < 8; ++i) rt.spawn(chatter(&live, &work, 3)).detach();
      for (int t = 0; t < 2; ++t) {
        foreign.emplace_back([&] {
          // Each spawner waits for its task before the next (see
          // Fairness.LaterSpawnsFromAnotherThreadDoNotOvertakeAnEarlierOne for a flood).
          while (!stop.load()) {
            auto [tx, rx] = weft::oneshot::channel<int>();
            auto h = rt.spawn(parked_until(&live, &foreign_parked, std::move(rx)));
            tx.send(1);  // wakes it from this foreign thread
            try {
              wait_for_result(h);
            } catch (const weft::TaskCancelled&) {
              // spawned after, or cancelled by, the shutdown
            }
          }
        });
      }
      const bool progressed = weft_test::eventually([&] { return work.load() > 2000; });
      std::string stalled;
      if (!progressed) {
        stalled = "work=" + std::to_string(work.load()) + "\n" + weft_test::describe_metrics(rt);
        stop.store(true);
        for (auto& t : foreign) t.join();
        // Without the foreign spawners, do the chatters move again?
        const long before = work.load();
        const bool moved = weft_test::eventually([&] { return work.load() > before + 100; },
                                                 std::chrono::seconds(5));
        stalled += "after stopping the spawners: " + std::string(moved ? "moved" : "still stuck") +
                   "\n" + weft_test::describe_metrics(rt);
      }
      rt.shutdown();
      stop.store(true);
      for (auto& t : foreign) {
        if (t.joinable()) t.join();
      }
      ASSERT_TRUE(progressed) << "round " << round << ": the chatters stopped making progress\n"
                              << stalled;
    }
    ASSERT_EQ(live.load(), 0) << "round " << round;
  }
}

}  // namespace
