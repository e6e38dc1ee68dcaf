#pragma once
// Cooperative budget: each task poll may perform a bounded number of operations
// (SchedulerOptions::event_budget). Leaf futures that could otherwise stay ready forever
// (a socket with data always available, a channel never empty) call poll_proceed() first;
// when it returns false they wake their task and return Pending, so the worker can run
// other tasks before polling this one again.

#include <cstdint>

#include <weft/scheduler/context.hpp>

namespace weft::coop {

// Consumes one unit of the current task's budget; false (and the task's waker woken) when
// the budget is exhausted. Outside a worker the budget is unlimited.
bool poll_proceed(Context& cx) noexcept;

// Units left in the current poll's budget (for tests and diagnostics).
std::uint32_t remaining() noexcept;

}  // namespace weft::coop
