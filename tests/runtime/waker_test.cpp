// Waker semantics as a task sees them, through hand-written futures: wakes coalesce until
// the task runs, a wake during the task's own poll re-queues it, will_wake identifies the
// task, wakes may come from any thread, a waker may outlive its task and its runtime, and
// weft::WakeBatch delivers many wakes at once.

#include <weft/scheduler/wake_batch.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {

using weft_test::bump_and_notify;
using weft_test::config_with;
using weft_test::wait_at_least;
using weft_test::wait_for_result;
using weft_test::Watchdog;

// Where a future leaves a clone of its task's waker for the test to use.
struct WakerDrop {
  std::mutex mutex;
  std::vector<weft::Waker> wakers;
  std::atomic<int> stored{0};

  void put(const weft::Waker& waker) {
    {
      std::lock_guard lock(mutex);
      wakers.push_back(waker);
    }
    bump_and_notify(stored);
  }
  std::vector<weft::Waker> take_all() {
    std::lock_guard lock(mutex);
    return std::move(wakers);
  }
};

// Pending (leaving its waker in `drop`) until `release` is set; counts its polls.
struct ParkUntilReleased {
  WakerDrop* drop;
  std::atomic<bool>* release;
  std::atomic<int>* polls;
  weft::Poll<int> poll(weft::Context& cx) {
    polls->fetch_add(1);
    if (release->load()) return polls->load();
    drop->put(cx.waker());
    return weft::pending;
  }
};

weft::Task<void> noop() {
  co_return;
}

// A future publishes its waker before its poll returns, so a test that has the waker may
// still race with the end of that poll (a wake then only marks the running task, which its
// worker re-queues). On a single-worker runtime, running one more task to completion
// proves that every earlier poll has returned.
void let_polls_finish(weft::Runtime& rt) {
  ASSERT_EQ(rt.worker_count(), 1u);
  rt.block_on(noop());
}

TEST(Waker, ManyWakesBeforeTheTaskRunsPollItOnce) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  WakerDrop drop;
  std::atomic<bool> release{false};
  std::atomic<int> polls{0};
  auto handle = rt.spawn(ParkUntilReleased{&drop, &release, &polls});
  wait_at_least(drop.stored, 1);
  EXPECT_EQ(polls.load(), 1);

  // Keep the only worker busy so that the task cannot run while we wake it.
  weft_test::HeldWorker held(rt);

  release.store(true);
  std::vector<weft::Waker> wakers = drop.take_all();
  ASSERT_EQ(wakers.size(), 1u);
  for (int i = 0; i < 100; ++i) wakers[0].wake_by_ref();
  std::vector<weft::Waker> clones(100, wakers[0]);
  for (auto& w : clones) w.wake();  // consuming wakes of clones count the same
  held.release();

  EXPECT_EQ(wait_for_result(handle), 2) << "the task must be polled exactly once more";
  EXPECT_EQ(polls.load(), 2);
}

// Wakes its own task during its poll, through the borrowed waker or through a clone.
struct SelfWaking {
  int pending_polls;
  bool through_clone;
  std::atomic<int>* polls;
  weft::Poll<int> poll(weft::Context& cx) {
    const int n = polls->fetch_add(1) + 1;
    if (n > pending_polls) return n;
    if (through_clone) {
      weft::Waker clone = cx.waker();
      clone.wake();
    } else {
      cx.waker().wake_by_ref();
      cx.waker().wake_by_ref();  // a second wake in the same poll changes nothing
    }
    return weft::pending;
  }
};

TEST(Waker, AWakeDuringItsOwnPollRequeuesTheTask) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  for (bool through_clone : {false, true}) {
    std::atomic<int> polls{0};
    auto handle = rt.spawn(SelfWaking{10, through_clone, &polls});
    EXPECT_EQ(wait_for_result(handle), 11) << "through_clone=" << through_clone;
  }
}

