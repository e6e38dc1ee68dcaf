// JoinHandle::abort(): a parked task, a running task, a task not yet started, a finished
// task, a whole chain of coroutines, and aborts racing with completion from foreign threads.
// Every case checks that the coroutine frame was destroyed (RAII guards) and that awaiting
// the handle throws weft::TaskCancelled.

#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <memory>
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

weft::Task<int> parked_on_oneshot(std::atomic<int>* live, weft::oneshot::Sender<int> started,
                                  weft::oneshot::Receiver<int> rx) {
  LiveGuard guard(*live);
  started.send(1);
  co_return co_await rx;
}

using ParkedBody = weft::Task<int> (*)(std::atomic<int>*, weft::oneshot::Sender<int>,
                                       weft::oneshot::Receiver<int>);

// A task parked on a oneshot. The test keeps the Sender: it sees the task's Receiver go when
// the frame is destroyed.
struct ParkedTask {
  weft::oneshot::Sender<int> tx;
  weft::JoinHandle<int> handle;
};

// Returns once `body` has run up to its await, so that an abort finds it parked.
ParkedTask spawn_parked(weft::Runtime& rt, std::atomic<int>& live,
                        ParkedBody body = parked_on_oneshot) {
  auto [started_tx, started_rx] = weft::oneshot::channel<int>();
  auto [tx, rx] = weft::oneshot::channel<int>();
  auto handle = rt.spawn(body(&live, std::move(started_tx), std::move(rx)));
  wait_for_result(started_rx);
  return ParkedTask{std::move(tx), std::move(handle)};
}

TEST(Abort, TaskParkedOnAOneshotIsCancelledAndItsFrameDestroyed) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  auto parked = spawn_parked(rt, live);
  EXPECT_EQ(live.load(), 1);
  EXPECT_FALSE(parked.tx.is_closed());

  parked.handle.abort();
  EXPECT_THROW(wait_for_result(parked.handle), weft::TaskCancelled);
  EXPECT_TRUE(parked.handle.is_finished());
  EXPECT_EQ(live.load(), 0) << "the aborted task's frame was not destroyed";
  EXPECT_TRUE(parked.tx.is_closed()) << "destroying the frame drops its Receiver";
  EXPECT_FALSE(parked.tx.send(5));
}

TEST(Abort, TaskCancelledIsAWeftError) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  std::atomic<int> live{0};
  auto parked = spawn_parked(rt, live);
  parked.handle.abort();
  EXPECT_THROW(wait_for_result(parked.handle), weft::Error);
}

weft::Task<int> quick(int v) {
  co_return v;
}

weft::Task<void> yields_forever(std::atomic<int>* live, std::atomic<int>* iterations) {
  LiveGuard guard(*live);
  for (;;) {
    bump_and_notify(*iterations);
    co_await weft::yield_now();
  }
}

TEST(Abort, RunningTaskThatKeepsYieldingIsCancelled) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  std::atomic<int> iterations{0};
  auto handle = rt.spawn(yields_forever(&live, &iterations));
  wait_at_least(iterations, 10);
  handle.abort();
  EXPECT_THROW(wait_for_result(handle), weft::TaskCancelled);
  EXPECT_EQ(live.load(), 0);
  const int after = iterations.load();
  // Nothing polls it any more: give the workers other work and every chance to (wrongly)
  // poll it again.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(rt.block_on(quick(i)), i);
  EXPECT_EQ(iterations.load(), after);
}

weft::Task<void> busy_then_yield(std::atomic<int>* live, std::atomic<int>* iterations) {
  LiveGuard guard(*live);
  for (;;) {
    // Runs long stretches without suspending, so the abort often lands mid-poll.
    for (int i = 0; i < 1000; ++i) bump_and_notify(*iterations);
    co_await weft::yield_now();
  }
}

