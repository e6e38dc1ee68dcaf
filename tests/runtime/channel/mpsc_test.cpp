// weft::mpsc unbounded channel: order, closing (drain then nullopt), SendError handing the
// value back, try_recv, cancellation of a parked receiver, timeout, and many producers
// against one receiver with no value lost or duplicated.

#include <weft/runtime/mpsc.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
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

// The handles' value semantics, which code that stores them (in containers, in moved
// lambdas) relies on: senders copy and move without throwing, receivers only move.
static_assert(std::is_nothrow_copy_constructible_v<weft::mpsc::UnboundedSender<int>>);
static_assert(std::is_nothrow_copy_assignable_v<weft::mpsc::Sender<int>>);
static_assert(std::is_nothrow_move_constructible_v<weft::mpsc::Sender<int>>);
static_assert(std::is_nothrow_move_assignable_v<weft::mpsc::UnboundedSender<int>>);
static_assert(std::is_nothrow_move_assignable_v<weft::mpsc::Receiver<int>>);
static_assert(!std::is_copy_constructible_v<weft::mpsc::Receiver<int>>);
static_assert(!std::is_copy_assignable_v<weft::mpsc::UnboundedReceiver<int>>);

weft::Task<std::vector<int>> drain(weft::mpsc::UnboundedReceiver<int> rx) {
  std::vector<int> got;
  while (auto v = co_await rx.recv()) got.push_back(*v);
  co_return got;
}

TEST(MpscUnbounded, ValuesArriveInOrderThenNulloptWhenTheSenderIsGone) {
  weft::Runtime rt(config_with(1));
  auto [tx, rx] = weft::mpsc::unbounded_channel<int>();
  for (int i = 0; i < 10; ++i) tx.send(i);
  { auto gone = std::move(tx); }
  auto got = rt.block_on(drain(std::move(rx)));
  ASSERT_EQ(got.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(got[i], i);
}

TEST(MpscUnbounded, EveryCopyOfTheSenderKeepsTheChannelOpen) {
  auto [tx, rx] = weft::mpsc::unbounded_channel<int>();
  auto tx2 = tx;
  EXPECT_TRUE(tx2.same_channel(tx));
  { auto gone = std::move(tx); }
  EXPECT_FALSE(rx.is_closed());
  EXPECT_TRUE(rx.try_recv().is_empty());
  tx2.send(7);
  { auto gone = std::move(tx2); }
  EXPECT_TRUE(rx.is_closed());
  auto first = rx.try_recv();
  ASSERT_TRUE(first.has_value()) << "a value sent before the last sender left is still delivered";
  EXPECT_EQ(*first, 7);
  EXPECT_TRUE(rx.try_recv().is_closed());
}

TEST(MpscUnbounded, CopyAssignmentCountsSenders) {
  auto [tx, rx] = weft::mpsc::unbounded_channel<int>();
  auto [other_tx, other_rx] = weft::mpsc::unbounded_channel<int>();
  auto copy = other_tx;
  copy = tx;  // drops one sender of the other channel, adds one to this one
  { auto gone = std::move(other_tx); }
  EXPECT_TRUE(other_rx.is_closed());
  { auto gone = std::move(tx); }
  EXPECT_FALSE(rx.is_closed());
  copy.send(1);
  EXPECT_EQ(rx.try_recv().value(), 1);
}

TEST(MpscUnbounded, TryRecvDistinguishesEmptyFromClosed) {
  auto [tx, rx] = weft::mpsc::unbounded_channel<std::string>();
  auto empty = rx.try_recv();
  EXPECT_TRUE(empty.is_empty());
  EXPECT_FALSE(empty);
  EXPECT_EQ(empty.status(), weft::mpsc::TryRecvStatus::empty);
  EXPECT_THROW(empty.value(), std::logic_error);
  tx.send("a");
  tx.send("b");
  EXPECT_EQ(rx.len(), 2u);
  auto a = rx.try_recv();
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, "a");
  EXPECT_EQ(a->size(), 1u);
  EXPECT_EQ(rx.len(), 1u);
  { auto gone = std::move(tx); }
  EXPECT_EQ(rx.try_recv().value(), "b");
  EXPECT_TRUE(rx.try_recv().is_closed());
  EXPECT_TRUE(rx.is_empty());
}

TEST(MpscUnbounded, SendAfterReceiverDroppedThrowsSendErrorWithTheValue) {
  auto [tx, rx] = weft::mpsc::unbounded_channel<std::unique_ptr<int>>();
  EXPECT_FALSE(tx.is_closed());
  { auto gone = std::move(rx); }
  EXPECT_TRUE(tx.is_closed());
  try {
    tx.send(std::make_unique<int>(42));
    FAIL() << "send on a closed channel did not throw";
  } catch (weft::mpsc::SendError<std::unique_ptr<int>>& error) {
    ASSERT_NE(error.value(), nullptr);
    EXPECT_EQ(*error.value(), 42);
  }
  EXPECT_THROW(tx.send(nullptr), weft::ChannelClosed);
  EXPECT_THROW(tx.send(nullptr), weft::Error);
}

TEST(MpscUnbounded, ReceiverDropDestroysQueuedValues) {
  std::atomic<int> live{0};
  auto [tx, rx] = weft::mpsc::unbounded_channel<LiveGuard>();
  for (int i = 0; i < 5; ++i) tx.send(LiveGuard(live));
  EXPECT_EQ(live.load(), 5);
  { auto gone = std::move(rx); }
  EXPECT_EQ(live.load(), 0) << "values nobody can receive must not wait for the senders to go";
}