// Records whether the waker of each poll would wake the same thing as the first one.
struct WillWakeProbe {
  weft::Waker* first;
  std::atomic<int>* same;
  int polls = 0;
  weft::Poll<void> poll(weft::Context& cx) {
    if (polls++ == 0) {
      *first = cx.waker();
    } else if (first->will_wake(cx.waker())) {
      same->fetch_add(1);
    }
    if (polls == 4) return weft::ready;
    cx.waker().wake_by_ref();
    return weft::pending;
  }
};

TEST(Waker, WillWakeIdentifiesTheTaskAcrossPolls) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::Waker first_a;
  weft::Waker first_b;
  std::atomic<int> same_a{0};
  std::atomic<int> same_b{0};
  auto a = rt.spawn(WillWakeProbe{&first_a, &same_a});
  auto b = rt.spawn(WillWakeProbe{&first_b, &same_b});
  wait_for_result(a);
  wait_for_result(b);
  EXPECT_EQ(same_a.load(), 3);
  EXPECT_EQ(same_b.load(), 3);
  EXPECT_TRUE(first_a.will_wake(first_a));
  weft::Waker copy = first_a;
  EXPECT_TRUE(copy.will_wake(first_a));
  EXPECT_FALSE(first_a.will_wake(first_b)) << "two tasks' wakers must differ";
  // These wakers outlive their (completed) tasks: waking them now does nothing harmful.
  first_a.wake_by_ref();
  first_b.wake();
}

// Pending until `value` has changed since the previous poll; a foreign thread changes it
// and wakes the task.
struct AwaitGeneration {
  std::atomic<int>* generation;
  weft::AtomicWaker* slot;
  int seen;
  weft::Poll<int> poll(weft::Context& cx) {
    if (generation->load() != seen) return generation->load();
    slot->register_waker(cx.waker());
    if (generation->load() != seen) return generation->load();
    return weft::pending;
  }
};

weft::Task<int> follow_generations(std::atomic<int>* generation, weft::AtomicWaker* slot,
                                   std::atomic<int>* acknowledged, int rounds) {
  int seen = 0;
  while (seen < rounds) {
    seen = co_await AwaitGeneration{generation, slot, seen};
    acknowledged->store(seen);
    acknowledged->notify_all();
  }
  co_return seen;
}

TEST(Waker, WakesFromAForeignThread) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> generation{0};
  std::atomic<int> acknowledged{0};
  weft::AtomicWaker slot;
  const int rounds = 1000 * weft_test::kScale;
  auto handle = rt.spawn(follow_generations(&generation, &slot, &acknowledged, rounds));
  std::thread driver([&] {
    for (int g = 1; g <= rounds; ++g) {
      generation.store(g);
      slot.wake();
      wait_at_least(acknowledged, g);  // one step at a time: each wake must get through
    }
  });
  EXPECT_EQ(wait_for_result(handle), rounds);
  driver.join();
}

// A task waits until `counter` reaches `target`; several foreign threads bump the counter
// and wake the task concurrently, far more often than it can run.
struct AwaitCount {
  std::atomic<int>* counter;
  int target;
  weft::AtomicWaker* slot;
  std::atomic<int>* polls;
  weft::Poll<int> poll(weft::Context& cx) {
    polls->fetch_add(1);
    if (counter->load() >= target) return counter->load();
    slot->register_waker(cx.waker());
    if (counter->load() >= target) return counter->load();
    return weft::pending;
  }
};

TEST(Waker, ConcurrentWakesFromManyThreads) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> counter{0};
  std::atomic<int> polls{0};
  weft::AtomicWaker slot;
  constexpr int kThreads = 4;
  const int per_thread = 2000 * weft_test::kScale;
  auto handle = rt.spawn(AwaitCount{&counter, kThreads * per_thread, &slot, &polls});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        counter.fetch_add(1);
        slot.wake();
      }
    });
  }
  EXPECT_EQ(wait_for_result(handle), kThreads * per_thread);
  for (auto& t : threads) t.join();
  // No bound on polls: while a wake() is between taking the registered waker and
  // releasing the slot, a registration wakes its own task at once (AtomicWaker's
  // no-lost-wakeup rule), so a preempted waker thread can cost the task extra polls.
  EXPECT_GE(polls.load(), 1);
}

