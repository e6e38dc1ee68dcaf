#pragma once
// AtomicWaker: one waker slot that a consumer registers into and a producer wakes, from
// any threads, without a lock. The pattern is always: the consumer registers, then checks
// its condition; the producer makes the condition true, then calls wake(). Whichever order
// they interleave in, the consumer either sees the condition or gets woken.
//
// It serves every single-waiter slot in weft (join handles, oneshot receivers, IO
// readiness), so the protocol is written and proven once.

#include <atomic>
#include <cstdint>

#include <weft/scheduler/waker.hpp>

namespace weft {

class AtomicWaker {
 public:
  // Stores a waker that will wake like `waker` (a copy is taken only when it differs from
  // the stored one). If a wake() races with this call, `waker` is woken at once.
  void register_waker(const Waker& waker) noexcept;
  // Removes and returns the registered waker (empty if none, or if a registration is in
  // progress: that registrant then wakes itself). Lets a caller deliver many wakes at once
  // (the reactor puts a whole epoll batch into one WakeBatch).
  [[nodiscard]] Waker take() noexcept;
  // Wakes and clears the registered waker, if any.
  void wake() noexcept { take().wake(); }
  // Removes the registered waker without waking it.
  void clear() noexcept { Waker dropped = take(); }

 private:
  static constexpr std::uint32_t kWaiting = 0;
  static constexpr std::uint32_t kRegistering = 1;
  static constexpr std::uint32_t kWaking = 2;

  std::atomic<std::uint32_t> state_{kWaiting};
  Waker waker_;
};

}  // namespace weft
