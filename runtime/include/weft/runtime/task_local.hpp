#pragma once
// TaskLocal<T>: a value bound for the duration of some work, visible to every Task that
// work awaits (tokio's task_local!).
//
//   static weft::TaskLocal<std::string> request_id;
//
//   weft::Task<void> log(std::string_view msg) {
//     std::printf("[%s] %.*s\n", request_id.get().c_str(), int(msg.size()), msg.data());
//     co_return;
//   }
//   weft::Task<void> handle(Request r) {
//     co_await request_id.scope(r.id, serve(std::move(r)));   // serve() and what it awaits
//   }                                                        // see request_id.get() == r.id
//
// The binding follows the scoped work across suspensions and worker migrations, and into
// the Tasks and futures it awaits (including the children of when_all / when_any it
// awaits). A nested scope of the same TaskLocal shadows the outer one until it ends.
// Tasks spawned from inside a scope do NOT inherit the binding: they are polled on their
// own, outside the scope; pass the value explicitly (or open a scope in them).

#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <weft/runtime/detail/task_local_chain.hpp>
#include <weft/runtime/runtime.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft {

template <class T>
class TaskLocal;

// The future TaskLocal::scope returns: polls F with the binding in place. Movable only
// before it is first polled.
template <class T, class F>
class TaskLocalScope {
 public:
  using Output = future_output_t<F>;

  TaskLocalScope(const TaskLocal<T>& local, T&& value, F&& inner)
      : local_(&local), value_(std::move(value)), inner_(std::in_place, std::move(inner)) {}
  TaskLocalScope(TaskLocalScope&& other)
      : local_(other.local_), value_(std::move(other.value_)), inner_(std::move(other.inner_)) {
    if (other.started_) throw std::logic_error("weft: TaskLocal scope moved after it was polled");
  }
  TaskLocalScope& operator=(TaskLocalScope&&) = delete;
  TaskLocalScope(const TaskLocalScope&) = delete;
  TaskLocalScope& operator=(const TaskLocalScope&) = delete;
  ~TaskLocalScope() = default;

  Poll<Output> poll(Context& cx) {
    if (!inner_) throw std::logic_error("weft: TaskLocal scope polled after it finished");
    started_ = true;
    detail::TaskLocalBindingGuard bound(local_, &value_);
    auto result = inner_->poll(cx);
    // The work's frame is destroyed while the binding is still visible to its destructors.
    if (result.is_ready()) inner_.reset();
    return result;
  }

 private:
  const TaskLocal<T>* local_;
  T value_;
  std::optional<F> inner_;
  bool started_ = false;
};

template <class T>
class TaskLocal {
 public:
  constexpr TaskLocal() noexcept = default;
  TaskLocal(const TaskLocal&) = delete;
  TaskLocal& operator=(const TaskLocal&) = delete;

  // A future that runs `work` (a Task or a Future, moved in) with this local bound to
  // `value`, and yields work's result (or rethrows its exception).
  template <detail::Spawnable F>
  auto scope(T value, F&& work) const {
    using Inner = detail::spawned_future_t<F>;
    return TaskLocalScope<T, Inner>(*this, std::move(value), Inner(std::forward<F>(work)));
  }

  // Calls fn() synchronously with this local bound to `value`.
  template <class Fn>
  decltype(auto) sync_scope(T value, Fn&& fn) const {
    detail::TaskLocalBindingGuard bound(this, &value);
    return std::forward<Fn>(fn)();
  }

  // The innermost value bound to this local in the code now running; std::logic_error
  // when there is none. The reference is valid until the scope's work finishes.
  T& get() const {
    if (T* value = try_get()) return *value;
    throw std::logic_error("weft: TaskLocal::get() outside a scope of this TaskLocal");
  }

  // The bound value, or nullptr outside any scope of this local.
  T* try_get() const noexcept { return static_cast<T*>(detail::find_task_local(this)); }

  bool is_set() const noexcept { return try_get() != nullptr; }
};

}  // namespace weft
