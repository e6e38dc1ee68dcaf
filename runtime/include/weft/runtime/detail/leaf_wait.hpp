#pragma once
// How a coroutine task waits on a poll-style future.
//
// A spawned Task<T> is driven by its root (RootTask): each time the scheduler polls the
// task, the root resumes the coroutine chain. When some coroutine in the chain awaits a
// hand-written future (a Future: `Poll<T> poll(Context&)`) that is not ready, the awaiter
// records itself in the root's LeafWait and the chain suspends. The next time the task is
// woken and polled, the root polls that leaf first and resumes the suspended coroutine
// only once the leaf is ready, so a spurious wakeup costs one poll, not a resume.
// The root's LeafWait is found through a thread-local pointer set for the duration of
// the root's poll.

#include <coroutine>
#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <weft/runtime/detail/outcome.hpp>
#include <weft/scheduler/context.hpp>

namespace weft::detail {

struct LeafWait {
  void* awaiter = nullptr;
  bool (*poll)(void* awaiter, Context& cx) = nullptr;  // true once the leaf is ready
  std::coroutine_handle<> resume;
};

struct RootPollState {
  Context* cx = nullptr;
  LeafWait leaf;
};

// The root being polled on this thread, if any. Constant-initialised so that access is a
// plain TLS load, with no lazy-initialisation call on this hot path.
#if defined(__SANITIZE_ADDRESS__)
// GCC 12 with -fsanitize=address,undefined miscompiles UBSan's null check of an inline
// reference to an extern thread_local (it branches on flags left by ASan's shadow check)
// and reports a null load that is not there. Sanitizer builds use an out-of-line accessor.
RootPollState*& current_root() noexcept;
#else
extern constinit thread_local RootPollState* tl_current_root;
inline RootPollState*& current_root() noexcept {
  return tl_current_root;
}
#endif

inline RootPollState& require_root() {
  RootPollState* root = current_root();
  if (root == nullptr) {
    throw std::logic_error("weft: a weft future was awaited outside a task spawned on a runtime");
  }
  return *root;
}

// The awaiter for a Future. F is the future type, or a reference to it when the future
// is awaited in place (an lvalue).
template <class F>
class PollAwaiter {
  using Future = std::remove_reference_t<F>;
  using Output = future_output_t<Future>;

 public:
  explicit PollAwaiter(F&& future) : future_(std::forward<F>(future)) {}

  bool await_ready() { return poll_once(*require_root().cx); }

  void await_suspend(std::coroutine_handle<> handle) noexcept {
    current_root()->leaf = LeafWait{this, &PollAwaiter::poll_leaf, handle};
  }

  Output await_resume() {
    if (error_) std::rethrow_exception(error_);
    if constexpr (!std::is_void_v<Output>) return std::move(*result_);
  }

 private:
  bool poll_once(Context& cx) {
    auto result = future_.poll(cx);
    if (result.is_pending()) return false;
    if constexpr (!std::is_void_v<Output>) result_.emplace(std::move(result).value());
    return true;
  }

  // Called by the root with the coroutine suspended: an exception cannot be thrown into
  // the coroutine from here, so it is kept and rethrown by await_resume.
  static bool poll_leaf(void* self, Context& cx) {
    auto* awaiter = static_cast<PollAwaiter*>(self);
    try {
      return awaiter->poll_once(cx);
    } catch (...) {
      awaiter->error_ = std::current_exception();
      return true;
    }
  }

  F future_;
  std::optional<stored_t<Output>> result_;
  std::exception_ptr error_;
};

}  // namespace weft::detail
