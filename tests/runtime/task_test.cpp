// weft::Task<T>: lazy start, co_await chains (values, void, move-only types), exceptions
// reaching the awaiter, awaiting futures at any depth of a chain, and chains deep enough
// that anything but symmetric transfer would overflow the stack.

#include <weft/weft.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "test_support.hpp"

namespace {

using weft_test::config_with;
using weft_test::DropFlag;
using weft_test::Watchdog;

weft::Task<int> answer() {
  co_return 42;
}

weft::Task<int> add(int a, int b) {
  co_return a + b;
}

weft::Task<void> set_flag(std::atomic<bool>* flag) {
  flag->store(true);
  co_return;
}

weft::Task<int> sum_chain() {
  const int a = co_await answer();
  const int b = co_await add(a, 8);
  auto lvalue = add(b, 1);
  const int c = co_await lvalue;  // awaited in place, by reference
  co_return c;
}

TEST(Task, DefaultConstructedIsEmpty) {
  weft::Task<int> task;
  EXPECT_FALSE(task.valid());
  EXPECT_FALSE(task.done());
}

TEST(Task, IsLazyUntilSpawnedOrAwaited) {
  std::atomic<bool> ran{false};
  weft::Runtime rt(config_with(1));
  auto task = set_flag(&ran);
  EXPECT_TRUE(task.valid());
  EXPECT_FALSE(task.done());
  EXPECT_FALSE(ran.load());
  rt.block_on(std::move(task));
  EXPECT_TRUE(ran.load());
}

weft::Task<void> never_started([[maybe_unused]] DropFlag flag, std::atomic<bool>* ran) {
  ran->store(true);
  co_return;
}

TEST(Task, DestroyingAnUnstartedTaskDestroysItsFrameAndParameters) {
  std::atomic<bool> dropped{false};
  std::atomic<bool> ran{false};
  {
    auto task = never_started(DropFlag(dropped), &ran);
    EXPECT_FALSE(dropped.load()) << "the frame owns a moved-in copy of the parameter";
  }
  EXPECT_TRUE(dropped.load());
  EXPECT_FALSE(ran.load());
}

TEST(Task, CoAwaitChainsValues) {
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(sum_chain()), 51);
}

weft::Task<void> append(std::string* out, std::string piece) {
  *out += piece;
  co_return;
}

weft::Task<std::string> build_string() {
  std::string out;
  co_await append(&out, "a");
  co_await append(&out, "b");
  auto third = append(&out, "c");
  co_await third;
  co_return out;
}

TEST(Task, CoAwaitChainsVoid) {
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(build_string()), "abc");
}

weft::Task<std::unique_ptr<int>> make_unique_int(std::unique_ptr<int> seed) {
  *seed += 1;
  co_return seed;
}

weft::Task<std::unique_ptr<int>> pass_unique_along() {
  auto p = co_await make_unique_int(std::make_unique<int>(1));
  p = co_await make_unique_int(std::move(p));
  co_return p;
}

TEST(Task, MoveOnlyValuesFlowThroughAChain) {
  weft::Runtime rt(config_with(1));
  std::unique_ptr<int> result = rt.block_on(pass_unique_along());
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(*result, 3);
}

struct NoDefault {
  explicit NoDefault(int v) : value(v) {}
  NoDefault(NoDefault&&) = default;
  NoDefault& operator=(NoDefault&&) = default;
  int value;
};

weft::Task<NoDefault> make_no_default(int v) {
  co_return NoDefault(v);
}

TEST(Task, ValueTypesNeedNoDefaultConstructor) {
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(make_no_default(7)).value, 7);
}

weft::Task<int> thrower(std::string message) {
  throw std::runtime_error(message);
  co_return 0;
}

weft::Task<int> middle_does_not_catch() {
  const int v = co_await thrower("deep");
  co_return v + 1;  // never reached
}

weft::Task<std::string> catches_below() {
  try {
    co_await middle_does_not_catch();
  } catch (const std::runtime_error& error) {
    co_return std::string("caught ") + error.what();
  }
  co_return "nothing thrown";
}

TEST(Task, ExceptionReachesTheAwaiterThroughTheChain) {
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(catches_below()), "caught deep");
}

TEST(Task, UncaughtExceptionReachesBlockOn) {
  weft::Runtime rt(config_with(1));
  try {
    rt.block_on(middle_does_not_catch());
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "deep");
  }
}

