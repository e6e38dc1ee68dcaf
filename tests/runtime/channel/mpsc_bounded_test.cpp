// weft::mpsc bounded channel: back-pressure, FIFO among waiting senders, try_send handing
// the value back when full, closing while senders wait, cancellation of a blocked send
// (no permit leaked, no value lost), timeout, and a stress test with a small capacity.

#include <weft/runtime/mpsc.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../test_support.hpp"

namespace {

using weft_test::bump_and_notify;
using weft_test::config_with;
using weft_test::LiveGuard;
using weft_test::wait_at_least;
using weft_test::wait_for_result;
using weft_test::Watchdog;

TEST(MpscBounded, ZeroCapacityIsRejected) {
  EXPECT_THROW(weft::mpsc::channel<int>(0), std::invalid_argument);
}

TEST(MpscBounded, TrySendFillsTheChannelThenHandsTheValueBack) {
  auto [tx, rx] = weft::mpsc::channel<std::unique_ptr<int>>(2);
  EXPECT_EQ(tx.max_capacity(), 2u);
  EXPECT_EQ(tx.capacity(), 2u);
  EXPECT_TRUE(tx.try_send(std::make_unique<int>(1)));
  EXPECT_TRUE(tx.try_send(std::make_unique<int>(2)).is_sent());
  EXPECT_EQ(tx.capacity(), 0u);
  auto full = tx.try_send(std::make_unique<int>(3));
  ASSERT_TRUE(full.is_full());
  EXPECT_FALSE(full);
  ASSERT_NE(full.value(), nullptr);
  EXPECT_EQ(*full.value(), 3) << "a full channel hands the value back";
  EXPECT_EQ(rx.len(), 2u);
  EXPECT_EQ(*rx.try_recv().value(), 1);
  EXPECT_EQ(tx.capacity(), 1u) << "receiving a value frees its slot";
  EXPECT_TRUE(tx.try_send(std::move(full).value()));
  EXPECT_EQ(*rx.try_recv().value(), 2);
  EXPECT_EQ(*rx.try_recv().value(), 3);
  EXPECT_TRUE(rx.try_recv().is_empty());
  EXPECT_THROW(weft::mpsc::TrySendResult<int>().value(), std::logic_error);
}

TEST(MpscBounded, TrySendOnAClosedChannelThrowsWithTheValue) {
  auto [tx, rx] = weft::mpsc::channel<std::string>(1);
  rx.close();
  try {
    tx.try_send("kept");
    FAIL();
  } catch (const weft::mpsc::SendError<std::string>& error) {
    EXPECT_EQ(error.value(), "kept");
  }
}

weft::Task<void> send_all(weft::mpsc::Sender<int> tx, int from, int count, std::atomic<int>* sent) {
  for (int i = from; i < from + count; ++i) {
    co_await tx.send(i);
    bump_and_notify(*sent);
  }
}

TEST(MpscBounded, SendWaitsWhileFullAndResumesWhenTheReceiverTakesAValue) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::mpsc::channel<int>(3);
  std::atomic<int> sent{0};
  auto handle = rt.spawn(send_all(std::move(tx), 0, 10, &sent));
  wait_at_least(sent, 3);
  // Back-pressure: the fourth send cannot complete until a value is taken.
  for (int i = 0; i < 10; ++i) {
    wait_at_least(sent, std::min(10, i + 3));
    EXPECT_LE(sent.load(), i + 3) << "more values in flight than the capacity";
    auto recv = rx.recv();
    ASSERT_EQ(wait_for_result(recv), std::optional<int>(i));
  }
  wait_for_result(handle);
  auto end = rx.recv();
  EXPECT_EQ(wait_for_result(end), std::nullopt);
}

weft::Task<void> send_one(weft::mpsc::Sender<int> tx, int value, std::atomic<int>* started,
                          std::atomic<int>* live) {
  LiveGuard guard(*live);
  bump_and_notify(*started);
  co_await tx.send(value);
}

TEST(MpscBounded, WaitingSendersAreServedInFifoOrder) {
  Watchdog watchdog;
  // One worker: each sender task runs until it is queued before the next one starts.
  weft::Runtime rt(config_with(1));
  auto [tx, rx] = weft::mpsc::channel<int>(1);
  ASSERT_TRUE(tx.try_send(-1));
  std::atomic<int> started{0};
  std::atomic<int> live{0};
  std::vector<weft::JoinHandle<void>> handles;
  for (int i = 0; i < 5; ++i) {
    handles.push_back(rt.spawn(send_one(tx, i, &started, &live)));
    wait_at_least(started, i + 1);
  }
  EXPECT_EQ(rx.try_recv().value(), -1);
  // The freed slot went to the first waiting sender, not to a newcomer.
  EXPECT_TRUE(tx.try_send(99).is_full()) << "try_send must not overtake waiting senders";
  for (int expected = 0; expected < 5; ++expected) {
    auto recv = rx.recv();
    ASSERT_EQ(wait_for_result(recv), std::optional<int>(expected));
  }
  for (auto& h : handles) wait_for_result(h);
}

