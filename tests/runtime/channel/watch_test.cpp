// weft::watch: the latest value, versions per receiver (changed, has_changed,
// mark_unchanged, borrow_and_update), send variants, closing both ways, abort and timeout
// around changed(), and a stress test where receivers never see a value go backwards.

#include <weft/runtime/watch.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "channel_test_support.hpp"

namespace {

using weft_test::bump_and_notify;
using weft_test::config_with;
using weft_test::LiveGuard;
using weft_test::wait_at_least;
using weft_test::wait_for_result;
using weft_test::Watchdog;

TEST(Watch, BorrowSeesTheLatestValueAndVersionsArePerReceiver) {
  auto [tx, rx] = weft::watch::channel<std::string>("initial");
  EXPECT_EQ(*rx.borrow(), "initial");
  EXPECT_FALSE(rx.has_changed()) << "the initial value counts as seen";
  EXPECT_FALSE(rx.borrow().has_changed());
  EXPECT_TRUE(tx.send("one"));
  EXPECT_TRUE(tx.send("two"));
  auto copy = rx;  // has seen what rx has seen
  EXPECT_EQ(tx.receiver_count(), 2u);
  EXPECT_TRUE(rx.has_changed());
  EXPECT_TRUE(copy.has_changed());
  {
    auto ref = rx.borrow_and_update();
    EXPECT_TRUE(ref.has_changed());
    EXPECT_EQ(*ref, "two") << "only the latest value is kept";
    EXPECT_EQ(ref->size(), 3u);
  }
  EXPECT_FALSE(rx.has_changed());
  EXPECT_TRUE(copy.has_changed());
  copy.mark_unchanged();
  EXPECT_FALSE(copy.has_changed());
  auto late = tx.subscribe();
  EXPECT_FALSE(late.has_changed()) << "a new receiver has seen the current value";
  EXPECT_EQ(*tx.borrow(), "two");
}

TEST(Watch, SendVariants) {
  auto [tx, rx] = weft::watch::channel<int>(1);
  EXPECT_EQ(tx.send_replace(2), 1);
  EXPECT_TRUE(rx.has_changed());
  rx.mark_unchanged();
  tx.send_modify([](int& v) { v *= 10; });
  EXPECT_TRUE(rx.has_changed());
  EXPECT_EQ(*rx.borrow_and_update(), 20);
  EXPECT_FALSE(tx.send_if_modified([](int& v) { return v == 0; }));
  EXPECT_FALSE(rx.has_changed()) << "an unmodified value is not a new version";
  EXPECT_TRUE(tx.send_if_modified([](int& v) {
    v = 21;
    return true;
  }));
  EXPECT_TRUE(rx.has_changed());
  EXPECT_EQ(*rx.borrow(), 21);
}

TEST(Watch, SendWithoutReceiversStoresTheValueAndReturnsFalse) {
  auto [tx, rx] = weft::watch::channel<int>(0);
  EXPECT_FALSE(tx.is_closed());
  { auto gone = std::move(rx); }
  EXPECT_TRUE(tx.is_closed());
  EXPECT_FALSE(tx.send(5));
  auto late = tx.subscribe();
  EXPECT_EQ(*late.borrow(), 5);
  EXPECT_TRUE(tx.send(6));
}

TEST(Watch, MovedFromEndsThrowLogicError) {
  auto [tx, rx] = weft::watch::channel<int>(0);
  auto tx2 = std::move(tx);
  auto rx2 = std::move(rx);
  EXPECT_THROW(tx.send(1), std::logic_error);  // NOLINT(bugprone-use-after-move)
  EXPECT_THROW(rx.borrow(), std::logic_error);
  EXPECT_THROW(rx.has_changed(), std::logic_error);
  EXPECT_TRUE(rx.is_closed());
  EXPECT_TRUE(tx2.send(1));
  EXPECT_EQ(*rx2.borrow(), 1);
}

weft::Task<int> wait_changed(weft::watch::Receiver<int>* rx, std::atomic<int>* started) {
  bump_and_notify(*started);
  co_await rx->changed();
  co_return *rx->borrow();
}

TEST(Watch, ChangedIsReadyAtOnceWhenANewerValueExists) {
  weft::Runtime rt(config_with(1));
  auto [tx, rx] = weft::watch::channel<int>(0);
  std::atomic<int> started{0};
  tx.send(3);
  EXPECT_EQ(rt.block_on(wait_changed(&rx, &started)), 3);
  EXPECT_FALSE(rx.has_changed()) << "changed() marks the version seen";
}

TEST(Watch, ChangedWaitsForASendFromAnotherThread) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::watch::channel<int>(0);
  for (int i = 1; i <= 50 * weft_test::kScale; ++i) {
    std::atomic<int> started{0};
    auto handle = rt.spawn(wait_changed(&rx, &started));
    wait_at_least(started, 1);
    tx.send(i);
    ASSERT_EQ(wait_for_result(handle), i);
  }
}

