#pragma once
// Type helpers shared by the combinators (when_all, when_any, JoinSet, TaskLocal::scope):
// what future an argument becomes, and how a void result is represented in a value.

#include <type_traits>
#include <utility>
#include <variant>

#include <weft/runtime/runtime.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft::detail {

// A void result, where a value is needed (in a tuple, variant or optional).
template <class T>
using value_or_monostate_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// The result of awaiting `F` (a Task<T> or a Future) after it was turned into a future.
template <class F>
using awaited_output_t = future_output_t<spawned_future_t<F>>;

// Polls `future` and turns its Poll<T> into a Poll of value_or_monostate_t<T>.
template <class F>
Poll<value_or_monostate_t<future_output_t<F>>> poll_as_value(F& future, Context& cx) {
  using Output = future_output_t<F>;
  if constexpr (std::is_void_v<Output>) {
    if (future.poll(cx).is_pending()) return pending;
    return std::monostate{};
  } else {
    return future.poll(cx);
  }
}

}  // namespace weft::detail
