// weft::broadcast: every receiver sees every value sent after it subscribed, in order;
// Lagged for a receiver that fell behind; SendError without receivers; closing; abort and
// timeout around recv; many receivers against one sender.

#include <weft/runtime/broadcast.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "channel_test_support.hpp"

namespace {

using channel_test::recv_forever;
using channel_test::recv_with_timeout;
using weft_test::bump_and_notify;
using weft_test::config_with;
using weft_test::LiveGuard;
using weft_test::wait_at_least;
using weft_test::wait_for_result;
using weft_test::Watchdog;

TEST(Broadcast, CapacityIsChecked) {
  EXPECT_THROW(weft::broadcast::channel<int>(0), std::invalid_argument);
  EXPECT_THROW(weft::broadcast::channel<int>(weft::broadcast::kMaxCapacity + 1),
               std::invalid_argument);
}

TEST(Broadcast, EveryReceiverSeesEveryValueSentAfterItSubscribed) {
  auto [tx, rx1] = weft::broadcast::channel<std::string>(8);
  EXPECT_EQ(tx.send("a"), 1u);
  auto rx2 = tx.subscribe();
  EXPECT_EQ(tx.receiver_count(), 2u);
  EXPECT_EQ(tx.send("b"), 2u);
  EXPECT_EQ(rx1.len(), 2u);
  EXPECT_EQ(rx2.len(), 1u);
  EXPECT_EQ(rx1.try_recv().value(), "a");
  EXPECT_EQ(rx1.try_recv().value(), "b");
  EXPECT_EQ(rx2.try_recv().value(), "b") << "a receiver does not see values sent before it";
  EXPECT_TRUE(rx1.try_recv().is_empty());
  EXPECT_TRUE(rx2.try_recv().is_empty());
  auto rx3 = rx1.resubscribe();
  tx.send("c");
  EXPECT_EQ(rx3.try_recv().value(), "c");
  EXPECT_EQ(rx1.try_recv().value(), "c");
}

TEST(Broadcast, ALaggingReceiverGetsLaggedThenContinuesFromTheOldestHeld) {
  auto [tx, rx] = weft::broadcast::channel<int>(4);
  for (int i = 0; i < 10; ++i) tx.send(i);
  EXPECT_EQ(rx.len(), 4u);
  try {
    rx.try_recv();
    FAIL() << "no Lagged";
  } catch (const weft::broadcast::Lagged& lagged) {
    EXPECT_EQ(lagged.missed(), 6u);
  }
  for (int i = 6; i < 10; ++i) EXPECT_EQ(rx.try_recv().value(), i);
  EXPECT_TRUE(rx.try_recv().is_empty());
}

TEST(Broadcast, LaggedIsAWeftError) {
  auto [tx, rx] = weft::broadcast::channel<int>(1);
  tx.send(1);
  tx.send(2);
  EXPECT_THROW(rx.try_recv(), weft::Error);
  EXPECT_EQ(rx.try_recv().value(), 2);
}

TEST(Broadcast, SendWithoutReceiversThrowsSendErrorWithTheValue) {
  auto [tx, rx] = weft::broadcast::channel<std::string>(2);
  { auto gone = std::move(rx); }
  EXPECT_EQ(tx.receiver_count(), 0u);
  try {
    tx.send("lost?");
    FAIL();
  } catch (const weft::broadcast::SendError<std::string>& error) {
    EXPECT_EQ(error.value(), "lost?");
  }
  auto late = tx.subscribe();
  EXPECT_EQ(tx.send("x"), 1u);
  EXPECT_EQ(late.try_recv().value(), "x");
}

TEST(Broadcast, ValuesAreFreedWhenTheLastReceiverGoes) {
  std::atomic<int> live{0};
  struct Tracked {
    std::shared_ptr<LiveGuard> guard;
  };
  auto [tx, rx] = weft::broadcast::channel<Tracked>(4);
  tx.send(Tracked{std::make_shared<LiveGuard>(live)});
  EXPECT_EQ(live.load(), 1);
  { auto gone = std::move(rx); }
  EXPECT_EQ(live.load(), 0);
}

TEST(Broadcast, ClosedAfterTheLastSenderAndDrained) {
  auto [tx, rx] = weft::broadcast::channel<int>(4);
  auto tx2 = tx;
  tx.send(1);
  { auto gone = std::move(tx); }
  tx2.send(2);
  { auto gone = std::move(tx2); }
  EXPECT_EQ(rx.try_recv().value(), 1);
  EXPECT_EQ(rx.try_recv().value(), 2);
  EXPECT_TRUE(rx.try_recv().is_closed());
}

TEST(Broadcast, MovedFromEndsThrowLogicError) {
  auto [tx, rx] = weft::broadcast::channel<int>(4);
  auto tx2 = std::move(tx);
  auto rx2 = std::move(rx);
  EXPECT_THROW(tx.send(1), std::logic_error);  // NOLINT(bugprone-use-after-move)
  EXPECT_THROW(rx.try_recv(), std::logic_error);
  EXPECT_THROW(tx.subscribe(), std::logic_error);
  EXPECT_EQ(tx2.send(3), 1u);
  EXPECT_EQ(rx2.try_recv().value(), 3);
}

weft::Task<std::vector<int>> collect(weft::broadcast::Receiver<int> rx, std::atomic<int>* ready) {
  std::vector<int> got;
  bump_and_notify(*ready);
  while (auto v = co_await rx.recv()) got.push_back(*v);
  co_return got;
}

TEST(Broadcast, WaitingReceiversAreWokenAndThenSeeTheClose) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::broadcast::channel<int>(64);
  std::atomic<int> ready{0};
  auto a = rt.spawn(collect(tx.subscribe(), &ready));
  auto b = rt.spawn(collect(std::move(rx), &ready));
  wait_at_least(ready, 2);
  for (int i = 0; i < 20; ++i) tx.send(i);
  { auto gone = std::move(tx); }
  const auto got_a = wait_for_result(a);
  const auto got_b = wait_for_result(b);
  ASSERT_EQ(got_a.size(), 20u);
  EXPECT_EQ(got_a, got_b);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(got_a[i], i);
}