weft::Task<std::string> changed_or_closed(weft::watch::Receiver<int> rx,
                                          std::atomic<int>* started) {
  bump_and_notify(*started);
  std::string seen;
  try {
    for (;;) {
      co_await rx.changed();
      seen += std::to_string(*rx.borrow()) + ",";
    }
  } catch (const weft::ChannelClosed&) {
    seen += "closed";
  }
  co_return seen;
}

TEST(Watch, ChangedThrowsChannelClosedOnceTheSenderIsGoneAndTheLastValueSeen) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::watch::channel<int>(0);
  std::atomic<int> started{0};
  auto waiting = rt.spawn(changed_or_closed(rx, &started));
  wait_at_least(started, 1);
  { auto gone = std::move(tx); }
  EXPECT_EQ(wait_for_result(waiting), "closed");
  EXPECT_TRUE(rx.is_closed());
  EXPECT_EQ(*rx.borrow(), 0) << "the value stays readable after the sender left";

  auto [tx2, rx2] = weft::watch::channel<int>(0);
  tx2.send(9);
  { auto gone = std::move(tx2); }
  // A value sent before the sender left is still reported first.
  EXPECT_EQ(rt.block_on(changed_or_closed(std::move(rx2), &started)), "9,closed");
}

weft::Task<void> changed_forever(weft::watch::Receiver<int>* rx, std::atomic<int>* live,
                                 std::atomic<int>* started) {
  LiveGuard guard(*live);
  bump_and_notify(*started);
  co_await rx->changed();
  ADD_FAILURE() << "the aborted waiter completed";
}

TEST(Watch, AbortingAWaiterLosesNoNotification) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::watch::channel<int>(0);
  auto other = rx;
  std::atomic<int> live{0};
  std::atomic<int> started{0};
  auto aborted = rt.spawn(changed_forever(&rx, &live, &started));
  wait_at_least(started, 1);
  auto waiting = rt.spawn(wait_changed(&other, &started));
  wait_at_least(started, 2);
  aborted.abort();
  EXPECT_THROW(wait_for_result(aborted), weft::TaskCancelled);
  EXPECT_EQ(live.load(), 0);
  tx.send(4);
  EXPECT_EQ(wait_for_result(waiting), 4) << "the other waiter is still woken";
  EXPECT_TRUE(rx.has_changed()) << "the aborted receiver still sees the new value as unseen";
}

weft::Task<std::string> changed_with_timeout(weft::watch::Receiver<int>* rx) {
  try {
    co_await weft::timeout(std::chrono::milliseconds(20), rx->changed());
    co_return std::to_string(*rx->borrow());
  } catch (const weft::TimeoutError&) {
    co_return "timeout";
  }
}

TEST(Watch, TimeoutAroundChanged) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  auto [tx, rx] = weft::watch::channel<int>(0);
  EXPECT_EQ(rt.block_on(changed_with_timeout(&rx)), "timeout");
  tx.send(2);
  EXPECT_EQ(rt.block_on(changed_with_timeout(&rx)), "2");
  EXPECT_EQ(rt.block_on(changed_with_timeout(&rx)), "timeout");
}

TEST(Watch, ChangedFutureMustNotMoveOncePolled) {
  auto [tx, rx] = weft::watch::channel<int>(0);
  auto changed = rx.changed();
  auto moved = std::move(changed);
  weft::Waker noop;
  weft::Context cx(noop);
  EXPECT_TRUE(moved.poll(cx).is_pending());
  EXPECT_THROW(auto again = std::move(moved), std::logic_error);
  tx.send(1);
  EXPECT_TRUE(moved.poll(cx).is_ready());
}

// Receivers follow a counter: every value they see is newer than the last, and the final
// one (sent before the sender leaves) is always observed.
weft::Task<long> follow(weft::watch::Receiver<long> rx, std::atomic<int>* ready) {
  bump_and_notify(*ready);
  long last = -1;
  try {
    for (;;) {
      co_await rx.changed();
      // borrow_and_update: the value read may already be newer than the version changed()
      // reported; marking it seen keeps the next changed() from reporting it again.
      const long now = *rx.borrow_and_update();
      if (now <= last) {
        ADD_FAILURE() << "went from " << last << " to " << now;
        co_return -2;
      }
      last = now;
    }
  } catch (const weft::ChannelClosed&) {
  }
  co_return last;
}

weft::Task<void> count_up(weft::watch::Sender<long> tx, long count) {
  for (long i = 1; i <= count; ++i) {
    if (i % 2 == 0) {
      tx.send(i);
    } else {
      tx.send_modify([i](long& v) { v = i; });
    }
    if (i % 8 == 0) co_await weft::yield_now();
  }
}

class WatchStress : public ::testing::TestWithParam<int> {};

TEST_P(WatchStress, ReceiversSeeIncreasingValuesAndTheLastOne) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(GetParam()));
  const long count = 2000L * weft_test::kScale;
  auto [tx, rx] = weft::watch::channel<long>(0);
  channel_test::expect_every_receiver_accounts_for_the_stream(rt, std::move(tx), std::move(rx),
                                                              count, follow, count_up);
}

INSTANTIATE_TEST_SUITE_P(Workers, WatchStress, ::testing::Values(1, 2, 4));

}  // namespace