TEST(MpscUnbounded, CloseRefusesSendsButKeepsWhatWasSent) {
  auto [tx, rx] = weft::mpsc::unbounded_channel<int>();
  tx.send(1);
  tx.send(2);
  rx.close();
  rx.close();  // idempotent
  EXPECT_TRUE(tx.is_closed());
  EXPECT_TRUE(rx.is_closed());
  EXPECT_THROW(tx.send(3), weft::mpsc::SendError<int>);
  EXPECT_EQ(rx.try_recv().value(), 1);
  EXPECT_EQ(rx.try_recv().value(), 2);
  EXPECT_TRUE(rx.try_recv().is_closed());
}

TEST(MpscUnbounded, MovedFromEndsThrowLogicError) {
  auto [tx, rx] = weft::mpsc::unbounded_channel<int>();
  auto tx2 = std::move(tx);
  auto rx2 = std::move(rx);
  EXPECT_THROW(tx.send(1), std::logic_error);  // NOLINT(bugprone-use-after-move)
  EXPECT_THROW(rx.try_recv(), std::logic_error);
  EXPECT_TRUE(tx.is_closed());
  EXPECT_TRUE(rx.is_closed());
  tx2.send(5);
  EXPECT_EQ(rx2.try_recv().value(), 5);
}

weft::Task<std::optional<int>> recv_one(weft::mpsc::UnboundedReceiver<int>* rx,
                                        std::atomic<int>* started) {
  bump_and_notify(*started);
  co_return co_await rx->recv();
}

TEST(MpscUnbounded, ParkedReceiverIsWokenByASendFromAnotherThread) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  for (int i = 0; i < 50 * weft_test::kScale; ++i) {
    auto [tx, rx] = weft::mpsc::unbounded_channel<int>();
    std::atomic<int> started{0};
    auto handle = rt.spawn(recv_one(&rx, &started));
    wait_at_least(started, 1);
    tx.send(i);
    ASSERT_EQ(wait_for_result(handle), std::optional<int>(i));
  }
}

TEST(MpscUnbounded, ParkedReceiverGetsNulloptWhenTheLastSenderLeaves) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::mpsc::unbounded_channel<int>();
  std::atomic<int> started{0};
  auto handle = rt.spawn(recv_one(&rx, &started));
  wait_at_least(started, 1);
  { auto gone = std::move(tx); }
  EXPECT_EQ(wait_for_result(handle), std::nullopt);
}

TEST(MpscUnbounded, AbortingAParkedReceiverLosesNoMessage) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::mpsc::unbounded_channel<int>();
  std::atomic<int> live{0};
  std::atomic<int> started{0};
  auto handle = rt.spawn(recv_forever(&rx, &live, &started));
  wait_at_least(started, 1);
  handle.abort();
  EXPECT_THROW(wait_for_result(handle), weft::TaskCancelled);
  EXPECT_EQ(live.load(), 0);
  tx.send(99);
  EXPECT_EQ(rx.try_recv().value(), 99) << "the message sent after the abort is still there";
  // And a new receiving task works on the same receiver.
  auto again = rt.spawn(recv_one(&rx, &started));
  tx.send(100);
  EXPECT_EQ(wait_for_result(again), std::optional<int>(100));
}

TEST(MpscUnbounded, TimeoutAroundRecvLeavesTheChannelUsable) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::mpsc::unbounded_channel<int>();
  EXPECT_EQ(rt.block_on(recv_with_timeout(&rx)), "timeout");
  tx.send(4);
  EXPECT_EQ(rt.block_on(recv_with_timeout(&rx)), "4");
  { auto gone = std::move(tx); }
  EXPECT_EQ(rt.block_on(recv_with_timeout(&rx)), "closed");
}

weft::Task<void> produce(weft::mpsc::UnboundedSender<long> tx, long producer, long count) {
  for (long i = 0; i < count; ++i) {
    tx.send(producer * 1'000'000 + i);
    if (i % 64 == 0) co_await weft::yield_now();
  }
}

weft::Task<long> consume_checked(weft::mpsc::UnboundedReceiver<long> rx, int producers) {
  std::vector<long> next(producers, 0);
  long total = 0;
  while (auto v = co_await rx.recv()) {
    const long producer = *v / 1'000'000;
    const long seq = *v % 1'000'000;
    // Per-producer FIFO: no loss, no duplicate, no reordering.
    if (seq != next[producer]) {
      ADD_FAILURE() << "producer " << producer << ": got " << seq << ", expected "
                    << next[producer];
      co_return -1;
    }
    ++next[producer];
    ++total;
  }
  co_return total;
}

class MpscUnboundedStress : public ::testing::TestWithParam<int> {};

TEST_P(MpscUnboundedStress, ManyProducersNoLossNoDuplicateFifoPerProducer) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(GetParam()));
  const int producers = 4;
  const long count = 2000L * weft_test::kScale;
  auto [tx, rx] = weft::mpsc::unbounded_channel<long>();
  auto consumer = rt.spawn(consume_checked(std::move(rx), producers));
  for (int p = 0; p < producers - 1; ++p) rt.spawn(produce(tx, p, count)).detach();
  // The last producer is a plain thread, not a task.
  std::thread foreign([tx = std::move(tx), count]() mutable {
    for (long i = 0; i < count; ++i) tx.send(3 * 1'000'000 + i);
  });
  EXPECT_EQ(wait_for_result(consumer), producers * count);
  foreign.join();
}

INSTANTIATE_TEST_SUITE_P(Workers, MpscUnboundedStress, ::testing::Values(1, 2, 4));

}  // namespace
