#pragma once
// Context: what a future's poll() receives: the waker of the task being polled.

#include <concepts>
#include <utility>

#include <weft/scheduler/poll.hpp>
#include <weft/scheduler/waker.hpp>

namespace weft {

class Context {
 public:
  explicit Context(const Waker& waker) noexcept : waker_(&waker) {}
  const Waker& waker() const noexcept { return *waker_; }

 private:
  const Waker* waker_;
};

// A hand-written future: any type with `Poll<T> poll(Context&)`.
template <class F>
concept Future = requires(F& f, Context& cx) {
  { f.poll(cx).is_ready() } -> std::same_as<bool>;
};

namespace detail {
template <class P>
struct poll_value;
template <class T>
struct poll_value<Poll<T>> {
  using type = T;
};
}  // namespace detail

// The T of the Poll<T> a future returns.
template <Future F>
using future_output_t =
    typename detail::poll_value<decltype(std::declval<F&>().poll(std::declval<Context&>()))>::type;

}  // namespace weft