weft::Task<void> void_thrower() {
  throw std::out_of_range("void task");
  co_return;
}

TEST(Task, VoidTaskExceptionPropagates) {
  weft::Runtime rt(config_with(1));
  EXPECT_THROW(rt.block_on(void_thrower()), std::out_of_range);
}

weft::Task<int> after_catch_continues() {
  int total = 0;
  for (int i = 0; i < 3; ++i) {
    try {
      co_await thrower("again");
    } catch (const std::runtime_error&) {
      ++total;
    }
  }
  total += co_await answer();
  co_return total;
}

TEST(Task, ACaughtExceptionLeavesTheAwaiterUsable) {
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(after_catch_continues()), 45);
}

// A future that is pending `n` times (waking itself each time) before it yields `value`.
struct Countdown {
  int remaining;
  int value;
  weft::Poll<int> poll(weft::Context& cx) {
    if (remaining-- <= 0) return value;
    cx.waker().wake_by_ref();
    return weft::pending;
  }
};

// A future whose poll throws on its `throw_at`-th call.
struct ThrowingFuture {
  int throw_at;
  int calls = 0;
  weft::Poll<int> poll(weft::Context& cx) {
    if (++calls == throw_at) throw std::logic_error("future failed");
    cx.waker().wake_by_ref();
    return weft::pending;
  }
};

weft::Task<int> leaf_level(int depth) {
  if (depth == 0) {
    Countdown by_ref{3, 10};
    const int a = co_await by_ref;            // an lvalue future, awaited in place
    const int b = co_await Countdown{2, 20};  // a temporary
    const int c = co_await Countdown{0, 30};  // ready at once
    co_return a + b + c;
  }
  co_return 1 + co_await leaf_level(depth - 1);
}

TEST(Task, FuturesCanBeAwaitedAtAnyDepthOfAChain) {
  weft::Runtime rt(config_with(2));
  EXPECT_EQ(rt.block_on(leaf_level(0)), 60);
  EXPECT_EQ(rt.block_on(leaf_level(5)), 65);
}

weft::Task<std::string> catch_future_error(int throw_at) {
  try {
    co_await ThrowingFuture{throw_at};
  } catch (const std::logic_error& error) {
    co_return error.what();
  }
  co_return "no error";
}

TEST(Task, FutureExceptionOnFirstPollReachesTheCoroutine) {
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(catch_future_error(1)), "future failed");
}

TEST(Task, FutureExceptionOnALaterPollReachesTheCoroutine) {
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(catch_future_error(4)), "future failed");
}

weft::Task<int> one() {
  co_return 1;
}

weft::Task<long> many_sequential_awaits(int count) {
  long total = 0;
  for (int i = 0; i < count; ++i) total += co_await one();
  co_return total;
}

// How many synchronous awaits the stack-depth tests below can afford. Symmetric transfer
// keeps the stack flat only where g++ emits the resumption as a tail call, which it does
// only with -foptimize-sibling-calls (on at -O2 and above), and not in sanitizer builds,
// whose instrumentation (e.g. TSan's function-exit hook) stops the tail call even at -O2.
// There the counts stay small enough for a stack frame per await;
// DISABLED_SynchronousAwaitsDoNotGrowTheStackInAnyBuild shows the problem.
constexpr bool kTailCalls =
    weft_test::kOptimized && !weft_test::kThreadSanitizer && !weft_test::kAddressSanitizer;
constexpr int kStackHeavy = kTailCalls ? 100'000 * weft_test::kScale : 2'000;

TEST(Task, ManySynchronousAwaitsInALoopDoNotGrowTheStack) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  const int count = 2 * kStackHeavy;
  EXPECT_EQ(rt.block_on(many_sequential_awaits(count)), count);
}

// A loop of one million awaits of tasks that complete synchronously. Passes in Release;
// overflows the worker's stack (SIGSEGV / ASan stack-overflow) in any build without
// -foptimize-sibling-calls (-O0, -O1, -Og: the Debug and sanitizer builds), because each
// symmetric transfer then becomes a nested call that only unwinds when the loop ends.
TEST(Task, DISABLED_SynchronousAwaitsDoNotGrowTheStackInAnyBuild) {
  Watchdog watchdog;
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(many_sequential_awaits(1'000'000)), 1'000'000);
}

weft::Task<int> nested(int depth) {
  if (depth == 0) co_return 0;
  co_return 1 + co_await nested(depth - 1);
}