TEST(Abort, AbortDuringAPollTakesEffectAtTheNextSuspension) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  for (int round = 0; round < 20 * weft_test::kScale; ++round) {
    std::atomic<int> live{0};
    std::atomic<int> iterations{0};
    auto handle = rt.spawn(busy_then_yield(&live, &iterations));
    wait_at_least(iterations, 1 + round % 1500);
    handle.abort();
    EXPECT_THROW(wait_for_result(handle), weft::TaskCancelled);
    ASSERT_EQ(live.load(), 0);
  }
}

weft::Task<int> must_not_run(std::shared_ptr<int> token, std::atomic<bool>* ran) {
  ran->store(true);
  co_return *token;
}

TEST(Abort, TaskAbortedBeforeItsFirstPollNeverRuns) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  weft_test::HeldWorker held(rt);  // the only worker is now busy

  std::atomic<bool> ran{false};
  auto token = std::make_shared<int>(3);
  std::weak_ptr<int> weak = token;
  auto handle = rt.spawn(must_not_run(std::move(token), &ran));
  handle.abort();
  handle.abort();  // twice is harmless
  held.release();

  EXPECT_THROW(wait_for_result(handle), weft::TaskCancelled);
  EXPECT_FALSE(ran.load());
  EXPECT_TRUE(weak.expired()) << "the unstarted frame (and its parameters) must be destroyed";
}

TEST(Abort, AbortAfterCompletionIsANoOp) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto handle = rt.spawn(quick(17));
  auto other = rt.spawn(quick(18));
  EXPECT_EQ(wait_for_result(other), 18);
  // Wait for completion without consuming the result: await a second task that awaits it
  // would consume it, so poll the state instead.
  ASSERT_TRUE(weft_test::eventually([&] { return handle.is_finished(); }));
  handle.abort();
  EXPECT_EQ(wait_for_result(handle), 17);
}

weft::Task<int> level3(std::atomic<int>* live, weft::oneshot::Sender<int> started,
                       weft::oneshot::Receiver<int> rx) {
  LiveGuard guard(*live);
  started.send(1);
  co_return co_await rx;
}
weft::Task<int> level2(std::atomic<int>* live, weft::oneshot::Sender<int> started,
                       weft::oneshot::Receiver<int> rx) {
  LiveGuard guard(*live);
  co_return 1 + co_await level3(live, std::move(started), std::move(rx));
}
weft::Task<int> level1(std::atomic<int>* live, weft::oneshot::Sender<int> started,
                       weft::oneshot::Receiver<int> rx) {
  LiveGuard guard(*live);
  co_return 1 + co_await level2(live, std::move(started), std::move(rx));
}

TEST(Abort, DestroysTheWholeChainOfAwaitedCoroutines) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  auto parked = spawn_parked(rt, live, level1);
  EXPECT_EQ(live.load(), 3);
  parked.handle.abort();
  EXPECT_THROW(wait_for_result(parked.handle), weft::TaskCancelled);
  EXPECT_EQ(live.load(), 0);
}

weft::Task<int> child_reports(weft::oneshot::Receiver<int> rx, weft::oneshot::Sender<int> out) {
  const int v = co_await rx;
  out.send(v + 1);
  co_return v;
}

weft::Task<int> parent_awaits_child(weft::oneshot::Receiver<int> rx, weft::oneshot::Sender<int> out,
                                    weft::oneshot::Sender<int> started) {
  auto child = weft::spawn(child_reports(std::move(rx), std::move(out)));
  started.send(1);
  co_return co_await child;
}

TEST(Abort, AbortingAParentDetachesRatherThanCancelsItsSpawnedChild) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::oneshot::channel<int>();
  auto [out_tx, out_rx] = weft::oneshot::channel<int>();
  auto [started_tx, started_rx] = weft::oneshot::channel<int>();
  auto parent =
      rt.spawn(parent_awaits_child(std::move(rx), std::move(out_tx), std::move(started_tx)));
  wait_for_result(started_rx);
  parent.abort();
  EXPECT_THROW(wait_for_result(parent), weft::TaskCancelled);
  EXPECT_TRUE(tx.send(1));
  EXPECT_EQ(wait_for_result(out_rx), 2);
}