weft::Task<std::string> send_or_error(weft::mpsc::Sender<std::string>* tx, std::string value,
                                      std::atomic<int>* started) {
  bump_and_notify(*started);
  try {
    co_await tx->send(std::move(value));
    co_return "sent";
  } catch (weft::mpsc::SendError<std::string>& error) {
    co_return "error: " + error.value();
  }
}

TEST(MpscBounded, CloseWakesWaitingSendersWithTheirValues) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::mpsc::channel<std::string>(1);
  ASSERT_TRUE(tx.try_send("first"));
  std::atomic<int> started{0};
  auto a = rt.spawn(send_or_error(&tx, "a", &started));
  auto b = rt.spawn(send_or_error(&tx, "b", &started));
  wait_at_least(started, 2);
  rx.close();
  EXPECT_EQ(wait_for_result(a), "error: a");
  EXPECT_EQ(wait_for_result(b), "error: b");
  EXPECT_TRUE(tx.is_closed());
  EXPECT_EQ(rx.try_recv().value(), "first") << "values sent before close stay receivable";
  EXPECT_TRUE(rx.try_recv().is_closed());
  EXPECT_EQ(rt.block_on(send_or_error(&tx, "late", &started)), "error: late");
}

TEST(MpscBounded, DroppingTheReceiverFailsWaitingSenders) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::mpsc::channel<std::string>(1);
  ASSERT_TRUE(tx.try_send("first"));
  std::atomic<int> started{0};
  auto a = rt.spawn(send_or_error(&tx, "a", &started));
  wait_at_least(started, 1);
  { auto gone = std::move(rx); }
  EXPECT_EQ(wait_for_result(a), "error: a");
}

TEST(MpscBounded, AbortingABlockedSendLeaksNoPermitAndLosesNoValue) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::mpsc::channel<int>(1);
  ASSERT_TRUE(tx.try_send(0));
  std::atomic<int> started{0};
  std::atomic<int> live{0};
  auto blocked = rt.spawn(send_one(tx, 1, &started, &live));
  wait_at_least(started, 1);
  auto behind = rt.spawn(send_one(tx, 2, &started, &live));
  wait_at_least(started, 2);
  blocked.abort();
  EXPECT_THROW(wait_for_result(blocked), weft::TaskCancelled);
  ASSERT_TRUE(weft_test::eventually([&] { return live.load() == 1; }));
  // The value already queued is intact, and the sender queued behind the aborted one
  // gets the freed slot.
  EXPECT_EQ(rx.try_recv().value(), 0);
  wait_for_result(behind);
  EXPECT_EQ(rx.try_recv().value(), 2);
  // No permit leaked: the full capacity is available again.
  EXPECT_EQ(tx.capacity(), 1u);
  EXPECT_TRUE(tx.try_send(3));
  EXPECT_TRUE(tx.try_send(4).is_full());
  EXPECT_EQ(live.load(), 0);
}

weft::Task<std::string> send_with_timeout(weft::mpsc::Sender<int>* tx, int value) {
  try {
    co_await weft::timeout(std::chrono::milliseconds(20), tx->send(value));
    co_return "sent";
  } catch (const weft::TimeoutError&) {
    co_return "timeout";
  }
}

TEST(MpscBounded, TimeoutAroundABlockedSend) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::mpsc::channel<int>(1);
  EXPECT_EQ(rt.block_on(send_with_timeout(&tx, 1)), "sent");
  EXPECT_EQ(rt.block_on(send_with_timeout(&tx, 2)), "timeout");
  EXPECT_EQ(rx.try_recv().value(), 1);
  EXPECT_TRUE(rx.try_recv().is_empty()) << "the timed-out value was not queued";
  EXPECT_EQ(tx.capacity(), 1u);
  EXPECT_EQ(rt.block_on(send_with_timeout(&tx, 3)), "sent");
  EXPECT_EQ(rx.try_recv().value(), 3);
}