TEST(Task, DeepRecursiveChainCompletes) {
  Watchdog watchdog;
  // In Release, deep enough that a stack frame per level (no symmetric transfer) would
  // overflow the 8 MiB default stack of the worker thread.
  weft::Runtime rt(config_with(1));
  const int depth = kStackHeavy;
  EXPECT_EQ(rt.block_on(nested(depth)), depth);
}

weft::Task<int> nested_with_suspension(int depth) {
  if (depth == 0) co_return co_await Countdown{1, 0};
  co_return 1 + co_await nested_with_suspension(depth - 1);
}

TEST(Task, DeepChainSuspendedAtTheLeafResumesAllTheWayUp) {
  weft::Runtime rt(config_with(2));
  const int depth = kStackHeavy / 10;
  EXPECT_EQ(rt.block_on(nested_with_suspension(depth)), depth);
}

weft::Task<void> await_yield_outside_runtime() {
  co_await weft::yield_now();
}

TEST(Task, AwaitingAFutureOutsideARuntimeThrowsLogicError) {
  auto task = await_yield_outside_runtime();
  task.handle().resume();  // drive it by hand, with no runtime around
  ASSERT_TRUE(task.done());
  EXPECT_THROW(task.handle().promise().take_result(), std::logic_error);
}

TEST(Task, BlockOnAcceptsAHandWrittenFuture) {
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(Countdown{5, 99}), 99);
}

TEST(Task, BlockOnAFutureThatThrowsRethrows) {
  weft::Runtime rt(config_with(1));
  EXPECT_THROW(rt.block_on(ThrowingFuture{2}), std::logic_error);
}

weft::Task<int> frame_with_guard([[maybe_unused]] DropFlag flag, int v) {
  co_await weft::yield_now();
  co_return v;
}

TEST(Task, CompletedTaskFrameIsDestroyed) {
  std::atomic<bool> dropped{false};
  weft::Runtime rt(config_with(1));
  EXPECT_EQ(rt.block_on(frame_with_guard(DropFlag(dropped), 5)), 5);
  EXPECT_TRUE(dropped.load());
}

// ---- g++ 12.2 coroutine bugs that weft users can hit (not weft's; kept disabled) -------------

// Two miscompilations seen while writing this suite; both reproduce without weft. Enable
// these when the toolchain changes.

// Ready at once: true for the first three polls, then false.
struct FirstThree {
  std::atomic<int>* polls;
  weft::Poll<bool> poll(weft::Context&) { return polls->fetch_add(1) < 3; }
};

weft::Task<void> loop_on_while_condition(std::atomic<int>* polls, std::atomic<int>* iterations) {
  // g++ 12.2 (-O0 and -O2): with a co_await as the condition of a while loop whose body
  // uses a parameter, the coroutine's body never runs at all (not even statements before
  // the loop); the task stays pending with nothing to wake it, so block_on hangs (the
  // watchdog fires). Reproduces without weft; `for (;;) { bool b = co_await ...; if (!b)
  // break; ... }` is a workaround.
  while (co_await FirstThree{polls}) iterations->fetch_add(1);
}

TEST(Task, DISABLED_CoAwaitInAWhileCondition) {
  Watchdog watchdog(std::chrono::seconds(10));
  weft::Runtime rt(config_with(1));
  std::atomic<int> polls{0};
  std::atomic<int> iterations{0};
  rt.block_on(loop_on_while_condition(&polls, &iterations));
  EXPECT_EQ(iterations.load(), 3);
  EXPECT_EQ(polls.load(), 4);
}

// An aggregate (no constructor) future owning a move-only resource.
struct AggregateReceive {
  weft::oneshot::Receiver<int> rx;
  weft::Poll<int> poll(weft::Context& cx) { return rx.poll(cx); }
};

weft::Task<int> await_aggregate_temporary(weft::oneshot::Receiver<int> rx) {
  // g++ 12.2 copies the aggregate temporary bitwise and destroys both copies: the Receiver
  // is released twice (ASan: heap-use-after-free in oneshot::detail::Shared::release).
  co_return co_await AggregateReceive{std::move(rx)};
}

TEST(Task, DISABLED_AggregateFutureTemporaryWithAMoveOnlyMember) {
  weft::Runtime rt(config_with(1));
  auto [tx, rx] = weft::oneshot::channel<int>();
  EXPECT_TRUE(tx.send(5));
  EXPECT_EQ(rt.block_on(await_aggregate_temporary(std::move(rx))), 5);
}

}  // namespace
