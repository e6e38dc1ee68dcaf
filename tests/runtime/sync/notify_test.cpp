// weft::Notify: the stored permit (notify before wait is not lost; at most one), FIFO
// notify_one, notify_all (current waiters only, no permit), a notified waiter that is
// cancelled passes the notification on, timeout, and a producer/consumer stress test.

#include <weft/runtime/sync/notify.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "sync_test_support.hpp"

namespace {

using weft_sync_test::observed;
using weft_test::config_with;
using weft_test::wait_at_least;
using weft_test::wait_for_result;
using weft_test::Watchdog;

weft::Task<int> wait_notified(weft::Notify* notify, int id, std::atomic<int>* queued) {
  co_await observed(notify->notified(), queued);
  co_return id;
}

// 1 if notified within 20 ms, 0 if it timed out.
weft::Task<int> notified_soon(weft::Notify* notify) {
  return weft_sync_test::completes_within_20ms([notify] { return notify->notified(); });
}

TEST(Notify, NotifyOneBeforeTheWaitIsNotLost) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  weft::Notify notify;
  notify.notify_one();
  EXPECT_EQ(rt.block_on(notified_soon(&notify)), 1);
  EXPECT_EQ(rt.block_on(notified_soon(&notify)), 0) << "the permit was consumed";
}

TEST(Notify, AtMostOnePermitIsStored) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  weft::Notify notify;
  notify.notify_one();
  notify.notify_one();
  notify.notify_one();
  EXPECT_EQ(rt.block_on(notified_soon(&notify)), 1);
  EXPECT_EQ(rt.block_on(notified_soon(&notify)), 0);
}

TEST(Notify, NotifyOneWakesTheWaitersOneAtATimeInArrivalOrder) {
  for (std::size_t workers : {1u, 2u, 4u}) {
    Watchdog watchdog;
    weft::Runtime rt(config_with(workers));
    weft::Notify notify;
    std::atomic<int> queued{0};
    std::vector<weft::JoinHandle<int>> handles;
    for (int i = 0; i < 4; ++i) {
      handles.push_back(rt.spawn(wait_notified(&notify, i, &queued)));
      wait_at_least(queued, i + 1);
    }
    for (int i = 0; i < 4; ++i) {
      notify.notify_one();  // from a plain thread
      EXPECT_EQ(wait_for_result(handles[i]), i);
      for (int later = i + 1; later < 4; ++later) EXPECT_FALSE(handles[later].is_finished());
    }
    EXPECT_EQ(rt.block_on(notified_soon(&notify)), 0) << "nothing stored while waiters took them";
  }
}

TEST(Notify, NotifyAllWakesEveryWaiterAndStoresNoPermit) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::Notify notify;
  std::atomic<int> queued{0};
  std::vector<weft::JoinHandle<int>> handles;
  for (int i = 0; i < 5; ++i) {
    handles.push_back(rt.spawn(wait_notified(&notify, i, &queued)));
    wait_at_least(queued, i + 1);
  }
  notify.notify_all();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(wait_for_result(handles[i]), i);
  EXPECT_EQ(rt.block_on(notified_soon(&notify)), 0);
  notify.notify_all();  // nobody waiting: nothing happens, nothing stored
  EXPECT_EQ(rt.block_on(notified_soon(&notify)), 0);
}

TEST(Notify, NotifyAllCountsForAFutureCreatedBeforeIt) {
  weft::Notify notify;
  auto before = notify.notified();  // created, not yet polled
  notify.notify_all();
  auto after = notify.notified();
  wait_for_result(before);  // ready: it existed when notify_all() ran
  notify.notify_one();      // `after` did not see notify_all(); it needs its own
  wait_for_result(after);
}

