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

// A null waker context for polling futures by hand on the test thread.
struct ManualContext {
  weft::Waker waker;
  weft::Context cx{waker};
};

}  // namespace combinator_test
