// weft::when_any / weft::select: the first child to finish wins, every other child's frame
// is destroyed before the result is returned, exceptions of the winner are rethrown, the
// vector form, bias, cancellation, timeout, late wakes of losers, stress.

#include <weft/runtime/when_any.hpp>
#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include "combinator_support.hpp"

namespace {

using combinator_test::Boom;
using combinator_test::ManualContext;
using combinator_test::parked_forever;
using combinator_test::ready_value;
using combinator_test::throws_after_yield;
using combinator_test::value_after;
using combinator_test::yield_then;
using weft_test::config_with;
using weft_test::Event;
using weft_test::expect_block_on_throws;
using weft_test::LiveGuard;
using weft_test::wait_for_result;
using weft_test::Watchdog;

// Records, at the moment when_any returns, how many loser frames were still alive.
weft::Task<std::size_t> race_parked_against_ready(std::atomic<int>* live, int* live_at_return,
                                                  int* value) {
  auto result =
      co_await weft::when_any(parked_forever(live), yield_then(42, 2), parked_forever(live));
  *live_at_return = live->load();
  *value = std::get<1>(result);
  co_return result.index();
}

TEST(WhenAny, FirstToFinishWinsAndTheLosersAreDestroyedBeforeItReturns) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  int live_at_return = -1;
  int value = 0;
  EXPECT_EQ(rt.block_on(race_parked_against_ready(&live, &live_at_return, &value)), 1u);
  EXPECT_EQ(value, 42);
  EXPECT_EQ(live_at_return, 0) << "a losing child's frame outlived when_any";
}

weft::Task<std::variant<int, int>> same_types(int yields_a, int yields_b) {
  co_return co_await weft::when_any(yield_then(1, yields_a), yield_then(2, yields_b));
}

TEST(WhenAny, RepeatedTypesAreToldApartByIndex) {
  weft::Runtime rt(config_with(1));
  auto first = rt.block_on(same_types(5, 1));
  EXPECT_EQ(first.index(), 1u);
  EXPECT_EQ(std::get<1>(first), 2);
  auto second = rt.block_on(same_types(0, 3));
  EXPECT_EQ(second.index(), 0u);
  EXPECT_EQ(std::get<0>(second), 1);
}

TEST(WhenAny, WhenSeveralAreReadyAtOnceTheLowestIndexWins) {
  weft::Runtime rt(config_with(1));
  auto result = rt.block_on(same_types(0, 0));
  EXPECT_EQ(result.index(), 0u);
}

weft::Task<void> void_after(Event* event) {
  co_await event->wait();
}

weft::Task<std::size_t> void_child_wins(Event* event, std::atomic<int>* live) {
  auto result = co_await weft::when_any(parked_forever(live), void_after(event));
  static_assert(std::is_same_v<std::variant_alternative_t<1, decltype(result)>, std::monostate>);
  co_return result.index();
}

TEST(WhenAny, AVoidChildWinsWithMonostate) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  Event event;
  auto handle = rt.spawn(void_child_wins(&event, &live));
  event.wait_registrations(1);
  event.set();
  EXPECT_EQ(wait_for_result(handle), 1u);
  EXPECT_EQ(live.load(), 0);
}

weft::Task<int> failing_winner(std::atomic<int>* live) {
  auto result = co_await weft::when_any(parked_forever(live), throws_after_yield("winner threw"));
  co_return std::get<0>(result);
}

TEST(WhenAny, AnExceptionFromTheFirstToFinishIsRethrownAndTheRestCancelled) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  expect_block_on_throws<Boom>(rt, failing_winner(&live), "winner threw");
  EXPECT_EQ(live.load(), 0);
}

weft::Task<int> loser_would_throw() {
  auto result = co_await weft::when_any(ready_value(3), throws_after_yield("never seen"));
  co_return std::get<0>(result);
}

TEST(WhenAny, ALoserThatWouldHaveThrownIsSimplyDestroyed) {
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(loser_would_throw()), 3);
}

weft::Task<weft::AnyResult<int>> any_of(std::vector<weft::Task<int>> tasks) {
  co_return co_await weft::when_any(std::move(tasks));
}

TEST(WhenAny, VectorFormGivesIndexAndValue) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  std::vector<weft::Task<int>> tasks;
  tasks.push_back(parked_forever(&live));
  tasks.push_back(parked_forever(&live));
  tasks.push_back(yield_then(30, 3));
  tasks.push_back(parked_forever(&live));
  auto result = rt.block_on(any_of(std::move(tasks)));
  EXPECT_EQ(result.index, 2u);
  EXPECT_EQ(result.value, 30);
  EXPECT_EQ(live.load(), 0);
}

TEST(WhenAny, EmptyVectorIsInvalid) {
  std::vector<weft::Task<int>> none;
  EXPECT_THROW((void)weft::when_any(std::move(none)), std::invalid_argument);
  std::vector<weft::Task<int>> none_either;
  EXPECT_THROW((void)weft::select(std::move(none_either)), std::invalid_argument);
}

