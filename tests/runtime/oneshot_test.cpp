// weft::oneshot: one value from one Sender to one Receiver, between tasks and threads;
// closing from either side; try_recv; no value lost or leaked when the two sides race.

#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {

using weft_test::config_with;
using weft_test::LiveGuard;
using weft_test::wait_for_result;
using weft_test::Watchdog;

weft::Task<int> send_then_receive() {
  auto [tx, rx] = weft::oneshot::channel<int>();
  EXPECT_TRUE(tx.send(3));
  co_return co_await rx;
}

TEST(Oneshot, SendThenReceiveInOneTask) {
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(send_then_receive()), 3);
}

weft::Task<void> send_later(weft::oneshot::Sender<std::string> tx, std::string value) {
  co_await weft::yield_now();
  co_await weft::yield_now();
  tx.send(std::move(value));
}

weft::Task<std::string> receive_from_task() {
  auto [tx, rx] = weft::oneshot::channel<std::string>();
  weft::spawn(send_later(std::move(tx), "across tasks")).detach();
  co_return co_await rx;
}

TEST(Oneshot, BetweenTasks) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  for (int i = 0; i < 100; ++i) ASSERT_EQ(rt.block_on(receive_from_task()), "across tasks");
}

weft::Task<long> receive_all(std::vector<weft::oneshot::Receiver<int>> receivers) {
  long sum = 0;
  for (auto& rx : receivers) sum += co_await rx;
  co_return sum;
}

TEST(Oneshot, FromAForeignThreadToATask) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  const int n = 500 * weft_test::kScale;
  std::vector<weft::oneshot::Sender<int>> senders;
  std::vector<weft::oneshot::Receiver<int>> receivers;
  for (int i = 0; i < n; ++i) {
    auto [tx, rx] = weft::oneshot::channel<int>();
    senders.push_back(std::move(tx));
    receivers.push_back(std::move(rx));
  }
  auto handle = rt.spawn(receive_all(std::move(receivers)));
  std::thread producer([&] {
    for (int i = 0; i < n; ++i) EXPECT_TRUE(senders[i].send(i));
  });
  EXPECT_EQ(wait_for_result(handle), static_cast<long>(n) * (n - 1) / 2);
  producer.join();
}

weft::Task<void> send_from_task(weft::oneshot::Sender<int> tx, int value) {
  tx.send(value);
  co_return;
}

TEST(Oneshot, FromATaskToAForeignThread) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  for (int i = 0; i < 200 * weft_test::kScale; ++i) {
    auto [tx, rx] = weft::oneshot::channel<int>();
    rt.spawn(send_from_task(std::move(tx), i)).detach();
    ASSERT_EQ(wait_for_result(rx), i);
  }
}

TEST(Oneshot, BetweenTwoPlainThreads) {
  Watchdog watchdog;
  for (int i = 0; i < 200 * weft_test::kScale; ++i) {
    auto [tx, rx] = weft::oneshot::channel<int>();
    std::thread producer([tx = std::move(tx), i]() mutable { tx.send(i); });
    ASSERT_EQ(wait_for_result(rx), i);
    producer.join();
  }
}

weft::Task<std::string> receive_or_closed(weft::oneshot::Receiver<int> rx) {
  try {
    co_return std::to_string(co_await rx);
  } catch (const weft::ChannelClosed& closed) {
    co_return std::string("closed: ") + closed.what();
  }
}

TEST(Oneshot, SenderDroppedBeforeReceiveThrowsChannelClosed) {
  weft::Runtime rt(config_with(1));
  auto [tx, rx] = weft::oneshot::channel<int>();
  { auto gone = std::move(tx); }
  const std::string outcome = rt.block_on(receive_or_closed(std::move(rx)));
  EXPECT_EQ(outcome.rfind("closed: ", 0), 0u) << outcome;
}

weft::Task<int> receive(weft::oneshot::Receiver<int> rx) {
  co_return co_await rx;
}

TEST(Oneshot, SenderDroppedWhileTheReceiverWaitsWakesItWithChannelClosed) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::oneshot::channel<int>();
  auto handle = rt.spawn(receive(std::move(rx)));
  { auto gone = std::move(tx); }
  EXPECT_THROW(wait_for_result(handle), weft::ChannelClosed);
}

TEST(Oneshot, ChannelClosedIsAWeftError) {
  auto [tx, rx] = weft::oneshot::channel<int>();
  { auto gone = std::move(tx); }
  EXPECT_THROW(wait_for_result(rx), weft::Error);
}

TEST(Oneshot, ReceiverDroppedMakesSendReturnFalse) {
  auto [tx, rx] = weft::oneshot::channel<int>();
  EXPECT_FALSE(tx.is_closed());
  { auto gone = std::move(rx); }
  EXPECT_TRUE(tx.is_closed());
  EXPECT_FALSE(tx.send(1));
}

TEST(Oneshot, ReceiverDroppedByAnAbortedTask) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  auto [tx, rx] = weft::oneshot::channel<int>();
  auto handle = rt.spawn(receive(std::move(rx)));
  handle.abort();
  EXPECT_THROW(wait_for_result(handle), weft::TaskCancelled);
  EXPECT_TRUE(tx.is_closed());
  EXPECT_FALSE(tx.send(1));
}