TEST(Waker, AWakerOutlivingItsTaskAndRuntimeIsHarmless) {
  Watchdog watchdog;
  WakerDrop drop;
  std::atomic<bool> release{false};
  std::atomic<int> polls{0};
  std::vector<weft::Waker> kept;
  {
    weft::Runtime rt(config_with(1));
    auto handle = rt.spawn(ParkUntilReleased{&drop, &release, &polls});
    wait_at_least(drop.stored, 1);
    kept = drop.take_all();
  }  // the runtime cancels the parked task; our waker still references it
  ASSERT_EQ(kept.size(), 1u);
  weft::Waker clone = kept[0];
  {
    weft::WakeBatch batch;  // a batch must not queue it either
    batch.add_by_ref(kept[0]);
    batch.add(weft::Waker(clone));
    EXPECT_EQ(batch.size(), 0u);
  }
  kept[0].wake_by_ref();
  kept[0].wake();
  EXPECT_FALSE(static_cast<bool>(kept[0]));
  clone.reset();  // the last reference frees the task (ASan checks it is neither leaked
                  // nor freed twice)
  EXPECT_EQ(polls.load(), 1);
}

// Hands out the task's waker and is ready at once.
struct GrabWaker {
  WakerDrop* drop;
  weft::Poll<void> poll(weft::Context& cx) {
    drop->put(cx.waker());
    return weft::ready;
  }
};

// Pending until the oneshot delivers, counting its polls. It has a constructor on purpose:
// g++ 12.2 duplicates an *aggregate* temporary bitwise when it is the operand of co_await
// (`co_await Agg{std::move(rx)}`) and then destroys both copies, so a move-only member such
// as a Receiver would be released twice (heap-use-after-free under ASan).
struct CountingReceive {
  CountingReceive(weft::oneshot::Receiver<int> r, std::atomic<int>* p)
      : rx(std::move(r)), polls(p) {}
  weft::oneshot::Receiver<int> rx;
  std::atomic<int>* polls;
  weft::Poll<int> poll(weft::Context& cx) {
    polls->fetch_add(1);
    return rx.poll(cx);
  }
};

weft::Task<int> inner_wait(weft::oneshot::Receiver<int> rx, std::atomic<int>* leaf_polls,
                           std::atomic<int>* resumes) {
  const int v = co_await CountingReceive{std::move(rx), leaf_polls};
  resumes->fetch_add(1);
  co_return v;
}

weft::Task<int> outer_wait(WakerDrop* drop, weft::oneshot::Receiver<int> rx,
                           std::atomic<int>* leaf_polls, std::atomic<int>* resumes) {
  co_await GrabWaker{drop};
  const int v = co_await inner_wait(std::move(rx), leaf_polls, resumes);
  resumes->fetch_add(1);
  co_return v;
}

// Wakes that do not come from the awaited future (a stale waker kept elsewhere) re-poll the
// leaf future and nothing else: the coroutines are resumed only once it is ready.
TEST(Waker, SpuriousWakesRepollOnlyTheLeafFuture) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  WakerDrop drop;
  std::atomic<int> leaf_polls{0};
  std::atomic<int> resumes{0};
  auto [tx, rx] = weft::oneshot::channel<int>();
  auto handle = rt.spawn(outer_wait(&drop, std::move(rx), &leaf_polls, &resumes));
  wait_at_least(drop.stored, 1);
  std::vector<weft::Waker> wakers = drop.take_all();
  ASSERT_EQ(wakers.size(), 1u);
  const int spurious = 200 * weft_test::kScale;
  for (int i = 0; i < spurious; ++i) {
    wakers[0].wake_by_ref();
    if (i % 16 == 0) std::this_thread::yield();  // let some of them turn into polls
  }
  EXPECT_EQ(resumes.load(), 0);
  EXPECT_FALSE(handle.is_finished());
  EXPECT_TRUE(tx.send(31));
  EXPECT_EQ(wait_for_result(handle), 31);
  EXPECT_EQ(resumes.load(), 2);
  EXPECT_GE(leaf_polls.load(), 2);
  EXPECT_LE(leaf_polls.load(), spurious + 3);  // + first poll, the send, one AtomicWaker race
}