TEST(MpscBounded, SendFutureMayMoveBeforeItWaitsButNotAfter) {
  Watchdog watchdog;
  auto [tx, rx] = weft::mpsc::channel<int>(1);
  auto first = tx.send(1);
  auto moved = std::move(first);
  EXPECT_NO_THROW(wait_for_result(moved));
  auto second = tx.send(2);
  weft::Waker noop;
  weft::Context cx(noop);
  EXPECT_TRUE(second.poll(cx).is_pending());
  EXPECT_THROW(auto again = std::move(second), std::logic_error);
  EXPECT_EQ(rx.try_recv().value(), 1);
}

weft::Task<void> bounded_produce(weft::mpsc::Sender<long> tx, long producer, long count) {
  for (long i = 0; i < count; ++i) co_await tx.send(producer * 1'000'000 + i);
}

weft::Task<long> bounded_consume(weft::mpsc::Receiver<long> rx, int producers,
                                 std::size_t capacity) {
  std::vector<long> next(producers, 0);
  long total = 0;
  while (auto v = co_await rx.recv()) {
    if (rx.len() > capacity) {
      ADD_FAILURE() << "len " << rx.len() << " exceeds the capacity";
      co_return -1;
    }
    const long producer = *v / 1'000'000;
    if (*v % 1'000'000 != next[producer]) {
      ADD_FAILURE() << "producer " << producer << " out of order";
      co_return -1;
    }
    ++next[producer];
    ++total;
  }
  co_return total;
}

class MpscBoundedStress : public ::testing::TestWithParam<int> {};

TEST_P(MpscBoundedStress, SmallCapacityManyProducersNoLossNoDuplicate) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(GetParam()));
  const int producers = 4;
  const long count = 1000L * weft_test::kScale;
  const std::size_t capacity = 3;
  auto [tx, rx] = weft::mpsc::channel<long>(capacity);
  auto consumer = rt.spawn(bounded_consume(std::move(rx), producers, capacity));
  for (int p = 0; p < producers; ++p) rt.spawn(bounded_produce(tx, p, count)).detach();
  { auto gone = std::move(tx); }
  EXPECT_EQ(wait_for_result(consumer), producers * count);
}

// Closing in the middle of a stream: every value is either received or handed back to its
// sender in a SendError, never lost and never both.
weft::Task<void> produce_until_closed(weft::mpsc::Sender<long> tx, long producer, long count,
                                      std::vector<char>* returned) {
  for (long i = 0; i < count; ++i) {
    try {
      co_await tx.send(producer * 1'000'000 + i);
    } catch (weft::mpsc::SendError<long>& error) {
      if (error.value() != producer * 1'000'000 + i) ADD_FAILURE() << "wrong value handed back";
      (*returned)[i] = 1;
    }
  }
}

weft::Task<std::vector<long>> receive_then_close(weft::mpsc::Receiver<long> rx, long close_after) {
  std::vector<long> got;
  while (auto v = co_await rx.recv()) {
    got.push_back(*v);
    if (static_cast<long>(got.size()) == close_after) rx.close();
  }
  co_return got;
}

TEST_P(MpscBoundedStress, CloseMidStreamLosesNothing) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(GetParam()));
  const int producers = 4;
  const long count = 500L * weft_test::kScale;
  auto [tx, rx] = weft::mpsc::channel<long>(2);
  std::vector<std::vector<char>> returned(producers, std::vector<char>(count, 0));
  auto consumer = rt.spawn(receive_then_close(std::move(rx), producers * count / 3));
  std::vector<weft::JoinHandle<void>> senders;
  for (int p = 0; p < producers; ++p) {
    senders.push_back(rt.spawn(produce_until_closed(tx, p, count, &returned[p])));
  }
  { auto gone = std::move(tx); }
  for (auto& s : senders) wait_for_result(s);
  const std::vector<long> got = wait_for_result(consumer);
  std::vector<std::vector<char>> received(producers, std::vector<char>(count, 0));
  for (long v : got) {
    char& seen = received[v / 1'000'000][v % 1'000'000];
    ASSERT_EQ(seen, 0) << "duplicate " << v;
    seen = 1;
  }
  for (int p = 0; p < producers; ++p) {
    for (long i = 0; i < count; ++i) {
      ASSERT_EQ(received[p][i] + returned[p][i], 1)
          << "value " << i << " of producer " << p
          << (received[p][i] ? " both received and returned" : " lost");
    }
  }
  EXPECT_GE(static_cast<long>(got.size()), producers * count / 3);
}

INSTANTIATE_TEST_SUITE_P(Workers, MpscBoundedStress, ::testing::Values(1, 2, 4));

}  // namespace