// select() racing a wait against a timer: the timer wins, the wait is destroyed and
// leaves the primitive it waited on consistent (the sender sees the receiver gone).
weft::Task<std::size_t> receive_or_tick(weft::oneshot::Receiver<int> rx) {
  auto result = co_await weft::select(std::move(rx), weft::sleep(std::chrono::milliseconds(5)));
  co_return result.index();
}

TEST(WhenAny, SelectWithASleepActsAsATimeout) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  auto [tx, rx] = weft::oneshot::channel<int>();
  EXPECT_EQ(rt.block_on(receive_or_tick(std::move(rx))), 1u);
  EXPECT_TRUE(tx.is_closed());
  EXPECT_FALSE(tx.send(1));

  auto [tx2, rx2] = weft::oneshot::channel<int>();
  tx2.send(9);
  EXPECT_EQ(rt.block_on(receive_or_tick(std::move(rx2))), 0u);
}

weft::Task<void> await_two_parked(std::atomic<int>* live, weft::oneshot::Receiver<int> rx,
                                  weft::oneshot::Sender<int> started) {
  started.send(1);
  co_await weft::when_any(parked_forever(live), std::move(rx));
}

TEST(WhenAny, AbortingTheAwaitingTaskDestroysEveryChild) {
  Watchdog watchdog;
  combinator_test::abort_while_awaiting_parked_pair(await_two_parked);
}

weft::Task<int> when_any_in_timeout(std::atomic<int>* live) {
  auto result = co_await weft::timeout(std::chrono::milliseconds(10),
                                       weft::when_any(parked_forever(live), parked_forever(live)));
  co_return std::get<0>(result);
}

TEST(WhenAny, TimeoutAroundWhenAnyDestroysEveryChild) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  EXPECT_THROW(rt.block_on(when_any_in_timeout(&live)), weft::TimeoutError);
  EXPECT_EQ(live.load(), 0);
}

// A loser registered its waker with an Event; the Event fires after when_any returned.
weft::Task<std::size_t> loser_registered_elsewhere(Event* event, std::atomic<int>* live) {
  auto result = co_await weft::when_any(value_after(event, 1, live), yield_then(2, 1));
  co_return result.index();
}

TEST(WhenAny, LosersWakersFiringLaterAreHarmless) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(2));
  std::atomic<int> live{0};
  Event event;
  EXPECT_EQ(rt.block_on(loser_registered_elsewhere(&event, &live)), 1u);
  EXPECT_EQ(live.load(), 0);
  EXPECT_GE(event.registrations(), 1);
  std::thread late([&] { event.set(); });
  late.join();
}

TEST(WhenAny, MovingAfterThePollStartedIsALogicError) {
  Event never;
  auto pending_any = weft::when_any(never.wait(), never.wait());
  ManualContext manual;
  EXPECT_TRUE(pending_any.poll(manual.cx).is_pending());
  EXPECT_THROW({ auto moved = std::move(pending_any); }, std::logic_error);
}

// Stress: rounds of two children released by two racing foreign threads; exactly one wins
// each round, and no frame survives.
weft::Task<std::size_t> race_round(std::shared_ptr<Event> a, std::shared_ptr<Event> b,
                                   std::atomic<int>* live, std::atomic<int>* wins_a,
                                   std::atomic<int>* wins_b) {
  auto result =
      co_await weft::when_any(value_after(a.get(), 0, live), value_after(b.get(), 1, live));
  if (result.index() == 0) {
    EXPECT_EQ(std::get<0>(result), 0);
    wins_a->fetch_add(1);
  } else {
    EXPECT_EQ(std::get<1>(result), 1);
    wins_b->fetch_add(1);
  }
  co_return result.index();
}

TEST(WhenAny, StressRacingWakesFromForeignThreads) {
  Watchdog watchdog(std::chrono::seconds(60));
  weft::Runtime rt(config_with(4));
  std::atomic<int> live{0};
  std::atomic<int> wins_a{0};
  std::atomic<int> wins_b{0};
  const int rounds = 50 * weft_test::kScale;
  std::vector<std::shared_ptr<Event>> as;
  std::vector<std::shared_ptr<Event>> bs;
  std::vector<weft::JoinHandle<std::size_t>> handles;
  for (int r = 0; r < rounds; ++r) {
    as.push_back(std::make_shared<Event>());
    bs.push_back(std::make_shared<Event>());
    handles.push_back(rt.spawn(race_round(as.back(), bs.back(), &live, &wins_a, &wins_b)));
  }
  std::thread ta([&] {
    for (auto& e : as) e->set();
  });
  std::thread tb([&] {
    for (auto& e : bs) e->set();
  });
  ta.join();
  tb.join();
  for (auto& h : handles) EXPECT_LE(wait_for_result(h), 1u);
  EXPECT_EQ(wins_a.load() + wins_b.load(), rounds);
  EXPECT_EQ(live.load(), 0);
}

}  // namespace