// N tasks parked until the batch wakes them all.
TEST(WakeBatch, DeliversManyWakesAtOnce) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  const int n = 200 * weft_test::kScale;
  WakerDrop drop;
  std::atomic<bool> release{false};
  std::vector<std::atomic<int>> polls(n);
  std::vector<weft::JoinHandle<int>> handles;
  for (int i = 0; i < n; ++i)
    handles.push_back(rt.spawn(ParkUntilReleased{&drop, &release, &polls[i]}));
  wait_at_least(drop.stored, n);
  release.store(true);
  std::vector<weft::Waker> wakers = drop.take_all();
  ASSERT_EQ(wakers.size(), static_cast<std::size_t>(n));
  {
    weft::WakeBatch batch;
    for (int i = 0; i < n; ++i) {
      if (i % 2 == 0) {
        batch.add(std::move(wakers[i]));
      } else {
        batch.add_by_ref(wakers[i]);
      }
    }
    // A task whose first poll had published its waker but not yet returned is not taken
    // into the batch: the wake marks it, and its worker re-queues it itself. Only those
    // may run before the flush; every task the batch holds waits for it.
    const std::size_t in_batch = batch.size();
    EXPECT_LE(in_batch, static_cast<std::size_t>(n));
    EXPECT_GE(in_batch, static_cast<std::size_t>(n) / 2) << "most polls had long returned";
    std::size_t finished_early = 0;
    for (auto& h : handles) finished_early += h.is_finished();
    EXPECT_LE(finished_early, n - in_batch) << "a task held by the batch ran before the flush";
    batch.flush();
    EXPECT_EQ(batch.size(), 0u);
  }
  for (int i = 0; i < n; ++i) EXPECT_EQ(wait_for_result(handles[i]), 2);
}

TEST(WakeBatch, TheDestructorFlushes) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  WakerDrop drop;
  std::atomic<bool> release{false};
  std::atomic<int> polls{0};
  auto handle = rt.spawn(ParkUntilReleased{&drop, &release, &polls});
  wait_at_least(drop.stored, 1);
  let_polls_finish(rt);
  release.store(true);
  {
    weft::WakeBatch batch;
    for (auto& w : drop.take_all()) batch.add(std::move(w));
    EXPECT_EQ(batch.size(), 1u);
    EXPECT_FALSE(handle.is_finished());
  }
  EXPECT_EQ(wait_for_result(handle), 2);
}

// Parks on its first poll, leaving its waker in its own slot; on the second poll it records
// its number in the order the worker got to it.
struct RecordOrderOfSecondPoll {
  int id;
  std::vector<weft::Waker>* wakers;
  std::atomic<int>* parked;
  std::mutex* order_mutex;
  std::vector<int>* order;
  bool woken = false;
  weft::Poll<void> poll(weft::Context& cx) {
    if (!woken) {
      woken = true;
      (*wakers)[static_cast<std::size_t>(id)] = cx.waker();
      bump_and_notify(*parked);
      return weft::pending;
    }
    std::lock_guard lock(*order_mutex);
    order->push_back(id);
    return weft::ready;
  }
};

// Wakes bound for one worker run in the order they were added (for the reactor: the order
// in which the sockets became ready), so no task is passed over by those woken after it.
// A batch bigger than 16 is what an unstable sort by worker would have shuffled.
TEST(WakeBatch, TasksForOneWorkerRunInTheOrderTheyWereAdded) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  constexpr int n = 100;  // fits one inbox-to-local-queue batch, so one worker runs them in turn
  std::vector<weft::Waker> wakers(n);
  std::atomic<int> parked{0};
  std::mutex order_mutex;
  std::vector<int> order;
  std::vector<weft::JoinHandle<void>> handles;
  for (int i = 0; i < n; ++i) {
    handles.push_back(rt.spawn(RecordOrderOfSecondPoll{i, &wakers, &parked, &order_mutex, &order}));
  }
  wait_at_least(parked, n);
  let_polls_finish(rt);
  std::vector<int> wake_order;
  for (int i = 0; i < n; ++i) wake_order.push_back(i * 37 % n);  // a fixed scramble
  {
    weft::WakeBatch batch;
    for (int id : wake_order) batch.add(std::move(wakers[static_cast<std::size_t>(id)]));
    ASSERT_EQ(batch.size(), static_cast<std::size_t>(n));
  }
  for (auto& h : handles) wait_for_result(h);
  std::lock_guard lock(order_mutex);
  EXPECT_EQ(order, wake_order);
}

