#pragma once
// when_any / select: runs several Tasks or Futures concurrently inside the awaiting task;
// the first to finish wins and every other one is cancelled.
//
//   auto winner = co_await weft::when_any(fetch(primary), fetch(mirror));
//   std::size_t which = winner.index();           // 0 or 1
//   auto body = std::visit([](auto& v) { return v; }, winner);
//
//   auto r = co_await weft::select(std::move(rx), weft::sleep(100ms));   // select == when_any
//   if (r.index() == 1) { /* timed out */ }
//
//   weft::AnyResult<int> first = co_await weft::when_any(std::move(vector_of_tasks));
//   // first.index, first.value
//
// The result is a std::variant whose alternative index is the winner's argument position
// (alternatives may repeat a type: use index() / std::get<I>, not std::get<T>); a void
// child's alternative is std::monostate. Before the result is returned, every other
// child is destroyed (its coroutine frame, and whatever it was waiting on). If the first
// child to finish threw, the rest are destroyed and the exception is rethrown.
// Children are polled in argument order when several are woken at once, so when two are
// ready at the same poll the lower index wins (the order is biased, not random).

#include <cstddef>
#include <exception>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <weft/runtime/detail/child_wakers.hpp>
#include <weft/runtime/detail/combinator_support.hpp>
#include <weft/runtime/runtime.hpp>
#include <weft/runtime/when_all.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft {

// The result of when_any over a vector: the winner's position and its value
// (std::monostate for void children).
template <class T>
struct AnyResult {
  std::size_t index;
  T value;
};

// The future when_any(a, b, ...) returns. Movable only before it is first polled.
template <class... Fs>
class WhenAny {
  static_assert(sizeof...(Fs) > 0, "weft::when_any needs at least one awaitable");

 public:
  using Output = std::variant<detail::value_or_monostate_t<future_output_t<Fs>>...>;

  explicit WhenAny(Fs&&... children) : children_(std::optional<Fs>(std::move(children))...) {}
  WhenAny(WhenAny&& other) : children_(std::move(other.children_)) {
    if (other.started_) throw std::logic_error("weft: when_any moved after it was polled");
  }
  WhenAny& operator=(WhenAny&&) = delete;
  WhenAny(const WhenAny&) = delete;
  WhenAny& operator=(const WhenAny&) = delete;
  ~WhenAny() = default;

  Poll<Output> poll(Context& cx) {
    if (finished_) throw std::logic_error("weft: when_any polled after it finished");
    if (!started_) {
      started_ = true;
      wakers_ = detail::ChildWakers(sizeof...(Fs));
    }
    wakers_.take_woken(cx.waker(), woken_);
    sort_woken();
    std::optional<Output> winner;
    try {
      for (std::size_t index : woken_) {
        poll_child(index, winner, std::index_sequence_for<Fs...>{});
        if (winner) break;
      }
    } catch (...) {
      finish();  // the others are cancelled before the exception is seen
      throw;
    }
    if (!winner) return pending;
    finish();
    return std::move(*winner);
  }

 private:
  // Lowest index first, so that the bias is the documented one (argument order).
  void sort_woken() {
    for (std::size_t i = 1; i < woken_.size(); ++i) {
      for (std::size_t j = i; j > 0 && woken_[j - 1] > woken_[j]; --j) {
        std::swap(woken_[j - 1], woken_[j]);
      }
    }
  }

  template <std::size_t... Is>
  void poll_child(std::size_t index, std::optional<Output>& winner, std::index_sequence<Is...>) {
    ((index == Is ? poll_one<Is>(winner) : void()), ...);
  }

  template <std::size_t I>
  void poll_one(std::optional<Output>& winner) {
    auto& child = std::get<I>(children_);
    if (!child) return;
    auto result = wakers_.with_child_context(
        I, [&](Context& cx) { return detail::poll_as_value(*child, cx); });
    if (result.is_ready()) winner.emplace(std::in_place_index<I>, std::move(result).value());
  }

  void finish() noexcept {
    finished_ = true;
    std::apply([](auto&... child) { (child.reset(), ...); }, children_);
    wakers_.close();
  }

  std::tuple<std::optional<Fs>...> children_;
  detail::ChildWakers wakers_;
  std::vector<std::size_t> woken_;
  bool started_ = false;
  bool finished_ = false;
};

// The future when_any(std::vector<F>) returns.
template <class F>
class WhenAnyRange {
 public:
  using Output = AnyResult<detail::value_or_monostate_t<future_output_t<F>>>;

  explicit WhenAnyRange(std::vector<std::optional<F>>&& children) : children_(std::move(children)) {
    if (children_.empty()) {
      throw std::invalid_argument("weft: when_any needs at least one awaitable (empty vector)");
    }
  }
  WhenAnyRange(WhenAnyRange&& other) : children_(std::move(other.children_)) {
    if (other.started_) throw std::logic_error("weft: when_any moved after it was polled");
  }
  WhenAnyRange& operator=(WhenAnyRange&&) = delete;
  WhenAnyRange(const WhenAnyRange&) = delete;
  WhenAnyRange& operator=(const WhenAnyRange&) = delete;
  ~WhenAnyRange() = default;

  Poll<Output> poll(Context& cx) {
    if (finished_) throw std::logic_error("weft: when_any polled after it finished");
    if (!started_) {
      started_ = true;
      wakers_ = detail::ChildWakers(children_.size());
    }
    wakers_.take_woken(cx.waker(), woken_);
    std::optional<Output> winner;
    try {
      // The first poll visits the children in order; later wakes in the order they came.
      for (std::size_t index : woken_) {
        auto& child = children_[index];
        if (!child) continue;
        auto result = wakers_.with_child_context(
            index, [&](Context& ccx) { return detail::poll_as_value(*child, ccx); });
        if (result.is_ready()) {
          winner.emplace(Output{index, std::move(result).value()});
          break;
        }
      }
    } catch (...) {
      finish();
      throw;
    }
    if (!winner) return pending;
    finish();
    return std::move(*winner);
  }

 private:
  void finish() noexcept {
    finished_ = true;
    for (auto& child : children_) child.reset();
    wakers_.close();
  }

  std::vector<std::optional<F>> children_;
  detail::ChildWakers wakers_;
  std::vector<std::size_t> woken_;
  bool started_ = false;
  bool finished_ = false;
};

// Awaits its arguments (Tasks or Futures, moved in; at least one) concurrently; the first
// to finish gives the result, a std::variant indexed by argument position.
template <detail::Spawnable... Fs>
auto when_any(Fs&&... work) {
  return WhenAny<detail::spawned_future_t<Fs>...>(
      detail::spawned_future_t<Fs>(std::forward<Fs>(work))...);
}

// The same over a vector of one awaitable type: {index, value} of the first to finish.
// An empty vector throws std::invalid_argument.
template <detail::Spawnable F>
auto when_any(std::vector<F> work) {
  return WhenAnyRange<detail::spawned_future_t<F>>(detail::to_child_futures(std::move(work)));
}

// select is when_any under the name other runtimes use for racing futures.
template <detail::Spawnable... Fs>
auto select(Fs&&... work) {
  return when_any(std::forward<Fs>(work)...);
}
template <detail::Spawnable F>
auto select(std::vector<F> work) {
  return when_any(std::move(work));
}

}  // namespace weft