weft::Task<bool> abort_from_task(weft::JoinHandle<int> victim) {
  victim.abort();
  try {
    co_await victim;
  } catch (const weft::TaskCancelled&) {
    co_return true;
  }
  co_return false;
}

TEST(Abort, OneTaskCanAbortAnother) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  auto victim = spawn_parked(rt, live);
  EXPECT_TRUE(rt.block_on(abort_from_task(std::move(victim.handle))));
  EXPECT_EQ(live.load(), 0);
}

struct CountingHandler {
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
  void operator()(std::exception_ptr) const { calls->fetch_add(1); }
};

TEST(Abort, CancellationOfADetachedTaskIsNotReportedAsAnError) {
  Watchdog watchdog;
  CountingHandler handler;
  weft::Runtime rt(
      weft::Config::builder().worker_threads(2).unhandled_exception_handler(handler).build());
  std::atomic<int> live{0};
  auto parked = spawn_parked(rt, live);
  parked.handle.abort();
  { auto dropped = std::move(parked.handle); }  // right after the abort
  // The abort destroys the frame, which drops the Receiver: wait for that.
  ASSERT_TRUE(weft_test::eventually([&] { return parked.tx.is_closed(); }));
  EXPECT_EQ(live.load(), 0);
  rt.shutdown();
  EXPECT_EQ(handler.calls->load(), 0);
}

// Many tasks, each either finishing on its own (its oneshot gets a value) or aborted, with
// the sends and the aborts coming from different foreign threads at the same time. Every
// handle must resolve to exactly one of the two outcomes and every frame must go.
TEST(Abort, RacesWithCompletionFromForeignThreads) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  const int n = 200 * weft_test::kScale;
  std::atomic<int> live{0};
  std::vector<weft::oneshot::Sender<int>> senders;
  std::vector<weft::oneshot::Receiver<int>> started;
  std::vector<weft::JoinHandle<int>> handles;
  for (int i = 0; i < n; ++i) {
    auto [started_tx, started_rx] = weft::oneshot::channel<int>();
    auto [tx, rx] = weft::oneshot::channel<int>();
    handles.push_back(rt.spawn(parked_on_oneshot(&live, std::move(started_tx), std::move(rx))));
    senders.push_back(std::move(tx));
    started.push_back(std::move(started_rx));
  }
  std::latch go(3);
  std::thread sender([&] {
    go.arrive_and_wait();
    for (int i = 0; i < n; ++i) senders[i].send(i);
  });
  std::thread aborter_even([&] {
    go.arrive_and_wait();
    for (int i = 0; i < n; i += 2) handles[i].abort();
  });
  std::thread aborter_all([&] {
    go.arrive_and_wait();
    for (int i = n - 1; i >= 0; --i) handles[i].abort();
  });
  sender.join();
  aborter_even.join();
  aborter_all.join();
  int completed = 0;
  int cancelled = 0;
  for (int i = 0; i < n; ++i) {
    try {
      EXPECT_EQ(wait_for_result(handles[i]), i);
      ++completed;
    } catch (const weft::TaskCancelled&) {
      ++cancelled;
    }
  }
  EXPECT_EQ(completed + cancelled, n);
  EXPECT_EQ(live.load(), 0);
}

TEST(Abort, ConcurrentAbortsOfRunningTasks) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  const int n = 50 * weft_test::kScale;
  std::atomic<int> live{0};
  std::vector<std::atomic<int>> iterations(n);
  std::vector<weft::JoinHandle<void>> handles;
  for (int i = 0; i < n; ++i) handles.push_back(rt.spawn(yields_forever(&live, &iterations[i])));
  std::latch go(2);
  auto abort_all = [&](unsigned seed) {
    std::vector<int> order(n);
    for (int i = 0; i < n; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937(seed));
    go.arrive_and_wait();
    for (int i : order) handles[i].abort();
  };
  std::thread a(abort_all, 1u);
  std::thread b(abort_all, 2u);
  a.join();
  b.join();
  for (auto& h : handles) EXPECT_THROW(wait_for_result(h), weft::TaskCancelled);
  EXPECT_EQ(live.load(), 0);
}

}  // namespace
