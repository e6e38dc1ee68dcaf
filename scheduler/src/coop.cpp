#include <weft/scheduler/coop.hpp>

#include "scheduler_core.hpp"

namespace weft::coop {

bool poll_proceed(Context& cx) noexcept {
  std::uint32_t& budget = detail::poll_budget();
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