TEST(WakeBatch, ATaskAddedTwiceIsPolledOnce) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  WakerDrop drop;
  std::atomic<bool> release{false};
  std::atomic<int> polls{0};
  auto handle = rt.spawn(ParkUntilReleased{&drop, &release, &polls});
  wait_at_least(drop.stored, 1);
  let_polls_finish(rt);
  release.store(true);
  std::vector<weft::Waker> wakers = drop.take_all();
  weft::WakeBatch batch;
  batch.add_by_ref(wakers[0]);
  batch.add_by_ref(wakers[0]);
  batch.add(std::move(wakers[0]));
  EXPECT_EQ(batch.size(), 1u);
  batch.flush();
  EXPECT_EQ(wait_for_result(handle), 2);
  EXPECT_EQ(polls.load(), 2);
}

using CountingWaker = weft_test::ProbeWaker;

TEST(WakeBatch, NonTaskWakersAreWokenImmediately) {
  CountingWaker counter;
  {
    weft::WakeBatch batch;
    batch.add(counter.waker());
    EXPECT_EQ(counter.wakes.load(), 1);
    weft::Waker kept = counter.waker();
    batch.add_by_ref(kept);
    EXPECT_EQ(counter.wakes.load(), 2);
    EXPECT_EQ(batch.size(), 0u);
    batch.add(weft::Waker());  // an empty waker is fine too
  }
  EXPECT_EQ(counter.refs.load(), 0);
}

TEST(WakeBatch, TasksOfTwoRuntimesInOneBatch) {
  Watchdog watchdog;
  weft::Runtime rt1(config_with(1));
  weft::Runtime rt2(config_with(2));
  WakerDrop drop;
  std::atomic<bool> release{false};
  const int per_runtime = 20;
  std::vector<std::atomic<int>> polls(2 * per_runtime);
  std::vector<weft::JoinHandle<int>> handles;
  for (int i = 0; i < per_runtime; ++i) {
    handles.push_back(rt1.spawn(ParkUntilReleased{&drop, &release, &polls[2 * i]}));
    handles.push_back(rt2.spawn(ParkUntilReleased{&drop, &release, &polls[2 * i + 1]}));
  }
  wait_at_least(drop.stored, 2 * per_runtime);
  release.store(true);
  std::vector<weft::Waker> wakers = drop.take_all();
  std::shuffle(wakers.begin(), wakers.end(), std::mt19937(7));
  weft::WakeBatch batch;
  for (auto& w : wakers) batch.add(std::move(w));
  batch.flush();
  for (auto& h : handles) EXPECT_EQ(wait_for_result(h), 2);
}

TEST(WakeBatch, FromAWorkerThread) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  const int n = 50;
  WakerDrop drop;
  std::atomic<bool> release{false};
  std::vector<std::atomic<int>> polls(n);
  std::vector<weft::JoinHandle<int>> handles;
  for (int i = 0; i < n; ++i)
    handles.push_back(rt.spawn(ParkUntilReleased{&drop, &release, &polls[i]}));
  wait_at_least(drop.stored, n);
  release.store(true);
  struct FlushAll {
    WakerDrop* drop;
    weft::Poll<void> poll(weft::Context&) {
      weft::WakeBatch batch;
      for (auto& w : drop->take_all()) batch.add(std::move(w));
      return weft::ready;
    }
  };
  auto flusher = rt.spawn(FlushAll{&drop});
  wait_for_result(flusher);
  for (auto& h : handles) EXPECT_EQ(wait_for_result(h), 2);
}

}  // namespace
