#include <weft/scheduler/coop.hpp>

#include <limits>

#include "scheduler_core.hpp"

namespace weft::coop {

bool poll_proceed(Context& cx) noexcept {
  std::uint32_t& budget = detail::poll_budget();
  // Outside a poll the budget is unlimited (the maximum value) and never counts down, so a
  // future polled by block_on_future on a plain thread is never made to yield.
  if (budget == std::numeric_limits<std::uint32_t>::max()) return true;
  if (budget == 0) {
    cx.waker().wake_by_ref();
    return false;
  }
  --budget;
  return true;
}

std::uint32_t remaining() noexcept {
  return detail::poll_budget();
}

}  // namespace weft::coop
