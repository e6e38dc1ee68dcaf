#pragma once
// weft::Task<T>: the coroutine type users write.
//
//   weft::Task<int> answer() { co_return 42; }
//   weft::Task<void> run() { int x = co_await answer(); ... }
//
// A Task is lazy: it starts when awaited or spawned. Awaiting a Task from another Task
// transfers control to it directly (symmetric transfer) without a trip through the
// scheduler, and an exception escaping it is rethrown at the co_await. Inside a Task you
// can co_await another Task, any Future (a type with `Poll<T> poll(Context&)`: JoinHandle,
// oneshot::Receiver, yield_now(), your own), by value or by reference.

#include <coroutine>
#include <exception>
#include <type_traits>
#include <utility>

#include <weft/runtime/detail/leaf_wait.hpp>
#include <weft/runtime/detail/outcome.hpp>
#include <weft/scheduler/frame_allocator.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft {

template <class T = void>
class Task;

namespace detail {

template <class T>
struct is_task : std::false_type {};
template <class T>
struct is_task<Task<T>> : std::true_type {};

class PromiseBase {
 public:
  std::suspend_always initial_suspend() const noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> self) const noexcept {
      return self.promise().continuation_;  // back to the awaiter, or to the root's poll
    }
    void await_resume() const noexcept {}
  };
  FinalAwaiter final_suspend() const noexcept { return {}; }

  static void* operator new(std::size_t size) { return frame_allocate(size); }
  static void operator delete(void* frame, std::size_t size) noexcept {
    frame_deallocate(frame, size);
  }

  template <class U>
  auto await_transform(Task<U>&& task) noexcept {
    return std::move(task).operator co_await();
  }
  template <class U>
  auto await_transform(Task<U>& task) noexcept {
    return task.operator co_await();
  }
  template <class F>
  requires(Future<std::remove_reference_t<F>> &&
           !is_task<std::remove_cvref_t<F>>::value) auto await_transform(F&& future) {
    return PollAwaiter<F>(std::forward<F>(future));
  }
  template <class A>
  requires(!Future<std::remove_reference_t<A>> && !is_task<std::remove_cvref_t<A>>::value) A &&
      await_transform(A&& awaitable)
  noexcept {
    static_assert(
        requires { std::remove_cvref_t<A>::weft_awaitable; },
        "weft::Task can co_await only a weft::Task or a weft Future (a type with "
        "Poll<T> poll(Context&)); an arbitrary awaitable would suspend the task "
        "without arranging a wakeup");
    return std::forward<A>(awaitable);
  }

  void set_continuation(std::coroutine_handle<> continuation) noexcept {
    continuation_ = continuation;
  }

 protected:
  std::coroutine_handle<> continuation_ = std::noop_coroutine();
};

template <class T>
class Promise : public PromiseBase {
 public:
  Task<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& value) {
    outcome_.set_value(std::forward<U>(value));
  }
  void unhandled_exception() noexcept { outcome_.set_error(std::current_exception()); }
  T take_result() { return outcome_.take(); }

 private:
  Outcome<T> outcome_;
};

template <>
class Promise<void> : public PromiseBase {
 public:
  Task<void> get_return_object() noexcept;
  void return_void() noexcept { outcome_.set_value(); }
  void unhandled_exception() noexcept { outcome_.set_error(std::current_exception()); }
  void take_result() { outcome_.take(); }

 private:
  Outcome<void> outcome_;
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using value_type = T;

  Task() noexcept = default;
  explicit Task(std::coroutine_handle<promise_type> handle) noexcept : handle_(handle) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  // Destroying a Task destroys its frame, and with it every Task and future it was
  // awaiting: this is how abort() and shutdown cancel a whole chain of coroutines.
  ~Task() {
    if (handle_) handle_.destroy();
  }

  bool valid() const noexcept { return static_cast<bool>(handle_); }
  bool done() const noexcept { return handle_ && handle_.done(); }
  std::coroutine_handle<promise_type> handle() const noexcept { return handle_; }

  auto operator co_await() const noexcept {
    struct Awaiter {
      std::coroutine_handle<promise_type> child;
      bool await_ready() const noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) const noexcept {
        child.promise().set_continuation(parent);
        return child;  // symmetric transfer: run the child now
      }
      T await_resume() const { return child.promise().take_result(); }
    };
    return Awaiter{handle_};
  }

 private:
  std::coroutine_handle<promise_type> handle_;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}

// RootTask: a spawned Task seen as a Future (see leaf_wait.hpp for how it drives the
// coroutine chain).
template <class T>
class RootTask {
 public:
  explicit RootTask(Task<T>&& task) noexcept : task_(std::move(task)) {}

  Poll<T> poll(Context& cx) {
    std::coroutine_handle<> next;
    if (!started_) {
      started_ = true;
      next = task_.handle();
    } else if (state_.leaf.poll != nullptr) {
      if (!state_.leaf.poll(state_.leaf.awaiter, cx)) return pending;
      next = std::exchange(state_.leaf, LeafWait{}).resume;
    } else {
      return pending;  // a wake with nothing to resume (spurious)
    }
    state_.cx = &cx;
    RootPollState* const outer = std::exchange(current_root(), &state_);
    next.resume();
    current_root() = outer;
    if (!task_.done()) return pending;
    if constexpr (std::is_void_v<T>) {
      task_.handle().promise().take_result();
      return ready;
    } else {
      return task_.handle().promise().take_result();
    }
  }

 private:
  Task<T> task_;
  RootPollState state_;
  bool started_ = false;
};
}  // namespace detail

}  // namespace weft