TEST(Broadcast, AbortingAWaitingReceiverLosesNoValue) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::broadcast::channel<int>(4);
  std::atomic<int> live{0};
  std::atomic<int> started{0};
  auto handle = rt.spawn(recv_forever(&rx, &live, &started));
  wait_at_least(started, 1);
  handle.abort();
  EXPECT_THROW(wait_for_result(handle), weft::TaskCancelled);
  EXPECT_EQ(live.load(), 0);
  EXPECT_EQ(tx.send(7), 1u);
  EXPECT_EQ(rx.try_recv().value(), 7);
}

TEST(Broadcast, TimeoutAroundRecv) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  auto [tx, rx] = weft::broadcast::channel<int>(4);
  EXPECT_EQ(rt.block_on(recv_with_timeout(&rx)), "timeout");
  tx.send(5);
  EXPECT_EQ(rt.block_on(recv_with_timeout(&rx)), "5");
  { auto gone = std::move(tx); }
  EXPECT_EQ(rt.block_on(recv_with_timeout(&rx)), "closed");
}

TEST(Broadcast, RecvFutureMustNotMoveOncePolled) {
  auto [tx, rx] = weft::broadcast::channel<int>(4);
  auto recv = rx.recv();
  auto moved = std::move(recv);  // fine before the first poll
  weft::Waker noop;
  weft::Context cx(noop);
  EXPECT_TRUE(moved.poll(cx).is_pending());
  EXPECT_THROW(auto again = std::move(moved), std::logic_error);
  tx.send(1);
  auto result = moved.poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value(), std::optional<int>(1));
}

// Every receiver either sees the whole stream in order, or sees Lagged with a count that
// exactly accounts for the values it skipped: nothing is lost silently or duplicated.
weft::Task<long> checked_receiver(weft::broadcast::Receiver<long> rx, std::atomic<int>* ready) {
  bump_and_notify(*ready);
  long expected = 0;
  for (;;) {
    try {
      auto v = co_await rx.recv();
      if (!v) break;
      if (*v != expected) {
        ADD_FAILURE() << "got " << *v << ", expected " << expected;
        co_return -1;
      }
      ++expected;
    } catch (const weft::broadcast::Lagged& lagged) {
      expected += static_cast<long>(lagged.missed());
    }
  }
  co_return expected;
}

weft::Task<void> broadcast_produce(weft::broadcast::Sender<long> tx, long count) {
  for (long i = 0; i < count; ++i) {
    tx.send(i);
    if (i % 16 == 0) co_await weft::yield_now();
  }
}

class BroadcastStress : public ::testing::TestWithParam<int> {};

TEST_P(BroadcastStress, ReceiversSeeTheStreamInOrderOrAnExactLagCount) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(GetParam()));
  const long count = 2000L * weft_test::kScale;
  auto [tx, rx] = weft::broadcast::channel<long>(8);
  channel_test::expect_every_receiver_accounts_for_the_stream(
      rt, std::move(tx), std::move(rx), count, checked_receiver, broadcast_produce);
}

INSTANTIATE_TEST_SUITE_P(Workers, BroadcastStress, ::testing::Values(1, 2, 4));

}  // namespace
