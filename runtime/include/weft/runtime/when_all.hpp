#pragma once
// when_all: runs several Tasks or Futures concurrently inside the awaiting task and waits
// for all of them.
//
//   auto [user, posts] = co_await weft::when_all(load_user(id), load_posts(id));
//   std::vector<weft::Task<int>> jobs = ...;
//   std::vector<int> results = co_await weft::when_all(std::move(jobs));
//
// The children are not spawned: they are polled by the awaiting task, each with its own
// waker, so a wake re-polls only the child it belongs to. A void child's slot in the
// tuple is std::monostate (a vector of void children gives void). The first exception
// thrown by a child destroys the others (their frames, and whatever they were waiting on)
// and is rethrown. Destroying the when_all future (abort, timeout) destroys every child.

#include <cstddef>
#include <exception>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <weft/runtime/detail/child_wakers.hpp>
#include <weft/runtime/detail/combinator_support.hpp>
#include <weft/runtime/runtime.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft {

// The future when_all(a, b, ...) returns. Fs are the children's future types (a Task
// becomes a RootTask). Movable only before it is first polled.
template <class... Fs>
class WhenAll {
 public:
  using Output = std::tuple<detail::value_or_monostate_t<future_output_t<Fs>>...>;

  explicit WhenAll(Fs&&... children) : children_(std::optional<Fs>(std::move(children))...) {}
  WhenAll(WhenAll&& other)
      : children_(std::move(other.children_)),
        results_(std::move(other.results_)),
        remaining_(other.remaining_) {
    if (other.started_) throw std::logic_error("weft: when_all moved after it was polled");
  }
  WhenAll& operator=(WhenAll&&) = delete;
  WhenAll(const WhenAll&) = delete;
  WhenAll& operator=(const WhenAll&) = delete;
  ~WhenAll() = default;

  Poll<Output> poll(Context& cx) {
    if (finished_) throw std::logic_error("weft: when_all polled after it finished");
    if (!started_) {
      started_ = true;
      wakers_ = detail::ChildWakers(sizeof...(Fs));
    }
    wakers_.take_woken(cx.waker(), woken_);
    try {
      for (std::size_t index : woken_) poll_child(index, std::index_sequence_for<Fs...>{});
    } catch (...) {
      finish();  // cancel every other child before the exception is seen
      throw;
    }
    if (remaining_ != 0) return pending;
    finish();
    return std::apply([](auto&... results) { return Output(std::move(*results)...); }, results_);
  }

 private:
  template <std::size_t... Is>
  void poll_child(std::size_t index, std::index_sequence<Is...>) {
    ((index == Is ? poll_one<Is>() : void()), ...);
  }

  template <std::size_t I>
  void poll_one() {
    auto& child = std::get<I>(children_);
    if (!child) return;  // a late wake of a child that already finished
    auto result = wakers_.with_child_context(
        I, [&](Context& cx) { return detail::poll_as_value(*child, cx); });
    if (result.is_pending()) return;
    std::get<I>(results_).emplace(std::move(result).value());
    child.reset();  // free its frame now rather than when the last child finishes
    --remaining_;
  }

  void finish() noexcept {
    finished_ = true;
    std::apply([](auto&... child) { (child.reset(), ...); }, children_);
    wakers_.close();
  }

  std::tuple<std::optional<Fs>...> children_;
  std::tuple<std::optional<detail::value_or_monostate_t<future_output_t<Fs>>>...> results_;
  std::size_t remaining_ = sizeof...(Fs);
  // Declared after the children so that it is closed first: wakes from children being
  // destroyed then go nowhere.
  detail::ChildWakers wakers_;
  std::vector<std::size_t> woken_;
  bool started_ = false;
  bool finished_ = false;
};

// The future when_all(std::vector<F>) returns: a std::vector of the results in the
// children's order (void children: void).
template <class F>
class WhenAllRange {
  using ChildOutput = future_output_t<F>;

 public:
  using Output = std::conditional_t<std::is_void_v<ChildOutput>, void, std::vector<ChildOutput>>;

  explicit WhenAllRange(std::vector<std::optional<F>>&& children)
      : children_(std::move(children)), results_(children_.size()), remaining_(children_.size()) {}
  WhenAllRange(WhenAllRange&& other)
      : children_(std::move(other.children_)),
        results_(std::move(other.results_)),
        remaining_(other.remaining_) {
    if (other.started_) throw std::logic_error("weft: when_all moved after it was polled");
  }
  WhenAllRange& operator=(WhenAllRange&&) = delete;
  WhenAllRange(const WhenAllRange&) = delete;
  WhenAllRange& operator=(const WhenAllRange&) = delete;
  ~WhenAllRange() = default;

  Poll<Output> poll(Context& cx) {
    if (finished_) throw std::logic_error("weft: when_all polled after it finished");
    if (!started_) {
      started_ = true;
      wakers_ = detail::ChildWakers(children_.size());
    }
    wakers_.take_woken(cx.waker(), woken_);
    try {
      for (std::size_t index : woken_) poll_one(index);
    } catch (...) {
      finish();
      throw;
    }
    if (remaining_ != 0) return pending;
    finish();
    if constexpr (std::is_void_v<ChildOutput>) {
      return ready;
    } else {
      std::vector<ChildOutput> out;
      out.reserve(results_.size());
      for (auto& result : results_) out.push_back(std::move(*result));
      return out;
    }
  }

 private:
  void poll_one(std::size_t index) {
    auto& child = children_[index];
    if (!child) return;
    auto result = wakers_.with_child_context(
        index, [&](Context& cx) { return detail::poll_as_value(*child, cx); });
    if (result.is_pending()) return;
    results_[index].emplace(std::move(result).value());
    child.reset();
    --remaining_;
  }

  void finish() noexcept {
    finished_ = true;
    for (auto& child : children_) child.reset();
    wakers_.close();
  }

  std::vector<std::optional<F>> children_;
  std::vector<std::optional<detail::value_or_monostate_t<ChildOutput>>> results_;
  std::size_t remaining_;
  detail::ChildWakers wakers_;
  std::vector<std::size_t> woken_;
  bool started_ = false;
  bool finished_ = false;
};

namespace detail {
// Turns a range of awaitables into the futures a combinator polls.
template <class F>
std::vector<std::optional<spawned_future_t<F>>> to_child_futures(std::vector<F>&& work) {
  std::vector<std::optional<spawned_future_t<F>>> children;
  children.reserve(work.size());
  for (auto& item : work) children.emplace_back(std::in_place, std::move(item));
  work.clear();
  return children;
}
}  // namespace detail

// Awaits every argument (each a Task<T> or a Future, moved in) concurrently; yields a
// std::tuple of their results. when_all() with no argument is ready at once.
template <detail::Spawnable... Fs>
auto when_all(Fs&&... work) {
  return WhenAll<detail::spawned_future_t<Fs>...>(
      detail::spawned_future_t<Fs>(std::forward<Fs>(work))...);
}

// Awaits every element of `work` concurrently; yields their results in `work`'s order
// (void for void children). An empty vector is ready at once.
template <detail::Spawnable F>
auto when_all(std::vector<F> work) {
  return WhenAllRange<detail::spawned_future_t<F>>(detail::to_child_futures(std::move(work)));
}

}  // namespace weft