TEST(Oneshot, SecondSendThrowsLogicError) {
  auto [tx, rx] = weft::oneshot::channel<int>();
  EXPECT_TRUE(tx.send(1));
  EXPECT_TRUE(tx.is_closed()) << "a sender that has sent has nothing left to send";
  EXPECT_THROW(tx.send(2), std::logic_error);
  EXPECT_EQ(rx.try_recv(), 1);
}

TEST(Oneshot, TryRecvBeforeAndAfterTheSend) {
  auto [tx, rx] = weft::oneshot::channel<int>();
  EXPECT_EQ(rx.try_recv(), std::nullopt);
  EXPECT_EQ(rx.try_recv(), std::nullopt);
  tx.send(8);
  EXPECT_EQ(rx.try_recv(), std::optional<int>(8));
}

TEST(Oneshot, TryRecvAfterTheSenderLeftThrowsChannelClosed) {
  auto [tx, rx] = weft::oneshot::channel<int>();
  { auto gone = std::move(tx); }
  EXPECT_THROW(rx.try_recv(), weft::ChannelClosed);
}

TEST(Oneshot, TryRecvSeesAValueSentBeforeTheSenderWasDropped) {
  auto [tx, rx] = weft::oneshot::channel<int>();
  std::thread producer([tx = std::move(tx)]() mutable { tx.send(5); });
  producer.join();  // the sender is gone, but it sent first
  EXPECT_EQ(rx.try_recv(), std::optional<int>(5));
}

TEST(Oneshot, MoveOnlyValues) {
  weft::Runtime rt(config_with(1));
  auto [tx, rx] = weft::oneshot::channel<std::unique_ptr<int>>();
  EXPECT_TRUE(tx.send(std::make_unique<int>(4)));
  auto value = wait_for_result(rx);
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, 4);
}

TEST(Oneshot, MovedFromEndsAreInertAndMoveAssignmentClosesTheOldChannel) {
  auto [tx1, rx1] = weft::oneshot::channel<int>();
  auto [tx2, rx2] = weft::oneshot::channel<int>();
  rx1 = std::move(rx2);  // drops the first receiver
  EXPECT_TRUE(tx1.is_closed());
  EXPECT_FALSE(tx2.is_closed());
  auto tx3 = std::move(tx2);
  EXPECT_TRUE(tx2.is_closed()) << "a moved-from sender has no channel";
  EXPECT_THROW(tx2.send(1), std::logic_error);
  EXPECT_TRUE(tx3.send(6));
  EXPECT_EQ(rx1.try_recv(), std::optional<int>(6));
}

TEST(Oneshot, AnUnreadValueIsDestroyedWithTheChannel) {
  std::atomic<int> live{0};
  {
    auto [tx, rx] = weft::oneshot::channel<LiveGuard>();
    EXPECT_TRUE(tx.send(LiveGuard(live)));
    EXPECT_EQ(live.load(), 1);
  }
  EXPECT_EQ(live.load(), 0);
}

TEST(Oneshot, AValueSentToADroppedReceiverIsDestroyed) {
  std::atomic<int> live{0};
  auto [tx, rx] = weft::oneshot::channel<LiveGuard>();
  { auto gone = std::move(rx); }
  EXPECT_FALSE(tx.send(LiveGuard(live)));
  EXPECT_EQ(live.load(), 0);
}

// The sender and the receiver's owner let go at the same time from two threads: the value
// must be destroyed exactly once and the shared state freed (ASan checks the leak side).
TEST(Oneshot, SendRacingWithReceiverDrop) {
  Watchdog watchdog;
  std::atomic<int> live{0};
  const int rounds = 300 * weft_test::kScale;
  for (int i = 0; i < rounds; ++i) {
    auto [tx, rx] = weft::oneshot::channel<LiveGuard>();
    std::latch go(2);
    std::thread sender([&, tx = std::move(tx)]() mutable {
      go.arrive_and_wait();
      static_cast<void>(tx.send(LiveGuard(live)));  // either outcome is legal
    });
    std::thread dropper([&, rx = std::move(rx)]() mutable {
      go.arrive_and_wait();
      auto gone = std::move(rx);
    });
    sender.join();
    dropper.join();
    ASSERT_EQ(live.load(), 0) << "round " << i;
  }
}

// A receiver waiting in a task while the sender sends from a foreign thread at the same
// moment: the wakeup must never be lost.
TEST(Oneshot, NoLostWakeupBetweenPollAndSend) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  for (int i = 0; i < 300 * weft_test::kScale; ++i) {
    auto [tx, rx] = weft::oneshot::channel<int>();
    auto handle = rt.spawn(receive(std::move(rx)));
    std::thread producer([tx = std::move(tx), i]() mutable { tx.send(i); });
    ASSERT_EQ(wait_for_result(handle), i);
    producer.join();
  }
}

TEST(Oneshot, NoLostWakeupBetweenPollAndSenderDrop) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  for (int i = 0; i < 300 * weft_test::kScale; ++i) {
    auto [tx, rx] = weft::oneshot::channel<int>();
    auto handle = rt.spawn(receive(std::move(rx)));
    std::thread dropper([tx = std::move(tx)]() mutable { auto gone = std::move(tx); });
    EXPECT_THROW(wait_for_result(handle), weft::ChannelClosed);
    dropper.join();
  }
}

}  // namespace
