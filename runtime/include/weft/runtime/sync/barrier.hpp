#pragma once
// Barrier: n tasks wait until all n have arrived, then all go on; reusable.
//
//   weft::Barrier phase(workers);
//   // in each of the `workers` tasks:
//   for (;;) {
//     compute_step();
//     auto result = co_await phase.wait();
//     if (result.is_leader()) publish_step();   // exactly one task per generation
//   }
//
// A generation completes when n waiters are waiting at once; the n-th arrival is the
// leader (ready at once), the other n-1 are woken. The barrier then starts a new generation.
//
// Cancellation: a wait() future destroyed before its generation completed withdraws (the
// generation still needs n live waiters; the task that replaces it counts instead). One
// destroyed after its generation completed changes nothing: the generation stays complete.
// Callable from any thread; co_await wait() inside a task.

#include <cstddef>
#include <cstdint>
#include <mutex>

#include <weft/runtime/detail/wait_list.hpp>
#include <weft/scheduler/context.hpp>
#include <weft/scheduler/poll.hpp>

namespace weft {

class BarrierWaitResult {
 public:
  explicit BarrierWaitResult(bool leader) noexcept : leader_(leader) {}
  // True for exactly one waiter of each generation: the one whose arrival completed it.
  bool is_leader() const noexcept { return leader_; }

 private:
  bool leader_;
};

class Barrier {
 public:
  // n == 0: std::invalid_argument.
  explicit Barrier(std::size_t n);
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;
  Barrier(Barrier&&) = delete;  // waiters point into it
  Barrier& operator=(Barrier&&) = delete;
  ~Barrier() = default;

  // The future wait() returns. Movable only before its first poll.
  class [[nodiscard]] Wait {
   public:
    Wait(Wait&& other) noexcept;
    Wait(const Wait&) = delete;
    Wait& operator=(const Wait&) = delete;
    Wait& operator=(Wait&&) = delete;
    ~Wait();

    Poll<BarrierWaitResult> poll(Context& cx);

   private:
    friend class Barrier;
    explicit Wait(Barrier& barrier) noexcept : barrier_(&barrier) {}

    enum class State { idle, waiting, done };
    Barrier* barrier_;
    State state_ = State::idle;
    detail::WaitNode node_;
  };

  Wait wait() noexcept { return Wait(*this); }
  std::size_t size() const noexcept { return n_; }
  // Generations completed so far.
  std::uint64_t generation() const;

 private:
  std::size_t n_;
  mutable std::mutex mutex_;
  detail::WaitList waiters_;  // the current generation's arrivals, minus withdrawn ones
  std::uint64_t generation_ = 0;
};

}  // namespace weft