TEST(Notify, AWaiterCancelledAfterNotifyOnePassesItToTheNext) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  weft::Notify notify;
  std::atomic<int> queued{0};
  auto a = rt.spawn(wait_notified(&notify, 1, &queued));
  wait_at_least(queued, 1);
  auto b = rt.spawn(wait_notified(&notify, 2, &queued));
  wait_at_least(queued, 2);
  weft_test::HeldWorker held(rt);
  notify.notify_one();  // picks `a`, which cannot run to see it
  a.abort();
  held.release();
  EXPECT_THROW(wait_for_result(a), weft::TaskCancelled);
  EXPECT_EQ(wait_for_result(b), 2) << "the notification died with the cancelled waiter";
}

TEST(Notify, AWaiterCancelledAfterNotifyOneWithNobodyBehindStoresThePermit) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  weft::Notify notify;
  std::atomic<int> queued{0};
  auto a = rt.spawn(wait_notified(&notify, 1, &queued));
  wait_at_least(queued, 1);
  weft_test::HeldWorker held(rt);
  notify.notify_one();
  a.abort();
  held.release();
  EXPECT_THROW(wait_for_result(a), weft::TaskCancelled);
  EXPECT_EQ(rt.block_on(notified_soon(&notify)), 1) << "the permit went back to the Notify";
}

TEST(Notify, AbortedUnnotifiedWaiterTakesNothing) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::Notify notify;
  std::atomic<int> queued{0};
  auto a = rt.spawn(wait_notified(&notify, 1, &queued));
  wait_at_least(queued, 1);
  auto b = rt.spawn(wait_notified(&notify, 2, &queued));
  wait_at_least(queued, 2);
  a.abort();
  EXPECT_THROW(wait_for_result(a), weft::TaskCancelled);
  notify.notify_one();
  EXPECT_EQ(wait_for_result(b), 2);
  EXPECT_EQ(rt.block_on(notified_soon(&notify)), 0);
}

TEST(Notify, TimeoutAroundAWaitLeavesNoWaiterBehind) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  weft::Notify notify;
  EXPECT_EQ(rt.block_on(notified_soon(&notify)), 0);
  // Had the timed-out waiter stayed queued, notify_one() would be wasted on it.
  notify.notify_one();
  EXPECT_EQ(rt.block_on(notified_soon(&notify)), 1);
}

weft::Task<int> consume(weft::Notify* notify, std::atomic<int>* items, std::atomic<int>* taken,
                        const std::atomic<bool>* done) {
  int mine = 0;
  for (;;) {
    // Created before the checks, so a notify_all() between check and wait still counts.
    auto wakeup = notify->notified();
    for (int n = items->load(); n > 0;) {
      if (items->compare_exchange_weak(n, n - 1)) {
        ++mine;
        taken->fetch_add(1);
        n = items->load();
      }
    }
    if (done->load()) {
      // The producer finished before this check; no item arrives any more after the drain.
      if (items->load() == 0) co_return mine;
      continue;
    }
    co_await std::move(wakeup);
  }
}

TEST(Notify, StressProducerConsumerLosesNoWakeup) {
  for (std::size_t workers : {1u, 2u, 4u}) {
    Watchdog watchdog;
    weft::Runtime rt(config_with(workers));
    weft::Notify notify;
    std::atomic<int> items{0};
    std::atomic<int> taken{0};
    std::atomic<bool> done{false};
    const int total = 300 * weft_test::kScale;
    std::vector<weft::JoinHandle<int>> consumers;
    for (int c = 0; c < 3; ++c)
      consumers.push_back(rt.spawn(consume(&notify, &items, &taken, &done)));
    std::thread producer([&] {
      for (int i = 0; i < total; ++i) {
        items.fetch_add(1);
        notify.notify_one();
      }
      done.store(true);
      notify.notify_all();
    });
    int sum = 0;
    for (auto& consumer : consumers) sum += wait_for_result(consumer);
    producer.join();
    EXPECT_EQ(sum, total) << "workers=" << workers;
    EXPECT_EQ(taken.load(), total);
    EXPECT_EQ(items.load(), 0);
  }
}

}  // namespace
