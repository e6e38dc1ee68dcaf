#pragma once
// yield_now(): lets the other tasks on this worker run before the caller continues.
//
//   co_await weft::yield_now();

#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft {

class YieldNow {
 public:
  Poll<void> poll(Context& cx) noexcept {
    if (yielded_) return ready;
    yielded_ = true;
    // A wake during our own poll re-queues the task behind the others after this poll.
    cx.waker().wake_by_ref();
    return pending;
  }

 private:
  bool yielded_ = false;
};

inline YieldNow yield_now() noexcept {
  return {};
}

}  // namespace weft
