#pragma once
// Blocking a plain thread on a future: the waker unparks the thread, which polls again.
// This is how block_on() waits from a thread that is not a worker.

#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>
#include <weft/scheduler/waker.hpp>

namespace weft {

namespace detail {
// A reference-counted parker for one thread; `waker()` hands out wakers that unpark it.
class ThreadNotifier {
 public:
  ThreadNotifier();
  ThreadNotifier(const ThreadNotifier&) = delete;
  ThreadNotifier& operator=(const ThreadNotifier&) = delete;
  ~ThreadNotifier();
  Waker waker() const noexcept;
  void park() noexcept;

  struct State;  // defined in thread_waker.cpp

 private:
  State* state_;  // shared with the wakers it handed out; freed by the last reference
};
}  // namespace detail

// Polls `future` on the calling thread until it is ready, sleeping in between.
template <Future F>
future_output_t<F> block_on_future(F& future) {
  detail::ThreadNotifier notifier;
  const Waker waker = notifier.waker();
  Context cx(waker);
  for (;;) {
    auto result = future.poll(cx);
    if (result.is_ready()) return std::move(result).value();
    notifier.park();
  }
}

}  // namespace weft
