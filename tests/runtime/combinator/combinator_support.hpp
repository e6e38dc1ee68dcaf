#pragma once
// Helpers shared by the combinator tests (when_all, when_any, JoinSet, TaskLocal).

#include <weft/runtime/join_set.hpp>
#include <weft/runtime/task_local.hpp>
#include <weft/runtime/when_all.hpp>
#include <weft/runtime/when_any.hpp>
#include <weft/weft.hpp>

#include <atomic>
#include <stdexcept>
#include <string>

#include "../test_support.hpp"

namespace combinator_test {

// The exception the failing children throw.
class Boom : public std::runtime_error {
 public:
  explicit Boom(const std::string& what) : std::runtime_error(what) {}
};

// Waits for `event`, counting each of its polls.
struct CountingWait {
  weft_test::Event* event;
  std::atomic<int>* polls;
  weft::Poll<void> poll(weft::Context& cx) {
    weft_test::bump_and_notify(*polls);  // wait_at_least() may be blocked on it
    return event->wait().poll(cx);
  }
};

// A task that waits for `event` (holding a LiveGuard so that tests can see its frame
// destroyed), then yields `value`.
inline weft::Task<int> value_after(weft_test::Event* event, int value, std::atomic<int>* live) {
  weft_test::LiveGuard guard(*live);
  co_await event->wait();
  co_return value;
}

// A task that never finishes on its own.
inline weft::Task<int> parked_forever(std::atomic<int>* live) {
  weft_test::LiveGuard guard(*live);
  weft_test::Event never;
  co_await never.wait();
  co_return -1;
}

inline weft::Task<int> ready_value(int value) {
  co_return value;
}

inline weft::Task<int> yield_then(int value, int yields) {
  for (int i = 0; i < yields; ++i) co_await weft::yield_now();
  co_return value;
}

inline weft::Task<int> throws_after_yield(std::string what) {
  co_await weft::yield_now();
  throw Boom(what);
}

// The coroutine under test: sends on `started`, then awaits a combinator over a parked_forever
// child (counted in `live`) and a oneshot child (`rx`).
using AwaitsParkedPair = weft::Task<void> (*)(std::atomic<int>* live,
                                              weft::oneshot::Receiver<int> rx,
                                              weft::oneshot::Sender<int> started);

// Aborts the task running `awaits` once both children exist, and checks that aborting it
// destroyed both. Returns the Sender of the oneshot child for further checks.
inline weft::oneshot::Sender<int> abort_while_awaiting_parked_pair(AwaitsParkedPair awaits) {
  weft::Runtime rt(weft_test::config_with(2));
  std::atomic<int> live{0};
  auto [tx, rx] = weft::oneshot::channel<int>();
  auto [started_tx, started_rx] = weft::oneshot::channel<int>();
  auto handle = rt.spawn(awaits(&live, std::move(rx), std::move(started_tx)));
  weft_test::wait_for_result(started_rx);
  EXPECT_TRUE(weft_test::eventually([&] { return live.load() == 1; }));
  handle.abort();
  EXPECT_THROW(weft_test::wait_for_result(handle), weft::TaskCancelled);
  EXPECT_EQ(live.load(), 0);
  EXPECT_TRUE(tx.is_closed()) << "the oneshot child (its Receiver) was not destroyed";
  return std::move(tx);
}

// A null waker context for polling futures by hand on the test thread.
struct ManualContext {
  weft::Waker waker;
  weft::Context cx{waker};
};

}  // namespace combinator_test
